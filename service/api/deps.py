"""Typed dependencies: the runtime's parts, the caller, and rows that must exist.

Who may call a route shows in its signature: `Organizer`, `KeyHolder`, or a row type that
checks ownership (`OwnEnterprise`, `OwnNeed`, ...). Each rule is decided once, in
service/usecases/access.py; these only apply it. The caller is identified before any row is
looked up, so an anonymous caller learns nothing about which ids exist.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from service.api.errors import raises
from service.config import Settings
from service.entities import Enterprise, Need, NeedCreate, Offer, OfferCreate
from service.errors import Unavailable
from service.jobs import JobRunner
from service.matching.hs import HsSuggester
from service.matchmaker import Matchmaker
from service.payloads import Id
from service.runtime import Runtime
from service.store.unit_of_work import UnitOfWork
from service.usecases import access, profiles, trades
from service.usecases.access import Principal


# The runtime's parts are read, not computed: as coroutines they skip the thread-pool hop
# FastAPI gives a plain function (two such hops cost 0.23 ms per request, /tmp probe)
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_matchmaker(runtime: RuntimeDep) -> Matchmaker:
    return runtime.matchmaker


async def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


async def get_jobs(runtime: RuntimeDep) -> JobRunner:
    return runtime.jobs


@raises(503)
async def get_hs(runtime: RuntimeDep) -> HsSuggester:
    if runtime.hs is None:
        raise Unavailable("HS suggestions are off (MATCHFAIR_HS_SUGGESTIONS=false)")
    return runtime.hs


MatchmakerDep = Annotated[Matchmaker, Depends(get_matchmaker)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
JobsDep = Annotated[JobRunner, Depends(get_jobs)]
HsDep = Annotated[HsSuggester, Depends(get_hs)]


async def get_session(mm: MatchmakerDep) -> AsyncIterator[Session]:
    # a coroutine too: opening a session does no I/O, and closing it hands its connection back
    # (a rollback: microseconds on SQLite, one round trip on PostgreSQL), each not worth a hop
    with mm.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


# --- who is calling ------------------------------------------------------------------------
# Only what reads the database runs as a plain function (on the worker's thread); the checks
# that decide from what they are given are coroutines, each a thread-pool trip saved: a new
# need took six trips, and each trip queues again behind every request waiting for the thread.


@raises(401)
def get_caller(
    session: SessionDep,
    settings: SettingsDep,
    x_api_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Principal:
    admin = settings.admin_key.get_secret_value() if settings.admin_key else None
    return access.identify(session, x_api_key, admin)


Caller = Annotated[Principal, Depends(get_caller)]


@raises(401)
async def get_key_holder(who: Caller) -> Principal:
    return access.require_key(who)


@raises(401, 403)
async def get_organizer(who: Caller) -> Principal:
    return access.require_organizer(who)


KeyHolder = Annotated[Principal, Depends(get_key_holder)]
Organizer = Annotated[Principal, Depends(get_organizer)]


async def get_unit_of_work(session: SessionDep, mm: MatchmakerDep, who: Caller) -> UnitOfWork:
    """Writes recorded in the audit trail against the caller."""
    return mm.unit_of_work(session, who.actor)


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]

# --- rows that must exist, and rows the caller must own ------------------------------------


def get_enterprise(enterprise_id: Id, session: SessionDep) -> Enterprise:
    return profiles.get_enterprise(session, enterprise_id)


def get_need(need_id: Id, session: SessionDep) -> Need:
    return trades.get_trade(session, Need, need_id)


def get_offer(offer_id: Id, session: SessionDep) -> Offer:
    return trades.get_trade(session, Offer, offer_id)


EnterpriseDep = Annotated[Enterprise, Depends(get_enterprise)]
NeedDep = Annotated[Need, Depends(get_need)]
OfferDep = Annotated[Offer, Depends(get_offer)]


@raises(403)
async def own_enterprise(who: KeyHolder, e: EnterpriseDep) -> Enterprise:
    assert e.id is not None
    access.require_owner(who, e.id)
    return e


@raises(403)
async def own_need(who: KeyHolder, need: NeedDep) -> Need:
    access.require_owner(who, need.owner_id)
    return need


@raises(403)
async def own_offer(who: KeyHolder, offer: OfferDep) -> Offer:
    access.require_owner(who, offer.owner_id)
    return offer


@raises(403, 404)
async def need_for_own_buyer(who: KeyHolder, data: NeedCreate) -> NeedCreate:
    access.require_owner(who, data.buyer_id)
    return data


@raises(403, 404)
async def offer_for_own_supplier(who: KeyHolder, data: OfferCreate) -> OfferCreate:
    access.require_owner(who, data.supplier_id)
    return data


OwnEnterprise = Annotated[Enterprise, Depends(own_enterprise)]
OwnNeed = Annotated[Need, Depends(own_need)]
OwnOffer = Annotated[Offer, Depends(own_offer)]
OwnNeedDraft = Annotated[NeedCreate, Depends(need_for_own_buyer)]
OwnOfferDraft = Annotated[OfferCreate, Depends(offer_for_own_supplier)]
