-- A micro-batch whose rows carry no columns of their own (only Contract 2's columns).
CREATE TEMP TABLE {{table}} (
    _op VARCHAR,
    _pos DECIMAL(38, 0),
    _ts_ms BIGINT,
    _topic VARCHAR,
    _partition INTEGER,
    _offset BIGINT,
    _ingested_at TIMESTAMPTZ,
    _unchanged VARCHAR[]
);
