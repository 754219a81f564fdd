"""Migrations build the schema on both backends; the app refuses any schema but head."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from service.config import Settings
from service.db import SchemaMismatch, check_schema, make_engine, migrate
from service.matching.embedder import Embedder
from service.runtime import build_matchmaker


def _not_hnsw(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
    """pgvector's HNSW indexes exist in the migration only (PostgreSQL-specific DDL)."""
    return not (kind == "index" and (name or "").startswith("ix_item_vector_hnsw_"))


def test_empty_database_upgrades_to_head_and_matches_the_models(empty_database_url: str) -> None:
    migrate(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        check_schema(engine)
        with engine.connect() as connection:
            options = {"compare_type": True, "include_object": _not_hnsw}
            context = MigrationContext.configure(connection, opts=options)
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == [], "the models changed without a migration"


def test_unmigrated_database_is_refused_with_the_command_to_run(
    empty_database_url: str, embedder: Embedder
) -> None:
    with pytest.raises(SchemaMismatch, match="run `matchfair migrate`"):
        build_matchmaker(Settings(database_url=empty_database_url), embedder)


def test_newer_schema_is_refused(database_url: str, embedder: Embedder) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="newer than this version"):
        build_matchmaker(Settings(database_url=database_url), embedder)
