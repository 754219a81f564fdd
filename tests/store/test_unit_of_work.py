"""The write boundary: the catalog learns of a write only after its commit, and the model never
runs while the database's write lock is held."""

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from service.app import create_app
from service.config import Settings
from service.entities import Enterprise, EnterpriseCreate, EnterpriseRole
from service.errors import Conflict
from service.matching.embedder import Embedder, Embedders
from service.matching.hs import HsSuggester
from service.matching.items import Kind
from service.matchmaker import Matchmaker
from service.records import ORGANIZER
from service.runtime import build_matchmaker
from service.store import enterprises, vectors
from service.usecases import profiles
from service.usecases.access import new_key
from tests.api.factories import HOTPOT_MAKER, register
from tests.model_probes import ModelProbe


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
        profiles.register(mm.unit_of_work(session, ORGANIZER), mm, [data])


def test_a_write_failing_inside_its_transaction_leaves_the_catalog_untouched(
    mm: Matchmaker,
) -> None:
    _first(mm)
    before = (dict(mm.catalog.items), dict(mm.catalog.facts))
    second = _unsaved("dup")  # the unique external id fails at the INSERT: a conflict
    embedded = mm.embed(enterprises=[second])
    with (
        mm.session() as session,
        pytest.raises(Conflict, match="already taken"),
        mm.unit_of_work(session, ORGANIZER).begin(embedded) as tx,
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
            mm.unit_of_work(session, ORGANIZER).begin(embedded) as tx,
        ):
            tx.session.add(second)
            tx.index(enterprises=[second])  # flushed: the rows exist until the rollback
    assert (dict(mm.catalog.items), dict(mm.catalog.facts)) == before
    with mm.session() as session:
        assert enterprises.by_external_ids(session, ["other"]) == []


class WriteLockProbe(ModelProbe):
    """The real model, which first checks that another connection could write right now."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        super().__init__(inner)
        self.path = path
        self.locked_during_encode: list[bool] = []

    def before(self, texts: Sequence[str]) -> None:
        probe = sqlite3.connect(self.path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails at once if a writer holds the lock
            probe.execute("ROLLBACK")
            self.locked_during_encode.append(False)
        except sqlite3.OperationalError:
            self.locked_during_encode.append(True)
        finally:
            probe.close()


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


class Recording(ModelProbe):
    """The real model, noting every text it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.texts: list[str] = []

    def before(self, texts: Sequence[str]) -> None:
        self.texts += texts


def test_a_profile_edit_embeds_and_replaces_only_the_items_it_changed(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> None:
    assert embedders.multilingual is not None
    primary, second = Recording(embedders.primary), Recording(embedders.multilingual)
    app = create_app(settings, embedder=Embedders(primary, second), suggester=suggester)
    lines = [*HOTPOT_MAKER["product_lines"], {"name": "Dried chili flakes for noodle shops"}]
    with TestClient(app) as client:
        mm: Matchmaker = client.app.state.runtime.matchmaker  # type: ignore[attr-defined]
        e, auth = register(client, **{**HOTPOT_MAKER, "product_lines": lines})
        before = mm.catalog.owned(e["id"])
        uncoded = [i for i in mm.catalog.owned(e["id"], [Kind.product]) if not i.hs_code]
        assert uncoded and uncoded[0].headings  # the suggester estimated its heading
        primary.texts.clear()
        second.texts.clear()
        about = "Chongqing maker of tallow hotpot base, now also for supermarket chains."
        changed = client.patch(f"/enterprises/{e['id']}", json={"description": about}, headers=auth)
        assert changed.status_code == 200, changed.text

        after = mm.catalog.owned(e["id"])
        kept = [item for item in after if item in before]
        (fresh,) = [item for item in after if item not in before]
        assert fresh.kind is Kind.profile and about in fresh.text
        assert {item.kind for item in kept} == {Kind.product}  # both lines, same keys
        assert len(kept) == 2 and uncoded[0] in kept
        assert primary.texts == [fresh.text] and second.texts == [fresh.text]
        with mm.session() as session:  # the store holds exactly what the catalog holds
            stored = vectors.profile_items(session, [e["id"]])
        assert sorted(i.key for i in stored) == sorted(i.key for i in after)
        found = client.get("/search/suppliers", params={"q": "hotpot base for supermarket chains"})
        assert found.json()["items"][0]["partner"]["id"] == e["id"]
