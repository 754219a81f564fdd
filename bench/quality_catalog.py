"""Supplier search quality on the dev catalogue (../shared/eval/catalog), through the matching
core as the service runs it.

    .venv/bin/python -m bench.quality_catalog --lang en|zh [--folds 5] [--no-bridge]
        [--no-multilingual] [--candidates 200] [--queries N] [--json]

Each supplier is registered with its `en` (or `zh`) product lines as product lines without HS
codes: items from service.matching.items.profile_items, embedded by every model and given
their heading estimates by the HS suggester (pipeline.embed, pipeline.estimate), in a Catalog
read by a Ranker. Each HMRC dev query with labels searches suppliers (pipeline.text_query,
Ranker.search, no filters, 10 results).

Honest by construction: the suggester's shipped examples are the HMRC dev queries themselves,
so they are split into k folds; the queries of a fold, and the catalogue's lines, are
classified with the other folds' examples only. No Chinese example is loaded (the Chinese
lines are dev names of ../shared/eval/zh). Prints supplier-level NDCG@10 and Recall@10, the
share of empty answers, the candidate stage's recall against an exhaustive ranking (relevant
suppliers among the candidates, over those in the exhaustive top 200; every 5th query by
default), and the milliseconds of query classification and search per query (model encodes
excluded: vectors are cached). Progress goes to stderr; the result is the last line.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from service.cli.eval import cached
from service.config import DATA_DIR, Settings
from service.matching.evaluation import LabelledQuery, load_queries, ndcg_at, recall_at
from service.matching.examples import Example
from service.matching.hs import HsSuggester
from service.matching.items import (
    Facts,
    ItemDraft,
    ProductDoc,
    ProfileDoc,
    Side,
    keyed,
    profile_items,
)
from service.matching.pipeline import catalog_for, embed, estimate, text_query
from service.matching.ranking import Ranker
from service.matching.requirements import Requirements
from service.matching.weights import Weights
from service.runtime import build_embedders, build_suggester_for

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEPTH = 200  # the exhaustive ranking's cut-off that the candidate stage is held against


def _profiles(path: Path, lang: str) -> tuple[list[ProfileDoc], dict[int, str]]:
    """Suppliers as profiles with one product line per catalogue line (no HS code)."""
    profiles, names = [], {}
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for eid, row in enumerate(rows, start=1):
        lines = tuple(
            ProductDoc(eid * 100 + j, line[lang], None, "")
            for j, line in enumerate(row["product_lines"])
        )
        facts = Facts(eid, f"Supplier {row['id']}", "supplier", city=row["city"])
        profiles.append(ProfileDoc(facts, products=lines))
        names[eid] = row["id"]
    return profiles, names


def _shipped(folds: int, seed: int = 0) -> list[tuple[Example, str, int]]:
    """The shipped HS examples, each with its id (the HMRC query it came from) and the fold
    of that id (a query labelled twice gives two examples, in one fold)."""
    with (DATA_DIR / "examples" / "hs_dev_examples.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    ids = list(dict.fromkeys(r["id"] for r in rows))
    fold = dict(
        zip(ids, (np.random.default_rng(seed).permutation(len(ids)) % folds).tolist(), strict=True)
    )
    return [(Example(r["text"], r["code"]), r["id"], fold[r["id"]]) for r in rows]


def run(args: argparse.Namespace) -> dict[str, object]:
    settings = Settings(multilingual=not args.no_multilingual)
    embedders = cached(build_embedders(settings))
    suggester: HsSuggester | None = None
    if not args.no_bridge:
        suggester = build_suggester_for(settings, embedders)
    catalogue = EVAL / "catalog"
    profiles, names = _profiles(catalogue / "suppliers_dev.jsonl", args.lang)
    queries = load_queries(EVAL / "hs" / "queries_dev.jsonl", catalogue / "qrels_suppliers_dev.tsv")
    queries = queries[: args.queries] if args.queries else queries
    drafts: list[ItemDraft] = [d for p in profiles for d in profile_items(p)]
    vectors = embed(embedders, [d.text for d in drafts])
    shipped = _shipped(args.folds)
    fold_of = {example_id: g for _, example_id, g in shipped}
    weights = Weights(candidates=args.candidates)
    exhaustive = Weights(candidates=len(drafts))
    found: dict[str, list[str]] = {}
    candidate_hits, exhaustive_hits, costs = [], [], []
    for f in range(args.folds):
        mine = [q for q in queries if fold_of.get(q.id, 0) == f]
        if not mine:
            continue
        if suggester is not None:
            suggester.remember([e for e, _, g in shipped if g != f])
        items = [keyed(d, k) for k, d in enumerate(estimate(drafts, vectors, suggester))]
        catalog = catalog_for(embedders, weights)
        catalog.load([p.facts for p in profiles], items, vectors.primary, vectors.multilingual)
        ranker, full = Ranker(catalog, weights), Ranker(catalog, exhaustive)
        print(f"fold {f + 1}/{args.folds}: {len(mine)} queries", file=sys.stderr, flush=True)
        for n, q in enumerate(mine):
            text_query(q.text, Side.supply, embedders, suggester, catalog)  # warm the caches
            start = time.perf_counter()
            query = text_query(q.text, Side.supply, embedders, suggester, catalog)
            ranking = ranker.search([query], Side.supply, Requirements(), limit=10)
            costs.append(time.perf_counter() - start)
            found[q.id] = [names[m.enterprise_id] for m in ranking.matches]
            if n % args.check_every:
                continue
            scored = ranker.item_scores(query, Side.supply)
            candidates = {names[m.partner_item.enterprise_id] for m in scored}
            top = full.search([query], Side.supply, Requirements(), limit=DEPTH).matches
            candidate_hits.append(len(q.relevant & candidates) / len(q.relevant))
            exhaustive_hits.append(
                len(q.relevant & {names[m.enterprise_id] for m in top}) / len(q.relevant)
            )
    return _report(queries, found, candidate_hits, exhaustive_hits, costs, args)


def _report(
    queries: list[LabelledQuery],
    found: dict[str, list[str]],
    candidate_hits: list[float],
    exhaustive_hits: list[float],
    costs: list[float],
    args: argparse.Namespace,
) -> dict[str, object]:
    done = [q for q in queries if q.id in found]
    ms = np.array(costs) * 1000
    return {
        "lang": args.lang,
        "bridge": not args.no_bridge,
        "multilingual": not args.no_multilingual,
        "candidates": args.candidates,
        "queries": len(done),
        "ndcg_10": round(float(np.mean([ndcg_at(found[q.id], set(q.relevant)) for q in done])), 4),
        "recall_10": round(
            float(np.mean([recall_at(found[q.id], set(q.relevant), 10) for q in done])), 4
        ),
        "empty": round(float(np.mean([not found[q.id] for q in done])), 4),
        "candidate_recall": round(float(np.mean(candidate_hits)), 4),
        "exhaustive_recall_200": round(float(np.mean(exhaustive_hits)), 4),
        "ms_p50": round(float(np.percentile(ms, 50)), 2),
        "ms_p99": round(float(np.percentile(ms, 99)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=Weights().candidates)
    parser.add_argument("--queries", type=int, default=0, help="only the first N (a smoke run)")
    parser.add_argument(
        "--check-every", type=int, default=5, help="candidate recall on every Nth query"
    )
    parser.add_argument("--no-bridge", action="store_true", help="no HS suggester")
    parser.add_argument("--no-multilingual", action="store_true", help="primary model only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with threadpool_limits(1):  # the serving setting; BLAS threads only fight each other here
        result = run(args)
    print(json.dumps(result) if args.json else "\n".join(f"{k:<22} {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
