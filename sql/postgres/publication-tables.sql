-- The tables a publication carries now; an empty result with exists = false means no publication.
SELECT p.pubname IS NOT NULL AS exists, t.schemaname AS schema_name, t.tablename AS table_name
FROM (SELECT 1) AS one
LEFT JOIN pg_catalog.pg_publication AS p ON p.pubname = $1
LEFT JOIN pg_catalog.pg_publication_tables AS t ON t.pubname = p.pubname;
