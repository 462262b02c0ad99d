-- A bronze table of the scale-out bench: its rows, its distinct keys and the rows a later micro-batch changed.
SELECT
    count(*) AS n,
    count(DISTINCT id) AS keys,
    count(*) FILTER (WHERE name LIKE 'changed %') AS changed
FROM bronze.{{table}};
