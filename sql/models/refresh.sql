-- A silver or gold model rebuilt from its query (a file of sql/silver or sql/gold), in one commit.
CREATE OR REPLACE TABLE {{schema}}.{{name}} AS
{{query}}
;
