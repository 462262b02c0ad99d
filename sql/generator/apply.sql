SELECT pg_temp.cdclake_apply_changes($1::jsonb);
