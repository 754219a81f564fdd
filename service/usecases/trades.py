"""Needs (a buyer's request) and offers (a supplier's product): one set of use-cases for both."""

from collections.abc import Sequence
from typing import Literal, TypeVar

from sqlmodel import Session, col, select

from service.entities import Enterprise, Need, NeedCreate, Offer, OfferCreate, Status, utc_now
from service.errors import BadRequest, NotFound
from service.matchmaker import Matchmaker, Progress
from service.store.pages import page
from service.usecases.access import Principal
from service.usecases.profiles import get_enterprise

Trade = TypeVar("Trade", Need, Offer)
TradeSort = Literal["id", "created_at", "-created_at", "title", "-title"]


def get_trade(session: Session, table: type[Trade], trade_id: int) -> Trade:
    if (row := session.get(table, trade_id)) is None:
        raise NotFound(f"{table.__name__.lower()} {trade_id} does not exist")
    return row


def _check_owner(
    session: Session, table: type[Need | Offer], owner_id: int, who: Principal
) -> None:
    owner: Enterprise = get_enterprise(session, owner_id)
    who.require_change(owner_id)
    if table is Need and owner.role.value not in ("buyer", "both"):
        raise BadRequest(f"buyer_id: enterprise {owner_id} is a {owner.role.value}, not a buyer")
    if table is Offer and owner.role.value not in ("supplier", "both"):
        raise BadRequest(
            f"supplier_id: enterprise {owner_id} is a {owner.role.value}, not a supplier"
        )


def create(
    session: Session,
    mm: Matchmaker,
    table: type[Trade],
    rows: Sequence[NeedCreate | OfferCreate],
    who: Principal,
    progress: Progress | None = None,
) -> list[Trade]:
    """Create needs or offers all-or-nothing; each is matchable as soon as this returns."""
    for data in rows:
        owner_id = data.buyer_id if isinstance(data, NeedCreate) else data.supplier_id
        _check_owner(session, table, owner_id, who)
    created = [table.model_validate(data) for data in rows]
    session.add_all(created)
    session.flush()
    change = mm.index(session, trades=created, progress=progress)
    session.commit()
    mm.apply(change)
    for row in created:
        session.refresh(row)
    return created


def update(session: Session, mm: Matchmaker, row: Trade, changes: dict[str, object]) -> Trade:
    for name in ("title", "status"):
        if name in changes and changes[name] is None:
            raise BadRequest(f"{name} may not be null")
    row.sqlmodel_update(changes)
    row.updated_at = utc_now()
    session.add(row)
    session.flush()
    change = mm.index(session, trades=[row])
    session.commit()
    mm.apply(change)
    session.refresh(row)
    return row


def delete(session: Session, mm: Matchmaker, row: Need | Offer) -> None:
    change = mm.unindex_trade(session, row)
    session.delete(row)
    session.commit()
    mm.apply(change)


def list_page(
    session: Session,
    table: type[Trade],
    *,
    owner_id: int | None,
    status: Status | None,
    sort: TradeSort,
    offset: int,
    limit: int,
) -> tuple[list[Trade], int]:
    query = select(table)
    if owner_id is not None:
        owner = col(Need.buyer_id) if table is Need else col(Offer.supplier_id)
        query = query.where(owner == owner_id)
    if status is not None:
        query = query.where(col(table.status) == status)
    return page(session, query, table, sort=sort, offset=offset, limit=limit)
