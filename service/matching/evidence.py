"""What a match rests on: the partner's item that met a query, with every signal's score.

Candidates are scored as arrays (`Found`, one row per partner); a row becomes a `MatchedItem`
only when a ranking reads it, since most candidates never reach an answer.
"""

from dataclasses import dataclass

import numpy as np

from service.matching.candidates import Query
from service.matching.catalog import Catalog
from service.matching.embedder import FloatArray
from service.matching.headings import Estimate, agreement
from service.matching.index import BoolArray, KeyArray
from service.matching.items import Item


@dataclass(frozen=True, slots=True)
class MatchedItem:
    """Which of the partner's items met which query text, and how strongly."""

    partner_item: Item
    query_label: str
    dense: float  # the cosine that counted (primary model for two English texts)
    lexical: float
    text: float  # fused text similarity
    agreement: float  # probability that both sit under the same HS heading
    heading: str  # the shared heading saying most, or ""
    heading_share: float  # that heading's part of `agreement`
    fused: float  # the item's fit: agreement and text combined (`weights.fit`)
    hs_suggested: bool = False  # the query's heading estimate came from the HS suggester
    across: bool = False  # query and item are in different languages


@dataclass(frozen=True, slots=True)
class Found:
    """Each candidate partner's best item against the queries, as arrays aligned by row (one
    row per partner)."""

    catalog: Catalog
    queries: list[Query]
    estimates: list[Estimate]
    owners: KeyArray
    keys: KeyArray
    query: KeyArray  # which of `queries` found the row
    dense: FloatArray
    lexical: FloatArray
    text: FloatArray
    agreement: FloatArray
    fused: FloatArray
    across: BoolArray

    @classmethod
    def none(cls, catalog: Catalog, queries: list[Query], estimates: list[Estimate]) -> "Found":
        keys, scores = np.zeros(0, np.int64), np.zeros(0, np.float32)
        columns = keys, keys, keys, scores, scores, scores, scores, scores
        return cls(catalog, queries, estimates, *columns, np.zeros(0, np.bool_))

    def __len__(self) -> int:
        return len(self.owners)

    def evidence(self, row: int) -> MatchedItem | None:
        """None when the item was removed by a write committed since the scores were read."""
        item = self.catalog.items.get(int(self.keys[row]))
        if item is None:
            return None
        q = int(self.query[row])
        query, agreed = self.queries[q], float(self.agreement[row])
        shared = agreement(self.estimates[q], self.catalog.estimate(item)) if agreed > 0 else None
        return MatchedItem(
            item,
            query.label,
            float(self.dense[row]),
            float(self.lexical[row]),
            float(self.text[row]),
            agreed,
            shared.heading if shared else "",
            shared.share if shared else 0.0,
            float(self.fused[row]),
            query.hs_suggested,
            bool(self.across[row]),
        )

    def best_first(self, fitness: FloatArray | None = None) -> list[int]:
        """Rows by `fitness` (default: the fused fit), best first, ties by partner id."""
        order = np.lexsort((self.owners, -(self.fused if fitness is None else fitness)))
        rows: list[int] = order.tolist()
        return rows
