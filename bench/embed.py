"""Encoder speed: all-MiniLM-L6-v2 as int8 ONNX beside sentence-transformers fp32, as ratios.

    python -m bench.embed [--texts 500] [--reps 5] [--queries 1000] [--no-use]

Both encode the same real texts (demo needs, offers, product lines, HS descriptions), in turns
(A B A B …) after a warm-up:
- bulk: texts/s of one encode() over all texts, min and median of --reps, with both cores
  (ONNX spreads texts over one-thread sessions; torch runs batches of 64 on all intra-op threads);
- single query: p50/p99 of one-text encodes, one thread (the serving setting);
- parity: cosine of each int8 vector to its fp32 vector.
The multilingual USE backend runs the same way, for information. The last line is JSON, with
`embed_speedup` = int8 texts/s ÷ fp32 texts/s (medians).
"""

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

from service.config import DATA_DIR, Settings
from service.matching.embedder import (
    FloatArray,
    MultilingualUseEmbedder,
    SentenceTransformerEmbedder,
)
from service.matching.items import Kind, TradeDoc, trade_item
from service.matching.nomenclature import load_nomenclature
from service.matching.onnx_encoder import OnnxEmbedder

Encode = Callable[[Sequence[str]], FloatArray]


def sample_texts(n: int) -> list[str]:
    """`n` real texts, as the service embeds them: demo needs, offers and product lines (title,
    product, description) and HS descriptions, taken in turn so every size mixes all four."""
    demo = DATA_DIR / "demo"

    def docs(name: str, kind: Kind) -> list[TradeDoc]:
        rows = json.loads((demo / name).read_text())
        return [TradeDoc(0, 0, kind, r["title"], r["product"], r["description"]) for r in rows]

    lines = [
        TradeDoc(0, 0, Kind.product, p["name"], description=p["description"])
        for e in json.loads((demo / "enterprises.json").read_text())
        for p in e["product_lines"]
    ]
    hs = [e.description for e in load_nomenclature(DATA_DIR / "hs").entries.values()]
    groups = [
        [trade_item(d).text for d in docs("needs.json", Kind.need)],
        [trade_item(d).text for d in docs("offers.json", Kind.offer)],
        [trade_item(d).text for d in lines],
        hs[:: max(len(hs) // 1000, 1)],
    ]
    pool = [g[i] for i in range(max(map(len, groups))) for g in groups if i < len(g)]
    if n > len(pool):
        raise ValueError(f"at most {len(pool)} texts, asked for {n}")
    return pool[:n]


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    bulk: Encode  # many texts, both cores
    one: Encode  # one text, one thread


def torch_backend(model: SentenceTransformerEmbedder, cores: int) -> Backend:
    """sentence-transformers fp32; torch's intra-op pool is set before each call (global)."""
    import torch

    def bulk(texts: Sequence[str]) -> FloatArray:
        torch.set_num_threads(cores)
        return model.encode(texts)

    def one(texts: Sequence[str]) -> FloatArray:
        torch.set_num_threads(1)
        return model.encode(texts)

    return Backend("fp32 sentence-transformers", bulk, one)


def _timed(call: Encode, texts: Sequence[str], cpu: Callable[[], float]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (by the `cpu` clock) of one call."""
    wall, used = time.perf_counter(), cpu()
    call(texts)
    return time.perf_counter() - wall, cpu() - used


def measure(
    backends: Sequence[Backend], texts: Sequence[str], *, reps: int, queries: int
) -> dict[str, dict[str, float]]:
    """Bulk texts/s (min, median) and single-query p50/p99 of each backend, in turns. CPU time
    beside wall time: on a shared machine it shows the work done, not the waits for a core."""
    for b in backends:  # warm-up: first calls allocate and page the weights in
        b.bulk(texts[:32])
        for t in texts[:20]:
            b.one([t])
    bulk: dict[str, list[tuple[float, float]]] = {b.name: [] for b in backends}
    for _ in range(reps):
        for b in backends:  # all threads of the process: bulk work runs on pools
            bulk[b.name].append(_timed(b.bulk, texts, time.process_time))
    one: dict[str, list[tuple[float, float]]] = {b.name: [] for b in backends}
    for i in range(queries):
        text = texts[i % len(texts)]
        for b in backends:  # one query runs on the calling thread
            one[b.name].append(_timed(b.one, [text], time.thread_time))
    figures = {}
    for b in backends:
        rates = [len(texts) / wall for wall, _ in bulk[b.name]]
        waits, works = np.array(one[b.name]).T * 1000
        figures[b.name] = {
            "texts_per_s_min": float(np.min(rates)),
            "texts_per_s_median": float(np.median(rates)),
            "bulk_cpu_ms_per_text": float(
                np.median([c for _, c in bulk[b.name]]) / len(texts) * 1000
            ),
            "query_p50_ms": float(np.percentile(waits, 50)),
            "query_p99_ms": float(np.percentile(waits, 99)),
            "query_cpu_p50_ms": float(np.percentile(works, 50)),
        }
    return figures


def parity(fast: FloatArray, reference: FloatArray) -> tuple[float, float]:
    """Mean and least cosine between paired unit rows."""
    cosines = np.einsum("ij,ij->i", fast, reference)
    return float(cosines.mean()), float(cosines.min())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=500)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--bulk-threads", type=int, default=os.cpu_count() or 1, help="default: every core"
    )
    parser.add_argument("--no-use", action="store_true", help="skip the multilingual USE runs")
    parser.add_argument("--cache-dir", type=Path, default=Settings().cache_dir)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cores = args.bulk_threads
    folder = Settings().resolved_model_path()
    texts = sample_texts(args.texts)

    start = time.perf_counter()
    int8 = OnnxEmbedder(folder, args.cache_dir, threads=cores)
    int8_load_s = time.perf_counter() - start
    fp32 = SentenceTransformerEmbedder(folder)
    backends = [Backend("int8 onnx", int8.encode, int8.encode), torch_backend(fp32, cores)]
    if not args.no_use:
        many, single = MultilingualUseEmbedder(threads=cores), MultilingualUseEmbedder(threads=1)
        backends.append(Backend("multilingual USE", many.encode, single.encode))
    cos_mean, cos_min = parity(int8.encode(texts), fp32.encode(texts))
    figures = measure(backends, texts, reps=args.reps, queries=args.queries)
    pools = threadpool_info()

    fast, ref = figures["int8 onnx"], figures["fp32 sentence-transformers"]
    speedup = fast["texts_per_s_median"] / ref["texts_per_s_median"]
    latency_ratio = ref["query_p50_ms"] / fast["query_p50_ms"]
    cpu_ratio = ref["query_cpu_p50_ms"] / fast["query_cpu_p50_ms"]
    fp32_bytes = sum(p.stat().st_size for p in folder.glob("*.safetensors"))
    print(f"{len(texts)} texts, {args.reps} bulk reps on {cores} threads, {args.queries} queries")
    print(
        f"export: {int8.export.seconds:.1f} s wall, {int8.export.cpu_seconds:.1f} CPU-s; ", end=""
    )
    print(
        f"int8 {int8.export.int8_bytes / 1e6:.1f} MB, ONNX fp32 {int8.export.fp32_bytes / 1e6:.1f}",
        end="",
    )
    print(f" MB, safetensors {fp32_bytes / 1e6:.1f} MB; int8 start from cache {int8_load_s:.2f} s")
    print(
        f"{'':28s}{'texts/s min':>12s}{'median':>8s}{'CPU ms/text':>12s}"
        f"{'query p50':>10s}{'p99 ms':>8s}{'CPU p50':>8s}"
    )
    for name, f in figures.items():
        print(
            f"{name:28s}{f['texts_per_s_min']:12.1f}{f['texts_per_s_median']:8.1f}"
            f"{f['bulk_cpu_ms_per_text']:12.2f}{f['query_p50_ms']:10.2f}{f['query_p99_ms']:8.2f}"
            f"{f['query_cpu_p50_ms']:8.2f}"
        )
    print(f"int8/fp32 bulk texts/s (medians) = {speedup:.2f}x")
    print(f"fp32/int8 query p50 = {latency_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU")
    print(f"cosine int8 to fp32 over {len(texts)} texts: mean {cos_mean:.4f}, min {cos_min:.4f}")
    print("threadpools:", [(p["internal_api"], p["num_threads"]) for p in pools])
    print(
        json.dumps(
            {
                "embed_speedup": round(speedup, 2),
                "query_latency_ratio": round(latency_ratio, 2),
                "query_cpu_ratio": round(cpu_ratio, 2),
                "cosine_mean": round(cos_mean, 4),
                "cosine_min": round(cos_min, 4),
                "export_s": int8.export.seconds,
                "export_cpu_s": int8.export.cpu_seconds,
                "int8_bytes": int8.export.int8_bytes,
                "texts": len(texts),
                "bulk_threads": cores,
                "backends": {
                    name: {k: round(v, 2) for k, v in f.items()} for name, f in figures.items()
                },
                "threadpools": [
                    {k: p[k] for k in ("internal_api", "num_threads", "version")} for p in pools
                ],
            }
        )
    )


if __name__ == "__main__":
    main()
