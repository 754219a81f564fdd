"""Stored "looking for" items get their own words as a label instead of the placeholder
"looking for" (explanations quoted it: `X is looking for “looking for”`).

New and changed profiles get the label from `service.matching.items.quote`; this gives rows
written before it the same shape in SQL (cut at 80 characters, not at a word).

Revision ID: 0009_looking_for_labels
Revises: 0008_ids_never_reused
Create Date: 2026-12-01 12:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_looking_for_labels"
down_revision: str | None = "0008_ids_never_reused"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE item_vector SET label = CASE WHEN length(text) > 80 "
        "THEN substr(text, 1, 79) || '…' ELSE text END "
        "WHERE kind IN ('wants', 'seeks') AND label = 'looking for'"
    )


def downgrade() -> None:
    op.execute("UPDATE item_vector SET label = 'looking for' WHERE kind IN ('wants', 'seeks')")
