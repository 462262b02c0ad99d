SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = 'bronze' AND table_name = 'cdclake_probe';
