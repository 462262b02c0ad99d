-- One bronze table's rows and a hash of every column but the merge time: two merges that made the same
-- bronze give the same fingerprint.
SELECT count(*) AS n, sum(hash(s)) AS h FROM (SELECT * EXCLUDE (_merged_at) FROM bronze.{{table}}) AS s;
