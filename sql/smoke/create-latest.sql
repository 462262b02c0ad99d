-- The latest event per key, deletes left out: what bronze holds after a merge.
CREATE TABLE lake.smoke.{{table}} AS
SELECT order_id, total_amount, updated_at
FROM read_parquet({{raw_path}})
QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY _pos DESC, _offset DESC) = 1
    AND _op <> 'd';
