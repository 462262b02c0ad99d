-- Customers as they are now: deleted customers left out, names and segments trimmed.
SELECT
    customer_id,
    trim(name) AS name,
    lower(trim(email)) AS email,
    trim(segment) AS segment,
    trim(country) AS country,
    created_at,
    updated_at
FROM bronze.customers
WHERE NOT _deleted
