"""Needs (a buyer's request) and offers (a supplier's product): one set of use-cases for both."""

from collections.abc import Sequence
from typing import Literal, TypeVar

from sqlmodel import Session

from service.entities import (
    EnterpriseRole,
    Need,
    NeedCreate,
    Offer,
    OfferCreate,
    Status,
    TradeUpdate,
    utc_now,
)
from service.errors import BadRequest, Invalid, NotFound
from service.matchmaker import Matchmaker
from service.progress import Progress
from service.store import enterprises, trades
from service.store.unit_of_work import UnitOfWork

Trade = TypeVar("Trade", Need, Offer)
TradeSort = Literal["id", "created_at", "-created_at", "title", "-title"]
REQUIRED = ("title", "status")  # may be changed, never emptied


def get_trade(session: Session, table: type[Trade], trade_id: int) -> Trade:
    if (row := trades.get(session, table, trade_id)) is None:
        raise NotFound(f"{table.__name__.lower()} {trade_id} does not exist")
    return row


def _check_owner(uow: UnitOfWork, row: Need | Offer) -> None:
    """A need belongs to a buyer, an offer to a supplier (an enterprise may be both)."""
    field, wanted = ("buyer_id", "buyer") if isinstance(row, Need) else ("supplier_id", "supplier")
    owner = enterprises.get(uow.session, row.owner_id)
    if owner is None:
        raise NotFound(f"{field}: enterprise {row.owner_id} does not exist")
    if owner.role not in (EnterpriseRole(wanted), EnterpriseRole.both):
        raise BadRequest(f"{field}: enterprise {owner.id} is a {owner.role.value}, not a {wanted}")


def create(
    uow: UnitOfWork,
    mm: Matchmaker,
    table: type[Trade],
    rows: Sequence[NeedCreate | OfferCreate],
    progress: Progress | None = None,
) -> list[Trade]:
    """Create needs or offers all-or-nothing; each is matchable as soon as this returns.

    The caller has checked that it may write for every owner named in `rows`."""
    created = [table.model_validate(data) for data in rows]
    for row in created:
        _check_owner(uow, row)
    embedded = mm.embed(trades=created, progress=progress)
    with uow.begin(embedded) as tx:
        tx.session.add_all(created)
        tx.index(trades=created)
    for row in created:
        uow.session.refresh(row)
    return created


def update(uow: UnitOfWork, mm: Matchmaker, row: Trade, data: TradeUpdate) -> Trade:
    """Change given fields; closing stops matching, reopening starts it again."""
    changes = data.model_dump(exclude_unset=True)
    for name in REQUIRED:
        if name in changes and changes[name] is None:
            raise Invalid(f"{name}: may not be null")
    row.sqlmodel_update(changes)
    row.updated_at = utc_now()
    embedded = mm.embed(trades=[row])
    with uow.begin(embedded) as tx:
        tx.session.add(row)
        tx.index(trades=[row])
    uow.session.refresh(row)
    return row


def delete(uow: UnitOfWork, row: Need | Offer) -> None:
    with uow.begin() as tx:
        tx.unindex(row)
        tx.session.delete(row)


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
    return trades.list_page(
        session, table, owner_id=owner_id, status=status, sort=sort, offset=offset, limit=limit
    )
