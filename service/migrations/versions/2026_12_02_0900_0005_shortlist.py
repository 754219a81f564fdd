"""Shortlists: suppliers an enterprise saved while searching.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shortlist_entry",
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["enterprise.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supplier_id"], ["enterprise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "supplier_id"),
    )
    op.create_index(op.f("ix_shortlist_entry_owner_id"), "shortlist_entry", ["owner_id"])
    op.create_index(op.f("ix_shortlist_entry_supplier_id"), "shortlist_entry", ["supplier_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_shortlist_entry_supplier_id"), table_name="shortlist_entry")
    op.drop_index(op.f("ix_shortlist_entry_owner_id"), table_name="shortlist_entry")
    op.drop_table("shortlist_entry")
