-- A lake table's columns and types (no rows when the table does not exist).
SELECT column_name, data_type
FROM duckdb_columns()
WHERE database_name = 'lake' AND schema_name = {{schema}} AND table_name = {{table}}
ORDER BY column_index;
