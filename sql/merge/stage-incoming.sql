-- The latest event per key among the new raw rows: rows already merged (below their partition's
-- checkpoint) are left out, and of the rest the highest position wins, the highest offset breaking ties.
-- MERGE with several source rows for one target row would keep any one of them: hence this first.
-- A TRUNCATE (op t) carries no key: the truncates share the NULL key, and the newest of them is kept.
CREATE OR REPLACE TEMP TABLE incoming AS
SELECT raw.*
FROM read_parquet({{files}}, union_by_name = true, hive_partitioning = false) AS raw
JOIN merge_bounds AS bounds
    ON raw._topic = bounds.topic AND raw._partition = bounds."partition"
WHERE raw._offset >= bounds.next_offset
QUALIFY row_number() OVER (PARTITION BY {{key}} ORDER BY raw._pos DESC, raw._offset DESC) = 1;
