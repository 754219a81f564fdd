"""`matchfair eval-catalog`: supplier search quality as users meet it, end to end.

Each fold registers the catalogue in a fresh temporary SQLite database through the use-case
the API calls (`profiles.register`: embedded by every model, heading estimates stored), then
runs the use-case of GET /search/suppliers (`recommend.search_suppliers`, no filters, ten
results) for every query of the fold, timed.

Honest by construction: a shipped HS example whose text is one of the fold's queries, or one
of the catalogue's product lines, is left out of the suggester for that fold (the query or
line would otherwise be classified by look-up). Held-back queries share no text with the
shipped examples, so one fold (`--folds 1`) measures them.
"""

import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import typer
from threadpoolctl import threadpool_limits

from service.cli.eval import cached
from service.cli.progress import bar
from service.config import DATA_DIR, Settings
from service.db import migrate
from service.entities import EnterpriseCreate
from service.matching.embedder import Embedders
from service.matching.evaluation import LabelledQuery, load_queries, ndcg_at, recall_at
from service.matching.examples import Example
from service.matching.hs import SHIPPED_EXAMPLES, HsSuggester, load_examples
from service.matching.items import Side
from service.matching.ranking import Ranker
from service.matching.requirements import Requirements
from service.matching.weights import Weights
from service.matchmaker import Matchmaker
from service.records import SYSTEM
from service.runtime import Runtime, build_embedders, build_runtime, build_suggester_for
from service.usecases import profiles, recommend

DEPTH = 200  # the exhaustive ranking's cut-off that the candidate stage is held against
NAME_LIMIT = 200  # a product line's name field; a longer commodity name goes whole into its text


@dataclass
class Tally:
    """What the searches found, per query id, and what they cost."""

    found: dict[str, list[str]] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    candidates: list[float] = field(default_factory=list)  # relevant suppliers kept, share
    exhaustive: list[float] = field(default_factory=list)  # same, in the exhaustive top DEPTH


