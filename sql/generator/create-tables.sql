-- The star schema of the synthetic workload (producer/generator/tables.ts describes the same tables).
-- No foreign keys: the generator keeps orders pointing at existing customers and products itself, and
-- bulk loading stays cheap. Default replica identity: updates and deletes carry the primary key.

create table if not exists public.products (
  product_id bigint primary key,
  product_name text,
  category text,
  subcategory text,
  unit_price numeric(10, 2),
  updated_at timestamptz
);

create table if not exists public.customers (
  customer_id bigint primary key,
  name text,
  email text unique,
  segment text,
  country text,
  created_at timestamptz,
  updated_at timestamptz
);

create table if not exists public.orders (
  order_id bigint primary key,
  customer_id bigint,
  product_id bigint,
  ordered_at timestamptz,
  quantity integer,
  unit_price numeric(10, 2),
  discount numeric(4, 2),
  total_amount numeric(12, 2),
  status text,
  updated_at timestamptz
);
