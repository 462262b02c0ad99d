SELECT typname AS type_name FROM pg_catalog.pg_type WHERE oid = $1;
