"""Ranking quality on labelled queries: metrics, and a runner over the real retrieval code.

Four methods share one corpus index: lexical only, dense only, hybrid (`fuse`), and hybrid
plus confirmed-example votes (`rank_targets`). Examples are either given separately (and never
include an evaluated query) or come from k-fold cross-validation over the evaluated queries,
so no query sees its own label.
"""

import json
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from service.matching.embedder import Embedder, FloatArray
from service.matching.examples import Example, ExampleMemory, rank_targets
from service.matching.retrieval import HybridRetriever, passages, top
from service.matching.weights import Weights

METHODS = ("lexical", "dense", "hybrid", "hybrid+examples")
DEPTH = 50  # the deepest cut-off any metric reads


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-gain NDCG@k with a log2(rank + 1) discount, in [0, 1]."""
    dcg = sum(1 / math.log2(r + 2) for r, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1 / math.log2(r + 2) for r in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant documents found in the top k, in [0, 1]."""
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """1 / rank of the first relevant document within the top k, else 0."""
    return next((1 / (r + 1) for r, doc in enumerate(ranked[:k]) if doc in relevant), 0.0)


@dataclass(frozen=True, slots=True)
class Metrics:
    ndcg_10: float
    recall_1: float
    recall_10: float
    recall_50: float
    mrr_10: float
    queries: int


def summarize(rankings: Sequence[Sequence[str]], relevants: Sequence[set[str]]) -> Metrics:
    """Means over queries (each ranking best first, each with its relevant set)."""
    pairs = list(zip(rankings, relevants, strict=True))
    n = max(len(pairs), 1)
    return Metrics(
        ndcg_10=sum(ndcg_at(r, rel) for r, rel in pairs) / n,
        recall_1=sum(recall_at(r, rel, 1) for r, rel in pairs) / n,
        recall_10=sum(recall_at(r, rel, 10) for r, rel in pairs) / n,
        recall_50=sum(recall_at(r, rel, 50) for r, rel in pairs) / n,
        mrr_10=sum(reciprocal_rank(r, rel) for r, rel in pairs) / n,
        queries=len(pairs),
    )


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    id: str
    text: str
    source: str
    relevant: frozenset[str]


@dataclass(frozen=True, slots=True)
class MethodResult:
    overall: Metrics
    by_source: dict[str, Metrics]
    queries_per_second: float


@dataclass(frozen=True, slots=True)
class EvalResult:
    text_field: str  # the indexed corpus field
    examples: str  # where the example memory came from
    methods: dict[str, MethodResult]

    def as_json(self) -> dict[str, object]:
        """Keyed by method name, each {"overall", "by_source", "queries_per_second"}."""
        return {name: asdict(result) for name, result in self.methods.items()}


def load_corpus(path: Path, text_field: str) -> tuple[list[str], list[str]]:
    """(ids, texts) of a JSON-lines corpus; `text_field` names the indexed field."""
    rows = _jsonl(path)
    if rows and text_field not in rows[0]:
        raise ValueError(f"{path} has no field {text_field!r}; it has {sorted(rows[0])}")
    return [str(r["id"]) for r in rows], [str(r[text_field]) for r in rows]


def load_queries(queries: Path, qrels: Path) -> list[LabelledQuery]:
    """Queries {"id", "query", "source"} with their relevant ids (TSV with a header row,
    relevance > 0 counts); queries without a relevant document are left out."""
    relevant: dict[str, set[str]] = defaultdict(set)
    with qrels.open(encoding="utf-8") as f:
        for line in list(f)[1:]:
            query_id, doc_id, relevance = line.rstrip("\n").split("\t")
            if float(relevance) > 0:
                relevant[query_id].add(doc_id)
    return [
        LabelledQuery(str(r["id"]), str(r["query"]), str(r.get("source", "")), frozenset(rel))
        for r in _jsonl(queries)
        if (rel := relevant.get(str(r["id"])))
    ]


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _examples(queries: Sequence[LabelledQuery]) -> list[Example]:
    return [Example(q.text, doc) for q in queries for doc in sorted(q.relevant)]