def catalogue(path: Path, lang: str) -> list[EnterpriseCreate]:
    """Suppliers `{"id","city","product_lines":[{"en","zh"}]}` as registrations: the lines in
    `lang` as product lines without HS codes; the supplier's id is its external id."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        EnterpriseCreate.model_validate(
            {
                "name": f"Supplier {row['id']}",
                "role": "supplier",
                "external_id": row["id"],
                "city": row.get("city", "")[:120],
                "country": "China",
                "product_lines": [_line(line[lang]) for line in row["product_lines"]],
            }
        )
        for row in rows
    ]


def _line(text: str) -> dict[str, str]:
    if len(text) <= NAME_LIMIT:
        return {"name": text}
    # "...", not "…": names are NFKC-normalised on the way in, which makes "…" three dots
    return {"name": text[: NAME_LIMIT - 3] + "...", "description": text}


def folds_of(queries: Sequence[LabelledQuery], folds: int, seed: int = 0) -> list[int]:
    """A seeded fold per query."""
    order = np.random.default_rng(seed).permutation(len(queries))
    return [int(i) % folds for i in order]


def shipped_examples() -> list[Example]:
    return [e for name in SHIPPED_EXAMPLES for e in load_examples(DATA_DIR / "examples" / name)]


@contextmanager
def fresh_service(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> Iterator[Runtime]:
    """A serving runtime on an empty temporary SQLite database, migrated to head."""
    with tempfile.TemporaryDirectory(prefix="matchfair-eval-") as folder:
        url = f"sqlite:///{Path(folder) / 'catalog.db'}"
        migrate(url)
        runtime = build_runtime(
            settings.model_copy(update={"database_url": url, "sync_interval": 0}),
            embedder=embedders,
            suggester=suggester,
        )
        try:
            yield runtime
        finally:
            runtime.close()


def search_fold(
    mm: Matchmaker, queries: Sequence[LabelledQuery], names: dict[int, str], tally: Tally
) -> None:
    """The supplier search use-case for each query, timed; every 5th query also measures the
    candidate stage against an exhaustive ranking."""
    exhaustive = Ranker(mm.catalog, Weights(candidates=max(len(mm.catalog.items), 1)))
    with mm.session() as session:
        for n, q in enumerate(queries):
            start = time.perf_counter()
            answer = recommend.search_suppliers(session, mm, q.text, Requirements(), limit=10)
            tally.seconds.append(time.perf_counter() - start)
            tally.found[q.id] = [item.partner.external_id or "" for item in answer.items]
            if n % 5:
                continue
            query = mm.text_query(q.text, Side.supply)
            scored = mm.ranker.item_scores(query, Side.supply)
            kept = {names[m.partner_item.enterprise_id] for m in scored}
            best = exhaustive.search([query], Side.supply, Requirements(), limit=DEPTH).matches
            tally.candidates.append(len(q.relevant & kept) / len(q.relevant))
            top = {names[m.enterprise_id] for m in best}
            tally.exhaustive.append(len(q.relevant & top) / len(q.relevant))


def report(queries: Sequence[LabelledQuery], tally: Tally, lang: str) -> dict[str, object]:
    done = [q for q in queries if q.id in tally.found]
    ms = np.array(tally.seconds) * 1000

    def mean(values: Sequence[float]) -> float:
        return round(float(np.mean(values)), 4) if len(values) else 0.0

    return {
        "lang": lang,
        "queries": len(done),
        "ndcg_10": mean([ndcg_at(tally.found[q.id], set(q.relevant)) for q in done]),
        "recall_10": mean([recall_at(tally.found[q.id], set(q.relevant), 10) for q in done]),
        "empty": mean([float(not tally.found[q.id]) for q in done]),
        "candidate_recall_200": mean(tally.candidates),
        "exhaustive_recall_200": mean(tally.exhaustive),
        "ms_p50": round(float(np.percentile(ms, 50)), 2) if len(ms) else 0.0,
        "ms_p99": round(float(np.percentile(ms, 99)), 2) if len(ms) else 0.0,
    }


def eval_catalog_command(
    suppliers: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Suppliers, JSON lines.")
    ],
    queries: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Buyer texts, JSON lines.")
    ],
    qrels: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Relevant suppliers, TSV.")
    ],
    lang: Annotated[str, typer.Option(help="Which product lines to register: en or zh.")] = "en",
    folds: Annotated[int, typer.Option(min=1, max=20, help="Folds over the queries.")] = 5,
    limit: Annotated[int, typer.Option(min=0, help="Only the first N queries (0: all).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of lines.")] = (
        False
    ),
) -> None:
    """Supplier search quality end to end: supplier-level NDCG@10, Recall@10, the share of
    empty answers, the candidate stage's recall@200 against an exhaustive ranking, and the
    search use-case's p50/p99 milliseconds."""
    if lang not in ("en", "zh"):
        raise typer.BadParameter("--lang is en or zh")
    language: Literal["en", "zh"] = "zh" if lang == "zh" else "en"
    with threadpool_limits(1):  # one thread per request, as served; more only fight here
        result = run(suppliers, queries, qrels, language, folds=folds, limit=limit)
    lines = (f"{key:<24} {value}" for key, value in result.items())
    typer.echo(json.dumps(result) if as_json else "\n".join(lines))


def run(
    suppliers: Path,
    queries: Path,
    qrels: Path,
    lang: Literal["en", "zh"],
    *,
    folds: int = 5,
    limit: int = 0,
    settings: Settings | None = None,
    embedders: Embedders | None = None,
    suggester: HsSuggester | None = None,
) -> dict[str, object]:
    """The measurement behind the command; `settings`, `embedders` and `suggester` let tests
    share theirs. The models are cached: each fold embeds the catalogue again for nothing."""
    settings = settings or Settings()
    embedders = cached(embedders or build_embedders(settings))
    rows = catalogue(suppliers, lang)
    labelled = [q for q in load_queries(queries, qrels) if q.relevant]
    labelled = labelled[:limit] if limit else labelled
    if suggester is None:
        suggester = build_suggester_for(settings, embedders)
    lines = {p.name for r in rows for p in r.product_lines} | {
        p.description for r in rows for p in r.product_lines if p.description
    }
    shipped = [e for e in shipped_examples() if e.text not in lines]
    fold = folds_of(labelled, folds)
    tally = Tally()
    with bar("eval-catalog") as progress:
        for f in range(folds):
            mine = [q for q, g in zip(labelled, fold, strict=True) if g == f]
            if not mine:
                continue
            texts = {q.text for q in mine}
            suggester.remember([e for e in shipped if e.text not in texts])
            with fresh_service(settings, embedders, suggester) as runtime:
                mm = runtime.matchmaker
                with mm.session() as session:
                    created = profiles.register(mm.unit_of_work(session, SYSTEM), mm, rows)
                names = {e.id or 0: e.external_id or "" for e, _ in created}
                search_fold(mm, mine, names, tally)
            progress(len(tally.found), len(labelled))
    return report(labelled, tally, lang)
