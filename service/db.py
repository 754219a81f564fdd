"""Engines for both backends, the vector column type, and the schema-at-head check.

SQLite gets foreign keys and WAL so readers never block the writer; PostgreSQL keeps vectors in a
pgvector column. The schema is only ever created by Alembic migrations (`matchfair migrate`).
"""

from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Dialect, Engine, LargeBinary, event
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
# table options for rows whose ids leave the database (URLs, calendar UIDs, must-meet lists):
# SQLite then never hands a deleted row's id to a new one (PostgreSQL sequences never do)
NEVER_REUSED = {"sqlite_autoincrement": True}


class SchemaMismatch(RuntimeError):
    """The database's schema is not the one this code was written for."""


def is_postgres(url_or_engine: str | Engine) -> bool:
    url = url_or_engine if isinstance(url_or_engine, str) else str(url_or_engine.url)
    return url.startswith("postgresql")


class Embedding(TypeDecorator[bytes]):
    """float32 bytes in Python; a BLOB on SQLite, a pgvector `vector(n)` on PostgreSQL.

    Python code sees the same bytes on both backends, so only this type knows about pgvector.
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, dimension: int) -> None:
        super().__init__()
        self.dimension = dimension

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from pgvector.sqlalchemy import VECTOR

            return dialect.type_descriptor(VECTOR(self.dimension))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "postgresql":
            return value
        return np.frombuffer(value, dtype=np.float32)

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None or dialect.name != "postgresql":
            return value  # type: ignore[no-any-return]
        return np.asarray(value, dtype=np.float32).tobytes()


def make_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """`busy_timeout`: seconds a SQLite writer waits for another writer's lock before it gives
    up with "database is locked" (writes hold it briefly: texts are embedded beforehand)."""
    # hide_parameters: a failed statement's message (logged, or a job's error) never quotes the
    # values it carried, such as contact details
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def alembic_config(url: str) -> Config:
    """Alembic configured in code, so `matchfair migrate` needs no ini file next to it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision` (creating the schema in an empty one)."""
    command.upgrade(alembic_config(url), revision)


def check_schema(engine: Engine) -> None:
    """Refuse to run on an unmigrated, outdated or newer schema, saying what to do."""
    scripts = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    head = scripts.get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaMismatch(
            f"the database {where} has no Matchfair schema; run `matchfair migrate` to create it"
        )
    if current not in {s.revision for s in scripts.walk_revisions()}:
        raise SchemaMismatch(
            f"the database {where} is at schema revision {current}, newer than this version of "
            f"Matchfair knows (head {head}); upgrade Matchfair instead of downgrading the database"
        )
    raise SchemaMismatch(
        f"the database {where} is at schema revision {current}, this version of Matchfair needs "
        f"{head}; run `matchfair migrate` to upgrade it"
    )
