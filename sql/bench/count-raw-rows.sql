-- Rows, distinct offsets and files a consumer wrote under a raw prefix: the benchmark checks that each
-- writer wrote every event exactly once, and that another engine reads what it wrote.
SELECT
    count(*)::BIGINT AS rows,
    count(DISTINCT (_topic, _partition, _offset))::BIGINT AS offsets,
    count(DISTINCT filename)::BIGINT AS files
FROM read_parquet({{glob}}, filename = true);
