-- The scale's orders table for the snapshot benchmark, filled in one statement: the generator's columns and
-- types (sql/generator/create-tables.sql), values spread the way its workload spreads them.
INSERT INTO public.orders
SELECT
    i AS order_id,
    1 + (i * 7919) % 10000 AS customer_id,
    1 + (i * 104729) % 600 AS product_id,
    timestamptz '2024-01-01 00:00:00+00' + (i % 63072000) * interval '1 second' AS ordered_at,
    1 + i % 5 AS quantity,
    round((5 + (i * 31) % 49500 / 100.0)::numeric, 2) AS unit_price,
    round(((i % 4) * 0.05)::numeric, 2) AS discount,
    round(((1 + i % 5) * (5 + (i * 31) % 49500 / 100.0) * (1 - (i % 4) * 0.05))::numeric, 2) AS total_amount,
    (ARRAY['placed', 'paid', 'shipped', 'delivered', 'returned'])[1 + i % 5] AS status,
    timestamptz '2024-01-01 00:00:00+00' + (i % 63072000) * interval '1 second' AS updated_at
FROM generate_series(1::bigint, {{rows}}) AS i;
