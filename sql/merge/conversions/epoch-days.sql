-- An integer as a DATE: days since 1970-01-01 (Debezium's io.debezium.time.Date, Kafka Connect's Date).
CAST(DATE '1970-01-01' + CAST({{column}} AS INTEGER) AS DATE)
