"""SQLAlchemy models matching the schema the test chain builds, for ``alembic check``."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

order_status = Enum("new", "paid", "shipped", name="order_status")

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=text("now()")),
    Column("full_name", Text),
    UniqueConstraint("email", name="customers_email_key"),
    Index("customers_email_lower", text("lower(email)"), unique=True),
    comment="people who order; see 'orders'",
)

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("price", Numeric(10, 2), nullable=False, server_default=text("0")),
    CheckConstraint("price >= 0", name="products_price_nonnegative"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", name="orders_customer_id_fkey")),
    Column("status", order_status, server_default=text("'new'::order_status")),
    Column("total", Numeric(12, 2)),
    Column("updated_at", DateTime(timezone=True)),
    Column("note", Text, server_default=text("'n/a; -- not a comment'::text")),
    Index("ix_orders_customer_status", "customer_id", "status"),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", Integer, ForeignKey("orders.id", name="order_items_order_id_fkey"), primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id", name="order_items_product_id_fkey"), primary_key=True),
    Column("qty", Integer, nullable=False),
    CheckConstraint("qty > 0", name="order_items_qty_check"),
)

statuses = Table(
    "statuses",
    metadata,
    Column("code", Text, primary_key=True),
    Column("label", Text, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("entity", Text, nullable=False),
    Column("payload", JSONB, server_default=text("'{}'::jsonb")),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True, server_default=text("nextval('invoice_numbers'::regclass)")),
    Column("order_id", Integer, ForeignKey("orders.id", name="invoices_order_id_fkey"), nullable=False),
    UniqueConstraint("order_id", name="invoices_order_id_key"),
)

slots = Table(
    "slots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("begin", Integer),
)
