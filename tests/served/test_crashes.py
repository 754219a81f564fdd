"""kill -9 in the middle of a write loses nothing, on SQLite and on PostgreSQL.

A real `matchfair serve` is killed while its write transaction is open (seen from outside: the
SQLite write lock, or PostgreSQL's row-exclusive lock on the table being written) during (a) a
2,000-row spreadsheet import, (c) a re-embed of every vector and (b) a 1,000-row bulk load.
After each kill: the write happened whole or not at all, the database passes its integrity and
consistency check (every vector belongs to a current row and to the current model), and the job
that was running answers "failed" after the restart instead of "running" forever. Three server
starts per backend cover the three kills.
"""

import csv
import io
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.server import Server
from service.db import is_postgres, make_engine
from service.matching.embedder import Embedder
from service.usecases.consistency import check
from tests.fairs.conftest import event_body

ADMIN = {"X-API-Key": "crash-organizer"}
SETTINGS = {
    "MATCHFAIR_ADMIN_KEY": ADMIN["X-API-Key"],
    "MATCHFAIR_RATE_LIMITS": "false",
    "MATCHFAIR_JOB_HEARTBEAT_SECONDS": "1",  # a dead server's job is abandoned after 3 s
}
ROWS, BULK = 2000, 1000
NAMES = [f"Chongqing Trading Co. {chr(65 + i)}" for i in range(20)]  # few texts: cheap to embed
# eight product lines per supplier: 10,000 vectors, so rewriting them all takes a while
PRODUCTS = "; ".join(
    f"{name} [{code}]"
    for name, code in [
        ("Hotpot base", "2103.90"),
        ("Chili oil", "1515.90"),
        ("Sichuan pepper", "0904.22"),
        ("Broad bean paste", "2103.90"),
        ("Pickled mustard tuber", "2005.99"),
        ("Sweet potato noodles", "1902.19"),
        ("Dried chili", "0904.21"),
        ("Sesame oil", "1515.50"),
    ]
)
HOLD = 0.05  # a lock held this long is a large write (a job's state is saved in a blink)


def _sheet() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "name", "role", "description", "country", "products"])
    for i in range(ROWS):
        supplier = i % 2 == 0
        writer.writerow(
            [
                f"row-{i}",
                NAMES[i % len(NAMES)],
                "supplier" if supplier else "buyer",
                "Condiments for export-quality zones",
                "China",
                PRODUCTS if supplier else "",
            ]
        )
    return out.getvalue().encode()


def _bulk() -> list[dict[str, Any]]:
    line = {"name": "Spicy hotpot seasoning base", "hs_code": "2103.90"}
    return [
        {
            "name": NAMES[i % len(NAMES)],
            "role": "supplier",
            "external_id": f"bulk-{i}",
            "product_lines": [line, {**line, "name": "Chili oil"}],
        }
        for i in range(BULK)
    ]


# --- watching a server's write from outside --------------------------------------------------


@contextmanager
def _probe(url: str) -> Iterator[Callable[[str], bool]]:
    """`writing(table)`: a transaction of the server's is writing (to `table`) right now."""
    if not is_postgres(url):
        path = make_url(url).database
        assert path is not None

        def sqlite_writing(_: str) -> bool:
            with closing(sqlite3.connect(path, timeout=0)) as probe:
                try:
                    probe.execute("BEGIN IMMEDIATE")  # fails at once while a writer holds it
                    probe.execute("ROLLBACK")
                    return False
                except sqlite3.OperationalError:
                    return True

        yield sqlite_writing
        return
    parsed = make_url(url)
    with psycopg.connect(
        host=str(parsed.query["host"]), user="postgres", dbname=parsed.database, autocommit=True
    ) as conn:

        def postgres_writing(table: str) -> bool:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted "
                "AND l.pid <> pg_backend_pid() AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())",
                (table,),
            ).fetchone()
            return bool(row and row[0])

        yield postgres_writing


def _kill_mid_write(
    server: Server, writing: Callable[[str], bool], table: str, finished: Callable[[], bool]
) -> None:
    """kill -9 once the server has been writing to `table` for HOLD seconds."""
    held_since: float | None = None
    next_look, deadline = 0.0, time.monotonic() + 600
    while time.monotonic() < deadline:
        now = time.monotonic()
        if writing(table):
            held_since = held_since or now
            if now - held_since >= HOLD:
                server.kill()
                return
            continue
        held_since = None
        if now >= next_look:
            assert not finished(), "the write finished before it could be interrupted"
            next_look = now + 0.25
    raise AssertionError("the write never started")


