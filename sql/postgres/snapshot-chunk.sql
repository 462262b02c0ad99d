-- One chunk of an incremental snapshot: the rows after the last key sent, in key order. {{after}} is
-- empty for the first chunk, otherwise `WHERE (k1, k2) > ($1, $2)` with the last key's values as text.
SELECT {{columns}}
FROM {{schema}}.{{table}}
{{after}}
ORDER BY {{key}}
LIMIT {{limit}};
