-- Waits for a named lease (the catalog's first initialisation, which two processes must not do at once).
SELECT pg_advisory_lock(hashtextextended('cdclake:' || $1, 0));
