-- Revenue by customer segment, product category and quarter of the year (the notebook's
-- three-dimension benchmark query).
SELECT
    c.segment,
    p.category,
    o.order_quarter AS quarter,
    round(sum(o.total_amount), 2) AS revenue
FROM silver.orders AS o
JOIN silver.customers AS c ON o.customer_id = c.customer_id
JOIN silver.products AS p ON o.product_id = p.product_id
GROUP BY c.segment, p.category, o.order_quarter
ORDER BY c.segment, p.category, quarter
