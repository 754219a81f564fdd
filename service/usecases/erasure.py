"""An enterprise's own data: all of it as one JSON document, and its erasure.

Erasure removes the profile, its product lines, needs, offers, stored vectors, shortlist
entries (its own and others' that name it), HS confirmations' link to it and its fair
participations. Meetings it already has in a fair's plan
stay, for the organizer's report, against an emptied row named "(deleted enterprise)": its
participant is kept too (cancelled, emptied) as the meetings' other side; everything else of it
goes. The audit trail keeps its entries (ids, times and field names, never values).
"""

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session

from service.entities import (
    Enterprise,
    EnterpriseCreate,
    EnterprisePrivate,
    HsConfirmationPublic,
    NeedPublic,
    OfferPublic,
    ShortlistEntryPublic,
    utc_now,
)
from service.errors import Conflict
from service.fairs import store as fairs
from service.fairs.tables import (
    MeetingPublic,
    MeetingRequestPublic,
    OutcomePublic,
    Participant,
    ParticipantBase,
    ParticipantStatus,
)
from service.records import AuditPublic
from service.store import audit, enterprises, holdings, shortlists
from service.store.unit_of_work import Transaction, UnitOfWork
from service.usecases import shortlists as shortlist
from service.usecases.access import REVOKED

DELETED_NAME = "(deleted enterprise)"


class Participation(ParticipantBase):
    id: int
    event_id: int
    event_name: str
    status: ParticipantStatus


class MeetingRecord(MeetingPublic):
    partner: str
    outcome: OutcomePublic | None


class EnterpriseExport(BaseModel):
    exported_at: datetime
    enterprise: EnterprisePrivate
    needs: list[NeedPublic]
    offers: list[OfferPublic]
    participations: list[Participation]
    requests: list[MeetingRequestPublic]
    meetings: list[MeetingRecord]
    hs_confirmations: list[HsConfirmationPublic]
    shortlist: list[ShortlistEntryPublic]
    audit: list[AuditPublic]


def export(session: Session, e: Enterprise) -> EnterpriseExport:
    """Everything stored about the enterprise (partners appear by name only)."""
    assert e.id is not None
    joined = holdings.participations(session, e.id)
    mine = {p.id for p, _ in joined if p.id is not None}
    names: dict[int, str] = {}
    for event_id in {p.event_id for p, _ in joined}:
        names |= {
            pid: other.name for pid, (_, other) in fairs.with_enterprises(session, event_id).items()
        }
    plan = holdings.meetings(session, mine)
    outcomes = fairs.outcomes(session, [m.id for m in plan])
    return EnterpriseExport(
        exported_at=utc_now(),
        enterprise=EnterprisePrivate.model_validate(e, from_attributes=True),
        needs=[
            NeedPublic.model_validate(n, from_attributes=True)
            for n in holdings.needs(session, e.id)
        ],
        offers=[
            OfferPublic.model_validate(o, from_attributes=True)
            for o in holdings.offers(session, e.id)
        ],
        participations=[
            Participation.model_validate(p, from_attributes=True, update={"event_name": ev.name})
            for p, ev in joined
        ],
        requests=[
            MeetingRequestPublic.model_validate(r, from_attributes=True)
            for r in holdings.requests(session, mine)
        ],
        meetings=[
            MeetingRecord.model_validate(
                m,
                from_attributes=True,
                update={
                    "partner": names.get(
                        m.buyer_id if m.supplier_id in mine else m.supplier_id, ""
                    ),
                    "outcome": _outcome(outcomes.get(m.id or 0)),
                },
            )
            for m in plan
        ],
        hs_confirmations=[
            HsConfirmationPublic.model_validate(c, from_attributes=True)
            for c in holdings.confirmations(session, e.id)
        ],
        shortlist=shortlist.show(session, e.id).items,
        audit=[
            AuditPublic.model_validate(a, from_attributes=True) for a in audit.about(session, e.id)
        ],
    )


def _outcome(row: object | None) -> OutcomePublic | None:
    return None if row is None else OutcomePublic.model_validate(row, from_attributes=True)


def erase(uow: UnitOfWork, e: Enterprise) -> None:
    """Remove the enterprise and what hangs off it; keep its planned meetings, anonymised."""
    assert e.id is not None
    session = uow.session
    if not enterprises.lock(session, e.id):  # first: the order a profile update takes
        raise Conflict("the enterprise was deleted by another request meanwhile")
    joined = holdings.participations(session, e.id)
    people = [p for p, _ in joined]
    met = {
        pid
        for m in holdings.meetings(session, [p.id for p in people if p.id is not None])
        for pid in (m.supplier_id, m.buyer_id)
    }
    kept = [p for p in people if p.id in met]
    with uow.begin() as tx:
        tx.audit("erase", "enterprise", e.id, enterprise_id=e.id)
        for row in (
            *holdings.needs(session, e.id),
            *holdings.offers(session, e.id),
            *shortlists.involving(session, e.id),  # its own, and others' that name it
        ):
            tx.session.delete(row)
        for c in holdings.confirmations(session, e.id):
            c.enterprise_id = None
        _leave_fairs(tx, e.id, people, kept)
        tx.forget(e.id)
        tx.session.flush()  # its needs, offers, participants first: the ORM knows no order
        if kept:
            _empty(e)
        else:
            tx.session.delete(e)


def _leave_fairs(
    tx: Transaction, enterprise_id: int, people: list[Participant], kept: list[Participant]
) -> None:
    """Participations go, but those with meetings stay as the meetings' emptied other side."""
    kept_ids = {p.id for p in kept if p.id is not None}
    holdings.clear_match_entries(tx.session, kept_ids)
    for r in holdings.requests(tx.session, kept_ids):
        if r.from_id in kept_ids:
            r.message = ""  # its words; the request itself counts in the report
    blank = ParticipantBase.model_validate({"role": "buyer"})
    for p in people:
        if p.id in kept_ids:
            p.sqlmodel_update(blank.model_dump(exclude={"role"}))
            p.max_meetings, p.status = 0, ParticipantStatus.cancelled
        else:
            tx.session.delete(p)
    for other in holdings.naming(tx.session, enterprise_id):
        other.must_meet = [x for x in other.must_meet if x != enterprise_id]
        other.do_not_meet = [x for x in other.do_not_meet if x != enterprise_id]


def _empty(e: Enterprise) -> None:
    """The enterprise's row keeps only its id, role and dates, under DELETED_NAME."""
    blank = EnterpriseCreate.model_validate({"name": DELETED_NAME, "role": e.role})
    e.sqlmodel_update(blank.model_dump(exclude={"product_lines"}))
    e.product_lines = []
    e.verified, e.api_key_hash = False, REVOKED
    e.deleted_at = e.updated_at = utc_now()
