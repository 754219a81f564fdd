"""The write boundary: the catalog learns of a write only after its commit, and the model never
runs while the database's write lock is held."""

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.app import create_app
from service.config import Settings
from service.entities import Enterprise, EnterpriseCreate, EnterpriseRole
from service.matching.embedder import Embedder, FloatArray
from service.matching.hs import HsSuggester
from service.matchmaker import Matchmaker
from service.runtime import build_matchmaker
from service.store import enterprises
from service.usecases import profiles
from service.usecases.access import new_key
from tests.api.factories import HOTPOT_MAKER, register


@pytest.fixture
def mm(settings: Settings, embedder: Embedder) -> Iterator[Matchmaker]:
    matchmaker = build_matchmaker(settings, embedder)
    yield matchmaker
    matchmaker.engine.dispose()


def _unsaved(external_id: str) -> Enterprise:
    return Enterprise(
        name="Second Pot Co.",
        role=EnterpriseRole.supplier,
        external_id=external_id,
        description="hotpot base",
        api_key_hash=new_key()[1],
        certifications=[],
        export_markets=[],
        languages=[],
    )


def _first(mm: Matchmaker) -> None:
    with mm.session() as session:
        data = EnterpriseCreate.model_validate({**HOTPOT_MAKER, "external_id": "dup"})
        profiles.register(mm.unit_of_work(session), mm, [data])


def test_a_write_failing_inside_its_transaction_leaves_the_catalog_untouched(
    mm: Matchmaker,
) -> None:
    _first(mm)
    before = (dict(mm.catalog.items), dict(mm.catalog.facts))
    second = _unsaved("dup")  # the unique external id fails at the INSERT
    embedded = mm.embed(enterprises=[second])
    with (
        mm.session() as session,
        pytest.raises(IntegrityError),
        mm.unit_of_work(session).begin(embedded) as tx,
    ):
        tx.session.add(second)
        tx.index(enterprises=[second])
    assert (dict(mm.catalog.items), dict(mm.catalog.facts)) == before


def test_a_failed_commit_leaves_the_catalog_untouched(mm: Matchmaker) -> None:
    _first(mm)
    before = (dict(mm.catalog.items), dict(mm.catalog.facts))
    second = _unsaved("other")
    embedded = mm.embed(enterprises=[second])

    def refuse(_: Session) -> None:
        raise RuntimeError("commit refused")

    with mm.session() as session:
        event.listen(session, "before_commit", refuse)
        with (
            pytest.raises(RuntimeError, match="commit refused"),
            mm.unit_of_work(session).begin(embedded) as tx,
        ):
            tx.session.add(second)
            tx.index(enterprises=[second])  # flushed: the rows exist until the rollback
    assert (dict(mm.catalog.items), dict(mm.catalog.facts)) == before
    with mm.session() as session:
        assert enterprises.by_external_ids(session, ["other"]) == []


class WriteLockProbe:
    """The real model, which first checks that another connection could write right now."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner, self.path = inner, path
        self.identity, self.dimension = inner.identity, inner.dimension
        self.locked_during_encode: list[bool] = []

    def encode(self, texts: Sequence[str]) -> FloatArray:
        probe = sqlite3.connect(self.path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails at once if a writer holds the lock
            probe.execute("ROLLBACK")
            self.locked_during_encode.append(False)
        except sqlite3.OperationalError:
            self.locked_during_encode.append(True)
        finally:
            probe.close()
        return self.inner.encode(texts)


def test_the_model_runs_before_the_write_transaction_opens(
    tmp_path: Path, sqlite_template: Path, embedder: Embedder, suggester: HsSuggester
) -> None:
    path = tmp_path / "lock.db"
    path.write_bytes(sqlite_template.read_bytes())
    probe = WriteLockProbe(embedder, path)
    app = create_app(
        Settings(database_url=f"sqlite:///{path}"), embedder=probe, suggester=suggester
    )
    with TestClient(app) as client:
        e, auth = register(client, **HOTPOT_MAKER)
        changed = client.patch(
            f"/enterprises/{e['id']}", json={"description": "Tallow hotpot base"}, headers=auth
        )
        assert changed.status_code == 200
        need_maker, need_auth = register(client, name="Buyer", role="buyer")
        posted = client.post(
            "/needs", json={"buyer_id": need_maker["id"], "title": "hotpot base"}, headers=need_auth
        )
        assert posted.status_code == 201
    assert len(probe.locked_during_encode) >= 4
    assert not any(probe.locked_during_encode)
