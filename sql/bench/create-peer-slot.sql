-- The capture bench's second slot, read by pg_recvlogical beside cdclake's own: same plugin, same point.
SELECT pg_create_logical_replication_slot($1, 'pgoutput');
