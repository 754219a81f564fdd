"""SQLite files copied with SQLite's online backup API.

The copy reads one consistent snapshot in a single step; in WAL mode readers never block the
writer, so backing up while the service writes is safe (and a write during the copy is simply
not in it).
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another backend or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)  # pages=-1: all at once, from one snapshot


def problems(path: Path) -> list[str]:
    """What makes `path` unfit to restore: not a SQLite file, damaged, or not Matchfair's."""
    if not path.is_file():
        return [f"{path} is not a file"]
    try:
        with closing(sqlite3.connect(path)) as db:
            pages = [row[0] for row in db.execute("PRAGMA integrity_check")]
            found = db.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return [f"{path} is not a SQLite database ({exc})"]
    if pages != ["ok"]:
        return [f"integrity_check: {line}" for line in pages]
    return [] if found else [f"{path} holds no Matchfair schema"]
