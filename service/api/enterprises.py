"""Enterprise profiles: register, bulk import, read, change, verify, delete, list."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from service.api.deps import (
    Caller,
    EnterpriseDep,
    MatchmakerDep,
    Organizer,
    OwnEnterprise,
    SessionDep,
    SettingsDep,
    UnitOfWorkDep,
)
from service.entities import (
    ApiKey,
    Enterprise,
    EnterpriseCreate,
    EnterprisePrivate,
    EnterprisePublic,
    EnterpriseRegistered,
    EnterpriseRole,
    EnterpriseUpdate,
    Page,
)
from service.errors import Invalid
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


def _private(e: Enterprise) -> EnterprisePrivate:
    return EnterprisePrivate.model_validate(e, from_attributes=True)


@router.post("", status_code=status.HTTP_201_CREATED)
def register_enterprise(
    data: EnterpriseCreate, uow: UnitOfWorkDep, mm: MatchmakerDep
) -> EnterpriseRegistered:
    """Register an enterprise; the response carries its API key, shown only this once."""
    return _registered(profiles.register(uow, mm, [data]))[0]


@router.post("/bulk", status_code=status.HTTP_201_CREATED)
def register_enterprises(
    _: Organizer,
    rows: Annotated[list[EnterpriseCreate], Body(min_length=1)],
    uow: UnitOfWorkDep,
    mm: MatchmakerDep,
    settings: SettingsDep,
) -> list[EnterpriseRegistered]:
    """Organizer only: register many enterprises at once, all or none (per-row errors)."""
    if len(rows) > settings.max_bulk_rows:
        raise Invalid(f"body: at most {settings.max_bulk_rows} rows per request, got {len(rows)}")
    return _registered(profiles.register(uow, mm, rows))


@router.get("")
def list_enterprises(
    session: SessionDep,
    role: EnterpriseRole | None = None,
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
def read_enterprise(who: Caller, e: EnterpriseDep) -> EnterprisePublic | EnterprisePrivate:
    """A profile; contact details are included for its owner and the organizer only."""
    return profiles.show(e, who)


@router.patch("/{enterprise_id}")
def update_enterprise(
    e: OwnEnterprise, data: EnterpriseUpdate, uow: UnitOfWorkDep, mm: MatchmakerDep
) -> EnterprisePrivate:
    """Change a profile (owner or organizer); it is re-embedded at once."""
    return _private(profiles.update(uow, mm, e, data))


@router.post("/{enterprise_id}/api-key")
def issue_api_key(e: OwnEnterprise, uow: UnitOfWorkDep) -> ApiKey:
    """A new API key (owner or organizer, e.g. for enterprises imported from a spreadsheet);
    the old key stops working. Shown only this once."""
    assert e.id is not None
    return ApiKey(enterprise_id=e.id, api_key=profiles.issue_key(uow, e))


@router.put("/{enterprise_id}/verified")
def verify_enterprise(
    _: Organizer,
    e: EnterpriseDep,
    verified: Annotated[bool, Body(embed=True)],
    uow: UnitOfWorkDep,
    mm: MatchmakerDep,
) -> EnterprisePrivate:
    """Organizer only: mark a profile as verified (a ranking boost)."""
    return _private(profiles.set_verified(uow, mm, e, verified))


@router.delete("/{enterprise_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_enterprise(e: OwnEnterprise, uow: UnitOfWorkDep) -> Response:
    """Delete a profile with its needs and offers (owner or organizer)."""
    profiles.delete(uow, e)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
