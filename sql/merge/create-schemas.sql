-- The lake's schemas, and cdclake's own bookkeeping: per raw topic partition, how far its objects are
-- merged (the next offset, and the key of the last object merged, where the next listing starts after).
-- The checkpoint changes in the same DuckLake transaction as the bronze table it belongs to, as a new row:
-- the newest row of a partition is its checkpoint (read-checkpoints.sql).
CREATE SCHEMA IF NOT EXISTS lake.bronze;
CREATE SCHEMA IF NOT EXISTS lake.silver;
CREATE SCHEMA IF NOT EXISTS lake.gold;
CREATE SCHEMA IF NOT EXISTS lake.cdclake;
CREATE TABLE IF NOT EXISTS lake.cdclake.checkpoints (
    topic VARCHAR,
    "partition" INTEGER,
    table_name VARCHAR,
    next_offset BIGINT,
    last_key VARCHAR,
    merged_at TIMESTAMP WITH TIME ZONE
);
-- Which source table each bronze table holds (core/lake-names.ts: two source tables never share one), its
-- key, and the position of the latest TRUNCATE (or snapshot reconcile) merged: every event older than it is
-- gone from the source.
CREATE TABLE IF NOT EXISTS lake.cdclake.tables (
    bronze_name VARCHAR,
    source_schema VARCHAR,
    source_table VARCHAR,
    key_columns VARCHAR,
    truncated_before DECIMAL(38, 0)
);
-- Each model as last built: the hash of its query, when, and the checkpoints of the bronze tables it read
-- (directly or through other models) as its build transaction saw them. A model is stale exactly when its
-- query changed or those checkpoints moved since: a merge that began before the build and committed after
-- it is not mistaken for one the build read.
CREATE TABLE IF NOT EXISTS lake.cdclake.models (
    model VARCHAR,
    query_hash VARCHAR,
    built_at TIMESTAMP WITH TIME ZONE,
    inputs_state VARCHAR
);
ALTER TABLE lake.cdclake.models ADD COLUMN IF NOT EXISTS inputs_state VARCHAR;
-- Models whose last build failed, and why: `merge --once` exits non-zero naming them, `status` shows them.
-- A later successful build removes the row, in the same transaction.
CREATE TABLE IF NOT EXISTS lake.cdclake.model_failures (
    model VARCHAR,
    error VARCHAR,
    failed_at TIMESTAMP WITH TIME ZONE
);
