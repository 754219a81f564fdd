"""Confirmed examples (text -> target) that vote for their targets at ranking time.

A target is a label such as an HS code ("610463") or a partner ("enterprise:12"). The nearest
examples to a query, by the same fused dense + lexical similarity as documents, each vote for
their target with that similarity. Measured on the HS dev split (5-fold), this beat a
softmax-weighted vote and a vote normalised to a distribution (NDCG@10 0.66 vs 0.65 and 0.64),
and lifts the noisy goods descriptions from 0.14 to 0.55.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np

from service.matching.embedder import FloatArray
from service.matching.retrieval import HybridRetriever, Scores, top
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
    ) -> list[Votes]:
        """The k nearest examples of each query vote for `target_of(their target)` (e.g. the
        heading of a subheading; None abstains). A vote in [0, k]."""
        if not self.examples:
            return [Votes({}, {}) for _ in texts]
        fused = self._retriever.score(texts, vectors).fused
        out = []
        for row, nearest in zip(fused, top(fused, self.weights.example_k), strict=True):
            totals: dict[str, float] = {}
            voters: dict[str, list[Neighbour]] = {}
            for i in nearest.tolist():
                example, similarity = self.examples[i], float(row[i])
                target = target_of(example.target)
                if target is None or similarity <= 0:
                    continue
                totals[target] = totals.get(target, 0.0) + similarity
                voters.setdefault(target, []).append(Neighbour(example, similarity))
            out.append(Votes(totals, {t: tuple(v) for t, v in voters.items()}))
        return out


def vote_matrix(votes: Sequence[Votes], keys: Sequence[str]) -> FloatArray:
    """Votes as a (queries, len(keys)) array aligned with `keys`; unknown targets are dropped."""
    column = {key: j for j, key in enumerate(keys)}
    matrix = np.zeros((len(votes), len(keys)), np.float32)
    for i, v in enumerate(votes):
        for target, total in v.totals.items():
            if (j := column.get(target)) is not None:
                matrix[i, j] = total
    return matrix


@dataclass(frozen=True, slots=True)
class Ranked:
    """Documents scored for a batch of queries: components, votes, and the final score
    fused + w_examples x vote (shapes (queries, documents), columns in retriever key order)."""

    scores: Scores
    votes: list[Votes]
    vote: FloatArray
    final: FloatArray


def rank_targets(
    retriever: HybridRetriever,
    memory: ExampleMemory | None,
    texts: Sequence[str],
    vectors: FloatArray,
    target_of: Callable[[str], str | None] = lambda target: target,
) -> Ranked:
    """The one scoring path of label retrieval, shared by the HS suggester and `evaluate`."""
    scores = retriever.score(texts, vectors)
    votes = memory.votes(texts, vectors, target_of) if memory else [Votes({}, {}) for _ in texts]
    vote = vote_matrix(votes, retriever.keys)
    return Ranked(scores, votes, vote, scores.fused + retriever.weights.examples * vote)
