"""Heading estimates: the HS headings a text probably falls under, with probabilities.

Every item and query without a declared HS code gets one from the HS suggester (a softmax of
its scores at a temperature calibrated on dev data); a declared code is a near-certain
estimate. Two estimates agree with the probability that both texts sit under the same heading,
sum over h of p(h) x q(h): English and Chinese texts meet here whatever words they use.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.matching.embedder import FloatArray

# (4-digit heading, probability), most probable first; the probabilities sum to at most 1
# (the mass of the headings left out is dropped). A declared code adds its 2-digit chapter,
# standing for "another heading of this chapter" (see `declared`).
Estimate = tuple[tuple[str, float], ...]


def heading_of(code: str | None) -> str:
    return code[:4] if code and len(code) >= 4 else ""


def declared(code: str | None, confidence: float) -> Estimate:
    """The estimate of a text whose code its owner declared ("" or None: no estimate): its
    heading with `confidence`; were it wrong, the right heading most likely lies in the same
    chapter, so the rest goes to the chapter. Two declared codes of one chapter thus agree a
    little (0.05 x 0.05 by default, 2.5 times the prior): a 2106 hotpot kit ranks above
    unrelated goods for a 2103 hotpot base need, as the old chapter bonus did."""
    heading = heading_of(code)
    return ((heading, confidence), (heading[:2], 1 - confidence)) if heading else ()


def from_scores(
    keys: Sequence[str], scores: FloatArray, *, temperature: float, top: int, floor: float
) -> list[Estimate]:
    """Per row of `scores` (texts x `keys`): softmax(scores / temperature), the `top` most
    probable headings (ties: the first key) kept when their probability reaches `floor`."""
    if scores.shape[1] == 0:
        return [() for _ in range(len(scores))]
    z = (scores - scores.max(axis=1, keepdims=True)) / temperature
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    out = []
    best = np.argsort(-p, axis=1, kind="stable")[:, :top]  # stable: ties keep key order
    for row, cols in zip(p, best.tolist(), strict=True):
        out.append(tuple((keys[j], round(float(row[j]), 4)) for j in cols if row[j] >= floor))
    return out


@dataclass(frozen=True, slots=True)
class Agreement:
    """How likely two texts sit under the same heading, and the heading that says most."""

    probability: float  # sum over h of p(h) x q(h)
    heading: str  # the heading with the largest share, "" when none is shared
    share: float  # that heading's p(h) x q(h)


NONE = Agreement(0.0, "", 0.0)


def agreement(a: Estimate, b: Estimate) -> Agreement:
    if not a or not b:
        return NONE
    theirs = dict(b)
    shares = [(p * theirs[h], h) for h, p in a if h in theirs]
    if not shares:
        return NONE
    share, heading = max(shares)
    return Agreement(sum(s for s, _ in shares), heading, share)
