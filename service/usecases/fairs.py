"""Fair events and their participants: create and change events, enrol participants, and
import or export the participant spreadsheet (profiles upserted by external id)."""

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from sqlmodel import Session, col, select

from service.entities import Enterprise, EnterpriseCreate, EnterprisePublic, EnterpriseUpdate, Role
from service.errors import BadRequest, Conflict, InvalidRows, NotFound
from service.fairs import importer
from service.fairs.importer import FairColumns, Format, ImportRow, RowError
from service.fairs.tables import (
    Event,
    EventCreate,
    EventPublic,
    EventSession,
    EventSessionCreate,
    EventSessionPublic,
    EventUpdate,
    ImportReport,
    Participant,
    ParticipantCreate,
    ParticipantPublic,
    ParticipantRole,
    ParticipantStatus,
    ParticipantUpdate,
)
from service.fairs.timeslots import Period, Slot, make_slots
from service.matchmaker import CatalogChange, Matchmaker, Progress
from service.store.pages import page
from service.usecases import profiles

T = TypeVar("T")


def in_session(mm: Matchmaker, event_id: int, work: Callable[[Session, Event], T]) -> T:
    """Run `work` on the event in a session of its own (jobs outlive the request's session)."""
    with Session(mm.engine) as session:
        return work(session, get_event(session, event_id))


# --- events --------------------------------------------------------------------------------


def get_event(session: Session, event_id: int) -> Event:
    if (event := session.get(Event, event_id)) is None:
        raise NotFound(f"event {event_id} does not exist")
    return event


def sessions_of(session: Session, event: Event) -> list[EventSession]:
    query = select(EventSession).where(EventSession.event_id == event.id)
    return list(session.exec(query.order_by(col(EventSession.starts_at))))


def slots_of(session: Session, event: Event) -> list[Slot]:
    return _slots(event, sessions_of(session, event))


def _slots(event: Event, sessions: Sequence[EventSession]) -> list[Slot]:
    periods = [Period(s.starts_at, s.ends_at, s.is_break) for s in sessions]
    return make_slots(periods, event.meeting_minutes)


