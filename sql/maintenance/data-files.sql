-- Live data files of one lake table, for status and for showing what compaction did.
SELECT count(*)::BIGINT AS files, coalesce(sum(data_file_size_bytes), 0)::BIGINT AS bytes
FROM ducklake_list_files('lake', {{table}}, schema => {{schema}});
