-- Takes a named lease of the merge (a table, the models, compaction) if no other process holds it:
-- a session-level advisory lock on the catalog's PostgreSQL, so a process that dies lets go with its
-- connection. $1: the lease's name.
SELECT pg_try_advisory_lock(hashtextextended('cdclake:' || $1, 0)) AS held;
