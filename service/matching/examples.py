"""Confirmed examples (text -> target) that vote for their targets at ranking time.

A target is a label such as an HS code ("610463") or a partner ("enterprise:12"). The nearest
examples to a query, by the same fused dense + lexical similarity as documents, each vote for
their target with that similarity, less a floor the caller may set (see `votes`). Measured on
the HS dev split (5-fold), a linear vote beat a softmax-weighted vote and a vote normalised to a
distribution (NDCG@10 0.66 vs 0.65 and 0.64), and lifts the noisy goods descriptions from 0.14
to 0.55.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np

from service.matching.embedder import FloatArray
from service.matching.retrieval import HybridRetriever, top
from service.matching.weights import Weights


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    target: str


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A confirmed example near a query, with its fused similarity in [0, 1]."""

    example: Example
    similarity: float


@dataclass(frozen=True, slots=True)
class Votes:
    """Per query: target -> summed similarity of its voting examples, and those examples."""

    totals: dict[str, float]
    voters: dict[str, tuple[Neighbour, ...]]


class ExampleMemory:
    """Confirmed examples with their vectors; `add` takes a new confirmation online."""

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        self.examples: list[Example] = []
        self._retriever = HybridRetriever(self.weights)

    def __len__(self) -> int:
        return len(self.examples)

    def fit(self, examples: Sequence[Example], vectors: FloatArray) -> Self:
        """`vectors`: the examples' texts embedded, one L2-normalised row each."""
        self.examples = []
        self._retriever = HybridRetriever(self.weights)
        self.add(examples, vectors)
        return self

    def add(self, examples: Sequence[Example], vectors: FloatArray) -> None:
        self.examples.extend(examples)
        self._retriever.add([e.target for e in examples], [e.text for e in examples], vectors)

    def votes(
        self,
        texts: Sequence[str],
        vectors: FloatArray,
        target_of: Callable[[str], str | None] = lambda target: target,
        floor: FloatArray | None = None,
    ) -> list[Votes]:
        """The k nearest examples of each query vote for `target_of(their target)` (e.g. the
        heading of a subheading; None abstains) with their similarity less `floor[query]`
        (default 0); an example not above the floor stays silent. A vote in [0, k]."""
        if not self.examples:
            return [Votes({}, {}) for _ in texts]
        fused = self._retriever.score(texts, vectors).fused
        floors = np.zeros(len(texts), np.float32) if floor is None else floor
        out = []
        for row, nearest, least in zip(
            fused, top(fused, self.weights.example_k), floors.tolist(), strict=True
        ):
            totals: dict[str, float] = {}
            voters: dict[str, list[Neighbour]] = {}
            for i in nearest.tolist():
                example, similarity = self.examples[i], float(row[i])
                target = target_of(example.target)
                if target is None or similarity <= least:
                    continue
                totals[target] = totals.get(target, 0.0) + similarity - least
                voters.setdefault(target, []).append(Neighbour(example, similarity))
            out.append(Votes(totals, {t: tuple(v) for t, v in voters.items()}))
        return out


def vote_matrix(votes: Sequence[Votes], column: Mapping[str, int]) -> FloatArray:
    """Votes as a (queries, len(column)) array, target t in column[t]; unknown targets are
    dropped."""
    matrix = np.zeros((len(votes), len(column)), np.float32)
    for i, v in enumerate(votes):
        for target, total in v.totals.items():
            if (j := column.get(target)) is not None:
                matrix[i, j] = total
    return matrix
