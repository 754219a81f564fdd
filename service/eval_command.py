"""`matchfair eval`: ranking quality of the real retrieval code on a labelled query set."""

import json
from pathlib import Path

from service.config import Settings
from service.matching.embedder import CachedEmbedder, load_embedder
from service.matching.evaluation import evaluate, load_corpus, load_queries, render


def eval_command(
    corpus: Path,
    queries: Path,
    qrels: Path,
    examples_queries: Path | None,
    examples_qrels: Path | None,
    field: str,
    as_json: bool,
    folds: int = 5,
) -> None:
    """Print NDCG@10, R@1/10/50 and MRR@10 overall and per query source for lexical, dense,
    hybrid and hybrid+examples, and queries/second (a table, or one JSON object)."""
    if (examples_queries is None) != (examples_qrels is None):
        raise ValueError("--examples-queries and --examples-qrels go together")
    settings = Settings()
    # cached: in k-fold runs every query is also an example text, embedded once
    embedder = CachedEmbedder(load_embedder(settings.resolved_model_path()), size=1 << 16)
    examples = None
    if examples_queries is not None and examples_qrels is not None:
        examples = load_queries(examples_queries, examples_qrels)
    result = evaluate(
        embedder,
        load_corpus(corpus, field),
        load_queries(queries, qrels),
        text_field=field,
        examples=examples,
        folds=folds,
    )
    print(json.dumps(result.as_json(), indent=2) if as_json else render(result))
