-- A column the source widened (int to bigint, float to double, a decimal with more digits).
ALTER TABLE lake.bronze.{{table}} ALTER COLUMN {{column}} SET DATA TYPE {{type}};
