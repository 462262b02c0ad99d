-- The registry entry of one bronze table: the source table it holds, its key and its truncate watermark.
SELECT source_schema, source_table, key_columns, truncated_before::VARCHAR AS truncated_before
FROM lake.cdclake.tables
WHERE bronze_name = {{bronze_name}};
