-- Products as they are now: deleted products left out.
SELECT
    product_id,
    trim(product_name) AS product_name,
    trim(category) AS category,
    trim(subcategory) AS subcategory,
    unit_price,
    updated_at
FROM bronze.products
WHERE NOT _deleted
