-- The columns of one source table, in order, with their type, nullability, primary-key position and the
-- table's replica identity (d default, n nothing, f full, i index).
SELECT
    a.attname AS column_name,
    t.typname AS type_name,
    a.atttypmod AS type_mod,
    NOT a.attnotnull AS nullable,
    k.ordinality AS key_position,
    c.relreplident AS replica_identity
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_index AS i ON i.indrelid = c.oid AND i.indisprimary
LEFT JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k (attnum, ordinality) ON k.attnum = a.attnum
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
ORDER BY a.attnum;
