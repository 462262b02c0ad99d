-- The lake's tables, to tell which model inputs exist yet.
SELECT schema_name, table_name
FROM duckdb_tables()
WHERE database_name = 'lake';
