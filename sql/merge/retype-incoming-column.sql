-- A staged column typed again before it reaches bronze (merge/column-types.ts): a column that arrived typed
-- by its values takes the type LAKE_COLUMN_TYPES or bronze gives it. A value that does not convert fails the
-- statement, and the table's merge with it.
ALTER TABLE incoming ALTER COLUMN {{column}} SET DATA TYPE {{type}} USING {{conversion}};
