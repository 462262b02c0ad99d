-- Revenue per month (the star-schema notebook's Query 1), every month. The average is exact:
-- the sum over the count as a decimal, rounded half away from zero as PostgreSQL rounds numerics.
SELECT
    order_year AS year,
    order_month AS month,
    count(DISTINCT order_id) AS num_orders,
    count(DISTINCT customer_id) AS unique_customers,
    round(sum(total_amount), 2) AS total_revenue,
    round(CAST(sum(total_amount) AS DECIMAL(38, 6)) / count(order_id), 2) AS avg_order_value
FROM silver.orders
GROUP BY order_year, order_month
ORDER BY year DESC, month DESC
