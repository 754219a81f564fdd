"""The unit of work writes the audit trail in the write's own transaction: an entry commits with
its change or not at all, and a bulk statement that would slip past it is refused."""

from collections.abc import Iterator

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from service.config import Settings
from service.entities import Enterprise, EnterpriseCreate, Need
from service.errors import Conflict
from service.matching.embedder import Embedder
from service.matchmaker import Matchmaker
from service.records import ORGANIZER, SYSTEM, AuditEntry
from service.runtime import build_matchmaker
from service.usecases import profiles
from service.usecases.access import new_key
from tests.api.factories import HOTPOT_MAKER


@pytest.fixture
def mm(settings: Settings, embedder: Embedder) -> Iterator[Matchmaker]:
    matchmaker = build_matchmaker(settings, embedder)
    yield matchmaker
    matchmaker.engine.dispose()


def _entries(mm: Matchmaker) -> int:
    with mm.session() as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


def _register(mm: Matchmaker, external_id: str) -> Enterprise:
    with mm.session() as session:
        data = EnterpriseCreate.model_validate({**HOTPOT_MAKER, "external_id": external_id})
        [(e, _)] = profiles.register(mm.unit_of_work(session, ORGANIZER), mm, [data])
        return e


def test_an_entry_commits_with_its_change_or_not_at_all(mm: Matchmaker) -> None:
    _register(mm, "first")
    assert _entries(mm) == 1
    twin = Enterprise.model_validate(
        {**HOTPOT_MAKER, "external_id": "first", "api_key_hash": new_key()[1]}
    )
    with (
        mm.session() as session,
        # the unique external id fails inside the transaction: a lost race, told as a conflict
        pytest.raises(Conflict, match="already taken"),
        mm.unit_of_work(session, ORGANIZER).begin() as tx,
    ):
        tx.session.add(twin)
    assert _entries(mm) == 1
    with mm.session() as session:
        [e] = session.exec(select(Enterprise))
        with (
            pytest.raises(RuntimeError, match="refused"),
            mm.unit_of_work(session, SYSTEM).begin() as tx,
        ):
            e.city = "Fuling"
            tx.session.add(e)
            tx.session.flush()  # the entry is collected here ...
            raise RuntimeError("refused")  # ... and rolled back with the change
    assert _entries(mm) == 1
    with mm.session() as session, mm.unit_of_work(session, SYSTEM).begin() as tx:
        [e] = tx.session.exec(select(Enterprise))
        e.city = "Fuling"
        tx.session.add(e)
    with mm.session() as session:
        last = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert last is not None
    assert (last.actor, last.action, last.fields) == ("system", "update", ["city"])


def test_a_bulk_statement_on_an_audited_table_is_refused(mm: Matchmaker) -> None:
    _register(mm, "first")
    with mm.session() as session:
        with (
            pytest.raises(RuntimeError, match="bypass the audit trail"),
            mm.unit_of_work(session, ORGANIZER).begin() as tx,
        ):
            tx.session.execute(update(Need).values(title="renamed"))
        # outside a unit of work nothing is audited, so nothing is refused: reads and tests
        assert session.exec(select(func.count()).select_from(Need)).one() == 0


def test_an_unchanged_row_leaves_no_entry(mm: Matchmaker) -> None:
    e = _register(mm, "first")
    with Session(mm.engine) as session, mm.unit_of_work(session, ORGANIZER).begin() as tx:
        row = tx.session.get(Enterprise, e.id)
        assert row is not None
        row.city = row.city  # touched, not changed
        tx.session.add(row)
    assert _entries(mm) == 1
