"""A materialized view WITH NO DATA, left for the application to refresh."""

from alembic import op

revision = "m10"
down_revision = "m09"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE MATERIALIZED VIEW product_sales AS
        SELECT product_id, sum(total) AS sold FROM order_lines GROUP BY product_id
        WITH NO DATA"""
    )
    op.execute("CREATE UNIQUE INDEX product_sales_product ON product_sales (product_id)")


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW product_sales")
