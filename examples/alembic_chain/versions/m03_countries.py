"""A second vocabulary, through op.execute: SQL text with ; ' $$ and %, and
bound values holding :name."""

import sqlalchemy as sa
from alembic import op

revision = "m03"
down_revision = "m02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE countries (code char(2) PRIMARY KEY, name text NOT NULL)")
    op.execute("INSERT INTO countries VALUES ('FR', 'France; la R''publique'), ('US', 'United $$ States 100%')")
    op.execute(
        sa.text("INSERT INTO countries VALUES (:code, :name)").bindparams(code="XX", name="Unknown :name; 'yet'")
    )


def downgrade() -> None:
    op.execute("DROP TABLE countries")
