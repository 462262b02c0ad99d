-- The freshness probe in the source database: one row per probe, committed on its own; its arrival in
-- bronze.cdclake_probe, measured from the commit, is the end-to-end freshness.
CREATE TABLE cdclake_probe (id BIGINT PRIMARY KEY, committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
