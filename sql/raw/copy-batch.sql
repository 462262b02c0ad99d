-- The micro-batch as one Parquet file with Contract 2's columns and exact types: zstd, large row groups.
-- The file's key-value metadata names the source table and its key columns (a JSON array), for the merge,
-- and what typed its columns: `schema` (the event's writer schema) or `values` (records without a schema,
-- typed by their values, which the merge may type again as bronze or LAKE_COLUMN_TYPES says).
COPY (
    SELECT
        _op,
        CAST(_pos AS DECIMAL(38, 0)) AS _pos,
        _ts_ms,
        {{topic}} AS _topic,
        CAST({{partition}} AS INTEGER) AS _partition,
        _offset,
        make_timestamptz(CAST({{ingested_at}} AS BIGINT)) AS _ingested_at,
        CASE WHEN _unchanged IS NULL THEN NULL ELSE string_split(_unchanged, ',') END AS _unchanged{{projection}}
    FROM {{table}}
) TO {{path}} (
    FORMAT parquet,
    COMPRESSION zstd,
    ROW_GROUP_SIZE 122880,
    KV_METADATA {
        'cdclake.schema': {{source_schema}},
        'cdclake.table': {{source_table}},
        'cdclake.key': {{key_columns}},
        'cdclake.types': {{types}}
    }
);
