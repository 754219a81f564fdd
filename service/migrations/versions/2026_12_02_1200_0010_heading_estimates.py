"""Items keep the multilingual model's vector and their HS heading estimate, made at write time.

Revision ID: 0010_heading_estimates
Revises: 0009_looking_for_labels
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_heading_estimates"
down_revision: str | None = "0009_looking_for_labels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item_vector", schema=None) as batch_op:
        batch_op.add_column(sa.Column("multilingual", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("multilingual_model", sa.String(200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("headings", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("item_vector", schema=None) as batch_op:
        batch_op.drop_column("headings")
        batch_op.drop_column("multilingual_model")
        batch_op.drop_column("multilingual")
