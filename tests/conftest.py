"""Shared fixtures: the real model loaded once, and a fresh app per test on each backend.

The model is the service's default embedder (int8 ONNX unless MATCHFAIR_EMBEDDER says
otherwise). Its export is cached in the checkout's git-ignored `.matchfair-cache/`, so a clone
exports once (about 20 s), not every session.

Every test that takes `database_url` (so `settings` and `client`) runs twice: on a temp SQLite
file and on a real PostgreSQL with pgvector (one throwaway server per session, a fresh database
per test cloned from a migrated template). Both schemas come from the Alembic migrations.
"""

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import DATA_DIR, MODELS_DIR, Settings
from service.db import migrate
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester, build_suggester
from service.runtime import build_embedder
from service.store.localpg import LocalPostgres

ADMIN_KEY = "organizer-secret"
PG_TEMPLATE = "matchfair_template"
HS_VECTORS = MODELS_DIR / "hs-vectors"
CACHE_DIR = Path(__file__).resolve().parents[1] / ".matchfair-cache"


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """The persistent cache of the checkout (the int8 export), shared by the session's apps."""
    return CACHE_DIR


@pytest.fixture(scope="session")
def embedder(cache_dir: Path) -> Embedder:
    return build_embedder(Settings(cache_dir=cache_dir))


@pytest.fixture(scope="session")
def suggester(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> HsSuggester:
    """One HS suggester (shipped examples and vectors) for every app of the session; a test
    that confirms classifications builds its own, so none leaks into another."""
    return build_suggester(
        DATA_DIR, embedder, cache_dir=tmp_path_factory.mktemp("hs"), shipped_vectors=HS_VECTORS
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "matchfair.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    server = LocalPostgres().start()
    try:
        migrate(server.create_database(PG_TEMPLATE))
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "matchfair.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: LocalPostgres = request.getfixturevalue("postgres")
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield server.create_database(name, template=PG_TEMPLATE)
    server.drop_database(name)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, admin_key=ADMIN_KEY)


@pytest.fixture
def client(settings: Settings, embedder: Embedder, suggester: HsSuggester) -> Iterator[TestClient]:
    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as test_client:
        yield test_client


@pytest.fixture
def admin() -> dict[str, str]:
    return {"X-API-Key": ADMIN_KEY}
