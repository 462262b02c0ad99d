-- Customers by recency, frequency and monetary value (Query 3). The quintiles break ties by customer id,
-- so the segments are the same on every engine.
WITH customer_metrics AS (
    SELECT
        c.customer_id,
        c.name,
        c.segment,
        max(o.ordered_at) AS last_order_at,
        count(DISTINCT o.order_id) AS frequency,
        sum(o.total_amount) AS monetary
    FROM silver.customers AS c
    JOIN silver.orders AS o ON c.customer_id = o.customer_id
    GROUP BY c.customer_id, c.name, c.segment
),
rfm_scores AS (
    SELECT
        *,
        ntile(5) OVER (ORDER BY last_order_at DESC, customer_id) AS recency_score,
        ntile(5) OVER (ORDER BY frequency, customer_id) AS frequency_score,
        ntile(5) OVER (ORDER BY monetary, customer_id) AS monetary_score
    FROM customer_metrics
)
SELECT
    CASE
        WHEN recency_score >= 4 AND frequency_score >= 4 THEN 'Champions'
        WHEN recency_score >= 3 AND frequency_score >= 3 THEN 'Loyal'
        WHEN recency_score >= 4 AND frequency_score <= 2 THEN 'Recent'
        WHEN recency_score <= 2 AND frequency_score >= 3 THEN 'At Risk'
        ELSE 'Others'
    END AS segment,
    count(*) AS customers,
    CAST(sign(sum(monetary)) * ((abs(CAST(sum(monetary) * 100 AS HUGEINT)) * 2 + count(*)) // (2 * count(*))) AS DECIMAL(38, 0))
        * 0.01 AS avg_ltv,
    round(sum(monetary), 2) AS total_revenue
FROM rfm_scores
GROUP BY 1
ORDER BY total_revenue DESC
