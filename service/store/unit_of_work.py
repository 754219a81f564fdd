"""The one write boundary: rows, their item vectors, the audit entries that describe them and
the change log's row commit together, then the live matching state (catalog, learned matches, HS
examples) learns of the write — after a successful commit only, in this process at once and in
every other process through the change log.

Texts are embedded before the transaction opens (`Embedded`), so the model never runs while the
database's write lock is held; inside, `Transaction.index` only looks their vectors up. Every
audited row the session flushes gets its entry (service/store/audit.py), attributed to the unit
of work's actor.

What another request did meanwhile surfaces here and nowhere else: a unique value taken, a row
referred to or written that was deleted (or changed) since it was read. Each is a `Conflict`
(409), so checks done earlier in a use-case ("is this external id free?") are a courtesy, and
the database's constraints the rule.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError, InvalidRequestError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from service.entities import ChangeLog, Enterprise, Need, Offer
from service.errors import Conflict
from service.matching.catalog import CatalogChange
from service.matching.embedder import FloatArray, Vectors
from service.matching.examples import Example
from service.matching.headings import Estimate
from service.matching.items import GOODS, Item, ItemDraft, Kind, unkeyed
from service.records import Actor
from service.store import changes, convert, vectors
from service.store.audit import Trail, refuse_bulk_writes
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
    confirmed: list[Example] = field(default_factory=list)  # HS classifications, weighted

    def log_row(self) -> ChangeLog | None:
        """The change by keys and ids, for the other processes; None when there is none."""
        c = self.catalog
        row = ChangeLog(
            removed=c.removed,
            items=[i.key for i in c.items + c.revectored],
            facts=[f.enterprise_id for f in c.facts],
            forgotten=c.forgotten,
            learned=[list(pair) for pair in self.learned],
            confirmed=[[e.text, e.target, e.weight, e.group] for e in self.confirmed],
        )
        fields = (row.removed, row.items, row.facts, row.forgotten, row.learned, row.confirmed)
        return row if any(fields) else None


# Applies a committed change to this process's live state; `log_id` is its change-log row.
OnCommit = Callable[[Change, int | None], None]
# Holds the live state around a commit and hands over what applies the committed change.
Committing = Callable[[], AbstractContextManager[OnCommit]]


class Transaction:
    """What one unit of work writes: rows through `session`, items through `index`."""

    def __init__(self, session: Session, embedded: Embedded | None, actor: Actor) -> None:
        self.session = session
        self.change = Change()
        self.trail = Trail(actor)
        self._embedded = embedded

    def index(
        self, *, enterprises: Iterable[Enterprise] = (), trades: Iterable[Need | Offer] = ()
    ) -> None:
        """Replace the stored items of these rows (flushed here, so they have ids).

        A profile item stored exactly as it would be written again stays, under its key: an
        edit of one field removes and adds only the items it changed, here and in every
        process's catalog."""
        if self._embedded is None:
            raise RuntimeError("this unit of work was opened without embedded texts")
        enterprises, trades = list(enterprises), list(trades)
        self.session.flush()
        for row in trades:
            self.unindex(row)
        drafts = self._embedded.estimated(convert.drafts_of(enterprises, trades))
        ids = [e.id for e in enterprises if e.id is not None]
        drafts, gone = _unchanged_kept(vectors.profile_items(self.session, ids), drafts)
        vectors.delete_items(self.session, gone)
        self.change.catalog.removed += gone
        self.change.catalog.facts += [convert.facts_of(e) for e in enterprises]
        rows = self._embedded.rows([d.text for d in drafts])
        items = vectors.save_items(self.session, drafts, rows, self._embedded.models)
        self.change.catalog.add_items(items, rows.primary, rows.multilingual)

    def unindex(self, row: Need | Offer) -> None:
        """Stop matching a need or an offer (deleted, or about to be re-indexed)."""
        assert row.id is not None
        kind = Kind.need if isinstance(row, Need) else Kind.offer
        self.change.catalog.removed += vectors.delete_trade_item(self.session, kind, row.id)

    def forget(self, enterprise_id: int) -> None:
        """The enterprise is deleted or erased: every stored item of it goes, here and in the
        catalog."""
        vectors.delete_enterprise_items(self.session, enterprise_id)
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

    def confirmed(self, example: Example) -> None:
        """A confirmed HS classification, weighted by who confirmed it (trust.py): the HS
        suggester learns from it."""
        self.change.confirmed.append(example)

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


class UnitOfWork:
    """Opens transactions on one session for one actor; a committed one is logged and applied."""

    def __init__(self, session: Session, committing: Committing, actor: Actor) -> None:
        self.session = session
        self.committing = committing
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
            row = tx.change.log_row()
            log_id = changes.add(self.session, row) if row is not None else None
            # the commit and its change are applied under one hold of the live state: a reader
            # sees both or neither
            with self.committing() as on_commit:
                self.session.commit()
                on_commit(tx.change, log_id)
        except (IntegrityError, OperationalError, StaleDataError) as exc:
            self.session.rollback()
            if (conflict := _conflict(exc)) is None:
                raise
            raise conflict from exc
        except BaseException:
            self.session.rollback()
            raise
        finally:
            event.remove(self.session, "after_flush", collect)
            event.remove(self.session, "do_orm_execute", refuse_bulk_writes)

    def reload(self, *rows: SQLModel) -> None:
        """Read committed rows back (defaults, relationships); one deleted meanwhile by another
        request is a Conflict."""
        for row in rows:
            try:
                self.session.refresh(row)
            except InvalidRequestError as exc:
                raise Conflict(f"{_name(row)} was deleted by another request meanwhile") from exc


def _unchanged_kept(
    stored: list[Item], drafts: list[ItemDraft]
) -> tuple[list[ItemDraft], list[int]]:
    """(the drafts that no stored item already is, in order; the keys of stored items that no
    draft is)."""
    unclaimed: dict[ItemDraft, list[int]] = {}
    for item in stored:
        unclaimed.setdefault(unkeyed(item), []).append(item.key)
    fresh = []
    for draft in drafts:
        if keys := unclaimed.get(unkeyed(draft)):
            keys.pop()
        else:
            fresh.append(draft)
    return fresh, [key for keys in unclaimed.values() for key in keys]


def _name(row: SQLModel) -> str:
    key = inspect(row).identity  # not row.id: reading it would load the row, which is gone
    return f"{type(row).__name__.lower()} {key[0] if key else ''}".strip()


def _conflict(exc: IntegrityError | OperationalError | StaleDataError) -> Conflict | None:
    """The Conflict that a lost race means; any other database error is a bug and stays one."""
    if isinstance(exc, StaleDataError):
        return Conflict(
            "the row was changed or deleted by another request meanwhile; read it again"
        )
    code = getattr(exc.orig, "sqlstate", None)  # PostgreSQL
    if code in ("40P01", "40001"):  # deadlock or serialization failure: PostgreSQL chose us
        return Conflict("another request wrote the same rows at the same moment; try again")
    message = str(exc.orig)
    if code == "23505" or message.startswith("UNIQUE constraint failed"):
        diag = getattr(exc.orig, "diag", None)
        what = getattr(diag, "constraint_name", None) or message.split(":", 1)[-1].strip()
        return Conflict(f"{what}: already taken (stored by another request meanwhile)")
    if code == "23503" or message.startswith("FOREIGN KEY constraint failed"):
        return Conflict("a row this write refers to was deleted by another request meanwhile")
    return None
