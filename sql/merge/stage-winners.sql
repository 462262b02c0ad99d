-- The delete-and-insert way of applying incoming events (the MERGE of merge-bronze.sql, another way):
-- the incoming events that win against bronze (keys bronze lacks, and keys whose stored position is
-- older), each as the whole row bronze will hold. A delete keeps the stored values; a column the source
-- did not send keeps its stored value.
CREATE OR REPLACE TEMP TABLE winners AS
SELECT
    {{row_values}}
    incoming._pos AS _pos,
    incoming._op AS _op,
    incoming._ts_ms AS _ts_ms,
    incoming._op = 'd' AS _deleted,
    now() AS _merged_at
FROM incoming
LEFT JOIN lake.bronze.{{table}} AS bronze ON {{key_match}}
WHERE bronze._pos IS NULL OR incoming._pos > bronze._pos;
