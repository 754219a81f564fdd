"""Events and their participants: create and change events, enrol and change participants."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlmodel import Session

from service.entities import EnterprisePublic, EnterpriseRole, utc_now
from service.errors import Conflict, Invalid, NotFound
from service.fairs import store
from service.fairs.scheduling.timeslots import Period, Slot, make_slots
from service.fairs.tables import (
    Event,
    EventCreate,
    EventPublic,
    EventSession,
    EventSessionCreate,
    EventSessionPublic,
    EventUpdate,
    Participant,
    ParticipantCreate,
    ParticipantPublic,
    ParticipantRole,
    ParticipantUpdate,
)
from service.matchmaker import Matchmaker
from service.store import enterprises
from service.store.unit_of_work import UnitOfWork
from service.usecases.profiles import get_enterprise

T = TypeVar("T")


def in_session(mm: Matchmaker, event_id: int, work: Callable[[UnitOfWork, Event], T]) -> T:
    """Run `work` on the event in a session of its own (jobs outlive the request's session)."""
    with mm.session() as session:
        return work(mm.unit_of_work(session), get_event(session, event_id))


# --- events --------------------------------------------------------------------------------


def get_event(session: Session, event_id: int) -> Event:
    if (event := store.event(session, event_id)) is None:
        raise NotFound(f"event {event_id} does not exist")
    return event


def slots_of(session: Session, event: Event) -> list[Slot]:
    return _slots(event, store.sessions_of(session, event.id))


def _slots(event: Event, sessions: Sequence[EventSession | EventSessionCreate]) -> list[Slot]:
    periods = [Period(s.starts_at, s.ends_at, s.is_break) for s in sessions]
    return make_slots(periods, event.meeting_minutes)


def show_event(session: Session, event: Event) -> EventPublic:
    sessions = store.sessions_of(session, event.id)
    return EventPublic.model_validate(
        event,
        from_attributes=True,
        update={
            "sessions": [
                EventSessionPublic.model_validate(s, from_attributes=True) for s in sessions
            ],
            "n_slots": len(_slots(event, sessions)),
        },
    )


def _check_sessions(event: Event, sessions: Sequence[EventSessionCreate]) -> None:
    if event.ends_on < event.starts_on:
        raise Invalid("ends_on: the event ends before it starts")
    for i, s in enumerate(sessions):
        if not event.starts_on <= s.starts_at.date() <= event.ends_on:
            raise Invalid(f"sessions.{i}: {s.starts_at} is outside the event's dates")
    try:
        slots = _slots(event, sessions)
    except ValueError as exc:
        raise Invalid(f"sessions: {exc}") from exc
    if not slots:
        raise Invalid("sessions: no meeting round fits; add a session longer than a meeting")


def _replace_sessions(
    session: Session, event: Event, sessions: Sequence[EventSessionCreate]
) -> None:
    for old in store.sessions_of(session, event.id):
        session.delete(old)
    assert event.id is not None
    session.add_all(EventSession(event_id=event.id, **s.model_dump()) for s in sessions)


def create_event(uow: UnitOfWork, data: EventCreate) -> Event:
    event = Event.model_validate(data.model_dump(exclude={"sessions"}))
    _check_sessions(event, data.sessions)
    with uow.begin() as tx:
        tx.session.add(event)
        tx.session.flush()
        _replace_sessions(tx.session, event, data.sessions)
    uow.session.refresh(event)
    return event


def update_event(uow: UnitOfWork, event: Event, data: EventUpdate) -> Event:
    """Change given fields; a later re-plan fits existing meetings to the new rounds."""
    changes = data.model_dump(exclude_unset=True, exclude={"sessions"})
    for name in ("name", "n_tables"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name}: may not be null")
    with uow.begin() as tx:
        event.sqlmodel_update(changes)
        stored = store.sessions_of(tx.session, event.id)
        sessions = data.sessions or [
            EventSessionCreate.model_validate(s, from_attributes=True) for s in stored
        ]
        _check_sessions(event, sessions)
        if data.sessions is not None:
            _replace_sessions(tx.session, event, data.sessions)
        tx.session.add(event)
    uow.session.refresh(event)
    return event


def delete_event(uow: UnitOfWork, event: Event) -> None:
    with uow.begin() as tx:
        tx.session.delete(event)


def list_events(session: Session, *, offset: int, limit: int) -> tuple[list[Event], int]:
    return store.events_page(session, offset=offset, limit=limit)


# --- participants --------------------------------------------------------------------------


def get_participant(session: Session, event: Event, participant_id: int) -> Participant:
    p = store.participant(session, participant_id)
    if p is None or p.event_id != event.id:
        raise NotFound(f"participant {participant_id} is not in event {event.id}")
    return p


def show_participant(session: Session, p: Participant) -> ParticipantPublic:
    """Never with contact details: those travel only through accepted requests."""
    e = get_enterprise(session, p.enterprise_id)
    return ParticipantPublic.model_validate(
        p,
        from_attributes=True,
        update={"enterprise": EnterprisePublic.model_validate(e, from_attributes=True)},
    )


def fits_role(enterprise_role: EnterpriseRole, role: ParticipantRole) -> bool:
    return enterprise_role is EnterpriseRole.both or enterprise_role.value == role.value


def _check_ids(session: Session, ids: Sequence[int], field: str) -> None:
    if missing := sorted(set(ids) - enterprises.existing_ids(session, ids)):
        raise Invalid(f"{field}: enterprise(s) {missing} do not exist")


def add_participant(uow: UnitOfWork, event: Event, data: ParticipantCreate) -> Participant:
    e = get_enterprise(uow.session, data.enterprise_id)
    if not fits_role(e.role, data.role):
        raise Invalid(f"role: enterprise {e.id} is a {e.role.value}, not a {data.role.value}")
    _check_ids(uow.session, data.must_meet, "must_meet")
    _check_ids(uow.session, data.do_not_meet, "do_not_meet")
    if store.enrolment(uow.session, event.id, data.enterprise_id) is not None:
        raise Conflict(f"enterprise {e.id} already takes part in event {event.id}")
    assert event.id is not None
    p = Participant.model_validate(data, update={"event_id": event.id})
    with uow.begin() as tx:
        tx.session.add(p)
    uow.session.refresh(p)
    return p


def update_participant(uow: UnitOfWork, p: Participant, data: ParticipantUpdate) -> Participant:
    """Change availability, caps, lists or status (cancelled participants leave the next plan)."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("max_meetings", "status"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name}: may not be null")
    for field in ("must_meet", "do_not_meet"):
        _check_ids(uow.session, changes.get(field) or [], field)
    with uow.begin() as tx:
        p.sqlmodel_update({k: v for k, v in changes.items() if v is not None})
        tx.session.add(p)
    uow.session.refresh(p)
    return p


def participants(session: Session, event: Event, *, active_only: bool = False) -> list[Participant]:
    return store.participants(session, event.id, active_only=active_only)


def list_participants(
    session: Session, event: Event, *, role: ParticipantRole | None, offset: int, limit: int
) -> tuple[list[ParticipantPublic], int]:
    rows, total = store.participants_page(session, event.id, role=role, offset=offset, limit=limit)
    return [show_participant(session, p) for p in rows], total


# --- an enterprise's events ----------------------------------------------------------------


def my_events(session: Session, enterprise_id: int) -> list[tuple[Participant, Event]]:
    """The events an enterprise takes part in, latest first."""
    return store.enrolments_of(session, enterprise_id)


def meeting_chances(
    session: Session, enterprise_id: int
) -> dict[int, list[tuple[Event, Participant, Participant]]]:
    """Other enterprise id -> the events where this enterprise may ask it for a meeting: both
    active there, on opposite sides (event, my place, theirs); events not yet over only."""
    mine = {
        e.id: (e, p)
        for p, e in my_events(session, enterprise_id)
        if p.status == "active" and e.ends_on >= utc_now().date()
    }
    chances: dict[int, list[tuple[Event, Participant, Participant]]] = {}
    for q in store.active_in(session, [i for i in mine if i is not None]):
        event, me = mine[q.event_id]
        if q.enterprise_id != enterprise_id and q.role != me.role:
            chances.setdefault(q.enterprise_id, []).append((event, me, q))
    return chances
