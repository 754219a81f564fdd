"""`matchfair backup` / `restore` (SQLite, online backup API): a backup taken while the service
writes is whole and restores into a working service; nothing is overwritten or restored from a
file that is not a Matchfair backup; PostgreSQL is pointed to pg_dump."""

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from service.app import create_app
from service.cli.main import app as cli
from service.config import Settings
from service.db import make_engine
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from service.usecases.consistency import check
from tests.api.factories import HOTPOT_MAKER, register
from tests.conftest import ADMIN_KEY


@pytest.fixture
def live(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def serving(live: str, embedder: Embedder, suggester: HsSuggester) -> Iterator[TestClient]:
    settings = Settings(database_url=live, admin_key=ADMIN_KEY, rate_limits=False)
    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as client:
        yield client


def _run(*args: str, url: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"MATCHFAIR_DATABASE_URL": url})
    return result.exit_code, result.output


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            return int(db.exec_driver_sql("SELECT count(*) FROM enterprise").scalar_one())
    finally:
        engine.dispose()


def test_a_backup_taken_while_writing_is_whole_and_restores_into_a_working_service(
    serving: TestClient,
    live: str,
    tmp_path: Path,
    embedder: Embedder,
    suggester: HsSuggester,
) -> None:
    for i in range(3):
        register(serving, **{**HOTPOT_MAKER, "name": f"Before {i}"})
    stop = threading.Event()

    def keep_writing() -> None:
        i = 0
        while not stop.is_set():
            register(serving, **{**HOTPOT_MAKER, "name": f"During {i}"})
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        code, output = _run("backup", str(tmp_path / "copy.db"), url=live)
    finally:
        stop.set()
        writer.join()
    assert code == 0, output
    backup_url = f"sqlite:///{tmp_path / 'copy.db'}"
    saved = _count(backup_url)
    assert 3 <= saved <= _count(live)
    engine = make_engine(backup_url)
    with Session(engine) as session:
        assert check(session, embedder.identity).problems == []
    engine.dispose()

    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    code, output = _run("restore", str(tmp_path / "copy.db"), url=restored)
    assert code == 0, output
    settings = Settings(database_url=restored, admin_key=ADMIN_KEY)
    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as client:
        assert client.get("/enterprises").json()["total"] == saved
        found = client.get("/search/suppliers", params={"q": "hotpot seasoning"}).json()
        assert found["items"] and found["items"][0]["partner"]["name"].startswith("Before")


def test_a_backup_never_overwrites_and_postgres_is_sent_to_its_own_tools(
    live: str, tmp_path: Path
) -> None:
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"someone's file")
    code, output = _run("backup", str(taken), url=live)
    assert code == 1 and "exists" in output
    assert taken.read_bytes() == b"someone's file"
    code, output = _run("backup", str(tmp_path / "x.db"), url="postgresql+psycopg://h/db")
    assert code == 1 and "pg_dump" in output and not (tmp_path / "x.db").exists()


def test_restore_refuses_what_is_not_a_matchfair_backup(
    serving: TestClient, live: str, tmp_path: Path
) -> None:
    register(serving, **HOTPOT_MAKER)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    code, output = _run("restore", str(junk), url=live)
    assert code == 1 and "not a SQLite database" in output
    empty = tmp_path / "empty.db"
    make_engine(f"sqlite:///{empty}").connect().close()  # a SQLite file without our schema
    code, output = _run("restore", str(empty), url=live)
    assert code == 1 and "no Matchfair schema" in output
    assert _count(live) == 1
