"""The organizer reads the audit trail: who changed what, when, filtered and paginated."""

from datetime import UTC, datetime

from sqlmodel import Session

from service.records import ActorKind, AuditPublic
from service.store import audit


def entries(
    session: Session,
    *,
    actor: ActorKind | None = None,
    actor_id: int | None = None,
    enterprise_id: int | None = None,
    noun: str | None = None,
    ref_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[AuditPublic], int]:
    """Newest first; a time without an offset is read as UTC."""
    rows, total = audit.entries_page(
        session,
        actor=actor.value if actor else None,
        actor_id=actor_id,
        enterprise_id=enterprise_id,
        noun=noun,
        ref_id=ref_id,
        action=action,
        since=_utc(since),
        until=_utc(until),
        offset=offset,
        limit=limit,
    )
    return [AuditPublic.model_validate(r, from_attributes=True) for r in rows], total


def _utc(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when
