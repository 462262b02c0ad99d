-- DuckDB's reads and writes of s3:// give up after S3_REQUEST_TIMEOUT_MS (rounded up to seconds) of silence,
-- as the S3 client's do. GLOBAL: every connection of the instance (the merge's model connection too).
SET GLOBAL http_timeout = {{seconds}};
