"""The long-lived matching state of a running service: embedder, catalog, ranker, HS suggester.

Writers embed their texts first (`embed`), then write through a unit of work
(`unit_of_work(session, actor).begin(embedded)`), which commits rows, vectors, audit entries and
the change together, and applies the change here after the commit. Other processes on the same
database (API workers, hosts, the CLI) apply it when `sync` reads the change log.
"""

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import Engine
from sqlmodel import Session

from service.db import is_postgres
from service.entities import ChangeLog, Enterprise, Need, Offer
from service.matching import pipeline
from service.matching.candidates import Query
from service.matching.catalog import PROFILE_KINDS, Catalog, CatalogChange
from service.matching.embedder import CachedEmbedder, Embedders
from service.matching.examples import Example
from service.matching.headings import Estimate
from service.matching.hs import HsSuggester
from service.matching.items import GOODS, Item, ItemDraft, Side, keyed
from service.matching.ranking import Ranker
from service.matching.weights import Weights
from service.progress import Progress
from service.records import SYSTEM, Actor
from service.store import changes, convert, vectors
from service.store.cards import PartnerCards
from service.store.pgdense import PgDenseIndex
from service.store.unit_of_work import Change, Embedded, UnitOfWork
from service.store.vectors import Models

# Change-log ids are taken when a write starts and become visible when it commits, which on
# PostgreSQL need not be in id order: each sync re-reads this many ids below the newest applied
# one, so a write that commits late (behind fewer than this many others) is still applied.
SYNC_WINDOW = 1000


class OtherModelsVectors(RuntimeError):
    """The store holds vectors made by another model or backend than the configured one."""

    def __init__(self, others: set[Models], models: Models) -> None:
        made = ", ".join(sorted(" + ".join(m for m in pair if m) for pair in others))
        super().__init__(
            f"the database holds vectors made by {made}, but this service embeds with "
            f"{' + '.join(m for m in models if m)}: run `matchfair reindex` to re-embed every "
            "item with it, or configure the models that made them (MATCHFAIR_EMBEDDER, "
            "MATCHFAIR_MODEL_PATH, MATCHFAIR_MULTILINGUAL)"
        )


