-- A one-row table beside the generator's empty tables, so a connector's first snapshot writes a record (and
-- commits its offset, snapshot done) before the backlog the stream is measured on.
CREATE TABLE cdclake_marker (id INTEGER PRIMARY KEY);
INSERT INTO cdclake_marker VALUES (1);
