-- Probes visible in bronze from the lowest one not seen yet (they may arrive out of order).
SELECT id FROM bronze.cdclake_probe WHERE id >= {{from}} ORDER BY id;
