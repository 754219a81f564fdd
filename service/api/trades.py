"""Needs (buyers' requests) and offers (suppliers' products): CRUD and recommendations."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.api.deps import MatchmakerDep, NeedDep, OfferDep, PrincipalDep, SessionDep
from service.entities import (
    Need,
    NeedCreate,
    NeedPublic,
    NeedUpdate,
    Offer,
    OfferCreate,
    OfferPublic,
    OfferUpdate,
    Page,
    Status,
)
from service.usecases import recommend, trades
from service.usecases.trades import TradeSort

router = APIRouter(tags=["needs and offers"])

Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=200)]
TopK = Annotated[int, Query(ge=1, le=100)]


@router.post("/needs", status_code=status.HTTP_201_CREATED)
def create_need(
    data: NeedCreate, session: SessionDep, mm: MatchmakerDep, who: PrincipalDep
) -> NeedPublic:
    """Post a buyer's need (RFQ); it is matchable as soon as this returns."""
    return NeedPublic.model_validate(
        trades.create(session, mm, Need, [data], who)[0], from_attributes=True
    )


@router.get("/needs")
def list_needs(
    session: SessionDep,
    buyer_id: int | None = None,
    status: Status | None = None,
    sort: TradeSort = "id",
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[NeedPublic]:
    """Needs, filtered by buyer and status, paginated."""
    rows, total = trades.list_page(
        session, Need, owner_id=buyer_id, status=status, sort=sort, offset=offset, limit=limit
    )
    items = [NeedPublic.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/needs/{need_id}")
def read_need(need: NeedDep) -> NeedPublic:
    """One need."""
    return NeedPublic.model_validate(need, from_attributes=True)


@router.patch("/needs/{need_id}")
def update_need(
    need: NeedDep, data: NeedUpdate, session: SessionDep, mm: MatchmakerDep, who: PrincipalDep
) -> NeedPublic:
    """Change a need (its buyer or the organizer); closing it stops its matching."""
    who.require_change(need.buyer_id)
    row = trades.update(session, mm, need, data.model_dump(exclude_unset=True))
    return NeedPublic.model_validate(row, from_attributes=True)


@router.delete("/needs/{need_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_need(
    need: NeedDep, session: SessionDep, mm: MatchmakerDep, who: PrincipalDep
) -> Response:
    """Delete a need (its buyer or the organizer)."""
    who.require_change(need.buyer_id)
    trades.delete(session, mm, need)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/needs/{need_id}/recommendations")
def recommend_suppliers(
    need: NeedDep,
    session: SessionDep,
    mm: MatchmakerDep,
    limit: TopK = 10,
    strict: Annotated[
        bool, Query(description="Required certifications filter (else they only lower the score)")
    ] = True,
) -> recommend.RecommendationList:
    """Suppliers whose products best fit this need, best first, with reasons."""
    return recommend.for_need(session, mm, need, limit=limit, strict=strict)


@router.post("/offers", status_code=status.HTTP_201_CREATED)
def create_offer(
    data: OfferCreate, session: SessionDep, mm: MatchmakerDep, who: PrincipalDep
) -> OfferPublic:
    """Post a supplier's offer; it is matchable as soon as this returns."""
    return OfferPublic.model_validate(
        trades.create(session, mm, Offer, [data], who)[0], from_attributes=True
    )


@router.get("/offers")
def list_offers(
    session: SessionDep,
    supplier_id: int | None = None,
    status: Status | None = None,
    sort: TradeSort = "id",
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[OfferPublic]:
    """Offers, filtered by supplier and status, paginated."""
    rows, total = trades.list_page(
        session, Offer, owner_id=supplier_id, status=status, sort=sort, offset=offset, limit=limit
    )
    items = [OfferPublic.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/offers/{offer_id}")
def read_offer(offer: OfferDep) -> OfferPublic:
    """One offer."""
    return OfferPublic.model_validate(offer, from_attributes=True)


@router.patch("/offers/{offer_id}")
def update_offer(
    offer: OfferDep, data: OfferUpdate, session: SessionDep, mm: MatchmakerDep, who: PrincipalDep
) -> OfferPublic:
    """Change an offer (its supplier or the organizer)."""
    who.require_change(offer.supplier_id)
    row = trades.update(session, mm, offer, data.model_dump(exclude_unset=True))
    return OfferPublic.model_validate(row, from_attributes=True)


@router.delete("/offers/{offer_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_offer(
    offer: OfferDep, session: SessionDep, mm: MatchmakerDep, who: PrincipalDep
) -> Response:
    """Delete an offer (its supplier or the organizer)."""
    who.require_change(offer.supplier_id)
    trades.delete(session, mm, offer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/offers/{offer_id}/recommendations")
def recommend_buyers(
    offer: OfferDep, session: SessionDep, mm: MatchmakerDep, limit: TopK = 10
) -> recommend.RecommendationList:
    """Buyers whose needs best fit this offer, best first, with reasons."""
    return recommend.for_offer(session, mm, offer, limit=limit)
