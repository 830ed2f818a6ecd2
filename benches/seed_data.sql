-- Rows for the COPY-heavy flavour: text with tabs, backslashes, newlines,
-- quotes and semicolons, which COPY escapes, and NULLs.
SET search_path = bench_seed;
ALTER TABLE orders DISABLE TRIGGER USER;
INSERT INTO accounts (email, display_name, settings, created_at)
SELECT 'user' || g || '@example.com', 'User ' || g || E'\tTab; "quoted" \\ back',
       jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b;c')), '2025-01-01'::timestamptz + g * interval '1 minute'
FROM generate_series(1, 20000) g;
INSERT INTO products (sku, name, description, price, tags)
SELECT 'SKU-' || g, 'Product ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE E'Line one;\nline two -- $$ ''x''' END,
       (g % 1000) / 10.0, ARRAY['t' || g % 13, 'u;' || g % 5]
FROM generate_series(1, 5000) g;
INSERT INTO orders (account_id, state, shipping, total)
SELECT 1 + g % 20000, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4]::order_state,
       ROW(g || ' Main St', 'City ' || g % 100, lpad((g % 99999)::text, 5, '0'))::address, (g % 500) + 0.99
FROM generate_series(1, 60000) g;
INSERT INTO order_items SELECT o, 1 + (o * 7 + k) % 5000, 1 + k, 9.99 FROM generate_series(1, 60000) o, generate_series(0, 2) k;
INSERT INTO audit_log (entity, payload, at)
SELECT 'order', jsonb_build_object('id', g, 'note', E'back\\slash and \\. not the end'), '2025-06-01'::timestamptz + g * interval '1 second'
FROM generate_series(1, 40000) g;
INSERT INTO events SELECT '2025-01-01'::date + g % 700, 'kind' || g % 9, repeat('x', g % 50) FROM generate_series(1, 30000) g;
ALTER TABLE orders ENABLE TRIGGER USER;
REFRESH MATERIALIZED VIEW product_sales;
