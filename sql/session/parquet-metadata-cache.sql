-- Parquet footers read once per file: the merge reads each raw object's metadata, schema and rows in turn.
SET parquet_metadata_cache = true;
