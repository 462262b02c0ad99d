-- The model's new contents become visible with their record.
COMMIT;
