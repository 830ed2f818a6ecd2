"""An extension created late in the chain, used by an index: pg_trgm's gin_trgm_ops."""

from alembic import op

revision = "m04"
down_revision = "m03"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX products_name_trgm")
    op.execute("DROP EXTENSION pg_trgm")
