"""Initial schema: enterprises, product lines, needs, offers and their embedded items.

On PostgreSQL the item vectors are a pgvector `vector(384)` column (all-MiniLM-L6-v2's dimension:
a model of another dimension needs a new migration) with one partial HNSW index per side, since
every search looks at one side only; on SQLite they are float32 blobs searched in memory.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 11:04:46
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import VECTOR

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSION = 384
# Which item kinds each side holds (service.matching.items.SIDE_OF_KIND at the time of writing).
SIDES = {
    "supply": ("product", "offer"),
    "demand": ("need", "wants"),
    "identity": ("profile",),
    "seek": ("seeks",),
}
# pgvector's defaults; the README (Running at scale) shows what larger values buy at 1M rows.
HNSW_M, HNSW_EF_CONSTRUCTION = 16, 64


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _kinds_sql(side: str) -> str:
    return ", ".join(f"'{kind}'" for kind in SIDES[side])


def upgrade() -> None:
    if _postgres():
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    vector = VECTOR(DIMENSION) if _postgres() else sa.LargeBinary()
    op.create_table(
        "enterprise",
        sa.Column("contact_name", sa.String(), nullable=False),
        sa.Column("contact_email", sa.String(), nullable=False),
        sa.Column("contact_phone", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.Enum("supplier", "buyer", "both", name="role"), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("looking_for", sa.String(), nullable=False),
        sa.Column("city", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("export_markets", sa.JSON(), nullable=False),
        sa.Column("years_exporting", sa.Integer(), nullable=False),
        sa.Column("annual_capacity", sa.Float(), nullable=True),
        sa.Column("capacity_unit", sa.String(), nullable=False),
        sa.Column("moq", sa.Float(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("website", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("api_key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_api_key_hash"), ["api_key_hash"], unique=False
        )

    op.create_table(
        "item_vector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=400), nullable=False),
        sa.Column("hs_code", sa.String(length=12), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("vector", vector, nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("item_vector", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_vector_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index("ix_item_vector_kind_ref_id", ["kind", "ref_id"], unique=False)
    if _postgres():
        for side in SIDES:
            op.execute(
                f"CREATE INDEX ix_item_vector_hnsw_{side} ON item_vector "
                f"USING hnsw (vector vector_cosine_ops) "
                f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) "
                f"WHERE kind IN ({_kinds_sql(side)})"
            )

    op.create_table(
        "need",
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("product", sa.String(), nullable=False),
        sa.Column("hs_code", sa.String(length=12), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("target_price", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("required_certifications", sa.JSON(), nullable=False),
        sa.Column("delivery_country", sa.String(), nullable=False),
        sa.Column("delivery_region", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.Enum("open", "closed", name="status"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["buyer_id"], ["enterprise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_buyer_id"), ["buyer_id"], unique=False)

    op.create_table(
        "offer",
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("product", sa.String(), nullable=False),
        sa.Column("hs_code", sa.String(length=12), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("moq", sa.Float(), nullable=True),
        sa.Column("available_quantity", sa.Float(), nullable=True),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("status", sa.Enum("open", "closed", name="status"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["supplier_id"], ["enterprise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "product_line",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("hs_code", sa.String(length=12), nullable=True),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("product_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_line_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("product_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_line_enterprise_id"))

    op.drop_table("product_line")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_supplier_id"))

    op.drop_table("offer")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_buyer_id"))

    op.drop_table("need")
    with op.batch_alter_table("item_vector", schema=None) as batch_op:
        batch_op.drop_index("ix_item_vector_kind_ref_id")
        batch_op.drop_index(batch_op.f("ix_item_vector_enterprise_id"))

    op.drop_table("item_vector")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_api_key_hash"))

    op.drop_table("enterprise")
    if _postgres():  # the HNSW indexes went with item_vector; the extension may serve others
        op.execute("DROP TYPE IF EXISTS role")
        op.execute("DROP TYPE IF EXISTS status")