def _job(http: httpx.Client, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = http.get(f"/jobs/{job_id}").json()
    return job


def _embedded(http: httpx.Client, job_id: str) -> None:
    """Wait until the job has embedded its texts: its write transaction comes next."""
    while (job := _job(http, job_id))["state"] in ("queued", "running"):
        if job["total"] and job["done"] == job["total"]:
            return
        time.sleep(0.01)
    raise AssertionError(f"job ended before its write: {job}")


def _ended(http: httpx.Client, job_id: str) -> Callable[[], bool]:
    return lambda: _job(http, job_id)["state"] in ("done", "failed")


def _abandoned(http: httpx.Client, job_id: str) -> dict[str, Any]:
    """A job cut off by the kill reads "running" until its heartbeat has been silent for three
    beats (3 s here), then "failed"."""
    deadline = time.monotonic() + 30
    while (job := _job(http, job_id))["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    return job


def _wait(http: httpx.Client, job_id: str) -> dict[str, Any]:
    while (job := _job(http, job_id))["state"] in ("queued", "running"):
        time.sleep(0.1)
    return job


# --- the database as the test sees it ------------------------------------------------------


@contextmanager
def _db(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _count(url: str, table: str) -> int:
    with _db(url) as engine, engine.connect() as db:
        return int(db.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def _sound(url: str, model: str) -> None:
    with _db(url) as engine, Session(engine) as session:
        assert check(session, model).problems == []


def test_kill_9_mid_import_reembed_and_bulk_load_loses_nothing(
    database_url: str, tmp_path: Path, embedder: Embedder
) -> None:
    model, log = embedder.identity, tmp_path / "server.log"
    with _probe(database_url) as writing:
        _crash_and_check(database_url, model, log, writing)


def _crash_and_check(
    database_url: str, model: str, log: Path, writing: Callable[[str], bool]
) -> None:
    # (a) a 2,000-row import, killed inside its transaction
    server = Server(database_url, log, env=SETTINGS).start()
    try:
        with httpx.Client(base_url=server.url, timeout=300) as http:
            event = http.post("/events", json=event_body(), headers=ADMIN).json()["id"]
            files = {"file": ("fair.csv", _sheet(), "text/csv")}
            started = http.post(f"/events/{event}/imports", files=files, headers=ADMIN)
            assert started.status_code == 202, started.text
            imported = started.json()["id"]
            _embedded(http, imported)
            _kill_mid_write(server, writing, "enterprise", _ended(http, imported))
    finally:
        server.kill()
    after = (_count(database_url, "enterprise"), _count(database_url, "participant"))
    assert after in {(0, 0), (ROWS, ROWS)}, after  # all or nothing
    _sound(database_url, model)

    server = Server(database_url, log, env=SETTINGS).start()
    try:
        with httpx.Client(base_url=server.url, timeout=300) as http:
            cut = _abandoned(http, imported)
            assert cut["state"] == "failed" and cut["error"].startswith("interrupted")
            again = http.post(f"/events/{event}/imports", files=files, headers=ADMIN).json()
            assert _wait(http, again["id"])["state"] == "done"
            assert _count(database_url, "participant") == ROWS
            vectors = _count(database_url, "item_vector")

            # (c) a re-embed of every vector, killed inside its transaction
            reembed = http.post("/admin/reindex", headers=ADMIN).json()["id"]
            _embedded(http, reembed)
            _kill_mid_write(server, writing, "item_vector", _ended(http, reembed))
    finally:
        server.kill()
    assert _count(database_url, "item_vector") == vectors
    _sound(database_url, model)

    server = Server(database_url, log, env=SETTINGS).start()
    try:
        with httpx.Client(base_url=server.url, timeout=300) as http:
            assert _abandoned(http, reembed)["state"] == "failed"
            found = http.get("/search/suppliers", params={"q": "hotpot seasoning"}).json()
            assert found["items"], found

            # (b) a 1,000-row bulk load, killed inside its transaction
            answered = threading.Event()

            def load() -> None:
                with suppress(httpx.TransportError):  # the server dies under it
                    http.post("/enterprises/bulk", json=_bulk(), headers=ADMIN)
                answered.set()

            loader = threading.Thread(target=load)
            loader.start()
            _kill_mid_write(server, writing, "enterprise", answered.is_set)
            loader.join()
    finally:
        server.kill()
    assert _count(database_url, "enterprise") in {ROWS, ROWS + BULK}
    _sound(database_url, model)  # what `matchfair check` runs (tests/store/test_consistency.py)
