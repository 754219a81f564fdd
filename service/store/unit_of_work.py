"""The one write boundary: rows, their item vectors and the audit entries that describe them
commit together, then the in-memory catalog (and anything else registered) learns of the
write — after a successful commit only.

Texts are embedded before the transaction opens (`Embedded`), so the model never runs while the
database's write lock is held; inside, `Transaction.index` only looks their vectors up. Every
audited row the session flushes gets its entry (service/store/audit.py), attributed to the unit
of work's actor.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import event
from sqlmodel import Session

from service.entities import Enterprise, Need, Offer
from service.matching.catalog import Catalog, CatalogChange
from service.matching.embedder import FloatArray
from service.matching.items import Item, Kind
from service.records import Actor
from service.store import convert, vectors
from service.store.audit import Trail, refuse_bulk_writes


@dataclass(frozen=True)
class Embedded:
    """Texts embedded ahead of a write, by the model named `model`."""

    model: str
    dimension: int
    by_text: dict[str, FloatArray] = field(default_factory=dict)

    def rows(self, texts: Sequence[str]) -> FloatArray:
        missing = [t for t in texts if t not in self.by_text]
        if missing:  # a bug in the caller: it must embed what it writes before the transaction
            raise RuntimeError(f"{len(missing)} text(s) were not embedded before the write")
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return np.stack([self.by_text[t] for t in texts])


class Transaction:
    """What one unit of work writes: rows through `session`, items through `index`."""

    def __init__(self, session: Session, embedded: Embedded | None, actor: Actor) -> None:
        self.session = session
        self.change = CatalogChange()
        self.trail = Trail(actor)
        self._embedded = embedded
        self._after_commit: list[Callable[[], object]] = []

    def index(
        self, *, enterprises: Iterable[Enterprise] = (), trades: Iterable[Need | Offer] = ()
    ) -> None:
        """Replace the stored items of these rows (flushed here, so they have ids)."""
        if self._embedded is None:
            raise RuntimeError("this unit of work was opened without embedded texts")
        enterprises, trades = list(enterprises), list(trades)
        self.session.flush()
        ids = [e.id for e in enterprises if e.id is not None]
        self.change.removed += vectors.delete_profile_items(self.session, ids)
        self.change.facts += [convert.facts_of(e) for e in enterprises]
        for row in trades:
            self.unindex(row)
        drafts = convert.drafts_of(enterprises, trades)
        rows = self._embedded.rows([d.text for d in drafts])
        items = vectors.save_items(self.session, drafts, rows, self._embedded.model)
        self.change.add_items(items, rows)

    def unindex(self, row: Need | Offer) -> None:
        """Stop matching a need or an offer (deleted, or about to be re-indexed)."""
        assert row.id is not None
        kind = Kind.need if isinstance(row, Need) else Kind.offer
        self.change.removed += vectors.delete_trade_item(self.session, kind, row.id)

    def forget(self, enterprise_id: int) -> None:
        """The enterprise is deleted or erased: every stored item of it goes, here and in the
        catalog."""
        vectors.delete_enterprise_items(self.session, enterprise_id)
        self.change.forgotten.append(enterprise_id)

    def revector(self, items: list[Item], fresh: FloatArray, model: str) -> None:
        """New vectors for stored items, under the same keys (a re-embed)."""
        vectors.replace_vectors(self.session, [item.key for item in items], fresh, model)
        self.change.revectored, self.change.revectors = items, fresh

    def audit(
        self,
        action: str,
        noun: str,
        ref_id: int | None,
        *,
        enterprise_id: int | None = None,
        fields: Sequence[str] = (),
    ) -> None:
        """An entry for a change that is not a row of its own (a re-embed, say); rows changed
        through the session get theirs without asking."""
        self.trail.add(action, noun, ref_id, enterprise_id, fields)

    def after_commit(self, action: Callable[[], object]) -> None:
        """Run `action` once the write has committed (e.g. teach an in-memory model)."""
        self._after_commit.append(action)


class UnitOfWork:
    """Opens transactions on one session for one actor, and applies their catalog change after
    the commit."""

    def __init__(self, session: Session, catalog: Catalog, actor: Actor) -> None:
        self.session = session
        self.catalog = catalog
        self.actor = actor

    @contextmanager
    def begin(
        self, embedded: Embedded | None = None, *, actor: Actor | None = None
    ) -> Iterator[Transaction]:
        """`actor` records this transaction against someone else (the system, say)."""
        tx = Transaction(self.session, embedded, actor or self.actor)
        collect = tx.trail.collect
        event.listen(self.session, "after_flush", collect)
        event.listen(self.session, "do_orm_execute", refuse_bulk_writes)
        try:
            yield tx
            self.session.flush()
            tx.trail.write(self.session)
            # a reader holding the catalog sees the commit and its catalog change together (on
            # PostgreSQL, vectors are read from the database: never a listed item's deleted row)
            with self.catalog.reading():
                self.session.commit()
                self.catalog.apply(tx.change)
        except BaseException:
            self.session.rollback()
            raise
        finally:
            event.remove(self.session, "after_flush", collect)
            event.remove(self.session, "do_orm_execute", refuse_bulk_writes)
        for action in tx._after_commit:
            action()
