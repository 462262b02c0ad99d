-- A raw object of generated changes for the merge's flat-cost bench (Contract 2's columns and metadata):
-- keys {{first_key}} .. {{last_key}} stepping by {{step}}, at positions and offsets from {{base}}.
COPY (
    SELECT
        {{op}} AS _op,
        CAST({{base}} + n AS DECIMAL(38, 0)) AS _pos,
        CAST(0 AS BIGINT) AS _ts_ms,
        {{topic}} AS _topic,
        CAST(0 AS INTEGER) AS _partition,
        CAST({{base}} + n AS BIGINT) AS _offset,
        now() AS _ingested_at,
        CAST(NULL AS VARCHAR[]) AS _unchanged,
        CAST(k AS BIGINT) AS id,
        {{label}} || k AS name,
        CAST(k % 1000 AS INTEGER) AS qty,
        CAST((k % 10000) * 1.25 AS DECIMAL(12, 2)) AS price
    FROM (SELECT row_number() OVER () - 1 AS n, k FROM range({{first_key}}, {{last_key}} + 1, {{step}}) t(k))
) TO {{path}} (FORMAT parquet, COMPRESSION zstd,
    KV_METADATA {'cdclake.schema': 'public', 'cdclake.table': {{table}}, 'cdclake.key': '["id"]'});
