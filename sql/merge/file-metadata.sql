-- The source table and key the consumer wrote into each raw file's metadata (Contract 2).
SELECT
    file_name,
    decode(key) AS name,
    decode(value) AS value
FROM parquet_kv_metadata({{files}})
WHERE decode(key) IN ('cdclake.schema', 'cdclake.table', 'cdclake.key');
