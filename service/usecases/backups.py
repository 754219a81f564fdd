"""Back up and restore a SQLite database (PostgreSQL has pg_dump and pg_restore; see the
README)."""

import os
from pathlib import Path

from service.errors import BadRequest, Conflict, Invalid
from service.store import backups

ON_POSTGRES = (
    "on PostgreSQL use its own tools: pg_dump --format=custom --file=FILE DATABASE, and "
    "pg_restore --clean --if-exists --dbname=DATABASE FILE (see the README)"
)


def _database(url: str) -> Path:
    if (path := backups.sqlite_file(url)) is None:
        raise BadRequest(f"backup and restore here are for SQLite files; {ON_POSTGRES}")
    return path


def backup(url: str, target: Path) -> None:
    """Copy the live database to `target` (which must not exist), safely while serving; the
    copy is checked before it takes its name, so `target` is never a half-written file."""
    source = _database(url)
    if target.exists():
        raise Conflict(f"{target} exists; choose a new name (a backup never overwrites)")
    partial = target.with_name(target.name + ".partial")
    backups.copy(source, partial)
    if found := backups.problems(partial):
        partial.unlink()
        raise BadRequest(f"the copy failed its check: {'; '.join(found)}")
    os.replace(partial, target)


def restore(url: str, source: Path) -> None:
    """Replace the database's content with a backup's (stop the service first: a running one
    would keep serving its in-memory catalog of the old content)."""
    target = _database(url)
    if found := backups.problems(source):
        raise Invalid(f"backup: {'; '.join(found)}")
    backups.copy(source, target)
