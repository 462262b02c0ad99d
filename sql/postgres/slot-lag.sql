-- How far the replication slot is behind the server's WAL, in bytes: the WAL it keeps PostgreSQL from
-- removing. Null when the slot does not exist.
SELECT (pg_catalog.pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS lag_bytes
FROM pg_catalog.pg_replication_slots
WHERE slot_name = $1;
