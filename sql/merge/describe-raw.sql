-- The columns and types of the new raw objects, as one relation across writer schemas.
DESCRIBE SELECT * FROM read_parquet({{files}}, union_by_name = true, hive_partitioning = false);
