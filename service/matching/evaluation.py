"""Ranking quality on labelled queries: metrics, and a runner over the real matching code.

Four methods share one corpus index: lexical only, dense only (the routed dense similarity),
hybrid (the service's pipeline: text similarity and the HS bridge, without confirmed
examples) and hybrid+examples (the same with confirmed examples: those labelled with HS codes
teach the suggester, others vote for documents as accepted matches vote for partners).
Examples come from k-fold cross-validation over the evaluated queries, or are given
separately less each fold's own queries, so no query sees its own label.
"""

import json
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from service.matching.embedder import Embedders, FloatArray, Vectors
from service.matching.examples import Example, ExampleMemory, vote_matrix
from service.matching.headings import Estimate
from service.matching.hs import HsSuggester
from service.matching.language import detect
from service.matching.retrieval import HybridRetriever, IntArray, passages, top
from service.matching.vector_cache import VectorCache
from service.matching.weights import Weights, fit, text_similarity

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


def _folds(
    queries: Sequence[LabelledQuery],
    examples: Sequence[LabelledQuery] | None,
    folds: int,
    seed: int,
) -> tuple[str, list[tuple[IntArray, list[Example]]]]:
    """(a label, [(rows of a fold, the examples that fold may see)]): with `examples`, all of
    them but those sharing an id or a text with a query of the fold; without, the other
    folds' queries (k-fold cross-validation). No query ever sees its own label."""
    fold_of = np.random.default_rng(seed).permutation(len(queries)) % folds
    out = []
    for f in range(folds):
        rows = np.flatnonzero(fold_of == f)
        if examples is None:
            train = [q for q, g in zip(queries, fold_of, strict=True) if g != f]
        else:
            ids = {queries[i].id for i in rows.tolist()}
            texts = {queries[i].text.casefold() for i in rows.tolist()}
            train = [e for e in examples if e.id not in ids and e.text.casefold() not in texts]
        out.append((rows, _examples(train)))
    if examples is None:
        return f"{folds}-fold cross-validation", out
    return f"given ({len(examples)} queries, each fold without its own)", out


def _estimates(found: Sequence[Estimate], keys: dict[str, int]) -> FloatArray:
    """Heading estimates as a (texts, headings) probability matrix."""
    matrix = np.zeros((len(found), len(keys)), np.float32)
    for i, estimate in enumerate(found):
        for heading, p in estimate:
            matrix[i, keys[heading]] = p
    return matrix


