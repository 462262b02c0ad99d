-- Where each bronze table's merge stands: its checkpoints change in the same commit as its data, so inside a
-- model's build transaction they say exactly which bronze commits the build read.
SELECT table_name, topic, "partition", next_offset FROM lake.cdclake.checkpoints ORDER BY table_name, topic, "partition";
