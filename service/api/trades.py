"""Needs (buyers' requests) and offers (suppliers' products): CRUD and recommendations.

The two nouns share their use-cases; each keeps its own routes so OpenAPI documents its types.
"""

from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from service.api.answers import as_json
from service.api.deps import (
    MatchmakerDep,
    NeedDep,
    OfferDep,
    OwnNeed,
    OwnNeedDraft,
    OwnOffer,
    OwnOfferDraft,
    SessionDep,
    UnitOfWorkDep,
)
from service.api.errors import errors
from service.entities import (
    Need,
    NeedPublic,
    NeedUpdate,
    Offer,
    OfferPublic,
    OfferUpdate,
    Page,
    Status,
)
from service.payloads import MAX_INT, Id
from service.usecases import recommend, trades
from service.usecases.trades import TradeSort

router = APIRouter(tags=["needs and offers"])

Offset = Annotated[int, Query(ge=0, le=MAX_INT)]
Limit = Annotated[int, Query(ge=1, le=200)]
TopK = Annotated[int, Query(ge=1, le=100)]
Public = TypeVar("Public", bound=BaseModel)


def _page(
    schema: type[Public], rows: list[Need] | list[Offer], total: int, offset: int, limit: int
) -> Page[Public]:
    items = [schema.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.post("/needs", status_code=status.HTTP_201_CREATED, responses=errors(400))
def create_need(data: OwnNeedDraft, uow: UnitOfWorkDep, mm: MatchmakerDep) -> NeedPublic:
    """Post a buyer's need (RFQ; its buyer or the organizer); matchable when this returns."""
    [row] = trades.create(uow, mm, Need, [data])
    return NeedPublic.model_validate(row, from_attributes=True)


@router.get("/needs")
def list_needs(
    session: SessionDep,
    buyer_id: Id | None = None,
    status: Status | None = None,
    sort: TradeSort = "id",
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[NeedPublic]:
    """Needs, filtered by buyer and status, paginated."""
    rows, total = trades.list_page(
        session, Need, owner_id=buyer_id, status=status, sort=sort, offset=offset, limit=limit
    )
    return _page(NeedPublic, rows, total, offset, limit)


@router.get("/needs/{need_id}")
def read_need(need: NeedDep) -> NeedPublic:
    """One need."""
    return NeedPublic.model_validate(need, from_attributes=True)


@router.patch("/needs/{need_id}")
def update_need(
    need: OwnNeed, data: NeedUpdate, uow: UnitOfWorkDep, mm: MatchmakerDep
) -> NeedPublic:
    """Change a need (its buyer or the organizer); closing it stops its matching."""
    return NeedPublic.model_validate(trades.update(uow, mm, need, data), from_attributes=True)


@router.delete("/needs/{need_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_need(need: OwnNeed, uow: UnitOfWorkDep) -> Response:
    """Delete a need (its buyer or the organizer)."""
    trades.delete(uow, need)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/needs/{need_id}/recommendations",
    response_model=recommend.RecommendationList,
    responses=errors(400),
)
def recommend_suppliers(
    need: NeedDep,
    session: SessionDep,
    mm: MatchmakerDep,
    limit: TopK = 10,
    strict: Annotated[
        bool, Query(description="Required certifications filter (else they only lower the score)")
    ] = True,
) -> Response:
    """Suppliers whose products best fit this need, best first, with reasons."""
    return as_json(recommend.for_need(session, mm, need, limit=limit, strict=strict))


@router.post("/offers", status_code=status.HTTP_201_CREATED, responses=errors(400))
def create_offer(data: OwnOfferDraft, uow: UnitOfWorkDep, mm: MatchmakerDep) -> OfferPublic:
    """Post a supplier's offer (its supplier or the organizer); matchable when this returns."""
    [row] = trades.create(uow, mm, Offer, [data])
    return OfferPublic.model_validate(row, from_attributes=True)


@router.get("/offers")
def list_offers(
    session: SessionDep,
    supplier_id: Id | None = None,
    status: Status | None = None,
    sort: TradeSort = "id",
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[OfferPublic]:
    """Offers, filtered by supplier and status, paginated."""
    rows, total = trades.list_page(
        session, Offer, owner_id=supplier_id, status=status, sort=sort, offset=offset, limit=limit
    )
    return _page(OfferPublic, rows, total, offset, limit)


@router.get("/offers/{offer_id}")
def read_offer(offer: OfferDep) -> OfferPublic:
    """One offer."""
    return OfferPublic.model_validate(offer, from_attributes=True)


@router.patch("/offers/{offer_id}")
def update_offer(
    offer: OwnOffer, data: OfferUpdate, uow: UnitOfWorkDep, mm: MatchmakerDep
) -> OfferPublic:
    """Change an offer (its supplier or the organizer)."""
    return OfferPublic.model_validate(trades.update(uow, mm, offer, data), from_attributes=True)


@router.delete("/offers/{offer_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_offer(offer: OwnOffer, uow: UnitOfWorkDep) -> Response:
    """Delete an offer (its supplier or the organizer)."""
    trades.delete(uow, offer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/offers/{offer_id}/recommendations",
    response_model=recommend.RecommendationList,
    responses=errors(400),
)
def recommend_buyers(
    offer: OfferDep, session: SessionDep, mm: MatchmakerDep, limit: TopK = 10
) -> Response:
    """Buyers whose needs best fit this offer, best first, with reasons."""
    return as_json(recommend.for_offer(session, mm, offer, limit=limit))
