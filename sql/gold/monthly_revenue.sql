-- Revenue per month (the star-schema notebook's Query 1), every month. The average is an exact DECIMAL:
-- the sum in cents over the count, in integers, rounded half away from zero as PostgreSQL rounds numerics
-- (a DECIMAL divided in DuckDB is a DOUBLE).
SELECT
    order_year AS year,
    order_month AS month,
    count(DISTINCT order_id) AS num_orders,
    count(DISTINCT customer_id) AS unique_customers,
    round(sum(total_amount), 2) AS total_revenue,
    CAST(sign(sum(total_amount)) * ((abs(CAST(sum(total_amount) * 100 AS HUGEINT)) * 2 + count(order_id)) // (2 * count(order_id))) AS DECIMAL(38, 0))
        * 0.01 AS avg_order_value
FROM silver.orders
GROUP BY order_year, order_month
ORDER BY year DESC, month DESC
