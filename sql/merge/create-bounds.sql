-- The merge's input bounds, one row per topic partition with new objects: rows below next_offset are
-- merged already (an object overlapping the checkpoint, or a replay) and are left out.
CREATE OR REPLACE TEMP TABLE merge_bounds (
    topic VARCHAR,
    "partition" INTEGER,
    next_offset BIGINT,
    new_next_offset BIGINT,
    last_key VARCHAR
);
