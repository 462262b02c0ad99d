-- The generator has created its tables and written its first orders.
SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'orders';
