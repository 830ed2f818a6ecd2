"""The function the trigger of m05 calls, with ; and $ inside its body."""

from alembic import op

revision = "m06"
down_revision = "m05"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE FUNCTION slugify(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $body$
        DECLARE
          separators constant text := ' ;,.$';
        BEGIN
          RETURN lower(translate(value, separators, '-----'));
        END;
        $body$"""
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION slugify(text)")
