-- A database of the demo's own on the PostgreSQL server: its source, or its lake's catalog.
CREATE DATABASE {{database}};
