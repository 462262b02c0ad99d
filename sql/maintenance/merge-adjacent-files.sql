-- Compaction: small adjacent data files of each lake table rewritten as fewer, larger ones.
CALL ducklake_merge_adjacent_files('lake');
