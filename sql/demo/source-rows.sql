-- Rows of one source table, to set beside its bronze table's live rows once the pipeline has caught up.
SELECT count(*)::bigint AS rows FROM {{schema}}.{{table}};
