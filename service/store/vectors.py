"""Stored item vectors: float32 blobs with the model that made them."""

from collections.abc import Sequence

import numpy as np
from sqlmodel import Session, col, delete, select

from service.entities import Enterprise, ItemVector, Need, Offer
from service.matching.catalog import PROFILE_KINDS
from service.matching.embedder import FloatArray
from service.matching.items import Item, ItemDraft, Kind


def to_item(row: ItemVector) -> Item:
    assert row.id is not None
    return Item(row.enterprise_id, Kind(row.kind), row.ref_id, row.label, row.text, _hs(row), row.id)


def _hs(row: ItemVector) -> str | None:
    return row.hs_code or None


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
    session.exec(delete(ItemVector).where(where))  # type: ignore[call-overload]
    return [k for k in keys if k is not None]


def delete_trade_item(session: Session, kind: Kind, ref_id: int) -> list[int]:
    where = (col(ItemVector.kind) == kind.value) & (col(ItemVector.ref_id) == ref_id)
    keys = list(session.exec(select(ItemVector.id).where(where)))
    session.exec(delete(ItemVector).where(where))  # type: ignore[call-overload]
    return [k for k in keys if k is not None]


def load_items(session: Session, dimension: int) -> tuple[list[Item], FloatArray, set[str]]:
    """Every stored item, its vectors stacked, and the set of models that made them."""
    rows = list(session.exec(select(ItemVector).order_by(col(ItemVector.id))))
    vectors = np.zeros((len(rows), dimension), dtype=np.float32)
    for i, row in enumerate(rows):
        vectors[i] = np.frombuffer(row.vector, dtype=np.float32)
    return [to_item(r) for r in rows], vectors, {r.model for r in rows}


def all_enterprises(session: Session) -> list[Enterprise]:
    return list(session.exec(select(Enterprise).order_by(col(Enterprise.id))))


def all_needs(session: Session) -> list[Need]:
    return list(session.exec(select(Need).order_by(col(Need.id))))


def all_offers(session: Session) -> list[Offer]:
    return list(session.exec(select(Offer).order_by(col(Offer.id))))
