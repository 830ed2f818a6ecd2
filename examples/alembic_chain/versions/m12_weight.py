"""A second generated column, added to a table that has rows."""

from alembic import op

revision = "m12"
down_revision = "m11"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE products ADD COLUMN price_cents int GENERATED ALWAYS AS ((price * 100)::int) STORED")


def downgrade() -> None:
    op.execute("ALTER TABLE products DROP COLUMN price_cents")
