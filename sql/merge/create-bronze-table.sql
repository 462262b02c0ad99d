-- bronze.<table>: the source table as of the last merge, one row per key, deletes kept as markers.
CREATE TABLE IF NOT EXISTS lake.bronze.{{table}} (
    {{columns}},
    _pos DECIMAL(38, 0),
    _op VARCHAR,
    _ts_ms BIGINT,
    _deleted BOOLEAN,
    _merged_at TIMESTAMP WITH TIME ZONE
);
