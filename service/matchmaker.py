"""The long-lived matching state of a running service: embedder, catalog, ranker, HS suggester.

Writers embed their texts first (`embed`), then write through a unit of work
(`unit_of_work(session).begin(embedded)`), which commits rows and vectors together, logs the
change, and applies it here after the commit. Other processes on the same database (API
workers, hosts, the CLI) apply it when `sync` reads the change log.
"""

import threading
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session

from service.db import is_postgres
from service.entities import ChangeLog, Enterprise, Need, Offer
from service.matching.catalog import Catalog, CatalogChange
from service.matching.embedder import CachedEmbedder, Embedder, FloatArray
from service.matching.hs import HsSuggester
from service.matching.items import Side
from service.matching.ranking import Ranker
from service.matching.weights import Weights
from service.progress import Progress
from service.store import changes, convert, vectors
from service.store.pgdense import PgDenseIndex
from service.store.unit_of_work import Change, Embedded, UnitOfWork

ENCODE_CHUNK = 256  # texts per progress step
# Change-log ids are taken when a write starts and become visible when it commits, which on
# PostgreSQL need not be in id order: each sync re-reads this many ids below the newest applied
# one, so a write that commits late (behind fewer than this many others) is still applied.
SYNC_WINDOW = 1000


class OtherModelsVectors(RuntimeError):
    """The store holds vectors made by another model or backend than the configured one."""

    def __init__(self, others: set[str], identity: str) -> None:
        super().__init__(
            f"the database holds vectors made by {', '.join(sorted(others))}, but this service "
            f"embeds with {identity}: run `matchfair reindex` to re-embed every item with it, "
            "or configure the model that made them (MATCHFAIR_EMBEDDER, MATCHFAIR_MODEL_PATH)"
        )


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
        self.hs: HsSuggester | None = None  # set by the runtime: HS headings for uncoded texts
        self._applied: set[int] = set()  # change-log ids applied here (within the window)
        self._newest = 0
        self._sync_lock = threading.Lock()

    def _pg_dense(self, side: Side) -> PgDenseIndex:
        """On PostgreSQL dense search is a pgvector query; the catalog says which keys it knows."""
        return PgDenseIndex(self.engine, side, lambda: self.catalog.items)

    def session(self) -> Session:
        """A session of its own, for work that outlives a request (jobs, the CLI)."""
        return Session(self.engine)

    def unit_of_work(self, session: Session) -> UnitOfWork:
        return UnitOfWork(session, self._committed)

    def _committed(self, change: Change, log_id: int | None) -> None:
        with self._sync_lock:
            self.apply(change)
            if log_id is not None:
                self._applied.add(log_id)

    def apply(self, change: Change) -> None:
        """Bring the live state up to a committed write (idempotent for the catalog)."""
        self.catalog.apply(change.catalog)
        for buyer, supplier in change.learned:
            self.ranker.learn_match(buyer, supplier)
        if self.hs is not None:
            for text, code in change.confirmed:
                self.hs.confirm(text, code)

    def sync(self) -> int:
        """Apply the writes other processes committed since the last call; returns how many.

        Cheap when nothing changed: one indexed query on the change log.
        """
        with self._sync_lock, self.session() as session:
            rows = changes.since(session, max(self._newest - SYNC_WINDOW, 0))
            fresh = [row for row in rows if row.id not in self._applied]
            for row in fresh:
                self.apply(self._change_of(session, row))
                assert row.id is not None
                self._applied.add(row.id)
                self._newest = max(self._newest, row.id)
            floor = self._newest - SYNC_WINDOW
            self._applied = {i for i in self._applied if i > floor}
        return len(fresh)

    def _change_of(self, session: Session, row: ChangeLog) -> Change:
        """A logged change, with the items and facts it names read back from the store."""
        items, stored, _ = vectors.load_items(
            session, self.embedder.dimension, with_vectors=not self.on_postgres, keys=row.items
        )
        catalog = CatalogChange(
            removed=row.removed,
            forgotten=row.forgotten,
            facts=[convert.facts_of(e) for e in vectors.all_enterprises(session, row.facts)],
        )
        catalog.add_items(items, stored)
        learned = [(buyer, supplier) for buyer, supplier in row.learned]
        confirmed = [(text, code) for text, code in row.confirmed]
        return Change(catalog, learned, confirmed)

    def load(self) -> None:
        """Fill the catalog from the store.

        Refuses vectors another model or backend made (OtherModelsVectors): compared with this
        one's queries they would rank by noise, and re-embedding a large catalog belongs in
        `matchfair reindex`, run once, not in every starting worker.
        """
        with self.session() as session:
            self._newest = changes.latest_id(session)  # read first: later writes sync again
            items, stored, models = vectors.load_items(
                session, self.embedder.dimension, with_vectors=not self.on_postgres
            )
            facts = [convert.facts_of(e) for e in vectors.all_enterprises(session)]
        if models - {self.embedder.identity}:
            raise OtherModelsVectors(models - {self.embedder.identity}, self.embedder.identity)
        self.catalog.load(facts, items, stored)

    def reembed(self, progress: Progress | None = None) -> int:
        """Embed every stored item text again with this model and swap.

        Batches report progress while searches keep using the old vectors; then one
        transaction replaces every vector under the same keys, and the catalog follows after
        commit. Items a write replaced or removed meanwhile are skipped (it embedded its own).
        Returns how many items were re-embedded.
        """
        identity = self.embedder.identity
        with self.session() as session:
            items = vectors.all_items(session)
        fresh = self.encode([item.text for item in items], progress)
        with self.session() as session, self.unit_of_work(session).begin() as tx:
            tx.revector(items, fresh, identity)
        return len(items)

    def embed(
        self,
        *,
        enterprises: Iterable[Enterprise] = (),
        trades: Iterable[Need | Offer] = (),
        progress: Progress | None = None,
    ) -> Embedded:
        """The vectors of these rows' items, computed before their write's transaction opens
        (rows as they will be written; ids are not needed)."""
        drafts = convert.drafts_of(enterprises, trades)
        texts = list(dict.fromkeys(d.text for d in drafts))
        rows = self.encode(texts, progress)
        by_text = dict(zip(texts, rows, strict=True))
        return Embedded(self.embedder.identity, self.embedder.dimension, by_text)

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> FloatArray:
        """Embed in chunks, reporting (done, total) after each."""
        parts = [np.zeros((0, self.embedder.dimension), np.float32)]
        for start in range(0, len(texts), ENCODE_CHUNK):
            parts.append(self.embedder.encode(texts[start : start + ENCODE_CHUNK]))
            if progress:
                progress(min(start + ENCODE_CHUNK, len(texts)), len(texts))
        return np.concatenate(parts)
