-- Rows in the raw objects read by this merge (from their footers), the latest events kept of them, and
-- the newest of those events' times (milliseconds since the epoch; null when none).
SELECT
    (SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({{files}}))::BIGINT AS raw_rows,
    (SELECT count(*) FROM incoming)::BIGINT AS latest,
    (SELECT max(_ts_ms) FROM incoming)::BIGINT AS newest_ts_ms;
