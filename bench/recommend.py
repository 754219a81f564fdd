"""Recommendation latency on the demo fair, beside the raw-similarity floor, as ratios.

    .venv/bin/python -m bench.recommend [--requests 1000]

A: GET /needs/{id}/recommendations through FastAPI's TestClient (routing, ranking: dense +
   TF-IDF + filters + grouping, explanations, JSON). B (reference): numpy exact cosine top-10
   over the same supply vectors for the same need vector. Interleaved A B A B after warm-up,
   one thread (the serving setting). Also free-text search: uncached (query embedding included)
   against plain `SentenceTransformer.encode` of the same text. The last line is JSON.
"""

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_info, threadpool_limits

from service.app import create_app
from service.config import Settings
from service.db import migrate
from service.matching.items import Kind, Side
from service.matchmaker import Matchmaker
from service.records import ORGANIZER
from service.usecases.demo import load_demo

T = TypeVar("T")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def _timed(call: Callable[[T], object], arg: T) -> float:
    start = time.perf_counter()
    call(arg)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, threadpool_limits(1):
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate(url)
        with TestClient(create_app(Settings(database_url=url, rate_limits=False))) as client:
            mm: Matchmaker = client.app.state.runtime.matchmaker  # type: ignore[attr-defined]
            with mm.session() as session:
                load_demo(mm.unit_of_work(session, ORGANIZER), mm)
            pools = threadpool_info()
            need_ids = [i.ref_id for i in mm.catalog.items.values() if i.kind is Kind.need]
            supply = mm.catalog.dense[Side.supply]
            n_supply = sum(1 for i in mm.catalog.items.values() if i.side is Side.supply)

            def reference(need_id: int) -> None:
                item = mm.catalog.find(Kind.need, need_id)
                assert item is not None
                supply.top(mm.catalog.vector(item), 10)

            def request(need_id: int) -> None:
                response = client.get(f"/needs/{need_id}/recommendations")
                assert response.status_code == 200

            for need_id in need_ids[:50]:  # warm-up
                request(need_id)
                reference(need_id)
            ours, ref = [], []
            for n in range(args.requests):
                need_id = need_ids[n % len(need_ids)]
                ours.append(_timed(request, need_id))
                ref.append(_timed(reference, need_id))

            texts = [
                f"supplier of {w} for export"
                for w in (
                    "tea",
                    "chili oil",
                    "hub motors",
                    "laptops",
                    "zhacai",
                    "denim",
                    "lithium cells",
                    "citrus",
                )
            ]
            encoder = mm.embedder

            def search_once(text: str) -> None:
                assert client.get("/search/suppliers", params={"q": text}).status_code == 200

            search, encode = [], []
            for n in range(max(args.requests // 10, 40)):
                text = f"{texts[n % len(texts)]} #{n}"  # unique text: the query cache cannot help
                search.append(_timed(search_once, text))
                encode.append(_timed(encoder.encode, [text + " ref"]))
    (a50, a99), (b50, b99) = _percentiles(ours), _percentiles(ref)
    (s50, s99), (e50, e99) = _percentiles(search), _percentiles(encode)
    print(f"items: {len(mm.catalog.items)}, supply items: {n_supply}, needs: {len(need_ids)}")
    print(f"{'':44s}{'p50 ms':>9s}{'p99 ms':>9s}")
    print(f"{'A  GET /needs/{id}/recommendations':44s}{a50:9.2f}{a99:9.2f}")
    print(f"{'B  numpy exact cosine top-10 (reference)':44s}{b50:9.3f}{b99:9.3f}", end="")
    print(f"   A/B p50 = {a50 / b50:.0f}x")
    print(f"{'C  GET /search/suppliers (new text)':44s}{s50:9.2f}{s99:9.2f}")
    print(f"{'D  SentenceTransformer.encode (reference)':44s}{e50:9.2f}{e99:9.2f}", end="")
    print(f"   C/D p50 = {s50 / e50:.2f}x")
    print("threadpools while timing:", [(p["internal_api"], p["num_threads"]) for p in pools])
    print(
        json.dumps(
            {
                "recommend_p50_ms": round(a50, 2),
                "recommend_p99_ms": round(a99, 2),
                "numpy_top10_p50_ms": round(b50, 3),
                "search_p50_ms": round(s50, 2),
                "encode_p50_ms": round(e50, 2),
                "requests": args.requests,
            }
        )
    )


if __name__ == "__main__":
    main()
