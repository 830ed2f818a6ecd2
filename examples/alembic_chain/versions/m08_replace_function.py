"""The trigger function replaced: the dump has only the chain's last body."""

from alembic import op

revision = "m08"
down_revision = "m07"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE OR REPLACE FUNCTION products_set_slug() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.slug IS NULL OR NEW.name IS DISTINCT FROM OLD.name THEN
            NEW.slug := slugify(NEW.name);  -- keep a hand-made slug; recompute on rename
          END IF;
          RETURN NEW;
        END;
        $$"""
    )


def downgrade() -> None:
    pass
