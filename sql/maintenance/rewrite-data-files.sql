-- Data files carrying delete files (rows a merge updated or deleted) rewritten without the deleted rows,
-- so merge-adjacent-files.sql can then combine them.
CALL ducklake_rewrite_data_files('lake', delete_threshold => 0.0);
