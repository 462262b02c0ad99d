-- Applies the latest incoming event per key to bronze.<table>. Unseen keys are inserted (a delete as a
-- marker row, so an older event replayed later cannot bring the key back). A stored key changes only
-- where the incoming position is newer: replays and late older events change nothing. A delete keeps
-- the stored values and sets _deleted; a column the source did not send (unchanged TOAST) keeps its value.
-- (DuckLake's MERGE takes one UPDATE action: the delete is a CASE inside it.)
MERGE INTO lake.bronze.{{table}} AS bronze
USING incoming
ON {{key_match}}
WHEN MATCHED AND incoming._pos > bronze._pos THEN UPDATE SET
    {{assignments}}
    _pos = incoming._pos,
    _op = incoming._op,
    _ts_ms = incoming._ts_ms,
    _deleted = incoming._op = 'd',
    _merged_at = now()
WHEN NOT MATCHED THEN INSERT ({{columns}}, _pos, _op, _ts_ms, _deleted, _merged_at)
VALUES ({{values}}, incoming._pos, incoming._op, incoming._ts_ms, incoming._op = 'd', now());
