-- Applies one generated transaction (a JSON array of {table, op, row}) in order, in one round trip.
-- A session-local function (pg_temp): nothing is left behind in the source database.
-- Idempotent when a batch is replayed in order (sent again after the connection went away mid-CALL, some of
-- its transactions already committed): an insert of a key that is there does nothing, an update writes the
-- full after-image, a delete by key finds nothing; the replay ends where one commit would have. Keys are
-- never reused and e-mail addresses carry the customer id, so no other row's key or address is in the way.
CREATE OR REPLACE FUNCTION pg_temp.cdclake_apply_changes(changes jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    c jsonb;
BEGIN
    FOR c IN SELECT value FROM jsonb_array_elements(changes) LOOP
        CASE c->>'table'
        WHEN 'orders' THEN
            IF c->>'op' = 'c' THEN
                INSERT INTO public.orders SELECT * FROM jsonb_populate_record(NULL::public.orders, c->'row')
                ON CONFLICT (order_id) DO NOTHING;
            ELSIF c->>'op' = 'u' THEN
                UPDATE public.orders AS t
                SET (customer_id, product_id, ordered_at, quantity, unit_price, discount, total_amount, status, updated_at) =
                    (r.customer_id, r.product_id, r.ordered_at, r.quantity, r.unit_price, r.discount, r.total_amount, r.status, r.updated_at)
                FROM jsonb_populate_record(NULL::public.orders, c->'row') AS r
                WHERE t.order_id = r.order_id;
            ELSE
                DELETE FROM public.orders WHERE order_id = (c->'row'->>'order_id')::bigint;
            END IF;
        WHEN 'customers' THEN
            IF c->>'op' = 'c' THEN
                INSERT INTO public.customers SELECT * FROM jsonb_populate_record(NULL::public.customers, c->'row')
                ON CONFLICT (customer_id) DO NOTHING;
            ELSIF c->>'op' = 'u' THEN
                UPDATE public.customers AS t
                SET (name, email, segment, country, created_at, updated_at) =
                    (r.name, r.email, r.segment, r.country, r.created_at, r.updated_at)
                FROM jsonb_populate_record(NULL::public.customers, c->'row') AS r
                WHERE t.customer_id = r.customer_id;
            ELSE
                DELETE FROM public.customers WHERE customer_id = (c->'row'->>'customer_id')::bigint;
            END IF;
        WHEN 'products' THEN
            IF c->>'op' = 'c' THEN
                INSERT INTO public.products SELECT * FROM jsonb_populate_record(NULL::public.products, c->'row')
                ON CONFLICT (product_id) DO NOTHING;
            ELSIF c->>'op' = 'u' THEN
                UPDATE public.products AS t
                SET (product_name, category, subcategory, unit_price, updated_at) =
                    (r.product_name, r.category, r.subcategory, r.unit_price, r.updated_at)
                FROM jsonb_populate_record(NULL::public.products, c->'row') AS r
                WHERE t.product_id = r.product_id;
            ELSE
                DELETE FROM public.products WHERE product_id = (c->'row'->>'product_id')::bigint;
            END IF;
        ELSE
            RAISE EXCEPTION 'cdclake generator: unknown table %', c->>'table';
        END CASE;
    END LOOP;
END
$$;

-- Applies several generated transactions in one round trip, each committed on its own (a procedure may
-- COMMIT when CALLed outside a transaction block), so the source still sees one transaction per txId.
CREATE OR REPLACE PROCEDURE pg_temp.cdclake_apply_transactions(transactions jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t jsonb;
BEGIN
    FOR t IN SELECT value FROM jsonb_array_elements(transactions) LOOP
        PERFORM pg_temp.cdclake_apply_changes(t);
        COMMIT;
    END LOOP;
END
$$;
