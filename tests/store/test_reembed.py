"""Vectors of another model or backend are never searched: the service refuses to start on them
and `matchfair reindex` re-embeds stored items in batches and swaps them at once; search goes on."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from service.app import create_app
from service.config import Settings
from service.entities import ItemVector
from service.matching.embedder import Embedder
from service.matchmaker import Matchmaker, OtherModelsVectors
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, LAPTOP_MAKER, post_need, register

OTHER_MODEL = "some-other-model@000000000000"
ROOT = Path(__file__).resolve().parents[2]


def _fair(client: TestClient) -> int:
    """Two suppliers and a buyer with a hotpot need; returns the need's id."""
    profiles: list[dict[str, Any]] = [HOTPOT_MAKER, LAPTOP_MAKER, GERMAN_BUYER]
    register(client, **profiles[0])
    register(client, **profiles[1])
    buyer, auth = register(client, **profiles[2])
    need = post_need(client, auth, buyer_id=buyer["id"], title="Hotpot seasoning for supermarkets")
    return int(need["id"])


def _top_supplier(client: TestClient, need_id: int) -> str:
    items = client.get(f"/needs/{need_id}/recommendations").json()["items"]
    return str(items[0]["partner"]["name"])


def _pretend_another_model_made_everything(mm: Matchmaker, model: str) -> None:
    """Stored vectors of another model: random directions, labelled with its name."""
    rng = np.random.default_rng(0)
    with Session(mm.engine) as session:
        for row in session.exec(select(ItemVector)):
            noise = rng.standard_normal(mm.embedder.dimension).astype(np.float32)
            row.vector = (noise / np.linalg.norm(noise)).tobytes()
            row.model = model
            session.add(row)
        session.commit()


def _stored(mm: Matchmaker) -> list[ItemVector]:
    with Session(mm.engine) as session:
        return list(session.exec(select(ItemVector)))


def _reindex_command(settings: Settings, cache_dir: Path) -> str:
    """`matchfair reindex` in a process of its own, configured like the tests' service."""
    env = {
        **os.environ,
        "MATCHFAIR_DATABASE_URL": settings.database_url,
        "MATCHFAIR_CACHE_DIR": str(cache_dir),
        "HF_HUB_OFFLINE": "1",
    }
    command = "from service.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", command, "reindex"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


def test_start_on_another_backends_vectors_is_refused_until_reindex(
    settings: Settings, embedder: Embedder, cache_dir: Path
) -> None:
    with TestClient(create_app(settings, embedder=embedder)) as client:
        need_id = _fair(client)
        # the same weights run by the other backend (fp32 <-> int8) name their vectors otherwise
        other = (
            embedder.identity.removesuffix("+onnx-int8")
            if embedder.identity.endswith("+onnx-int8")
            else f"{embedder.identity}+onnx-int8"
        )
        _pretend_another_model_made_everything(client.app.state.runtime.matchmaker, other)  # type: ignore[attr-defined]
    with (
        pytest.raises(OtherModelsVectors, match=f"{other}.*run `matchfair reindex`"),
        TestClient(create_app(settings, embedder=embedder)),
    ):
        pass
    assert f"with {embedder.identity}" in _reindex_command(settings, cache_dir)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        rows = _stored(client.app.state.runtime.matchmaker)  # type: ignore[attr-defined]
        assert {row.model for row in rows} == {embedder.identity}
        fresh = embedder.encode([row.text for row in rows])
        stored = np.stack([np.frombuffer(row.vector, np.float32) for row in rows])
        np.testing.assert_allclose(stored, fresh, atol=1e-5)
        assert _top_supplier(client, need_id) == HOTPOT_MAKER["name"]


def test_reembed_job_swaps_at_once_and_searches_work_between_batches(client: TestClient) -> None:
    need_id = _fair(client)
    mm: Matchmaker = client.app.state.runtime.matchmaker  # type: ignore[attr-defined]
    with mm.engine.begin() as connection:  # mark, keeping the vectors, so searches stay sensible
        connection.execute(text("UPDATE item_vector SET model = :m"), {"m": OTHER_MODEL})
    seen: list[tuple[int, set[str], str]] = []

    def progress(done: int, total: int) -> None:
        models = {row.model for row in _stored(mm)}
        seen.append((done, models, _top_supplier(client, need_id)))

    total = len(_stored(mm))
    assert mm.reembed(progress) == total
    assert seen and seen[-1][0] == total
    assert all(models == {OTHER_MODEL} for _, models, _ in seen), "nothing swaps before the end"
    assert all(top == HOTPOT_MAKER["name"] for _, _, top in seen)
    assert {row.model for row in _stored(mm)} == {mm.embedder.identity}
    assert _top_supplier(client, need_id) == HOTPOT_MAKER["name"]
