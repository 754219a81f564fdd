"""Who teaches the HS suggester, and how much each confirmation counts.

Anyone may register an enterprise, so an enterprise's word alone must not move a suggestion:
- the shipped examples and the organizer's confirmations are the reference: each counts in
  full among the k nearest examples (the vote measured on the HS dev split);
- an enterprise the organizer verified speaks with one voice, at half weight, however many
  confirmations it sends;
- all unverified enterprises together speak with one voice at a fifth of the weight: many
  self-registered keys sending many variants add up to no more than one of them.
A confirmation repeated by the same confirmer (same code, same text up to case and spacing) is
one confirmation.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from service.matching.examples import Example

VERIFIED_WEIGHT = 0.5
UNVERIFIED_WEIGHT = 0.2
UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A stored confirmation and its confirmer (None: the organizer)."""

    text: str
    code: str
    enterprise_id: int | None
    verified: bool = False


def text_key(text: str) -> str:
    """What makes two confirmed texts the same: case and spacing do not count."""
    return " ".join(text.casefold().split())


def example_of(c: Confirmation) -> Example:
    if c.enterprise_id is None:
        return Example(c.text, c.code)
    if c.verified:
        return Example(c.text, c.code, VERIFIED_WEIGHT, f"enterprise:{c.enterprise_id}")
    return Example(c.text, c.code, UNVERIFIED_WEIGHT, UNVERIFIED)


def examples_of(confirmations: Iterable[Confirmation]) -> list[Example]:
    """One example per confirmer, code and text (duplicates, e.g. from racing requests, drop)."""
    seen: set[tuple[int | None, str, str]] = set()
    out = []
    for c in confirmations:
        key = (c.enterprise_id, c.code, text_key(c.text))
        if key not in seen:
            seen.add(key)
            out.append(example_of(c))
    return out
