"""Stored item vectors (float32 blobs, or pgvector on PostgreSQL) with the model that made them."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Row, bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, delete, select

from service.entities import Enterprise, ItemVector
from service.matching.catalog import PROFILE_KINDS
from service.matching.embedder import FloatArray
from service.matching.items import Item, ItemDraft, Kind

_TABLE = ItemVector.metadata.tables["item_vector"]


def to_item(row: ItemVector | Row[Any]) -> Item:
    assert row.id is not None
    hs_code = row.hs_code or None
    return Item(row.enterprise_id, Kind(row.kind), row.ref_id, row.label, row.text, hs_code, row.id)


def save_items(
    session: Session, drafts: Sequence[ItemDraft], vectors: FloatArray, model: str
) -> list[Item]:
    """Insert items with their vectors (flushed, not committed) and return them keyed."""
    rows = [
        ItemVector(
            enterprise_id=d.enterprise_id,
            kind=d.kind.value,
            ref_id=d.ref_id,
            label=d.label[:400],
            hs_code=d.hs_code or "",
            text=d.text,
            model=model,
            vector=np.asarray(v, dtype=np.float32).tobytes(),
        )
        for d, v in zip(drafts, vectors, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    return [to_item(r) for r in rows]


def delete_profile_items(session: Session, enterprise_id: int) -> list[int]:
    """Remove an enterprise's profile items (not its needs and offers); return their keys."""
    kinds = [k.value for k in PROFILE_KINDS]
    where = (col(ItemVector.enterprise_id) == enterprise_id) & col(ItemVector.kind).in_(kinds)
    keys = list(session.exec(select(ItemVector.id).where(where)))
    session.exec(delete(ItemVector).where(where))
    return [k for k in keys if k is not None]


def delete_trade_item(session: Session, kind: Kind, ref_id: int) -> list[int]:
    where = (col(ItemVector.kind) == kind.value) & (col(ItemVector.ref_id) == ref_id)
    keys = list(session.exec(select(ItemVector.id).where(where)))
    session.exec(delete(ItemVector).where(where))
    return [k for k in keys if k is not None]


def load_items(
    session: Session,
    dimension: int,
    *,
    with_vectors: bool = True,
    keys: Sequence[int] | None = None,
) -> tuple[list[Item], FloatArray, set[str]]:
    """Every stored item (or those of `keys` that still exist), its vectors stacked, and the
    set of models that made them.

    Without vectors (PostgreSQL, where searches run in SQL) the array has zero columns. A vector
    of another length (a model of another dimension) loads as zeros until it is re-embedded.
    """
    columns = [c for c in _TABLE.columns if with_vectors or c.name != "vector"]
    query = sa_select(*columns).order_by(_TABLE.c.id)
    if keys is not None:
        query = query.where(_TABLE.c.id.in_(list(keys)))
    rows = session.execute(query).all()
    vectors = np.zeros((len(rows), dimension if with_vectors else 0), dtype=np.float32)
    for i, row in enumerate(rows):
        if with_vectors and len(row.vector) == 4 * dimension:
            vectors[i] = np.frombuffer(row.vector, dtype=np.float32)
    return [to_item(row) for row in rows], vectors, {row.model for row in rows}


def all_items(session: Session) -> list[Item]:
    """Every stored item, without its vector."""
    query = select(ItemVector).order_by(col(ItemVector.id))
    return [to_item(row) for row in session.exec(query.options(defer(ItemVector.vector)))]  # type: ignore[arg-type]


def replace_vectors(session: Session, keys: Sequence[int], vectors: FloatArray, model: str) -> None:
    """New vectors for existing items, in place (keys stay); a key deleted meanwhile is skipped."""
    statement = (
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("key"))
        .values(vector=bindparam("new_vector"), model=model)
    )
    rows = [
        {"key": key, "new_vector": np.asarray(v, dtype=np.float32).tobytes()}
        for key, v in zip(keys, vectors, strict=True)
    ]
    if rows:  # executemany; Core does not insist every key still exists
        session.execute(statement, rows)


def all_enterprises(session: Session, ids: Sequence[int] | None = None) -> list[Enterprise]:
    """Every enterprise, or those of `ids` that still exist."""
    query = select(Enterprise).order_by(col(Enterprise.id))
    if ids is not None:
        query = query.where(col(Enterprise.id).in_(list(ids)))
    return list(session.exec(query))
