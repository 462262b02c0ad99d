-- A silver or gold model built from its query (a file of sql/silver or sql/gold) as a new table, in one
-- commit: its first build, and a build whose columns changed. A schema change (lake-gate.ts).
CREATE OR REPLACE TABLE {{schema}}.{{name}} AS
{{query}}
;
