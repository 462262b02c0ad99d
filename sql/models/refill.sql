-- A model rebuilt in its own table, when its query returns the columns the table has: the old rows go and
-- the new ones come in one commit. Unlike a replace (refresh.sql), this changes no table of the catalog, so
-- it runs beside the merges of bronze.
DELETE FROM {{schema}}.{{name}};
INSERT INTO {{schema}}.{{name}}
{{query}}
;
