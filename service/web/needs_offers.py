"""Needs (buyers) and offers (suppliers): post, edit, and see the partners recommended for each."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from sqlmodel import Session

from service.api.deps import MatchmakerDep, SessionDep, UnitOfWorkDep
from service.entities import (
    Need,
    NeedBase,
    NeedCreate,
    NeedUpdate,
    Offer,
    OfferBase,
    OfferCreate,
    OfferUpdate,
)
from service.errors import BadRequest, NotFound
from service.matchmaker import Matchmaker
from service.usecases import access, recommend, shortlists, trades
from service.web.core import FormDep, PageRoute, redirect, render
from service.web.deps import KeyHolderVisitor, Member
from service.web.fair_people import meetable
from service.web.forms import FormErrors, fields_of, validated

router = APIRouter(route_class=PageRoute, include_in_schema=False)
RECOMMENDED = 10


@dataclass(frozen=True, slots=True)
class Kind:
    """What differs between a need and an offer, for pages that treat them alike."""

    name: str  # "need" | "offer", as in the URL /me/{name}s/...
    table: type[Any]  # Need or Offer: the use-cases' type variable takes one at a time
    base: type[BaseModel]
    create: type[NeedCreate] | type[OfferCreate]
    update: type[NeedUpdate] | type[OfferUpdate]
    owner_field: str


KINDS = {
    "needs": Kind("need", Need, NeedBase, NeedCreate, NeedUpdate, "buyer_id"),
    "offers": Kind("offer", Offer, OfferBase, OfferCreate, OfferUpdate, "supplier_id"),
}


def _kind(kinds: str) -> Kind:
    if kinds not in KINDS:
        raise NotFound(f"no page /me/{kinds}")
    return KINDS[kinds]


def own_trade(kinds: str, row_id: int, v: KeyHolderVisitor, session: SessionDep) -> Need | Offer:
    """The need or offer, if the visitor may change it (its owner or the organizer); the key is
    checked before the row is looked up, as the API does."""
    row: Need | Offer = trades.get_trade(session, _kind(kinds).table, row_id)
    access.require_owner(v.who, row.owner_id)
    return row


OwnTrade = Annotated[Need | Offer, Depends(own_trade)]


def _recommendations(
    session: Session, mm: Matchmaker, row: Need | Offer, strict: bool
) -> recommend.RecommendationList | None:
    """None for a closed need or offer: the use-case refuses those (reopen to match)."""
    try:
        if isinstance(row, Need):
            return recommend.for_need(session, mm, row, limit=RECOMMENDED, strict=strict)
        return recommend.for_offer(session, mm, row, limit=RECOMMENDED)
    except BadRequest:
        return None


@router.get("/me/{kinds}/new")
def new_trade(kinds: str, v: Member) -> Response:
    """An empty need or offer form."""
    kind = _kind(kinds)
    return render(v, "trade_form.html", kind=kind.name, row_id=None, form={}, errors={})


@router.post("/me/{kinds}/new")
def create_trade(
    kinds: str, v: Member, form: FormDep, uow: UnitOfWorkDep, mm: MatchmakerDep
) -> Response:
    """Post it; it is matched at once, and its recommendations are the next page."""
    kind = _kind(kinds)
    me = v.enterprise()
    data = fields_of(form, kind.base)
    try:
        created = validated(kind.create, {**data, kind.owner_field: me.id})
    except FormErrors as exc:
        return render(
            v, "trade_form.html", 422, kind=kind.name, row_id=None, form=data, errors=exc.errors
        )
    row = trades.create(uow, mm, kind.table, [created])[0]
    return redirect(v, f"/me/{kinds}/{row.id}")


@router.get("/me/{kinds}/{row_id}")
def show_trade(
    kinds: str,
    row: OwnTrade,
    v: KeyHolderVisitor,
    session: SessionDep,
    mm: MatchmakerDep,
    strict: bool = True,
) -> Response:
    """A need or offer with the partners recommended for it, best first, with reasons."""
    return render(
        v,
        "trade.html",
        kind=_kind(kinds).name,
        row=row,
        strict=strict,
        result=_recommendations(session, mm, row, strict),
        saved=shortlists.saved_ids(session, v.who),
        meet=meetable(session, v),
    )


@router.get("/me/{kinds}/{row_id}/edit")
def edit_trade(kinds: str, row_id: int, row: OwnTrade, v: KeyHolderVisitor) -> Response:
    """The need or offer's form, filled in."""
    kind = _kind(kinds)
    form = kind.base.model_validate(row, from_attributes=True).model_dump()
    return render(v, "trade_form.html", kind=kind.name, row_id=row_id, form=form, errors={})


@router.post("/me/{kinds}/{row_id}/edit")
def update_trade(
    kinds: str,
    row_id: int,
    row: OwnTrade,
    v: KeyHolderVisitor,
    form: FormDep,
    uow: UnitOfWorkDep,
    mm: MatchmakerDep,
) -> Response:
    """Save the changes (closing it stops its matching)."""
    kind = _kind(kinds)
    data = fields_of(form, kind.base)
    try:
        change = validated(kind.update, data)
    except FormErrors as exc:
        return render(
            v, "trade_form.html", 422, kind=kind.name, row_id=row_id, form=data, errors=exc.errors
        )
    if isinstance(row, Need):  # the use-case's type variable takes one table at a time
        trades.update(uow, mm, row, change)
    else:
        trades.update(uow, mm, row, change)
    return redirect(v, f"/me/{kinds}/{row_id}")
