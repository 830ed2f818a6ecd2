# ruff: noqa: E501 (the migration bodies hold SQL as a developer writes it)
"""A chain of 30 migrations such as a real project accumulates: each entry is
the body of an ``upgrade()``."""

CHAIN = [
    'op.execute("CREATE EXTENSION IF NOT EXISTS vector")',
    "op.execute(\"CREATE TYPE order_status AS ENUM ('new', 'paid')\")",
    """op.execute(\"\"\"CREATE TABLE customers (
        id serial PRIMARY KEY,
        email text NOT NULL UNIQUE,
        created_at timestamptz DEFAULT now())\"\"\")""",
    'op.execute("CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL DEFAULT 0)")',
    """op.execute(\"\"\"CREATE TABLE orders (
        id serial PRIMARY KEY,
        customer_id int REFERENCES customers (id),
        status order_status DEFAULT 'new',
        total numeric(12,2))\"\"\")""",
    'op.execute("ALTER TABLE customers ADD COLUMN name text")',
    'op.execute("CREATE INDEX ix_orders_customer ON orders (customer_id)")',
    "op.execute(\"ALTER TYPE order_status ADD VALUE 'shipped'\")",
    """op.execute(\"\"\"CREATE TABLE order_items (
        order_id int REFERENCES orders (id),
        product_id int REFERENCES products (id),
        qty int NOT NULL CHECK (qty > 0),
        PRIMARY KEY (order_id, product_id))\"\"\")""",
    """op.execute(\"\"\"CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at := now();  -- keep; the trigger below relies on it
      RETURN NEW;
    END;
    $$\"\"\")
    op.execute("ALTER TABLE orders ADD COLUMN updated_at timestamptz")""",
    'op.execute("CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch_updated_at()")',
    """op.execute(\"\"\"CREATE FUNCTION order_total(o int) RETURNS numeric LANGUAGE sql STABLE
    BEGIN ATOMIC
      SELECT sum(p.price * i.qty) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = o;
    END\"\"\")""",
    """op.execute(\"\"\"CREATE VIEW v_customer_orders AS
        SELECT c.id AS customer_id, count(o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
        GROUP BY c.id\"\"\")""",
    """op.execute(\"\"\"CREATE MATERIALIZED VIEW mv_product_sales AS
        SELECT product_id, sum(qty) AS sold FROM order_items GROUP BY product_id\"\"\")""",
    'op.execute("CREATE TABLE statuses (code text PRIMARY KEY, label text NOT NULL)")',
    """op.execute(\"\"\"INSERT INTO statuses VALUES ('new', 'New; not paid'), ('paid', 'Paid'), ('shipped', 'Shipped')\"\"\")""",
    """op.execute(\"\"\"CREATE TABLE audit_log (id bigserial PRIMARY KEY, entity text NOT NULL, payload jsonb DEFAULT '{}')\"\"\")""",
    "op.execute(\"COMMENT ON TABLE customers IS 'people who order; see ''orders'''\")",
    'op.execute("ALTER TABLE products ADD CONSTRAINT products_price_nonnegative CHECK (price >= 0)")',
    'op.execute("CREATE SEQUENCE invoice_numbers START 1000")',
    """op.execute(\"\"\"CREATE TABLE invoices (
        id int PRIMARY KEY DEFAULT nextval('invoice_numbers'),
        order_id int NOT NULL UNIQUE REFERENCES orders (id))\"\"\")""",
    """op.execute("CREATE TABLE slots (id int PRIMARY KEY, begin int)")
    op.execute(\"\"\"CREATE FUNCTION first_begin() RETURNS int LANGUAGE sql
    BEGIN ATOMIC
      SELECT slots.begin FROM slots ORDER BY id LIMIT 1;
    END\"\"\")""",
    'op.execute("ALTER TABLE customers RENAME COLUMN name TO full_name")',
    """op.execute("DROP INDEX ix_orders_customer")
    op.execute("CREATE INDEX ix_orders_customer_status ON orders (customer_id, status)")""",
    """op.execute("CREATE SCHEMA reporting")
    op.execute("CREATE VIEW reporting.daily_totals AS SELECT date_trunc('day', updated_at) AS day, sum(total) AS total FROM orders GROUP BY 1")""",
    "op.execute(\"ALTER TABLE orders ADD COLUMN note text DEFAULT 'n/a; -- not a comment'\")",
    """op.execute(\"\"\"CREATE PROCEDURE archive_order(o int) LANGUAGE sql
    BEGIN ATOMIC
      INSERT INTO audit_log (entity, payload) VALUES ('order', jsonb_build_object('id', o));
      DELETE FROM order_items WHERE order_id = o;
    END\"\"\")""",
    'op.execute("CREATE UNIQUE INDEX customers_email_lower ON customers (lower(email))")',
    """op.execute(\"\"\"CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO audit_log (entity, payload) VALUES (TG_TABLE_NAME, to_jsonb(NEW));
      RAISE NOTICE 'audited %; %', TG_TABLE_NAME, NEW.id;
      RETURN NEW;
    END
    $fn$\"\"\")""",
    'op.execute("CREATE TRIGGER invoices_audit AFTER INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION audit()")',
]
