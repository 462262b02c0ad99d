-- Rows in the raw objects read by this merge (from their footers), and the latest events kept of them.
SELECT
    (SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({{files}}))::BIGINT AS raw_rows,
    (SELECT count(*) FROM incoming)::BIGINT AS latest;
