-- The five best-selling products of each category by revenue (Query 2); ties broken by product name.
WITH product_sales AS (
    SELECT
        p.category,
        p.product_name,
        sum(o.quantity) AS units_sold,
        sum(o.total_amount) AS revenue,
        row_number() OVER (
            PARTITION BY p.category ORDER BY sum(o.total_amount) DESC, p.product_name
        ) AS rank
    FROM silver.orders AS o
    JOIN silver.products AS p ON o.product_id = p.product_id
    GROUP BY p.category, p.product_name
)
SELECT
    category,
    product_name,
    CAST(units_sold AS BIGINT) AS units_sold,
    round(revenue, 2) AS revenue,
    CAST(rank AS INTEGER) AS rank
FROM product_sales
WHERE rank <= 5
ORDER BY category, rank
