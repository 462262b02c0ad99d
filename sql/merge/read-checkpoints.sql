-- Every topic partition's checkpoint. The table is a log: each merge appends a row per partition it moved
-- (appends by several merge processes at once never conflict in DuckLake, where updating one shared row
-- did, on every pass), and the newest row of a partition is its checkpoint. `versions` counts the rows a
-- partition has; the older ones are pruned now and then (prune-checkpoints.sql).
SELECT topic, "partition", table_name, next_offset, last_key, merged_at,
       count(*) OVER (PARTITION BY topic, "partition") AS versions
FROM lake.cdclake.checkpoints
QUALIFY row_number() OVER (
    PARTITION BY topic, "partition" ORDER BY next_offset DESC, last_key DESC, merged_at DESC
) = 1;
