-- Small commits (DuckLake's data inlining) live in the catalog database until flushed: written out as
-- Parquet data files, so the lake's files hold all of its data for readers that read files.
CALL ducklake_flush_inlined_data('lake');
