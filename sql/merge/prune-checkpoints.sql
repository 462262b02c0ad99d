-- The checkpoint rows a newer row of the same partition supersedes (advance-checkpoints.sql appends one per
-- merge) are deleted; the newest of each partition stays. A row appended by a merge committing meanwhile is
-- not visible here, so it is never deleted: at worst DuckLake reports a conflict and one side tries again.
DELETE FROM lake.cdclake.checkpoints AS old
WHERE EXISTS (
    SELECT 1
    FROM lake.cdclake.checkpoints AS newer
    WHERE newer.topic = old.topic
      AND newer."partition" = old."partition"
      AND (newer.next_offset, newer.last_key, newer.merged_at) > (old.next_offset, old.last_key, old.merged_at)
);
