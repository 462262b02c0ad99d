-- A batch of change events in the shape of the raw layer, written as one zstd Parquet object.
COPY (
    SELECT
        CASE WHEN i % 10 = 0 THEN 'd' WHEN i % 3 = 0 THEN 'u' ELSE 'c' END AS _op,
        i::UBIGINT AS _pos,
        i AS _offset,
        (i % 100)::BIGINT AS order_id,
        (10 + i % 7 * 2.5)::DECIMAL(12, 2) AS total_amount,
        TIMESTAMP '2026-01-01' + to_microseconds(i * 1000) AS updated_at
    FROM range({{rows}}) AS t(i)
) TO {{raw_path}} (FORMAT parquet, COMPRESSION zstd);
