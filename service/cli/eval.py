"""`matchfair eval`: ranking quality of the real retrieval code on a labelled query set."""

import json
from pathlib import Path
from typing import Annotated

import typer

from service.config import Settings
from service.matching.embedder import CachedEmbedder
from service.matching.evaluation import evaluate, load_corpus, load_queries, render
from service.runtime import build_embedder


def eval_command(
    corpus: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Targets, JSON lines.")],
    queries: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Queries, JSON lines.")
    ],
    qrels: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Relevance, TSV.")],
    examples_queries: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Confirmed example texts.")
    ] = None,
    examples_qrels: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Their targets, TSV.")
    ] = None,
    field: Annotated[str, typer.Option(help="Corpus field to index (text or text_rich).")] = (
        "text_rich"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of a table.")] = (
        False
    ),
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
) -> None:
    """Ranking quality on labelled data: lexical, dense, hybrid and hybrid+examples.

    Prints NDCG@10, R@1/10/50 and MRR@10 overall and per query source, and queries/second (a
    table, or one JSON object). Without --examples-*, hybrid+examples runs k-fold
    cross-validation over the queries themselves, so no query ever sees its own label.
    """
    if (examples_queries is None) != (examples_qrels is None):
        raise typer.BadParameter("--examples-queries and --examples-qrels go together")
    settings = Settings()
    # cached: in k-fold runs every query is also an example text, embedded once
    embedder = CachedEmbedder(build_embedder(settings), size=1 << 16)
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
