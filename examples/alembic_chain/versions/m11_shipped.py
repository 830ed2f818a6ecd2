"""One more status, and the view over statuses refreshed, as data migrations do."""

from alembic import op

revision = "m11"
down_revision = "m10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO statuses VALUES ('shipped', 'Shipped; on its way')")
    op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY status_labels")


def downgrade() -> None:
    op.execute("DELETE FROM statuses WHERE code = 'shipped'")
    op.execute("REFRESH MATERIALIZED VIEW status_labels")
