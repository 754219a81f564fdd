"""The long-lived matching state of a running service: embedder, catalog and ranker.

Writes go store-first: rows and vectors commit in one transaction, then the in-memory catalog
is updated (`index` then commit then `apply`), so a failed write leaves both untouched and a
finished one is searchable at once.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session

from service.db import is_postgres
from service.entities import Enterprise, Need, Offer, Status
from service.matching.catalog import Catalog
from service.matching.embedder import CachedEmbedder, Embedder, FloatArray
from service.matching.hs import HsSuggester
from service.matching.items import Facts, Item, ItemDraft, Kind, Side, profile_items, trade_item
from service.matching.ranking import Ranker
from service.matching.weights import Weights
from service.store import convert, vectors
from service.store.pgdense import PgDenseIndex

Progress = Callable[[int, int], None]
ENCODE_CHUNK = 256  # texts per progress step


@dataclass
class CatalogChange:
    """What `apply` does to the catalog once the transaction that wrote it has committed."""

    removed: list[int] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    vectors: FloatArray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    facts: list[Facts] = field(default_factory=list)


def trade_draft(row: Need | Offer) -> ItemDraft | None:
    """A closed need or offer is kept but no longer matched."""
    if row.status is not Status.open:
        return None
    return trade_item(convert.need_doc(row) if isinstance(row, Need) else convert.offer_doc(row))


class Matchmaker:
    def __init__(
        self,
        engine: Engine,
        embedder: Embedder,
        weights: Weights | None = None,
        *,
        query_cache_size: int = 1024,
    ) -> None:
        self.engine = engine
        self.embedder = embedder
        self.query_encoder = CachedEmbedder(embedder, size=query_cache_size)  # free-text queries
        self.on_postgres = is_postgres(engine)
        self.catalog = Catalog(embedder.dimension, self._pg_dense if self.on_postgres else None)
        self.ranker = Ranker(self.catalog, weights)
        self.hs: HsSuggester | None = None  # set by the app: HS headings for texts without one

    def _pg_dense(self, side: Side) -> PgDenseIndex:
        """On PostgreSQL dense search is a pgvector query; the catalog says which keys it knows."""
        return PgDenseIndex(self.engine, side, lambda: self.catalog.items)

    def load(self, progress: Progress | None = None) -> int:
        """Fill the catalog from the store; re-embed every item another model made.

        Returns how many items were re-embedded (0 when the stored vectors were current).
        """
        with Session(self.engine) as session:
            items, stored, models = vectors.load_items(
                session, self.embedder.dimension, with_vectors=not self.on_postgres
            )
            facts = [convert.facts_of(e) for e in vectors.all_enterprises(session)]
        self.catalog.load(facts, items, stored)
        return self.reembed(progress, stale_only=True) if models - {self.embedder.identity} else 0

    def reembed(self, progress: Progress | None = None, *, stale_only: bool = False) -> int:
        """Embed the stored item texts again (or only those another model made) and swap.

        Batches report progress while searches keep using the old vectors; then one
        transaction replaces every vector under the same keys, and the catalog follows after
        commit. Items a write replaced or removed meanwhile are skipped (it embedded its own).
        Returns how many items were re-embedded.
        """
        identity = self.embedder.identity
        with Session(self.engine) as session:
            items = vectors.stale_items(session, identity if stale_only else None)
        fresh = self.encode([item.text for item in items], progress)
        with Session(self.engine) as session:
            vectors.replace_vectors(session, [item.key for item in items], fresh, identity)
            session.commit()
        self.catalog.replace_vectors(items, fresh)
        return len(items)

    def index(
        self,
        session: Session,
        *,
        enterprises: Iterable[Enterprise] = (),
        trades: Iterable[Need | Offer] = (),
        progress: Progress | None = None,
    ) -> CatalogChange:
        """Replace the stored items of these rows (flushed, not committed) with fresh vectors."""
        change = CatalogChange()
        drafts: list[ItemDraft] = []
        for e in enterprises:
            assert e.id is not None
            change.removed += vectors.delete_profile_items(session, e.id)
            change.facts.append(convert.facts_of(e))
            drafts += profile_items(convert.profile_of(e))
        for row in trades:
            change.removed += self.unindex_trade(session, row).removed
            if (draft := trade_draft(row)) is not None:
                drafts.append(draft)
        change.vectors = self.encode([d.text for d in drafts], progress)
        change.items = vectors.save_items(session, drafts, change.vectors, self.embedder.identity)
        return change

    def unindex_trade(self, session: Session, row: Need | Offer) -> CatalogChange:
        assert row.id is not None
        kind = Kind.need if isinstance(row, Need) else Kind.offer
        return CatalogChange(removed=vectors.delete_trade_item(session, kind, row.id))

    def apply(self, change: CatalogChange) -> None:
        self.catalog.remove_items(change.removed)
        for facts in change.facts:
            self.catalog.put_facts(facts)
        self.catalog.put_items(change.items, change.vectors)

    def forget_enterprise(self, enterprise_id: int) -> None:
        self.catalog.remove_enterprise(enterprise_id)

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> FloatArray:
        """Embed in chunks, reporting (done, total) after each."""
        parts = [np.zeros((0, self.embedder.dimension), np.float32)]
        for start in range(0, len(texts), ENCODE_CHUNK):
            parts.append(self.embedder.encode(texts[start : start + ENCODE_CHUNK]))
            if progress:
                progress(min(start + ENCODE_CHUNK, len(texts)), len(texts))
        return np.concatenate(parts)
