-- One bronze table in `cdclake status`: live rows, delete markers, the newest source change, the last merge.
SELECT
    count(*) FILTER (WHERE NOT _deleted)::BIGINT AS live_rows,
    count(*) FILTER (WHERE _deleted)::BIGINT AS deleted_rows,
    max(_ts_ms) AS newest_change_ms,
    max(_merged_at) AS last_merge
FROM bronze.{{table}};
