-- Every topic partition's checkpoint.
SELECT topic, "partition", table_name, next_offset, last_key, merged_at
FROM lake.cdclake.checkpoints;
