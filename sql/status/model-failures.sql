-- The models whose last build failed, for `status`.
SELECT model, error, failed_at FROM lake.cdclake.model_failures ORDER BY model;