def evaluate(
    embedder: Embedder,
    corpus: tuple[list[str], list[str]],
    queries: Sequence[LabelledQuery],
    *,
    text_field: str,
    examples: Sequence[LabelledQuery] | None = None,
    folds: int = 5,
    weights: Weights | None = None,
    seed: int = 0,
) -> EvalResult:
    """Score every method on `queries`. With `examples`, those (minus any sharing an id or a
    text with an evaluated query) form the memory; without, `folds`-fold cross-validation."""
    weights = weights or Weights()
    ids, texts = corpus
    parts = [passages(t) for t in texts]
    owners = [row for row, ps in enumerate(parts) for _ in ps]
    retriever = HybridRetriever(weights).fit(
        ids, texts, embedder.encode([p for ps in parts for p in ps]), owners
    )
    q_texts = [q.text for q in queries]
    clock = time.perf_counter()
    vectors = embedder.encode(q_texts)
    encode_s = time.perf_counter() - clock
    clock = time.perf_counter()
    lexical = retriever.lexical_scores(q_texts)
    lexical_s = time.perf_counter() - clock
    clock = time.perf_counter()
    dense = retriever.dense_scores(vectors)
    dense_s = time.perf_counter() - clock
    fused = retriever.score(q_texts, vectors).fused

    final = np.zeros_like(fused)
    clock = time.perf_counter()
    if examples is not None:
        ids_seen, texts_seen = {q.id for q in queries}, {q.text.casefold() for q in queries}
        kept = [e for e in examples if e.id not in ids_seen and e.text.casefold() not in texts_seen]
        label = f"given ({len(kept)} queries)"
        memories = [(np.arange(len(queries)), kept)]
    else:
        label = f"{folds}-fold cross-validation"
        fold_of = np.random.default_rng(seed).permutation(len(queries)) % folds
        memories = [
            (
                np.flatnonzero(fold_of == f),
                [q for q, g in zip(queries, fold_of, strict=True) if g != f],
            )
            for f in range(folds)
        ]
    setup_s = 0.0
    for rows, train in memories:
        start = time.perf_counter()
        known = _examples(train)
        memory = ExampleMemory(weights).fit(known, embedder.encode([e.text for e in known]))
        setup_s += time.perf_counter() - start
        fold = [q_texts[i] for i in rows]
        final[rows] = rank_targets(retriever, memory, fold, vectors[rows]).final
    examples_s = time.perf_counter() - clock - setup_s

    n = len(queries)
    seconds = {
        "lexical": lexical_s,
        "dense": encode_s + dense_s,
        "hybrid": encode_s + dense_s + lexical_s,
        "hybrid+examples": encode_s + examples_s,
    }
    matrices: dict[str, FloatArray] = {
        "lexical": lexical,
        "dense": dense,
        "hybrid": fused,
        "hybrid+examples": final,
    }
    methods = {}
    for name in METHODS:
        rankings = [[ids[j] for j in row] for row in top(matrices[name], DEPTH).tolist()]
        methods[name] = _method(rankings, queries, n / max(seconds[name], 1e-9))
    return EvalResult(text_field, label, methods)


def _method(
    rankings: list[list[str]], queries: Sequence[LabelledQuery], qps: float
) -> MethodResult:
    relevant = [set(q.relevant) for q in queries]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(queries):
        groups[q.source].append(i)
    by_source = {
        source: summarize([rankings[i] for i in rows], [relevant[i] for i in rows])
        for source, rows in sorted(groups.items())
    }
    return MethodResult(summarize(rankings, relevant), by_source, qps)


def render(result: EvalResult) -> str:
    """A plain-text table: one row per method and query source, then queries/second."""
    head = f"{'method':<16} {'source':<36} {'n':>5} {'NDCG@10':>8} {'R@1':>6} {'R@10':>6} "
    lines = [
        f"field: {result.text_field}   examples: {result.examples}",
        head + f"{'R@50':>6} {'MRR@10':>7} {'q/s':>8}",
    ]
    for name, m in result.methods.items():
        for source, x in [("all", m.overall), *m.by_source.items()]:
            qps = f"{m.queries_per_second:8.0f}" if source == "all" else ""
            lines.append(
                f"{name:<16} {source:<36} {x.queries:>5} {x.ndcg_10:8.4f} {x.recall_1:6.4f} "
                f"{x.recall_10:6.4f} {x.recall_50:6.4f} {x.mrr_10:7.4f} {qps}"
            )
    return "\n".join(lines)
