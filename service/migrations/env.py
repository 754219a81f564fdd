"""Alembic environment: the URL from the caller or MATCHFAIR_DATABASE_URL, tables from SQLModel."""

from alembic import context
from sqlmodel import SQLModel

# imported for their side effect: registering the tables on SQLModel.metadata
import service.entities
import service.fairs.tables
import service.records  # noqa: F401
from service.config import Settings
from service.db import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or Settings().database_url


def run() -> None:
    # render_as_batch: SQLite cannot ALTER most things, Alembic rebuilds the table instead
    batch = url.startswith("sqlite")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=SQLModel.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if batch:  # a batch rebuild drops the old table: with foreign keys on, that cascades
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()  # ends the implicit transaction: Alembic opens its own
            context.configure(
                connection=connection,
                target_metadata=SQLModel.metadata,
                render_as_batch=batch,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
