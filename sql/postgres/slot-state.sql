-- The replication slot, if it exists: its plugin, database and confirmed position.
SELECT plugin, database, confirmed_flush_lsn::text AS confirmed_flush_lsn
FROM pg_catalog.pg_replication_slots
WHERE slot_name = $1;
