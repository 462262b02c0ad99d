-- Where each bronze table's merge stands: its checkpoints change in the same commit as its data, so inside a
-- model's build transaction they say exactly which bronze commits the build read. The newest row of each
-- partition is its checkpoint (read-checkpoints.sql).
SELECT table_name, topic, "partition", next_offset
FROM lake.cdclake.checkpoints
QUALIFY row_number() OVER (
    PARTITION BY topic, "partition" ORDER BY next_offset DESC, last_key DESC, merged_at DESC
) = 1
ORDER BY table_name, topic, "partition";
