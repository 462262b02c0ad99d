-- Snapshots older than the retention are forgotten (time travel reaches back this far, no further).
CALL ducklake_expire_snapshots('lake', older_than => now() - to_milliseconds({{retention_ms}}));
