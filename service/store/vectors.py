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
from service.matching.embedder import FloatArray, Vectors
from service.matching.headings import Estimate
from service.matching.items import LABEL_LIMIT, Item, ItemDraft, Kind

# (primary model, multilingual model) that made an item's vectors ("": none)
Models = tuple[str, str]

_TABLE = ItemVector.metadata.tables["item_vector"]
_ITEM_ROWS = sa_select(*(c for c in _TABLE.columns if c.name not in ("vector", "multilingual")))


def to_item(row: ItemVector | Row[Any]) -> Item:
    assert row.id is not None
    hs_code = row.hs_code or None
    headings = tuple((str(h), float(p)) for h, p in row.headings or ())
    return Item(
        row.enterprise_id,
        Kind(row.kind),
        row.ref_id,
        row.label,
        row.text,
        hs_code,
        row.id,
        headings=headings,
    )


def _blob(vector: FloatArray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _stored(estimate: Estimate) -> list[list[str | float]]:
    return [[heading, probability] for heading, probability in estimate]


def save_items(
    session: Session, drafts: Sequence[ItemDraft], vectors: Vectors, models: Models
) -> list[Item]:
    """Insert items with their vectors and heading estimates (flushed, not committed) and
    return them keyed."""
    second = vectors.multilingual
    rows = [
        ItemVector(
            enterprise_id=d.enterprise_id,
            kind=d.kind.value,
            ref_id=d.ref_id,
            label=d.label[:LABEL_LIMIT],
            hs_code=d.hs_code or "",
            text=d.text,
            model=models[0],
            vector=_blob(v),
            multilingual=None if second is None else _blob(second[i]),
            multilingual_model=models[1],
            headings=_stored(d.headings),
        )
        for i, (d, v) in enumerate(zip(drafts, vectors.primary, strict=True))
    ]
    session.add_all(rows)
    session.flush()
    return [to_item(r) for r in rows]


# Bulk deletes skip the session's bookkeeping ("evaluate" scans every object in the session per
# statement: quadratic in a 2,000-row import); item rows are never changed after insertion.
_UNSYNCED = {"synchronize_session": False}
_CHUNK = 500  # ids per statement, well under SQLite's limit on bound parameters


def profile_items(session: Session, enterprise_ids: Sequence[int]) -> list[Item]:
    """These enterprises' stored profile items (not their needs and offers), without vectors."""
    kinds = [k.value for k in PROFILE_KINDS]
    found: list[Item] = []
    for start in range(0, len(enterprise_ids), _CHUNK):
        ids = list(enterprise_ids[start : start + _CHUNK])
        where = _TABLE.c.enterprise_id.in_(ids) & _TABLE.c.kind.in_(kinds)
        rows = session.execute(_ITEM_ROWS.where(where).order_by(_TABLE.c.id))
        found += [to_item(row) for row in rows]
    return found


def delete_items(session: Session, keys: Sequence[int]) -> None:
    for start in range(0, len(keys), _CHUNK):
        where = col(ItemVector.id).in_(list(keys[start : start + _CHUNK]))
        session.exec(delete(ItemVector).where(where).execution_options(**_UNSYNCED))


def delete_enterprise_items(session: Session, enterprise_id: int) -> None:
    where = col(ItemVector.enterprise_id) == enterprise_id
    session.exec(delete(ItemVector).where(where).execution_options(**_UNSYNCED))


def delete_trade_item(session: Session, kind: Kind, ref_id: int) -> list[int]:
    where = (col(ItemVector.kind) == kind.value) & (col(ItemVector.ref_id) == ref_id)
    keys = list(session.exec(select(ItemVector.id).where(where)))
    session.exec(delete(ItemVector).where(where).execution_options(**_UNSYNCED))
    return [k for k in keys if k is not None]


def load_items(
    session: Session,
    dimensions: tuple[int, int | None],
    *,
    with_vectors: bool = True,
    keys: Sequence[int] | None = None,
) -> tuple[list[Item], Vectors, set[Models]]:
    """Every stored item (or those of `keys` that still exist), its vectors stacked (the
    multilingual ones too when `dimensions[1]` is set), and the (primary, multilingual) model
    pairs that made them.

    Without vectors (PostgreSQL, where primary searches run in SQL) the primary array has zero
    columns. A vector of another length (a model of another dimension) or a missing one loads
    as zeros until it is re-embedded.
    """
    columns = [c for c in _TABLE.columns if with_vectors or c.name != "vector"]
    query = sa_select(*columns).order_by(_TABLE.c.id)
    if keys is not None:
        query = query.where(_TABLE.c.id.in_(list(keys)))
    rows = session.execute(query).all()
    dimension, second = dimensions
    primary = np.zeros((len(rows), dimension if with_vectors else 0), dtype=np.float32)
    multilingual = None if second is None else np.zeros((len(rows), second), np.float32)
    for i, row in enumerate(rows):
        if with_vectors and len(row.vector) == 4 * dimension:
            primary[i] = np.frombuffer(row.vector, dtype=np.float32)
        if (
            multilingual is not None
            and row.multilingual
            and multilingual.shape[1] * 4 == len(row.multilingual)
        ):
            multilingual[i] = np.frombuffer(row.multilingual, dtype=np.float32)
    models = {(row.model, row.multilingual_model) for row in rows}
    return [to_item(row) for row in rows], Vectors(primary, multilingual), models


def all_items(session: Session) -> list[Item]:
    """Every stored item, without its vectors."""
    query = select(ItemVector).order_by(col(ItemVector.id))
    options = [defer(ItemVector.vector), defer(ItemVector.multilingual)]  # type: ignore[arg-type]
    return [to_item(row) for row in session.exec(query.options(*options))]


def replace_vectors(
    session: Session, items: Sequence[Item], vectors: Vectors, models: Models
) -> None:
    """New vectors and heading estimates for existing items, in place (keys stay); a key
    deleted meanwhile is skipped."""
    statement = (
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("key"))
        .values(
            vector=bindparam("new_vector"),
            model=models[0],
            multilingual=bindparam("new_multilingual"),
            multilingual_model=models[1],
            headings=bindparam("new_headings"),
        )
    )
    second = vectors.multilingual
    rows = [
        {
            "key": item.key,
            "new_vector": _blob(vectors.primary[i]),
            "new_multilingual": None if second is None else _blob(second[i]),
            "new_headings": _stored(item.headings),
        }
        for i, item in enumerate(items)
    ]
    if rows:  # executemany; Core does not insist every key still exists
        session.execute(statement, rows)


def all_enterprises(session: Session, ids: Sequence[int] | None = None) -> list[Enterprise]:
    """Every enterprise that can be matched, or those of `ids` that still can (an erased one has
    neither facts nor items)."""
    query = select(Enterprise).where(col(Enterprise.deleted_at).is_(None))
    if ids is not None:
        query = query.where(col(Enterprise.id).in_(list(ids)))
    return list(session.exec(query.order_by(col(Enterprise.id))))
