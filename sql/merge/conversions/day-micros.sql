-- An integer as a TIME: microseconds since midnight (Debezium's io.debezium.time.MicroTime).
CAST(TIME '00:00:00' + to_microseconds(CAST({{column}} AS BIGINT)) AS TIME)
