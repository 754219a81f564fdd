"""Is the stored state whole? The database's integrity, and every stored vector against the
rows it was made from: each belongs to an existing row, holds that row's current text, and was
made by the configured model; each matchable row has its vectors. `matchfair check` runs it."""

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session

from service.store import consistency, convert

SHOWN = 10  # examples listed per kind of problem


@dataclass(frozen=True, slots=True)
class Findings:
    problems: list[str]
    enterprises: int
    items: int

    @property
    def ok(self) -> bool:
        return not self.problems


def check(session: Session, model: str) -> Findings:
    """`model`: the identity of the configured embedder (service.matching.embedder)."""
    problems = consistency.integrity_problems(session)
    stored = consistency.stored_items(session)
    people, trades = consistency.matchable_rows(session)
    expected = {
        (d.enterprise_id, d.kind.value, d.ref_id): d.text for d in convert.drafts_of(people, trades)
    }
    seen: Counter[tuple[int, str, int]] = Counter()
    orphans, stale, others = [], [], Counter[str]()
    for item in stored:
        where = (item.enterprise_id, item.kind, item.ref_id)
        seen[where] += 1
        if where not in expected:
            orphans.append(f"vector {item.key} ({_name(where)}) belongs to no current row")
        elif expected[where] != item.text:
            stale.append(f"vector {item.key} holds an old text of {_name(where)}")
        if item.model != model:
            others[item.model] += 1
    missing = [f"{_name(w)} has no stored vector" for w in expected if not seen[w]]
    doubled = [f"{_name(w)} has {n} stored vectors" for w, n in seen.items() if n > 1]
    for kind in (orphans, stale, missing, doubled):
        problems += kind[:SHOWN] + (
            [f"... and {len(kind) - SHOWN} more"] if len(kind) > SHOWN else []
        )
    problems += [
        f"{n} vector(s) made by {m}, not by the configured {model}" for m, n in others.items()
    ]
    if len(sizes := {item.size for item in stored}) > 1:
        problems.append(f"vectors of {len(sizes)} different sizes: {sorted(sizes)}")
    return Findings(problems, len(people), len(stored))


def _name(where: tuple[int, str, int]) -> str:
    enterprise_id, kind, ref_id = where
    own = f"of enterprise {enterprise_id}"
    return f"the {kind} item {own}" if ref_id == 0 else f"{kind} {ref_id} {own}"
