-- Attach the DuckLake lake: catalog in a DuckDB file or PostgreSQL, data files under DATA_PATH on S3.
ATTACH {{catalog}} AS {{alias}} (DATA_PATH {{data_path}});
