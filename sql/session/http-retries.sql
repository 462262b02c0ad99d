-- Retries after the first attempt, so DuckDB makes S3_MAX_ATTEMPTS attempts as the S3 client does.
SET GLOBAL http_retries = {{retries}};
