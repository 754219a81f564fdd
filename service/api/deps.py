"""Typed dependencies: the session, the matchmaker, the caller, and rows that must exist."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from service.config import Settings
from service.entities import Enterprise, Need, Offer
from service.errors import Unavailable
from service.jobs import JobRunner
from service.matching.hs import HsSuggester
from service.matchmaker import Matchmaker
from service.usecases import access, profiles, trades


def get_matchmaker(request: Request) -> Matchmaker:
    mm: Matchmaker = request.app.state.matchmaker
    return mm


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_jobs(request: Request) -> JobRunner:
    jobs: JobRunner = request.app.state.jobs
    return jobs


JobsDep = Annotated[JobRunner, Depends(get_jobs)]


def get_hs(request: Request) -> HsSuggester:
    hs: HsSuggester | None = request.app.state.hs
    if hs is None:
        raise Unavailable("HS suggestions are off (MATCHFAIR_HS_SUGGESTIONS=false)")
    return hs


HsDep = Annotated[HsSuggester, Depends(get_hs)]

MatchmakerDep = Annotated[Matchmaker, Depends(get_matchmaker)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(mm: MatchmakerDep) -> Iterator[Session]:
    with Session(mm.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    x_api_key: Annotated[str | None, Header(max_length=200)] = None,
) -> access.Principal:
    admin = settings.admin_key.get_secret_value() if settings.admin_key else None
    return access.identify(session, x_api_key, admin)


PrincipalDep = Annotated[access.Principal, Depends(get_principal)]


def get_enterprise(enterprise_id: int, session: SessionDep) -> Enterprise:
    return profiles.get_enterprise(session, enterprise_id)


def get_need(need_id: int, session: SessionDep) -> Need:
    return trades.get_trade(session, Need, need_id)


def get_offer(offer_id: int, session: SessionDep) -> Offer:
    return trades.get_trade(session, Offer, offer_id)


EnterpriseDep = Annotated[Enterprise, Depends(get_enterprise)]
NeedDep = Annotated[Need, Depends(get_need)]
OfferDep = Annotated[Offer, Depends(get_offer)]
