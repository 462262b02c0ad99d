-- When each model was last built and from which query, and when each bronze table was last merged.
SELECT 'model' AS kind, model AS name, query_hash, built_at AS at FROM lake.cdclake.models
UNION ALL
SELECT 'bronze', table_name, NULL, max(merged_at) FROM lake.cdclake.checkpoints GROUP BY table_name;
