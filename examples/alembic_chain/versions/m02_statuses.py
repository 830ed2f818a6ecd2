"""Vocabulary rows through op.bulk_insert, with ; ' $$ :name and % in them."""

import sqlalchemy as sa
from alembic import op

revision = "m02"
down_revision = "m01"
branch_labels = None
depends_on = None

statuses = sa.table("statuses", sa.column("code", sa.Text), sa.column("label", sa.Text))


def upgrade() -> None:
    op.bulk_insert(
        statuses,
        [
            {"code": "new", "label": "New; not paid"},
            {"code": "paid", "label": "Paid ('in full')"},
            {"code": "refund", "label": "Refunded $$ :amount back"},
            {"code": "discount", "label": "Discounted 10% off"},
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM statuses")
