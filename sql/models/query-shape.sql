-- The columns a model's query returns, in order, with their types: compared with its table's (table-shape.sql)
-- to tell whether a build can refill the table in place or must replace it.
SELECT column_name, column_type
FROM (
    DESCRIBE {{query}}
);
