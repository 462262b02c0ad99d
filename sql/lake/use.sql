-- Unqualified names (bronze.orders, silver.customers) resolve in the lake.
USE lake;
