"""A trigger function that calls a function the next migration creates:
PL/pgSQL resolves names when it runs, so the chain's order works, and a
dump must order them so that it still does. Its body holds ; in strings."""

from alembic import op

revision = "m05"
down_revision = "m04"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE FUNCTION products_set_slug() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          NEW.slug := slugify(NEW.name);  -- slugify() comes in the next migration; see m06
          RETURN NEW;
        END;
        $$"""
    )
    op.execute(
        "CREATE TRIGGER products_slug BEFORE INSERT OR UPDATE ON products"
        " FOR EACH ROW EXECUTE FUNCTION products_set_slug()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER products_slug ON products")
    op.execute("DROP FUNCTION products_set_slug()")
