"""One page of a filtered query: its rows in a stable order, and the total count."""

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

Row = TypeVar("Row", bound=SQLModel)


def page(
    session: Session,
    query: SelectOfScalar[Row],
    table: type[Any],
    *,
    sort: str,
    offset: int,
    limit: int,
) -> tuple[list[Row], int]:
    """`sort` names a column of `table`, "-" first for descending; ties go by id."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    column = col(getattr(table, sort.lstrip("-")))
    order = column.desc() if sort.startswith("-") else column.asc()
    rows = session.exec(query.order_by(order, col(table.id)).offset(offset).limit(limit))
    return list(rows), total
