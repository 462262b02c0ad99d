-- The columns of a model's table in the lake, in order, with their types (as query-shape.sql gives them).
SELECT column_name, data_type AS column_type
FROM duckdb_columns()
WHERE database_name = 'lake' AND schema_name = {{schema}} AND table_name = {{name}}
ORDER BY column_index;
