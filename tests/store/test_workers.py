"""Several processes on one database: a write through one is applied by every other through
the change log (`Matchmaker.sync`), within the sync interval."""

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from bench.server import Server
from service.config import Settings
from service.entities import EnterpriseCreate
from service.matching.embedder import Embedder
from service.matchmaker import Matchmaker
from service.records import ORGANIZER
from service.runtime import build_matchmaker
from service.usecases import erasure, profiles
from tests.api.factories import HOTPOT_MAKER


@pytest.fixture
def two(settings: Settings, embedder: Embedder) -> Iterator[tuple[Matchmaker, Matchmaker]]:
    """Two matchmakers with catalogs of their own, as two worker processes have."""
    first, second = build_matchmaker(settings, embedder), build_matchmaker(settings, embedder)
    yield first, second
    first.engine.dispose()
    second.engine.dispose()


def test_a_write_in_one_process_is_applied_by_another_on_sync(
    two: tuple[Matchmaker, Matchmaker],
) -> None:
    writer, reader = two
    with writer.session() as session:
        data = EnterpriseCreate.model_validate(HOTPOT_MAKER)
        [(e, _)] = profiles.register(writer.unit_of_work(session, ORGANIZER), writer, [data])
        assert e.id is not None
        enterprise_id = e.id
    assert reader.catalog.owned(enterprise_id) == []
    assert reader.sync() == 1
    assert {i.key for i in reader.catalog.owned(enterprise_id)} == {
        i.key for i in writer.catalog.owned(enterprise_id)
    }
    assert reader.catalog.facts[enterprise_id].name == HOTPOT_MAKER["name"]
    assert writer.sync() == 0  # its own write was applied at commit
    with writer.session() as session:
        erasure.erase(
            writer.unit_of_work(session, ORGANIZER), profiles.get_enterprise(session, enterprise_id)
        )
    assert reader.sync() == 1
    assert reader.catalog.owned(enterprise_id) == [] and enterprise_id not in reader.catalog.facts
    assert reader.sync() == 0


def test_a_starting_process_does_not_apply_again_what_its_load_read(
    settings: Settings, embedder: Embedder, two: tuple[Matchmaker, Matchmaker]
) -> None:
    writer, _ = two
    with writer.session() as session:
        data = EnterpriseCreate.model_validate(HOTPOT_MAKER)
        profiles.register(writer.unit_of_work(session, ORGANIZER), writer, [data])
    started = build_matchmaker(settings, embedder)
    try:
        assert started.sync() == 0  # a catalogue built in batches was re-applied whole before
    finally:
        started.engine.dispose()


def _found(base: str, text: str, enterprise_id: int) -> bool:
    reply = httpx.get(f"{base}/search/suppliers", params={"q": text}, timeout=10).json()
    return any(r["partner"]["id"] == enterprise_id for r in reply["items"])


def test_two_server_processes_see_each_others_writes_within_a_second(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "shared.db"
    path.write_bytes(sqlite_template.read_bytes())
    env = {"MATCHFAIR_SYNC_INTERVAL": "0.2"}
    with ExitStack() as running:
        url = f"sqlite:///{path}"
        servers = [Server(url, tmp_path / f"server{i}.log", env=env) for i in range(2)]
        a, b = (running.enter_context(server).url for server in servers)
        text = "bamboo charcoal briquettes for barbecue"
        body = {"name": "Anji Charcoal Co.", "role": "supplier", "product_lines": [{"name": text}]}
        created = httpx.post(f"{a}/enterprises", json=body, timeout=30)
        assert created.status_code == 201
        written = time.monotonic()
        enterprise_id = created.json()["enterprise"]["id"]
        while not _found(b, text, enterprise_id):
            assert time.monotonic() - written < 1.0, "not visible on the other process in 1 s"
            time.sleep(0.02)
        key = {"X-API-Key": created.json()["api_key"]}
        assert httpx.delete(f"{b}/enterprises/{enterprise_id}", headers=key).status_code == 204
        deleted = time.monotonic()
        while _found(a, text, enterprise_id):
            assert time.monotonic() - deleted < 1.0, "deletion not applied in 1 s"
            time.sleep(0.02)
