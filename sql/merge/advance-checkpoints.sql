-- Moves the merged topic partitions' checkpoints past the objects just merged; in the same transaction
-- as the MERGE, so data and checkpoint commit together or not at all.
MERGE INTO lake.cdclake.checkpoints AS checkpoint
USING merge_bounds AS bounds
ON checkpoint.topic = bounds.topic AND checkpoint."partition" = bounds."partition"
WHEN MATCHED THEN UPDATE SET
    table_name = {{table_name}},
    next_offset = greatest(checkpoint.next_offset, bounds.new_next_offset),
    last_key = greatest(checkpoint.last_key, bounds.last_key),
    merged_at = now()
WHEN NOT MATCHED THEN INSERT (topic, "partition", table_name, next_offset, last_key, merged_at)
VALUES (bounds.topic, bounds."partition", {{table_name}}, bounds.new_next_offset, bounds.last_key, now());
