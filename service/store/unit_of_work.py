"""The one write boundary: rows and their item vectors commit together, then the live matching
state (catalog, learned matches, HS examples) learns of the write — after a successful commit
only, in this process at once and in every other process through the change log.

Texts are embedded before the transaction opens (`Embedded`), so the model never runs while the
database's write lock is held; inside, `Transaction.index` only looks their vectors up.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
from sqlmodel import Session

from service.entities import ChangeLog, Enterprise, Need, Offer
from service.matching.catalog import CatalogChange
from service.matching.embedder import FloatArray, Vectors
from service.matching.headings import Estimate
from service.matching.items import GOODS, Item, ItemDraft, Kind
from service.store import changes, convert, vectors
from service.store.vectors import Models


@dataclass(frozen=True)
class Embedded:
    """Texts embedded ahead of a write by the models named `models` (primary, multilingual;
    "" when there is none), and the heading estimates of goods texts without a declared code."""

    models: Models
    dimension: int
    by_text: dict[str, FloatArray] = field(default_factory=dict)
    multilingual: dict[str, FloatArray] | None = None
    headings: dict[str, Estimate] = field(default_factory=dict)

    def rows(self, texts: Sequence[str]) -> Vectors:
        missing = [t for t in texts if t not in self.by_text]
        if missing:  # a bug in the caller: it must embed what it writes before the transaction
            raise RuntimeError(f"{len(missing)} text(s) were not embedded before the write")
        if not texts:
            primary = np.zeros((0, self.dimension), np.float32)
        else:
            primary = np.stack([self.by_text[t] for t in texts])
        second = None
        if self.multilingual is not None and texts:
            second = np.stack([self.multilingual[t] for t in texts])
        return Vectors(primary, second)

    def estimated(self, drafts: Sequence[ItemDraft]) -> list[ItemDraft]:
        """The drafts, goods without a declared code carrying their text's heading estimate."""
        return [
            replace(d, headings=self.headings.get(d.text, ()))
            if d.kind in GOODS and not d.hs_code
            else d
            for d in drafts
        ]


@dataclass
class Change:
    """What a committed write means to the live matching state of every process."""

    catalog: CatalogChange = field(default_factory=CatalogChange)
    learned: list[tuple[int, int]] = field(default_factory=list)  # (buyer, supplier) now met
    confirmed: list[tuple[str, str]] = field(default_factory=list)  # (text, HS code)

    def log_row(self) -> ChangeLog | None:
        """The change by keys and ids, for the other processes; None when there is none."""
        c = self.catalog
        row = ChangeLog(
            removed=c.removed,
            items=[i.key for i in c.items + c.revectored],
            facts=[f.enterprise_id for f in c.facts],
            forgotten=c.forgotten,
            learned=[list(pair) for pair in self.learned],
            confirmed=[list(pair) for pair in self.confirmed],
        )
        fields = (row.removed, row.items, row.facts, row.forgotten, row.learned, row.confirmed)
        return row if any(fields) else None


# Applies a committed change to this process's live state; `log_id` is its change-log row.
OnCommit = Callable[[Change, int | None], None]


class Transaction:
    """What one unit of work writes: rows through `session`, items through `index`."""

    def __init__(self, session: Session, embedded: Embedded | None) -> None:
        self.session = session
        self.change = Change()
        self._embedded = embedded

    def index(
        self, *, enterprises: Iterable[Enterprise] = (), trades: Iterable[Need | Offer] = ()
    ) -> None:
        """Replace the stored items of these rows (flushed here, so they have ids)."""
        if self._embedded is None:
            raise RuntimeError("this unit of work was opened without embedded texts")
        enterprises, trades = list(enterprises), list(trades)
        self.session.flush()
        for e in enterprises:
            assert e.id is not None
            self.change.catalog.removed += vectors.delete_profile_items(self.session, e.id)
            self.change.catalog.facts.append(convert.facts_of(e))
        for row in trades:
            self.unindex(row)
        drafts = self._embedded.estimated(convert.drafts_of(enterprises, trades))
        rows = self._embedded.rows([d.text for d in drafts])
        items = vectors.save_items(self.session, drafts, rows, self._embedded.models)
        self.change.catalog.add_items(items, rows.primary, rows.multilingual)

    def unindex(self, row: Need | Offer) -> None:
        """Stop matching a need or an offer (deleted, or about to be re-indexed)."""
        assert row.id is not None
        kind = Kind.need if isinstance(row, Need) else Kind.offer
        self.change.catalog.removed += vectors.delete_trade_item(self.session, kind, row.id)

    def forget(self, enterprise_id: int) -> None:
        """The enterprise is deleted: its items leave the catalog (rows go by cascade)."""
        self.change.catalog.forgotten.append(enterprise_id)

    def revector(self, items: list[Item], fresh: Vectors, models: Models) -> None:
        """New vectors (and heading estimates, carried by `items`) for stored items, under the
        same keys (a re-embed)."""
        vectors.replace_vectors(self.session, items, fresh, models)
        c = self.change.catalog
        c.revectored, c.revectors, c.remultilingual = items, fresh.primary, fresh.multilingual

    def learned(self, pairs: Iterable[tuple[int, int]]) -> None:
        """These (buyer, supplier) pairs agreed to meet: the ranker learns from them."""
        self.change.learned += pairs

    def confirmed(self, text: str, code: str) -> None:
        """A confirmed HS classification: the HS suggester learns from it."""
        self.change.confirmed.append((text, code))


class UnitOfWork:
    """Opens transactions on one session; a committed one is logged and applied."""

    def __init__(self, session: Session, on_commit: OnCommit) -> None:
        self.session = session
        self.on_commit = on_commit

    @contextmanager
    def begin(self, embedded: Embedded | None = None) -> Iterator[Transaction]:
        tx = Transaction(self.session, embedded)
        try:
            yield tx
            row = tx.change.log_row()
            log_id = changes.add(self.session, row) if row is not None else None
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise
        self.on_commit(tx.change, log_id)
