"""One real server (SQLite, JSON logs at INFO): a short run of the load benchmark's mix answers
without an error, and its log carries request ids but no API key, contact detail or search
text."""

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bench.load import ADMIN_KEY, prepare, run_mix
from bench.server import Server
from service.db import make_engine
from service.entities import Enterprise
from service.usecases.access import new_key

CONTACT = {
    "contact_name": "Wang Secretname",
    "contact_email": "leak-me@private.example",
    "contact_phone": "+86 139 0000 1111",
}
QUERY = "confidential tender for walnut kernels"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("served")
    shutil.copy(sqlite_template, folder / "served.db")
    env = {
        "MATCHFAIR_ADMIN_KEY": ADMIN_KEY,
        "MATCHFAIR_RATE_LIMITS": "false",  # the mix's clients all share one address
        "MATCHFAIR_LOG_FORMAT": "json",
    }
    with Server(f"sqlite:///{folder / 'served.db'}", folder / "server.log", env=env) as running:
        yield running


def test_a_short_run_of_the_load_mix_has_no_errors(server: Server) -> None:
    cast = prepare(server.url, people=4, seed=True)
    figures = run_mix(server.url, cast, duration=4, concurrency=4, max_requests=2000)
    assert figures["errors"] == 0, figures["error_examples"]
    assert figures["requests"] > 0
    assert "PATCH /enterprises/{id}" in figures["routes"]  # writes ran beside the reads
    assert "database is locked" not in server.text()


def test_the_log_holds_request_ids_and_no_key_contact_or_search_text(server: Server) -> None:
    with httpx.Client(base_url=server.url) as http:
        made = http.post(
            "/enterprises", json={"name": "Walnut Traders", "role": "buyer", **CONTACT}
        ).json()
        key = made["api_key"]
        url = f"/enterprises/{made['enterprise']['id']}"
        http.patch(url, json={"contact_phone": "+86 139 2222 3333"}, headers={"X-API-Key": key})
        rotated = http.post(f"{url}/api-key", headers={"X-API-Key": key}).json()["api_key"]
        http.get(url, headers={"X-API-Key": key})  # the old key, refused
        http.get(url, headers={"X-API-Key": ADMIN_KEY})
        ids = [
            http.get("/search/suppliers", params={"q": QUERY}).headers["x-request-id"],
            http.get("/hs/suggest", params={"text": QUERY}).headers["x-request-id"],
        ]
        http.post("/enterprises", json={"name": "", "role": "buyer", **CONTACT})  # a 422
    time.sleep(0.5)
    log = server.text()
    for secret in (key, rotated, ADMIN_KEY, *CONTACT.values(), "+86 139 2222 3333", QUERY):
        assert secret not in log
    assert "walnut" not in log.lower()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert {"time", "level", "logger", "request_id", "message"} <= set(lines[0])
    logged = {
        line["request_id"]: line["message"] for line in lines if line["logger"] == "matchfair.http"
    }
    assert logged[ids[0]].startswith("GET /search/suppliers 200")
    assert logged[ids[1]].startswith("GET /hs/suggest 200")
    others = [line for line in log.splitlines() if line and not line.startswith("{")]
    # the model's load bar, and the address `serve` prints when it starts
    banner = f"Matchfair: open {server.url}/"
    assert all("Loading weights" in line or line.startswith(banner) for line in others), others


def test_a_failed_statement_never_quotes_its_values(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "quiet.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    rows = [
        Enterprise.model_validate(
            {
                "name": "Twin",
                "role": "buyer",
                "external_id": "x",
                "api_key_hash": new_key()[1],
                **CONTACT,
            }
        )
        for _ in range(2)
    ]
    with Session(engine) as session, pytest.raises(IntegrityError) as failed:
        session.add_all(rows)
        session.commit()
    engine.dispose()
    assert "UNIQUE" in str(failed.value)
    assert CONTACT["contact_email"] not in str(failed.value)
