-- The micro-batch as one Parquet file: zstd, row groups large enough to read fast.
COPY {{table}} TO {{path}} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880);
