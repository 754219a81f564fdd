"""The audit trail, for the organizer."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import Organizer, SessionDep
from service.entities import Page
from service.records import ActorKind, AuditPublic
from service.usecases import audit

router = APIRouter(prefix="/audit", tags=["audit"])

MAX_ID = 2**63 - 1


@router.get("")
def read_audit_trail(
    _: Organizer,
    session: SessionDep,
    actor: ActorKind | None = None,
    actor_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The acting enterprise")
    ] = None,
    enterprise_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The enterprise a change concerns")
    ] = None,
    noun: Annotated[
        str | None, Query(max_length=16, description="enterprise, key, need, offer, event, ...")
    ] = None,
    ref_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="The row's id")] = None,
    action: Annotated[
        str | None, Query(max_length=16, description="create, update, delete, rotate, revoke ...")
    ] = None,
    since: Annotated[
        datetime | None, Query(description="From this time on (ISO 8601; UTC if no offset)")
    ] = None,
    until: Annotated[datetime | None, Query(description="Before this time")] = None,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[AuditPublic]:
    """Organizer only: who changed what and when (never the values), newest first."""
    items, total = audit.entries(
        session,
        actor=actor,
        actor_id=actor_id,
        enterprise_id=enterprise_id,
        noun=noun,
        ref_id=ref_id,
        action=action,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
    return Page(items=items, total=total, offset=offset, limit=limit)
