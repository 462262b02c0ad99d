-- Moves the merged topic partitions' checkpoints past the objects just merged; in the same transaction
-- as the MERGE, so data and checkpoint commit together or not at all. A new row per partition, never an
-- update (read-checkpoints.sql takes the newest): two merge processes committing at once both succeed.
INSERT INTO lake.cdclake.checkpoints (topic, "partition", table_name, next_offset, last_key, merged_at)
SELECT bounds.topic, bounds."partition", {{table_name}},
       greatest(bounds.next_offset, bounds.new_next_offset), bounds.last_key, now()
FROM merge_bounds AS bounds;
