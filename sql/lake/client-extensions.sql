-- The extensions a DuckDB client needs to read the lake, loaded from where cdclake installed them (or
-- replace SET ... with INSTALL httpfs; INSTALL ducklake; INSTALL postgres; where the client can download).
SET extension_directory = {{extension_dir}};
LOAD httpfs;
LOAD ducklake;
LOAD postgres;
