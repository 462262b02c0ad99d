-- One generated row, given as JSON, inserted with the table's own column types.
INSERT INTO {{schema}}.{{table}}
SELECT * FROM json_populate_record(NULL::{{schema}}.{{table}}, $1::json);
