"""What the HS bridge and the multilingual signal cost, per query and per embedded text.

    .venv/bin/python -m bench.quality_speed [--queries 300] [--bulk 512]

Per free-text query (one thread, interleaved, p50/p99 in ms):
  - encode: the primary model (all-MiniLM-L6-v2) against the multilingual one (USE);
  - heading estimate from the query's vectors (`HsSuggester.estimate`), English and Chinese;
  - supplier search over the demo fair's items (data/demo), the core only: the full pipeline
    (multilingual vectors, heading estimates, the bridge) against the primary model alone
    with no estimate (what the bridge and the second model add), both with cached vectors.
Bulk: seconds per text for each model, and for the heading estimate of items at write time.
The last line is JSON.
"""

import argparse
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from service.config import DATA_DIR, Settings
from service.matching.embedder import CachedEmbedder, Embedder, Embedders
from service.matching.hs import HsSuggester
from service.matching.items import (
    Facts,
    ItemDraft,
    Kind,
    ProductDoc,
    ProfileDoc,
    Side,
    fold,
    keyed,
    profile_items,
)
from service.matching.pipeline import catalog_for, embed, estimate, text_query
from service.matching.ranking import Ranker
from service.matching.requirements import Requirements
from service.runtime import build_embedders, build_suggester_for

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def _ms(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return round(float(np.percentile(ms, 50)), 3), round(float(np.percentile(ms, 99)), 3)


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _demo_profiles() -> list[ProfileDoc]:
    with (DATA_DIR / "demo" / "enterprises.json").open(encoding="utf-8") as f:
        rows = json.load(f)
    out = []
    for eid, r in enumerate(rows, start=1):
        facts = Facts(
            eid,
            r["name"],
            r["role"],
            r["country"],
            r["region"],
            r["city"],
            fold(r["certifications"]),
            fold(r["export_markets"]),
            frozenset(r["channels"]),
            r["years_exporting"],
        )
        lines = tuple(
            ProductDoc(eid * 100 + j, p["name"], p.get("hs_code"), p.get("description", ""))
            for j, p in enumerate(r["product_lines"])
        )
        out.append(ProfileDoc(facts, r["description"], r["looking_for"], lines))
    return out


def _texts(path: Path, n: int) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["query"] for line in f if line.strip()][:n]


def _search(ranker: Ranker, models: Embedders, hs: HsSuggester | None, text: str) -> float:
    """Seconds of one free-text supplier search (query vectors cached by the caller)."""
    start = time.perf_counter()
    query = text_query(text, Side.supply, models, hs, ranker.catalog)
    ranker.search([query], Side.supply, Requirements(), limit=10)
    return time.perf_counter() - start


def _encodes(model: Embedder, texts: list[str]) -> list[float]:
    model.encode(texts[:8])  # warm-up
    return [_timed(partial(model.encode, [t])) for t in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--bulk", type=int, default=512)
    args = parser.parse_args()
    settings = Settings()
    out: dict[str, object] = {}
    with threadpool_limits(1):
        loaded = build_embedders(settings)
        second = loaded.multilingual
        assert second is not None
        suggester = build_suggester_for(settings, loaded)
        english = _texts(EVAL / "hs" / "queries_dev.jsonl", args.queries)
        chinese = _texts(EVAL / "zh" / "queries_zh_dev.jsonl", args.queries)
        out["encode_primary_ms"] = _ms(_encodes(loaded.primary, english))
        out["encode_multilingual_ms"] = _ms(_encodes(second, english))
        full = Embedders(CachedEmbedder(loaded.primary), CachedEmbedder(second))
        for name, texts in (("english", english), ("chinese", chinese)):
            rows = [full.encode([t]) for t in texts]  # cached from here on
            suggester.estimate(texts[0], rows[0], query=True)  # builds the route's indexes
            out[f"estimate_{name}_ms"] = _ms(
                [
                    _timed(partial(suggester.estimate, t, v, query=True))
                    for t, v in zip(texts, rows, strict=True)
                ]
            )
        bulk = english[: args.bulk]
        for name, model in (("primary", loaded.primary), ("multilingual", second)):
            seconds = _timed(partial(model.encode, bulk))
            out[f"bulk_{name}_ms_per_text"] = round(seconds * 1000 / len(bulk), 3)
        drafts = [ItemDraft(0, Kind.product, i, t, t) for i, t in enumerate(bulk)]
        seconds = _timed(partial(estimate, drafts, full.encode(bulk), suggester))
        out["bulk_estimate_ms_per_text"] = round(seconds * 1000 / len(bulk), 3)

        profiles = _demo_profiles()
        demo = [d for p in profiles for d in profile_items(p)]
        vectors = embed(full, [d.text for d in demo])
        items = [keyed(d, k) for k, d in enumerate(estimate(demo, vectors, suggester))]
        bridged = catalog_for(full)
        bridged.load([p.facts for p in profiles], items, vectors.primary, vectors.multilingual)
        alone = Embedders(full.primary)
        plain = catalog_for(alone)
        plain.load([p.facts for p in profiles], items, vectors.primary)
        pipelines = {
            "search_full": (Ranker(bridged), full, suggester),
            "search_primary_only": (Ranker(plain), alone, None),
        }
        samples: dict[str, list[float]] = {name: [] for name in pipelines}
        for text in english:  # interleaved; the first call of each caches the query's vectors
            for name, (ranker, models, hs) in pipelines.items():
                _search(ranker, models, hs, text)
                samples[name].append(_search(ranker, models, hs, text))
        for name, values in samples.items():
            out[f"{name}_ms"] = _ms(values)
        out["supply_items"] = sum(1 for i in items if i.side is Side.supply)
    for key, value in out.items():
        print(f"{key:<34} {value}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
