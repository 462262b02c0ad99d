-- Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d).
-- The DuckLake catalog gets its own database so the source database `cdclake`
-- holds only the tables that are replicated.
CREATE DATABASE lake OWNER cdclake;
