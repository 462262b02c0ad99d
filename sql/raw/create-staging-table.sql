-- One micro-batch of one topic partition as the appender fills it: only types the appender writes
-- directly (integers, varchar, blob), each converted to its exact type by the projection of copy-batch.sql.
-- The source's columns are added by add-staging-column.sql as the batch meets them.
CREATE TEMP TABLE {{table}} (
    _op VARCHAR,
    _pos HUGEINT,
    _ts_ms BIGINT,
    _offset BIGINT,
    _unchanged VARCHAR
);
