-- The source table and key the consumer wrote into each raw file's metadata (Contract 2), and what typed
-- its columns (`schema`, or `values` for records without a schema; files written before it say nothing).
SELECT
    file_name,
    decode(key) AS name,
    decode(value) AS value
FROM parquet_kv_metadata({{files}})
WHERE decode(key) IN ('cdclake.schema', 'cdclake.table', 'cdclake.key', 'cdclake.types');
