"""Ids are never reused: SQLite tables whose ids leave the database get AUTOINCREMENT.

Without it SQLite hands the largest deleted id to the next row, so a recreated event reused the
old one's calendar UIDs (event id + enterprise ids), a stale link or a must-meet list named a
new enterprise. PostgreSQL sequences never go back; nothing changes there. SQLite cannot alter
a table into AUTOINCREMENT: each is rebuilt (Alembic's batch copy, rows and indexes kept) with
foreign keys off, as SQLite requires for a rebuild (see env.py).

Revision ID: 0008_ids_never_reused
Revises: 0007_audit_log_jobs
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_ids_never_reused"
down_revision: str | None = "0007_audit_log_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("enterprise", "need", "offer", "event", "participant", "meeting_request", "meeting")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
