"""An empty (unmigrated) database on each backend."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.store.localpg import LocalPostgres


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: LocalPostgres = request.getfixturevalue("postgres")
    name = f"empty_{uuid.uuid4().hex[:12]}"
    yield server.create_database(name)
    server.drop_database(name)
