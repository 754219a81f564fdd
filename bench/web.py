"""Web page cost on the demo fair: the search results page beside the JSON call it wraps,
and the bytes of the first page.

    .venv/bin/python -m bench.web [--requests 1000]

A: GET /find?q=…  (the whole page: use-case + template + i18n), B: the htmx fragment of the
same results, R (reference): GET /search/suppliers?q=… (the JSON call the page wraps), all
through FastAPI's TestClient, interleaved R A B R A B … after warm-up, one thread, the same
query texts (their vectors are cached after the warm-up, as for a visitor paging through
results). First page: the home page's HTML plus every stylesheet and script it references, as
sent (no compression on this server). The last line is JSON.
"""

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_info, threadpool_limits

from service.app import create_app
from service.config import Settings
from service.db import migrate
from service.matchmaker import Matchmaker
from service.usecases.demo import load_demo

QUERIES = [
    "hotpot seasoning base",
    "CE certified e-bike hub motor",
    "green tea for export",
    "chili oil in glass jars",
    "denim fabric",
    "lithium battery cells",
    "citrus fruit",
    "laptop computers",
]
ASSETS = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _ms(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def _timed(client: TestClient, url: str, params: dict[str, str], **headers: str) -> float:
    start = time.perf_counter()
    response = client.get(url, params=params, headers=headers)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text[:200]
    return elapsed


def first_page_bytes(client: TestClient, lang: str) -> dict[str, int]:
    """Bytes of the home page and of each asset it loads."""
    home = client.get("/", headers={"Accept-Language": lang})
    sizes = {"/": len(home.content)}
    for asset in ASSETS.findall(home.text):
        sizes[asset] = len(client.get(asset).content)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, threadpool_limits(1):
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate(url)
        with TestClient(create_app(Settings(database_url=url))) as client:
            mm: Matchmaker = client.app.state.runtime.matchmaker  # type: ignore[attr-defined]
            with mm.session() as session:
                load_demo(mm.unit_of_work(session), mm)
            pools = threadpool_info()
            for q in QUERIES * 5:  # warm-up: query vectors cached, templates compiled
                _timed(client, "/search/suppliers", {"q": q})
                _timed(client, "/find", {"q": q})
            ref, page, fragment = [], [], []
            for n in range(args.requests):
                params = {"q": QUERIES[n % len(QUERIES)]}
                ref.append(_timed(client, "/search/suppliers", params))
                page.append(_timed(client, "/find", params))
                fragment.append(_timed(client, "/find", params, **{"HX-Request": "true"}))
            sizes = {lang: first_page_bytes(client, lang) for lang in ("en", "zh-CN")}
    (r50, r99), (a50, a99), (b50, b99) = _ms(ref), _ms(page), _ms(fragment)
    print(f"{'':46s}{'p50 ms':>9s}{'p99 ms':>9s}{'p50 - R':>10s}{'p50 / R':>9s}")
    for name, p50, p99 in (
        ("R  GET /search/suppliers (JSON, reference)", r50, r99),
        ("A  GET /find (whole results page)", a50, a99),
        ("B  GET /find, HX-Request (results fragment)", b50, b99),
    ):
        print(f"{name:46s}{p50:9.2f}{p99:9.2f}{p50 - r50:+10.2f}{p50 / r50:9.2f}x")
    for lang, parts in sizes.items():
        listed = ", ".join(f"{k} {v:,}" for k, v in parts.items())
        print(f"first page ({lang}): {sum(parts.values()):,} bytes = {listed}")
    print("threadpools while timing:", [(p["internal_api"], p["num_threads"]) for p in pools])
    print(
        json.dumps(
            {
                "json_p50_ms": round(r50, 2),
                "page_p50_ms": round(a50, 2),
                "fragment_p50_ms": round(b50, 2),
                "page_minus_json_p50_ms": round(a50 - r50, 2),
                "page_over_json_p50": round(a50 / r50, 3),
                "first_page_bytes": {k: sum(v.values()) for k, v in sizes.items()},
                "requests": args.requests,
            }
        )
    )


if __name__ == "__main__":
    main()
