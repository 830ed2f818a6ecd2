"""A materialized view WITH DATA, with a unique index (for REFRESH ... CONCURRENTLY)."""

from alembic import op

revision = "m09"
down_revision = "m08"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE MATERIALIZED VIEW status_labels AS SELECT code, upper(label) AS label FROM statuses WITH DATA")
    op.execute("CREATE UNIQUE INDEX status_labels_code ON status_labels (code)")


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW status_labels")
