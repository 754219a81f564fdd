"""Alembic environment: the URL from the caller or MATCHFAIR_DATABASE_URL, tables from SQLModel."""

from alembic import context
from sqlmodel import SQLModel

# imported for their side effect: registering the tables on SQLModel.metadata
import service.entities
import service.fairs.tables  # noqa: F401
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
