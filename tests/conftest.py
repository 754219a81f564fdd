"""Shared fixtures: the real model loaded once per session, and a fresh app per test on each
backend. `make test` runs one session per pytest worker (pytest-xdist, a worker per core), so
each worker loads the models and builds the session's databases and PostgreSQL server once.

The model is the service's default embedder (int8 ONNX unless MATCHFAIR_EMBEDDER says
otherwise). Its export is cached in the checkout's git-ignored `.matchfair-cache/`, so a clone
exports once (about 20 s), not every session.

Every test that takes `database_url` (so `settings` and `client`) runs twice: on a temp SQLite
file and on a real PostgreSQL with pgvector (one throwaway server per session, a fresh database
per test cloned from a migrated template). Both schemas come from the Alembic migrations.
"""

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import DATA_DIR, MODELS_DIR, Settings
from service.db import migrate
from service.matching.embedder import Embedder, Embedders, shared_multilingual
from service.matching.hs import HsSuggester, build_suggester
from service.records import ORGANIZER
from service.runtime import build_embedder, build_runtime
from service.store.localpg import LocalPostgres
from service.usecases.demo import load_demo
from tests.seed import Fair, seed_fair

ADMIN_KEY = "organizer-secret"
# for tests of what no backend changes (validation, file formats, ranking): run them once
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
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
def multilingual() -> Embedder:
    return shared_multilingual()


@pytest.fixture(scope="session")
def embedders(embedder: Embedder, multilingual: Embedder) -> Embedders:
    """The default deployment's models: MiniLM first, multilingual USE beside it."""
    return Embedders(embedder, multilingual)


@pytest.fixture(scope="session")
def suggester(embedders: Embedders, tmp_path_factory: pytest.TempPathFactory) -> HsSuggester:
    """One HS suggester (shipped examples and vectors, English and Chinese) for every app of
    the session; a test that confirms classifications builds its own, so none leaks."""
    return build_suggester(
        DATA_DIR,
        embedders.primary,
        cache_dir=tmp_path_factory.mktemp("hs"),
        shipped_vectors=HS_VECTORS,
        multilingual=embedders.multilingual,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "matchfair.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def demo_database(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, suggester: HsSuggester
) -> Path:
    """A SQLite file holding the shipped demo fair, loaded once per session; tests that write
    take a copy (`copy_database`)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    migrate(url)
    runtime = build_runtime(Settings(database_url=url), embedder=embedder, suggester=suggester)
    try:
        with runtime.matchmaker.session() as session:
            load_demo(runtime.matchmaker.unit_of_work(session, ORGANIZER), runtime.matchmaker)
    finally:
        runtime.close()
    return path


def copy_database(source: Path, target: Path) -> str:
    """A consistent copy of a SQLite file (WAL included), as a database URL."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def fair_database(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> tuple[Path, Fair]:
    """A SQLite file holding a small seeded fair (tests/seed.py), made once per session; tests
    take a copy. Its app learns the seed's HS confirmation, so it has a suggester of its own."""
    path = tmp_path_factory.mktemp("fair") / "fair.db"
    url = f"sqlite:///{path}"
    migrate(url)
    with TestClient(
        create_app(Settings(database_url=url, admin_key=ADMIN_KEY), embedder=embedder)
    ) as client:
        fair = seed_fair(client, {"X-API-Key": ADMIN_KEY})
    return path, fair


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
def client(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, embedder=embedders, suggester=suggester)) as test_client:
        yield test_client


@pytest.fixture
def admin() -> dict[str, str]:
    return {"X-API-Key": ADMIN_KEY}
