"""HnswIndex beside ExactIndex: top-200 latency as ratios, recall, build cost (issue 10).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        .venv/bin/python -m bench.ann [--sizes 10000 100000] [--queries 1000] [--dims 384 512]
    python -m bench.ann --smoke     # tiny sizes, checks only (tests/test_bench_ann.py)

The data is bench/scale.py's: unit vectors near a calibrated low-dimensional subspace
(`--latent`, default 20, harder for a graph than real all-MiniLM-L6-v2 vectors), at 384
(MiniLM) and 512 (the multilingual encoder) dimensions; one item in five passes the filter.
The graph is forced at every size (threshold 1) so the table shows where it starts to pay; the
service's default threshold answers exactly below `service.matching.ann.THRESHOLD` rows.

Per size: the graph's build in CPU-seconds (all cores) and wall seconds, then 1,000 queries
interleaved query by query (HnswIndex.top, ExactIndex.top, each also with the 20 % filter) on
one thread, p50/p99 and their ratios; recall@200 and @10 of HnswIndex against ExactIndex.
The last line is JSON.
"""

import argparse
import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from bench.scale import FILTER, certified, make_basis, percentiles, synthetic
from service.matching.ann import HnswIndex
from service.matching.embedder import FloatArray
from service.matching.index import Admit, BoolArray, ExactIndex, KeyArray
from service.matching.requirements import Requirements

K = 200
WARM_UP = 50


@dataclass
class Certified:
    """The 20 % filter as the catalog would pass it: items of certified enterprises."""

    requirements: Requirements = field(default=FILTER)

    def __call__(self, keys: KeyArray) -> BoolArray:
        return certified(keys)


Answer = tuple[KeyArray, FloatArray]


def overlap(found: list[Answer], truth: list[Answer], k: int) -> float:
    shares = [
        len(set(f[0][:k].tolist()) & set(t[0][:k].tolist())) / max(1, min(k, len(t[0])))
        for f, t in zip(found, truth, strict=True)
    ]
    return float(np.mean(shares))


def measure(
    dimension: int, n: int, queries: FloatArray, basis: FloatArray, seed: int
) -> dict[str, Any]:
    vectors = synthetic(n, np.random.default_rng(seed + n), basis)
    keys = list(range(1, n + 1))
    exact = ExactIndex(dimension).fit(keys, vectors)
    cpu, wall = time.process_time(), time.perf_counter()
    ann = HnswIndex(dimension, threshold=1).fit(keys, vectors)
    build = {"build_cpu_s": time.process_time() - cpu, "build_wall_s": time.perf_counter() - wall}
    del vectors
    admit = Certified()
    runs: list[tuple[str, HnswIndex | ExactIndex, Admit | None]] = [
        ("hnsw", ann, None),
        ("exact", exact, None),
        ("hnsw_filtered", ann, admit),
        ("exact_filtered", exact, admit),
    ]
    seconds: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    found: dict[str, list[Answer]] = {name: [] for name, _, _ in runs}
    with threadpool_limits(1):
        for q in queries[:WARM_UP]:
            for _, index, allowed in runs:
                index.top(q, K, allowed)
        for q in queries:  # interleaved: every system sees the machine in the same state
            for name, index, allowed in runs:
                start = time.perf_counter()
                answer = index.top(q, K, allowed)
                seconds[name].append(time.perf_counter() - start)
                found[name].append(answer)
    out: dict[str, Any] = {"n": n, "dimension": dimension, **build}
    for name in seconds:
        out[f"{name}_p50_p99_ms"] = percentiles(seconds[name])
    for kind in ("", "_filtered"):
        ours, truth = found[f"hnsw{kind}"], found[f"exact{kind}"]
        out[f"recall200{kind}"] = overlap(ours, truth, K)
        out[f"recall10{kind}"] = overlap(ours, truth, 10)
        out[f"short{kind}"] = sum(len(a[0]) < K for a in ours)
    out["filtered_all_admitted"] = all(bool(certified(a[0]).all()) for a in found["hnsw_filtered"])
    return out


def run(
    sizes: list[int], dims: list[int], n_queries: int, seed: int, latent: int
) -> dict[str, Any]:
    results: dict[str, Any] = {"threadpools": threadpool_info(), "latent": latent, "runs": []}
    for dimension in dims:
        rng = np.random.default_rng(seed)
        basis = make_basis(latent, rng, dimension)
        queries = synthetic(n_queries, rng, basis)
        for n in sizes:
            point = measure(dimension, n, queries, basis, seed)
            print(json.dumps(point), flush=True)
            results["runs"].append(point)
    return results


def table(results: dict[str, Any]) -> str:
    lines = [
        "   size  dim  build cpu-s (wall)  hnsw p50/p99 ms   exact p50/p99 ms  p50 ratio  "
        "p99 ratio  | filtered: hnsw p50/p99    exact p50/p99   p50 ratio | recall@200 @10 "
        "(filtered)"
    ]
    for r in results["runs"]:
        h, e = r["hnsw_p50_p99_ms"], r["exact_p50_p99_ms"]
        hf, ef = r["hnsw_filtered_p50_p99_ms"], r["exact_filtered_p50_p99_ms"]
        lines.append(
            f"{r['n']:>7}  {r['dimension']:>3}  {r['build_cpu_s']:8.1f} ({r['build_wall_s']:5.1f})"
            f"   {h[0]:6.2f}/{h[1]:6.2f}    {e[0]:6.2f}/{e[1]:6.2f}    {h[0] / e[0]:6.2f}x"
            f"    {h[1] / e[1]:6.2f}x  |  {hf[0]:6.2f}/{hf[1]:6.2f}    {ef[0]:6.2f}/{ef[1]:6.2f}"
            f"    {hf[0] / ef[0]:6.2f}x | {r['recall200']:.4f} {r['recall10']:.4f} "
            f"({r['recall200_filtered']:.4f} {r['recall10_filtered']:.4f})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dims", type=int, nargs="+", default=[384, 512])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latent", type=int, default=20, help="intrinsic dimension of the data")
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 100 queries, checks")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.queries = [2_000], 100
    results = run(args.sizes, args.dims, args.queries, args.seed, args.latent)
    print(table(results))
    if args.smoke:  # the figures are meaningless this small; the answers must still be right
        for r in results["runs"]:
            assert r["recall10"] >= 0.9 and r["recall10_filtered"] >= 0.9, r
            assert r["short"] == r["short_filtered"] == 0 and r["filtered_all_admitted"], r
    print(json.dumps(results))


if __name__ == "__main__":
    main()
