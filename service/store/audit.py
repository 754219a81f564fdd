"""The audit trail: which audited rows a transaction changed, read from the session as it
flushes, written in that same transaction; and the queries that read the trail.

Every ORM change to an audited table is seen here, so no write through the unit of work can
skip its entry; a bulk statement (`update(...)`, `delete(...)`) on such a table would bypass
the session's bookkeeping and is refused (see `refuse_bulk_writes`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, col, or_, select

from service.context import request_id
from service.entities import (
    ConfirmedExample,
    Enterprise,
    Need,
    Offer,
    ProductLine,
    ShortlistEntry,
    utc_now,
)
from service.fairs.tables import (
    Event,
    EventMatch,
    EventSession,
    Meeting,
    MeetingRequest,
    Outcome,
    Participant,
)
from service.records import Actor, AuditEntry
from service.store.pages import page

# noun, the row's id, the enterprise it belongs to, and (for a part of a larger row) the field
# of its owner that it changes
Described = tuple[str, int | None, int | None, str | None]

_DESCRIBE: dict[type, Callable[[Any], Described]] = {
    Enterprise: lambda e: ("enterprise", e.id, e.id, None),
    ProductLine: lambda p: ("enterprise", p.enterprise_id, p.enterprise_id, "product_lines"),
    Need: lambda n: ("need", n.id, n.buyer_id, None),
    Offer: lambda o: ("offer", o.id, o.supplier_id, None),
    Event: lambda e: ("event", e.id, None, None),
    EventSession: lambda s: ("event", s.event_id, None, "sessions"),
    EventMatch: lambda m: ("event", m.event_id, None, "match_lists"),
    Participant: lambda p: ("participant", p.id, p.enterprise_id, None),
    MeetingRequest: lambda r: ("request", r.id, None, None),
    Meeting: lambda m: ("meeting", m.id, None, None),
    Outcome: lambda o: ("meeting", o.meeting_id, None, "outcome"),
    ConfirmedExample: lambda c: ("confirmation", c.id, c.enterprise_id, None),
    ShortlistEntry: lambda s: ("shortlist", s.id, s.owner_id, None),
}
# Rebuilt wholesale by bulk statements (match lists): derived data, not guarded.
_GUARDED = {t.__tablename__ for t in _DESCRIBE if t is not EventMatch}  # type: ignore[attr-defined]
_RANK = {"update": 0, "create": 1, "delete": 2}  # anything else was asked for explicitly
_QUIET = {"updated_at", "api_key_hash"}  # the key has an entry of its own; never its value


@dataclass
class _Pending:
    action: str
    enterprise_id: int | None
    fields: list[str] = field(default_factory=list)


class Trail:
    """The entries of one transaction, merged per changed row, written just before it commits."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self._pending: dict[tuple[str, int | None], _Pending] = {}

    def add(
        self,
        action: str,
        noun: str,
        ref_id: int | None,
        enterprise_id: int | None = None,
        fields: Iterable[str] = (),
    ) -> None:
        """One entry per row and transaction: delete outranks create, which outranks update
        (the order rows are flushed in says nothing); an explicit action such as erase stays.
        Changed fields accumulate; a created row lists none."""
        entry = self._pending.setdefault((noun, ref_id), _Pending(action, enterprise_id))
        if _RANK.get(action, -1) > _RANK.get(entry.action, 3):
            entry.action = action
        entry.enterprise_id = entry.enterprise_id or enterprise_id
        entry.fields += [f for f in fields if f not in entry.fields]

    def collect(self, session: Session, _context: object) -> None:
        """`after_flush`: the session still shows what this flush wrote, ids included."""
        for action, rows in (
            ("create", session.new),
            ("update", session.dirty),
            ("delete", session.deleted),
        ):
            for row in rows:
                self._row(action, row)

    def _row(self, action: str, row: object) -> None:
        describe = _DESCRIBE.get(type(row))
        if describe is None:
            return
        noun, ref_id, enterprise_id, part = describe(row)
        if part is not None:  # a product line, session, match-list entry or outcome
            self.add("update", noun, ref_id, enterprise_id, [part])
            return
        changed = _changed(row) if action == "update" else []
        if isinstance(row, Enterprise) and action == "update" and _key_changed(row):
            self.add("revoke" if not row.api_key_hash else "rotate", "key", row.id, row.id)
        fields = [f for f in changed if f not in _QUIET]
        if action != "update" or fields:
            self.add(action, noun, ref_id, enterprise_id, fields)

    def write(self, session: Session) -> None:
        if not self._pending:
            return
        at, rid = utc_now(), request_id.get()
        rows = [
            {
                "at": at,
                "actor": self.actor.kind.value,
                "actor_id": self.actor.enterprise_id,
                "action": p.action,
                "noun": noun,
                "ref_id": ref_id,
                "enterprise_id": p.enterprise_id,
                "fields": [] if p.action == "create" else p.fields,
                "request_id": rid,
            }
            for (noun, ref_id), p in self._pending.items()
        ]
        session.execute(insert(AuditEntry), rows)
        self._pending.clear()


def _changed(row: object) -> list[str]:
    state = inspect(row)
    return [a.key for a in state.attrs if a.history.has_changes()]


def _key_changed(row: Enterprise) -> bool:
    return bool(inspect(row).attrs["api_key_hash"].history.has_changes())


def refuse_bulk_writes(state: ORMExecuteState) -> None:
    """`do_orm_execute`: an UPDATE/DELETE/INSERT statement on an audited table is a bug."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _GUARDED:
            raise RuntimeError(
                f"a bulk write to {table.name} would bypass the audit trail; change rows "  # type: ignore[union-attr]
                "through the session instead"
            )


# --- reading the trail ---------------------------------------------------------------------


def entries_page(
    session: Session,
    *,
    actor: str | None,
    actor_id: int | None,
    enterprise_id: int | None,
    noun: str | None,
    ref_id: int | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.actor, actor),
        (AuditEntry.actor_id, actor_id),
        (AuditEntry.enterprise_id, enterprise_id),
        (AuditEntry.noun, noun),
        (AuditEntry.ref_id, ref_id),
        (AuditEntry.action, action),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    if until is not None:
        query = query.where(col(AuditEntry.at) < until)
    return page(session, query, AuditEntry, sort="-id", offset=offset, limit=limit)


def about(session: Session, enterprise_id: int) -> list[AuditEntry]:
    """Entries about an enterprise or made with its key, oldest first."""
    query = select(AuditEntry).where(
        or_(
            col(AuditEntry.enterprise_id) == enterprise_id,
            col(AuditEntry.actor_id) == enterprise_id,
        )
    )
    return list(session.exec(query.order_by(col(AuditEntry.id))))
