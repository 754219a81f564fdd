"""`matchfair eval`: ranking quality of the service's matching pipeline on a labelled set."""

import json
from pathlib import Path

from service.config import DATA_DIR, MODELS_DIR, Settings
from service.matching.embedder import CachedEmbedder, Embedders, load_embedders
from service.matching.evaluation import evaluate, load_corpus, load_queries, render
from service.matching.hs import build_suggester


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
    hybrid and hybrid+examples, and queries/second (a table, or one JSON object).

    The models, the HS suggester and its settings are the service's (MATCHFAIR_EMBEDDER,
    MATCHFAIR_MULTILINGUAL, MATCHFAIR_HS_SUGGESTIONS, ...); only the suggester's confirmed
    examples are replaced: by k-fold cross-validation over the queries, or by the given ones.
    """
    if (examples_queries is None) != (examples_qrels is None):
        raise ValueError("--examples-queries and --examples-qrels go together")
    settings = Settings()
    loaded = load_embedders(
        settings.resolved_model_path(),
        backend=settings.embedder,
        batch_size=settings.embed_batch_size,
        multilingual=settings.multilingual,
    )
    # cached: in k-fold runs every query is also an example text, embedded once per model
    primary = CachedEmbedder(loaded.primary, size=1 << 16)
    second = loaded.multilingual
    if second is not None:
        second = primary if second is loaded.primary else CachedEmbedder(second, size=1 << 16)
    embedders = Embedders(primary, second)
    suggester = None
    if settings.hs_suggestions:
        suggester = build_suggester(
            DATA_DIR,
            embedders.primary,
            cache_dir=settings.cache_dir,
            shipped_vectors=MODELS_DIR / "hs-vectors",
            multilingual=embedders.multilingual,
        )
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
