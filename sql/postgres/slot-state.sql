-- The replication slot, if it exists: its plugin, database, confirmed position and WAL status (lost: WAL
-- it needed was removed, past max_slot_wal_keep_size).
SELECT plugin, database, confirmed_flush_lsn::text AS confirmed_flush_lsn, wal_status
FROM pg_catalog.pg_replication_slots
WHERE slot_name = $1;
