-- An integer as a TIMESTAMP WITH TIME ZONE: microseconds since the epoch, an instant in UTC.
timezone('UTC', make_timestamp(CAST({{column}} AS BIGINT)))
