-- An integer as a TIMESTAMP: microseconds since the epoch (Debezium's io.debezium.time.MicroTimestamp).
make_timestamp(CAST({{column}} AS BIGINT))
