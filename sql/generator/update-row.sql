-- One generated row, given as JSON, replacing the stored row of its key.
UPDATE {{schema}}.{{table}}
SET ({{columns}}) = (SELECT {{columns}} FROM json_populate_record(NULL::{{schema}}.{{table}}, $1::json))
WHERE ({{key}}) = (SELECT {{key}} FROM json_populate_record(NULL::{{schema}}.{{table}}, $1::json));
