"""The one write boundary: rows and their item vectors commit together, then the in-memory
catalog (and anything else registered) learns of the write — after a successful commit only.

Texts are embedded before the transaction opens (`Embedded`), so the model never runs while the
database's write lock is held; inside, `Transaction.index` only looks their vectors up.

What another request did meanwhile surfaces here and nowhere else: a unique value taken, a row
referred to or written that was deleted (or changed) since it was read. Each is a `Conflict`
(409), so checks done earlier in a use-case ("is this external id free?") are a courtesy, and
the database's constraints the rule.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from service.entities import Enterprise, Need, Offer
from service.errors import Conflict
from service.matching.catalog import Catalog, CatalogChange
from service.matching.embedder import FloatArray
from service.matching.items import Item, Kind
from service.store import convert, vectors


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

    def __init__(self, session: Session, embedded: Embedded | None) -> None:
        self.session = session
        self.change = CatalogChange()
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
        for e in enterprises:
            assert e.id is not None
            self.change.removed += vectors.delete_profile_items(self.session, e.id)
            self.change.facts.append(convert.facts_of(e))
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
        """The enterprise is deleted: its items leave the catalog (rows go by cascade)."""
        self.change.forgotten.append(enterprise_id)

    def revector(self, items: list[Item], fresh: FloatArray, model: str) -> None:
        """New vectors for stored items, under the same keys (a re-embed)."""
        vectors.replace_vectors(self.session, [item.key for item in items], fresh, model)
        self.change.revectored, self.change.revectors = items, fresh

    def after_commit(self, action: Callable[[], object]) -> None:
        """Run `action` once the write has committed (e.g. teach an in-memory model)."""
        self._after_commit.append(action)


class UnitOfWork:
    """Opens transactions on one session and applies their catalog change after the commit."""

    def __init__(self, session: Session, catalog: Catalog) -> None:
        self.session = session
        self.catalog = catalog

    @contextmanager
    def begin(self, embedded: Embedded | None = None) -> Iterator[Transaction]:
        tx = Transaction(self.session, embedded)
        try:
            yield tx
            self.session.commit()
        except (IntegrityError, StaleDataError) as exc:
            self.session.rollback()
            if (conflict := _conflict(exc)) is None:
                raise
            raise conflict from exc
        except BaseException:
            self.session.rollback()
            raise
        self.catalog.apply(tx.change)
        for action in tx._after_commit:
            action()

    def reload(self, *rows: SQLModel) -> None:
        """Read committed rows back (defaults, relationships); one deleted meanwhile by another
        request is a Conflict."""
        for row in rows:
            try:
                self.session.refresh(row)
            except InvalidRequestError as exc:
                raise Conflict(f"{_name(row)} was deleted by another request meanwhile") from exc


def _name(row: object) -> str:
    return f"{type(row).__name__.lower()} {getattr(row, 'id', '')}".strip()


def _conflict(exc: IntegrityError | StaleDataError) -> Conflict | None:
    """The Conflict that a lost race means; any other integrity error is a bug and stays one."""
    if isinstance(exc, StaleDataError):
        return Conflict(
            "the row was changed or deleted by another request meanwhile; read it again"
        )
    code = getattr(exc.orig, "sqlstate", None)  # PostgreSQL
    message = str(exc.orig)
    if code == "23505" or message.startswith("UNIQUE constraint failed"):
        diag = getattr(exc.orig, "diag", None)
        what = getattr(diag, "constraint_name", None) or message.split(":", 1)[-1].strip()
        return Conflict(f"{what}: already taken (stored by another request meanwhile)")
    if code == "23503" or message.startswith("FOREIGN KEY constraint failed"):
        return Conflict("a row this write refers to was deleted by another request meanwhile")
    return None
