-- Probes visible in bronze that were not seen yet.
SELECT id FROM bronze.cdclake_probe WHERE id > {{after}} ORDER BY id;
