COPY {{table}} TO {{path}} (FORMAT parquet, COMPRESSION zstd);
