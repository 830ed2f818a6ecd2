"""The models the chain builds, for `alembic check` (Alembic's compare_metadata)."""

from sqlalchemy import CheckConstraint, Column, Computed, ForeignKey, Index, Integer, MetaData, Numeric, Table, Text
from sqlalchemy.dialects.postgresql import CHAR

metadata = MetaData()

statuses = Table(
    "statuses",
    metadata,
    Column("code", Text, primary_key=True),
    Column("label", Text, nullable=False),
)

countries = Table(
    "countries",
    metadata,
    Column("code", CHAR(2), primary_key=True),
    Column("name", Text, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("slug", Text),
    Column("price", Numeric(10, 2), nullable=False),
    Column("price_cents", Integer, Computed("((price * 100))::integer", persisted=True)),
    Index("products_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id", name="order_lines_product_id_fkey"), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("unit_price", Numeric(10, 2), nullable=False),
    Column("total", Numeric(12, 2), Computed("((qty)::numeric * unit_price)", persisted=True)),
    CheckConstraint("qty > 0", name="order_lines_qty_check"),
)
