"""Enterprise profiles: register, bulk import, read, change, verify, delete, list."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from service.api.deps import EnterpriseDep, MatchmakerDep, PrincipalDep, SessionDep, SettingsDep
from service.entities import (
    ApiKey,
    Enterprise,
    EnterpriseCreate,
    EnterprisePrivate,
    EnterprisePublic,
    EnterpriseRegistered,
    EnterpriseUpdate,
    Page,
    Role,
)
from service.errors import BadRequest
from service.usecases import profiles
from service.usecases.profiles import EnterpriseSort

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


def _registered(pairs: list[tuple[Enterprise, str]]) -> list[EnterpriseRegistered]:
    return [
        EnterpriseRegistered(
            enterprise=EnterprisePrivate.model_validate(e, from_attributes=True), api_key=key
        )
        for e, key in pairs
    ]


@router.post("", status_code=status.HTTP_201_CREATED)
def register_enterprise(
    data: EnterpriseCreate, session: SessionDep, mm: MatchmakerDep
) -> EnterpriseRegistered:
    """Register an enterprise; the response carries its API key, shown only this once."""
    return _registered(profiles.register(session, mm, [data]))[0]


@router.post("/bulk", status_code=status.HTTP_201_CREATED)
def register_enterprises(
    rows: Annotated[list[EnterpriseCreate], Body(min_length=1)],
    session: SessionDep,
    mm: MatchmakerDep,
    who: PrincipalDep,
    settings: SettingsDep,
) -> list[EnterpriseRegistered]:
    """Organizer only: register many enterprises at once, all or none (per-row errors)."""
    who.require_admin()
    if len(rows) > settings.max_bulk_rows:
        raise BadRequest(
            f"body: at most {settings.max_bulk_rows} rows per request, got {len(rows)}"
        )
    return _registered(profiles.register(session, mm, rows))


@router.get("")
def list_enterprises(
    session: SessionDep,
    role: Role | None = None,
    country: Annotated[str | None, Query(max_length=120)] = None,
    name: Annotated[str | None, Query(max_length=200, description="Part of the name")] = None,
    sort: EnterpriseSort = "id",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[EnterprisePublic]:
    """Public profiles, filtered and paginated."""
    rows, total = profiles.list_page(
        session, role=role, country=country, name=name, sort=sort, offset=offset, limit=limit
    )
    items = [EnterprisePublic.model_validate(e, from_attributes=True) for e in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/{enterprise_id}")
def read_enterprise(e: EnterpriseDep, who: PrincipalDep) -> EnterprisePublic | EnterprisePrivate:
    """A profile; contact details are included for its owner and the organizer only."""
    return profiles.show(e, who)


@router.patch("/{enterprise_id}")
def update_enterprise(
    e: EnterpriseDep,
    data: EnterpriseUpdate,
    session: SessionDep,
    mm: MatchmakerDep,
    who: PrincipalDep,
) -> EnterprisePrivate:
    """Change a profile (owner or organizer); it is re-embedded at once."""
    assert e.id is not None
    who.require_change(e.id)
    return EnterprisePrivate.model_validate(
        profiles.update(session, mm, e, data), from_attributes=True
    )


@router.post("/{enterprise_id}/api-key")
def issue_api_key(e: EnterpriseDep, session: SessionDep, who: PrincipalDep) -> ApiKey:
    """A new API key (owner or organizer, e.g. for enterprises imported from a spreadsheet);
    the old key stops working. Shown only this once."""
    assert e.id is not None
    who.require_change(e.id)
    return ApiKey(enterprise_id=e.id, api_key=profiles.issue_key(session, e))


@router.put("/{enterprise_id}/verified")
def verify_enterprise(
    e: EnterpriseDep,
    verified: Annotated[bool, Body(embed=True)],
    session: SessionDep,
    mm: MatchmakerDep,
    who: PrincipalDep,
) -> EnterprisePrivate:
    """Organizer only: mark a profile as verified (a ranking boost)."""
    who.require_admin()
    return EnterprisePrivate.model_validate(
        profiles.set_verified(session, mm, e, verified), from_attributes=True
    )


@router.delete("/{enterprise_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_enterprise(
    e: EnterpriseDep, session: SessionDep, mm: MatchmakerDep, who: PrincipalDep
) -> Response:
    """Delete a profile with its needs and offers (owner or organizer)."""
    assert e.id is not None
    who.require_change(e.id)
    profiles.delete(session, mm, e)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
