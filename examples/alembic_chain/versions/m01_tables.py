"""Statuses, products and order lines; an order line's total is a generated column."""

from alembic import op

revision = "m01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE statuses (code text PRIMARY KEY, label text NOT NULL)")
    op.execute(
        "CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, slug text, price numeric(10,2) NOT NULL)"
    )
    op.execute(
        """CREATE TABLE order_lines (
            id serial PRIMARY KEY,
            product_id int NOT NULL REFERENCES products (id),
            qty int NOT NULL CHECK (qty > 0),
            unit_price numeric(10,2) NOT NULL,
            total numeric(12,2) GENERATED ALWAYS AS (qty * unit_price) STORED)"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE order_lines, products, statuses")
