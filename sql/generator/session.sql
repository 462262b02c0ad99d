-- The workload writer's session: a generator does not need each commit flushed before the next one
-- (the replication path still sees every commit once the WAL writer flushes it, within milliseconds).
SET synchronous_commit = off;
