-- A database of a run's own on the PostgreSQL server (the demo's or the freshness bench's): its source,
-- or its lake's catalog.
CREATE DATABASE {{database}};
