-- One micro-batch of one topic partition, filled by the appender: Contract 2's columns, then the row image.
CREATE TEMP TABLE {{table}} (
    _op VARCHAR,
    _pos DECIMAL(38, 0),
    _ts_ms BIGINT,
    _topic VARCHAR,
    _partition INTEGER,
    _offset BIGINT,
    _ingested_at TIMESTAMPTZ,
    _unchanged VARCHAR[],
    {{columns}}
);