class _Bridge:
    """The HS bridge of an evaluation: heading estimates of queries and documents from the
    suggester with a given memory, and the agreement of every pair."""

    def __init__(self, suggester: HsSuggester, docs: list[str], doc_vectors: Vectors) -> None:
        self.suggester = suggester
        self.docs, self.doc_vectors = docs, doc_vectors
        self.keys = {k: j for j, k in enumerate(suggester.retriever("heading").keys)}

    def agreement(
        self, texts: list[str], vectors: Vectors, examples: Sequence[Example]
    ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """(pairs' agreement, which queries have an estimate) with `examples` remembered."""
        self.suggester.remember(examples)
        queries = _estimates(self.suggester.estimate_many(texts, vectors, query=True), self.keys)
        docs = _estimates(self.suggester.estimate_many(self.docs, self.doc_vectors), self.keys)
        return queries @ docs.T, queries.sum(axis=1) > 0

    def split(self, examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
        """(examples labelled with an HS code: they teach the suggester, the others: they
        vote for documents, as accepted matches vote for partners)."""
        codes, docs = [], []
        for e in examples:
            try:
                codes.append(Example(e.text, self.suggester.known_code(e.target)))
            except ValueError:
                docs.append(e)
        return codes, docs


def evaluate(
    embedders: Embedders,
    suggester: HsSuggester | None,
    corpus: tuple[list[str], list[str]],
    queries: Sequence[LabelledQuery],
    *,
    text_field: str,
    examples: Sequence[LabelledQuery] | None = None,
    folds: int = 5,
    weights: Weights | None = None,
    seed: int = 0,
    cache: Path | None = None,
    shipped: Path | None = None,
) -> EvalResult:
    """Score every method on `queries` with the matching pipeline of the service: the routed
    dense similarity (`text_similarity`), TF-IDF, and the HS bridge (`fit`) of `suggester`
    (None: switched off). Examples come from `folds`-fold cross-validation over the queries,
    or from `examples` less each fold's own queries (see `_folds`); `suggester`'s own
    examples are replaced by them. `cache`: a folder keeping the corpus's vectors per model
    (`shipped`: a read-only one, e.g. the HS reference vectors, which the HS corpus reuses)."""
    w = weights or Weights()
    ids, texts = corpus
    parts = [passages(t) for t in texts]
    owners = np.array([row for row, ps in enumerate(parts) for _ in ps], np.int64)
    flat = [p for ps in parts for p in ps]
    clock = time.perf_counter()
    model = embedders.multilingual
    doc_vectors = Vectors(
        VectorCache(embedders.primary, cache, shipped).encode(flat),
        None if model is None else VectorCache(model, cache, shipped).encode(flat),
    )
    q_texts = [q.text for q in queries]
    q_vectors = embedders.encode(q_texts)
    encode_s = time.perf_counter() - clock
    primary = HybridRetriever(w).fit(ids, texts, doc_vectors.primary, owners.tolist())
    clock = time.perf_counter()
    lexical = primary.lexical_scores(q_texts)
    lexical_s = time.perf_counter() - clock
    clock = time.perf_counter()
    second = None
    if doc_vectors.multilingual is not None and q_vectors.multilingual is not None:
        multi = HybridRetriever(w).fit(ids, texts, doc_vectors.multilingual, owners.tolist())
        second = multi.dense_scores(q_vectors.multilingual)
    q_zh = np.array([detect(t) == "zh" for t in q_texts])[:, None]
    d_zh = np.array([detect(t) == "zh" for t in texts])[None, :]
    dense, text = text_similarity(
        primary.dense_scores(q_vectors.primary), second, lexical, q_zh, d_zh, w
    )
    dense_s = time.perf_counter() - clock

    label, memories = _folds(queries, examples, folds, seed)
    first = np.searchsorted(owners, np.arange(len(ids)))  # each document's whole-text row
    bridge = None if suggester is None else _Bridge(suggester, texts, doc_vectors.take(first))
    clock = time.perf_counter()
    hybrid = text
    if bridge is not None:
        agreed, bridged = bridge.agreement(q_texts, q_vectors, ())
        hybrid = fit(agreed, text, w, bridged=bridged[:, None])
    hybrid_s = time.perf_counter() - clock
    final = np.zeros_like(text)
    clock = time.perf_counter()
    for rows, train in memories:
        codes, by_doc = bridge.split(train) if bridge is not None else ([], train)
        fold = [q_texts[i] for i in rows]
        if bridge is not None:
            agreed, bridged = bridge.agreement(fold, q_vectors.take(rows), codes)
            final[rows] = fit(agreed, text[rows], w, bridged=bridged[:, None])
        else:
            final[rows] = text[rows]
        if by_doc:
            memory = ExampleMemory(w).fit(
                by_doc, embedders.primary.encode([e.text for e in by_doc])
            )
            votes = vote_matrix(memory.votes(fold, q_vectors.primary[rows]), primary.column)
            final[rows] += w.examples * np.minimum(votes, 1.0)
    examples_s = time.perf_counter() - clock

    n = len(queries)
    seconds = {
        "lexical": lexical_s,
        "dense": encode_s + dense_s,
        "hybrid": encode_s + dense_s + lexical_s + hybrid_s,
        "hybrid+examples": encode_s + dense_s + lexical_s + examples_s,
    }
    matrices: dict[str, FloatArray] = {
        "lexical": lexical,
        "dense": dense,
        "hybrid": hybrid,
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