def show_event(session: Session, event: Event) -> EventPublic:
    sessions = sessions_of(session, event)
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
        raise BadRequest("ends_on: the event ends before it starts")
    for i, s in enumerate(sessions):
        if not event.starts_on <= s.starts_at.date() <= event.ends_on:
            raise BadRequest(f"sessions.{i}: {s.starts_at} is outside the event's dates")
    try:
        slots = make_slots(
            [Period(s.starts_at, s.ends_at, s.is_break) for s in sessions], event.meeting_minutes
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    if not slots:
        raise BadRequest("sessions: no meeting round fits; add a session longer than a meeting")


def _replace_sessions(
    session: Session, event: Event, sessions: Sequence[EventSessionCreate]
) -> None:
    for old in sessions_of(session, event):
        session.delete(old)
    assert event.id is not None
    session.add_all(EventSession(event_id=event.id, **s.model_dump()) for s in sessions)


def create_event(session: Session, data: EventCreate) -> Event:
    event = Event.model_validate(data.model_dump(exclude={"sessions"}))
    _check_sessions(event, data.sessions)
    session.add(event)
    session.flush()
    _replace_sessions(session, event, data.sessions)
    session.commit()
    session.refresh(event)
    return event


def update_event(session: Session, event: Event, data: EventUpdate) -> Event:
    """Change given fields; a later re-plan fits existing meetings to the new rounds."""
    changes = data.model_dump(exclude_unset=True, exclude={"sessions"})
    if None in (changes.get("name", ""), changes.get("n_tables", 1)):
        raise BadRequest("name and n_tables may not be null")
    event.sqlmodel_update(changes)
    sessions = (
        data.sessions
        if data.sessions is not None
        else [
            EventSessionCreate.model_validate(s, from_attributes=True)
            for s in sessions_of(session, event)
        ]
    )
    _check_sessions(event, sessions)
    if data.sessions is not None:
        _replace_sessions(session, event, data.sessions)
    session.add(event)
    session.commit()
    session.refresh(event)
    return event


def delete_event(session: Session, event: Event) -> None:
    session.delete(event)
    session.commit()


def list_events(session: Session, *, offset: int, limit: int) -> tuple[list[Event], int]:
    return page(session, select(Event), Event, sort="-starts_on", offset=offset, limit=limit)


# --- participants --------------------------------------------------------------------------


def get_participant(session: Session, event: Event, participant_id: int) -> Participant:
    p = session.get(Participant, participant_id)
    if p is None or p.event_id != event.id:
        raise NotFound(f"participant {participant_id} is not in event {event.id}")
    return p


def show_participant(session: Session, p: Participant) -> ParticipantPublic:
    """Never with contact details: those travel only through accepted requests."""
    e = session.get(Enterprise, p.enterprise_id)
    return ParticipantPublic.model_validate(
        p,
        from_attributes=True,
        update={"enterprise": EnterprisePublic.model_validate(e, from_attributes=True)},
    )


def _fits_role(enterprise_role: Role, role: ParticipantRole) -> bool:
    return enterprise_role is Role.both or enterprise_role.value == role.value


def _check_ids(session: Session, ids: Sequence[int], field: str) -> None:
    found = set(session.exec(select(Enterprise.id).where(col(Enterprise.id).in_(ids))))
    if missing := sorted(set(ids) - found):
        raise BadRequest(f"{field}: enterprise(s) {missing} do not exist")


def add_participant(session: Session, event: Event, data: ParticipantCreate) -> Participant:
    e = profiles.get_enterprise(session, data.enterprise_id)
    if not _fits_role(e.role, data.role):
        raise BadRequest(f"role: enterprise {e.id} is a {e.role.value}, not a {data.role.value}")
    _check_ids(session, data.must_meet, "must_meet")
    _check_ids(session, data.do_not_meet, "do_not_meet")
    taken = select(Participant.id).where(
        Participant.event_id == event.id, Participant.enterprise_id == e.id
    )
    if session.exec(taken).first() is not None:
        raise Conflict(f"enterprise {e.id} already takes part in event {event.id}")
    assert event.id is not None
    p = Participant.model_validate(data, update={"event_id": event.id})
    session.add(p)
    session.commit()
    session.refresh(p)
    return p


def update_participant(session: Session, p: Participant, data: ParticipantUpdate) -> Participant:
    """Change availability, caps, lists or status (cancelled participants leave the next plan)."""
    changes = data.model_dump(exclude_unset=True)
    if None in (changes.get("max_meetings", 0), changes.get("status", "active")):
        raise BadRequest("max_meetings and status may not be null")
    for field in ("must_meet", "do_not_meet"):
        _check_ids(session, changes.get(field) or [], field)
    p.sqlmodel_update({k: v for k, v in changes.items() if v is not None})
    session.add(p)
    session.commit()
    session.refresh(p)
    return p


def participants(session: Session, event: Event, *, active_only: bool = False) -> list[Participant]:
    query = select(Participant).where(Participant.event_id == event.id)
    if active_only:
        query = query.where(Participant.status == ParticipantStatus.active)
    return list(session.exec(query.order_by(col(Participant.id))))


def list_participants(
    session: Session, event: Event, *, role: ParticipantRole | None, offset: int, limit: int
) -> tuple[list[ParticipantPublic], int]:
    query = select(Participant).where(Participant.event_id == event.id)
    if role is not None:
        query = query.where(Participant.role == role)
    rows, total = page(session, query, Participant, sort="id", offset=offset, limit=limit)
    return [show_participant(session, p) for p in rows], total


# --- spreadsheet import and export ---------------------------------------------------------


def check_import(
    session: Session, data: bytes, fmt: Format, mapping: Mapping[str, str] | None = None
) -> tuple[list[ImportRow], dict[str | None, Enterprise]]:
    """Validate every row (cells, references between rows) before anything is written.

    Returns the rows and the stored enterprises their external ids name; raises BadRequest for
    a file-level problem and InvalidRows with one entry per bad cell.
    """
    try:
        parsed = importer.parse(data, fmt, mapping)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    rows = parsed.rows
    exts = {r.profile.external_id for r in rows}
    refs = {x for r in rows for x in (*r.fair.must_meet, *r.fair.do_not_meet)}
    wanted = select(Enterprise).where(col(Enterprise.external_id).in_(exts | refs))
    known: dict[str | None, Enterprise] = {e.external_id: e for e in session.exec(wanted)}
    errors = parsed.errors + _reference_errors(rows, {x for x in exts | set(known) if x})
    if errors:
        raise InvalidRows([e.as_dict() for e in sorted(errors, key=lambda e: (e.line, e.column))])
    return rows, known


def import_participants(
    session: Session,
    mm: Matchmaker,
    event: Event,
    data: bytes,
    fmt: Format,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert profiles by external id and enrol them; a file with any bad row writes nothing.

    New profiles, changed profiles and enrolments are written in one transaction, and the
    catalog learns of them only after it commits; re-importing the same file changes nothing.
    """
    rows, known = check_import(session, data, fmt, mapping)
    fresh = [r.profile for r in rows if r.profile.external_id not in known]
    total = len(rows)

    def step(done: int) -> None:
        if progress:
            progress(done, total)

    created, change = profiles.stage_new(
        session, mm, fresh, progress=lambda d, t: step(round(d / max(t, 1) * len(fresh)))
    )
    changes = [change]
    for i, row in enumerate(r for r in rows if r.profile.external_id in known):
        if update := _profile_update(session, mm, known[row.profile.external_id], row.profile):
            changes.append(update)
        step(len(fresh) + i + 1)
    ids = {e.external_id: e.id for e, _ in created} | {x: e.id for x, e in known.items()}
    added = _enrol(session, event, rows, ids)
    session.commit()
    for change in changes:
        mm.apply(change)
    changed = len(changes) - 1
    step(total)
    return ImportReport(
        rows=total,
        created=len(fresh),
        updated=changed,
        unchanged=total - len(fresh) - changed,
        participants_added=added,
    )


def _reference_errors(rows: Sequence[ImportRow], known: set[str]) -> list[RowError]:
    errors = []
    for r in rows:
        for field in ("must_meet", "do_not_meet"):
            for ext in getattr(r.fair, field):
                if ext not in known:
                    errors.append(RowError(r.line, field, f"no enterprise has external id {ext!r}"))
                elif ext == r.profile.external_id:
                    errors.append(RowError(r.line, field, "a participant cannot name itself"))
    return errors


def _profile_update(
    session: Session, mm: Matchmaker, e: Enterprise, row: EnterpriseCreate
) -> CatalogChange | None:
    """Stage an update only if something differs (no needless re-embedding)."""
    current = EnterpriseCreate.model_validate(e, from_attributes=True)
    wanted = row.model_copy(update={"role": Role.both if e.role is Role.both else row.role})
    if current.model_dump() == wanted.model_dump():
        return None
    data = EnterpriseUpdate.model_validate(wanted.model_dump(exclude={"external_id"}))
    return profiles.stage_update(session, mm, e, data)


def _enrol(
    session: Session, event: Event, rows: Sequence[ImportRow], ids: Mapping[str | None, int | None]
) -> int:
    assert event.id is not None
    existing = {p.enterprise_id: p for p in participants(session, event)}
    added = 0
    for r in rows:
        enterprise_id = ids[r.profile.external_id]
        assert enterprise_id is not None
        values = r.fair.model_dump()
        values["must_meet"] = [ids[x] for x in r.fair.must_meet]
        values["do_not_meet"] = [ids[x] for x in r.fair.do_not_meet]
        if (p := existing.get(enterprise_id)) is None:
            added += 1
            p = Participant(event_id=event.id, enterprise_id=enterprise_id, **values)
        else:
            p.sqlmodel_update(values)
        session.add(p)
    return added


def export_participants(session: Session, event: Event, fmt: Format) -> bytes:
    """The event's participants in the import layout (contact details included: organizer only)."""
    people = participants(session, event)
    wanted = {x for p in people for x in (p.enterprise_id, *p.must_meet, *p.do_not_meet)}
    ents = {e.id: e for e in session.exec(select(Enterprise).where(col(Enterprise.id).in_(wanted)))}

    def ext(enterprise_id: int) -> str:
        e = ents.get(enterprise_id)
        return (e.external_id if e else None) or f"#{enterprise_id}"

    rows = []
    for p in people:
        e = ents[p.enterprise_id]
        fair = FairColumns(
            role=p.role,
            max_meetings=p.max_meetings,
            available=p.available,
            must_meet=[ext(i) for i in p.must_meet],
            do_not_meet=[ext(i) for i in p.do_not_meet],
            needs_interpreter=p.needs_interpreter,
        )
        rows.append(
            importer.to_cells(EnterpriseCreate.model_validate(e, from_attributes=True), fair)
        )
    return importer.write(rows, importer.COLUMNS, fmt)
