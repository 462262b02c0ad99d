-- DuckLake, and the postgres extension for a catalog in PostgreSQL.
LOAD ducklake;
LOAD postgres;
