-- Orders as they are now: deleted orders left out, calendar parts of the order time in UTC (the
-- star schema's time dimension folded into the fact), amounts kept as exact decimals.
SELECT
    order_id,
    customer_id,
    product_id,
    ordered_at,
    CAST(year(ordered_at AT TIME ZONE 'UTC') AS INTEGER) AS order_year,
    CAST(quarter(ordered_at AT TIME ZONE 'UTC') AS INTEGER) AS order_quarter,
    CAST(month(ordered_at AT TIME ZONE 'UTC') AS INTEGER) AS order_month,
    quantity,
    unit_price,
    discount,
    total_amount,
    status,
    updated_at
FROM bronze.orders
WHERE NOT _deleted
