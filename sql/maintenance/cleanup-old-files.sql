-- Data files no snapshot refers to any more are deleted from S3.
CALL ducklake_cleanup_old_files('lake', cleanup_all => true);
