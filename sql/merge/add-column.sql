-- A column the source added: rows merged before it read NULL.
ALTER TABLE lake.bronze.{{table}} ADD COLUMN {{column}} {{type}};
