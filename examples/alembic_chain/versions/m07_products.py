"""Products inserted through the trigger: a data migration that needs m05 and m06."""

from alembic import op

revision = "m07"
down_revision = "m06"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO products (name, price) VALUES ('Blue mug; large', 12.50), ('Tea $$ pot', 30)")


def downgrade() -> None:
    op.execute("DELETE FROM products")