class Matchmaker:
    def __init__(
        self,
        engine: Engine,
        embedders: Embedders,
        weights: Weights | None = None,
        *,
        query_cache_size: int = 1024,
    ) -> None:
        self.engine = engine
        self.embedders = embedders
        self.embedder = embedders.primary
        self.queries = _cached(embedders, query_cache_size)  # free-text queries
        self.on_postgres = is_postgres(engine)
        second = embedders.multilingual
        self.catalog = Catalog(
            self.embedder.dimension,
            self._pg_dense if self.on_postgres else None,
            multilingual=None if second is None else second.dimension,
            weights=weights,
        )
        self.ranker = Ranker(self.catalog, weights)
        self.hs: HsSuggester | None = None  # set by the runtime: HS headings for uncoded texts
        self.cards = PartnerCards()  # partners' public profiles, as answers show them
        self._applied: set[int] = set()  # change-log ids applied here (within the window)
        self._newest = 0
        self._sync_lock = threading.Lock()

    @property
    def models(self) -> Models:
        """The identities of the models whose vectors the store should hold."""
        second = self.embedders.multilingual
        return self.embedder.identity, "" if second is None else second.identity

    @property
    def dimensions(self) -> tuple[int, int | None]:
        second = self.embedders.multilingual
        return self.embedder.dimension, None if second is None else second.dimension

    def _pg_dense(self, side: Side) -> PgDenseIndex:
        """On PostgreSQL dense search is a pgvector query; the catalog says which keys it knows."""
        return PgDenseIndex(self.engine, side, lambda: self.catalog.items)

    def session(self) -> Session:
        """A session of its own, for work that outlives a request (jobs, the CLI)."""
        return Session(self.engine)

    def unit_of_work(self, session: Session, actor: Actor) -> UnitOfWork:
        """Writes on `session`, recorded in the audit trail against `actor`."""
        return UnitOfWork(session, self._committing, actor)

    @contextmanager
    def _committing(self) -> Iterator[Callable[[Change, int | None], None]]:
        """Held around a commit and the change it applies: a reader holding the catalog sees
        both or neither (on PostgreSQL vectors are read from the database, so a listed item's row
        is never one a commit here just deleted). The sync lock is taken first, as `sync` does."""
        with self._sync_lock, self.catalog.reading():
            yield self._committed

    def _committed(self, change: Change, log_id: int | None) -> None:
        self.apply(change)
        if log_id is not None:
            self._applied.add(log_id)

    def apply(self, change: Change) -> None:
        """Bring the live state up to a committed write (idempotent for the catalog)."""
        self.catalog.apply(change.catalog)
        for buyer, supplier in change.learned:
            self.ranker.learn_match(buyer, supplier)
        if self.hs is not None:
            for e in change.confirmed:
                self.hs.confirm(e.text, e.target, weight=e.weight, group=e.group)

    def sync(self) -> int:
        """Apply the writes other processes committed since the last call; returns how many.

        Cheap when nothing changed: one indexed query on the change log.
        """
        with self._sync_lock, self.session() as session:
            fresh = changes.since(session, max(self._newest - SYNC_WINDOW, 0), self._applied)
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
            session, self.dimensions, with_vectors=not self.on_postgres, keys=row.items
        )
        catalog = CatalogChange(
            removed=row.removed,
            forgotten=row.forgotten,
            facts=[convert.facts_of(e) for e in vectors.all_enterprises(session, row.facts)],
        )
        catalog.add_items(items, stored.primary, stored.multilingual)
        learned = [(buyer, supplier) for buyer, supplier in row.learned]
        confirmed = [
            Example(str(text), str(code), float(weight), str(group))
            for text, code, weight, group in row.confirmed
        ]
        return Change(catalog, learned, confirmed)

    def load(self) -> None:
        """Fill the catalog from the store.

        Refuses vectors another model or backend made (OtherModelsVectors): compared with this
        one's queries they would rank by noise, and re-embedding a large catalog belongs in
        `matchfair reindex`, run once, not in every starting worker.
        """
        with self.session() as session:
            # read first: the load holds every write committed by now (marked applied, so the
            # first sync does not apply them again), later ones sync
            self._newest = changes.latest_id(session)
            self._applied = changes.ids_since(session, max(self._newest - SYNC_WINDOW, 0))
            items, stored, models = vectors.load_items(
                session, self.dimensions, with_vectors=not self.on_postgres
            )
            facts = [convert.facts_of(e) for e in vectors.all_enterprises(session)]
        if models - {self.models}:
            raise OtherModelsVectors(models - {self.models}, self.models)
        self.catalog.load(facts, items, stored.primary, stored.multilingual)

    def reembed(self, progress: Progress | None = None, *, actor: Actor = SYSTEM) -> int:
        """Embed every stored item text again with these models, estimate their headings again,
        and swap.

        Batches report progress while searches keep using the old vectors; then one
        transaction replaces every vector under the same keys, and the catalog follows after
        commit. Items a write replaced or removed meanwhile are skipped (it embedded its own).
        Each distinct text is embedded once. Returns how many items were re-embedded.
        """
        with self.session() as session:
            items = vectors.all_items(session)
        texts = list(dict.fromkeys(item.text for item in items))
        row = {t: i for i, t in enumerate(texts)}
        fresh = pipeline.embed(self.embedders, texts, progress).take([row[i.text] for i in items])
        estimated = pipeline.estimate([_draft(i) for i in items], fresh, self.hs)
        items = [keyed(d, item.key) for d, item in zip(estimated, items, strict=True)]
        with self.session() as session, self.unit_of_work(session, actor).begin() as tx:
            tx.revector(items, fresh, self.models)
            tx.audit("reembed", "vectors", None, fields=[m for m in self.models if m])
        return len(items)

    def embed(
        self,
        *,
        enterprises: Iterable[Enterprise] = (),
        trades: Iterable[Need | Offer] = (),
        progress: Progress | None = None,
    ) -> Embedded:
        """The vectors (every model's) and heading estimates of these rows' items, computed
        before their write's transaction opens (rows as they will be written; ids are not
        needed). A text the enterprises' items already carry keeps its vectors and estimate:
        an edit embeds only what it changed."""
        enterprises = list(enterprises)
        drafts = convert.drafts_of(enterprises, trades)
        texts = list(dict.fromkeys(d.text for d in drafts))
        held, estimates = self._held(enterprises, set(texts))
        fresh = [t for t in texts if t not in held.by_text]
        rows = pipeline.embed(self.embedders, fresh, progress)
        second = None
        if rows.multilingual is not None:
            second = dict(zip(fresh, rows.multilingual, strict=True)) | (held.multilingual or {})
        primary = dict(zip(fresh, rows.primary, strict=True)) | held.by_text
        embedded = Embedded(self.models, self.embedder.dimension, primary, second)
        # one estimate per text of goods without a declared code (and without a stored one)
        uncoded = {d.text: d for d in drafts if d.kind in GOODS and not d.hs_code}
        todo = [d for text, d in uncoded.items() if text not in estimates]
        estimated = pipeline.estimate(todo, embedded.rows([d.text for d in todo]), self.hs)
        estimates |= {d.text: d.headings for d in estimated if d.headings}
        return replace(embedded, headings=estimates)

    def _held(
        self, enterprises: list[Enterprise], texts: set[str]
    ) -> tuple[Embedded, dict[str, Estimate]]:
        """Of `texts`, those the enterprises' profile items carry in the catalog: their vectors,
        and the stored estimates of goods without a declared code."""
        found: dict[str, Item] = {}
        estimates: dict[str, Estimate] = {}
        with self.catalog.reading():
            for e in enterprises:
                for item in self.catalog.owned(e.id, PROFILE_KINDS) if e.id is not None else ():
                    if item.text in texts:
                        found.setdefault(item.text, item)
                        if item.kind in GOODS and not item.hs_code and item.headings:
                            estimates[item.text] = item.headings
            primary = {text: self.catalog.vector(item) for text, item in found.items()}
            second = {t: self.catalog.multilingual_vector(item) for t, item in found.items()}
        multilingual = {t: v for t, v in second.items() if v is not None}
        return Embedded(self.models, self.embedder.dimension, primary, multilingual), estimates

    def text_query(self, text: str, side: Side) -> Query:
        """A free text looking for partners on `side`: embedded by every model it needs and
        classified into HS headings (its language detected)."""
        return pipeline.text_query(text, side, self.queries, self.hs, self.catalog)


def _cached(embedders: Embedders, size: int) -> Embedders:
    primary = CachedEmbedder(embedders.primary, size=size)
    second = embedders.multilingual
    if second is embedders.primary:
        return Embedders(primary, primary)
    return Embedders(primary, None if second is None else CachedEmbedder(second, size=size))


def _draft(item: Item) -> ItemDraft:
    """The draft of a stored item, its estimate dropped (to be made again)."""
    return ItemDraft(
        item.enterprise_id, item.kind, item.ref_id, item.label, item.text, item.hs_code
    )
