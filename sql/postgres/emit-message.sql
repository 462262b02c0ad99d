-- A logical decoding message in the WAL, in a transaction of its own: the stream meets it in commit order.
-- cdclake's snapshot watermarks (prefix cdclake.watermark) and snapshot requests (cdclake.snapshot).
SELECT pg_logical_emit_message(true, $1, $2)::text AS lsn;
