"""`matchfair eval`: ranking quality of the service's matching pipeline on a labelled set."""

import json
from pathlib import Path
from typing import Annotated

import typer

from service.config import MODELS_DIR, Settings
from service.matching.embedder import CachedEmbedder, Embedder, Embedders
from service.matching.evaluation import evaluate, load_corpus, load_queries, render
from service.runtime import build_embedders, build_suggester_for


def cached(embedders: Embedders) -> Embedders:
    """The models behind an LRU of 64k texts each: in k-fold runs every query is also an
    example text, embedded once per model."""
    primary = CachedEmbedder(embedders.primary, size=1 << 16)
    second: Embedder | None = embedders.multilingual
    if second is embedders.primary:
        second = primary
    elif second is not None:
        second = CachedEmbedder(second, size=1 << 16)
    return Embedders(primary, second)


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
    table, or one JSON object). The models, the HS suggester and its settings are the
    service's (service.runtime, same settings); only the suggester's confirmed examples are
    replaced: by k-fold cross-validation over the queries, or by the given --examples-*.
    """
    if (examples_queries is None) != (examples_qrels is None):
        raise typer.BadParameter("--examples-queries and --examples-qrels go together")
    settings = Settings()
    embedders = cached(build_embedders(settings))
    suggester = build_suggester_for(settings, embedders) if settings.hs_suggestions else None
    examples = None
    if examples_queries is not None and examples_qrels is not None:
        examples = load_queries(examples_queries, examples_qrels)
    result = evaluate(
        embedders,
        suggester,
        load_corpus(corpus, field),
        load_queries(queries, qrels),
        text_field=field,
        examples=examples,
        folds=folds,
        cache=settings.cache_dir,
        shipped=MODELS_DIR / "hs-vectors",
    )
    print(json.dumps(result.as_json(), indent=2) if as_json else render(result))
