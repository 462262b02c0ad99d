-- Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d), as the server's
-- superuser. cdclake connects as `cdclake`, a role that is not a superuser: it may log in, open a
-- replication connection (REPLICATION, for its slot), make databases (CREATEDB: the demo and the tests
-- have their own), and it owns the source database, so it owns the tables it publishes. The DuckLake
-- catalog gets its own database so the source database holds only the tables that are replicated.
CREATE ROLE cdclake LOGIN REPLICATION CREATEDB PASSWORD 'cdclake';
ALTER DATABASE cdclake OWNER TO cdclake;
CREATE DATABASE lake OWNER cdclake;
