-- A bronze table's first merge names the source table it holds; later merges move its truncate watermark
-- (never back). In the same transaction as the merge.
MERGE INTO lake.cdclake.tables AS entry
USING (
    SELECT
        {{bronze_name}} AS bronze_name,
        {{source_schema}} AS source_schema,
        {{source_table}} AS source_table,
        {{key_columns}} AS key_columns,
        {{truncated_before}}::DECIMAL(38, 0) AS truncated_before
) AS incoming
ON entry.bronze_name = incoming.bronze_name
WHEN MATCHED THEN UPDATE SET
    key_columns = coalesce(incoming.key_columns, entry.key_columns),
    truncated_before = CASE
        WHEN entry.truncated_before IS NULL THEN incoming.truncated_before
        WHEN incoming.truncated_before IS NULL THEN entry.truncated_before
        ELSE greatest(entry.truncated_before, incoming.truncated_before)
    END
WHEN NOT MATCHED THEN INSERT (bronze_name, source_schema, source_table, key_columns, truncated_before)
VALUES (
    incoming.bronze_name,
    incoming.source_schema,
    incoming.source_table,
    incoming.key_columns,
    incoming.truncated_before
);
