-- The row of a generated key, given as JSON, deleted.
DELETE FROM {{schema}}.{{table}}
WHERE ({{key}}) = (SELECT {{key}} FROM json_populate_record(NULL::{{schema}}.{{table}}, $1::json));
