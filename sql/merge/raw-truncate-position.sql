-- The newest TRUNCATE among new raw rows that carry no key columns (a keyless truncate event of a source
-- whose row columns are unknown, as Debezium's): read without the latest-per-key step.
SELECT max(raw._pos)::VARCHAR AS pos
FROM read_parquet({{files}}, union_by_name = true, hive_partitioning = false) AS raw
JOIN merge_bounds AS bounds
    ON raw._topic = bounds.topic AND raw._partition = bounds."partition"
WHERE raw._offset >= bounds.next_offset AND raw._op = 't';
