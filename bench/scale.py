"""Dense search at scale: the embedded backend and PostgreSQL + pgvector, beside faiss, as ratios.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        .venv/bin/python -m bench.scale --sizes 10000 100000 1000000 [--queries 1000]

One run, the same synthetic data for every system at each size: unit vectors of dimension 384
near a low-dimensional subspace (a Gaussian latent of `--latent` dimensions through a random
linear map, plus isotropic noise). How hard such data is for a graph index depends on that
dimension, so the run first calibrates it against real all-MiniLM-L6-v2 vectors (the HS
reference texts shipped in models/hs-vectors): faiss HNSW recall@10 at a few ef_search values
on the real vectors and on synthetic ones of the same count. The default, 20, is the lowest
dimension measured here that is harder than the real vectors at every one of those values (16
was easier at ef_search 40); 32 is a harsher stress case.
Items are supply-side products of enterprises; one enterprise in five holds the certification
the filtered queries require.

- embedded: rows inserted into SQLite as float32 blobs (load), read into the exact index
  (build), exact top-10 by `ExactIndex.search`; with the filter, the same scan restricted by a
  mask. Reference: faiss IndexFlatIP on one thread, interleaved query by query.
- postgres: binary COPY into `item_vector` (load), CREATE INDEX ... USING hnsw (build, wall and
  server CPU-seconds), top-10 through `PgDenseIndex.scores` (the service's own SQL, filters in
  the WHERE clause) over a sweep of hnsw.ef_search; recall@10 against exact search (faiss flat
  over all rows, or over the rows passing the filter).

Queries run with one BLAS/OpenMP thread (the serving setting). The last line is JSON.
"""

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import psutil
import psycopg
from pgvector.psycopg import register_vector
from sqlalchemy import Engine
from threadpoolctl import threadpool_info, threadpool_limits

from service.config import MODELS_DIR
from service.db import make_engine, migrate
from service.matching.embedder import FloatArray
from service.matching.index import ExactIndex, Hit, KeyArray, top_k
from service.matching.items import Side
from service.matching.requirements import Requirements
from service.store.localpg import FAST_UNSAFE, LocalPostgres
from service.store.pgdense import InSql, PgDenseIndex

DIM = 384
ITEMS_PER_ENTERPRISE = 4
CERTIFIED_EVERY = 5  # enterprise ids divisible by this hold the certification
CERT = "haccp"
FILTER = Requirements(certifications=frozenset({CERT}))
EF_SEARCH = (40, 100, 150, 200, 300, 400)
SERVER = (
    *FAST_UNSAFE,
    "shared_buffers=6GB",  # the 1M rows and their graph stay in memory
    "huge_pages=try",  # with `sysctl vm.nr_hugepages=3300`: fewer TLB misses per graph hop
    "maintenance_work_mem=6GB",
    "max_parallel_maintenance_workers=1",
    "max_wal_size=8GB",
    "jit=off",
)


BoolArray = npt.NDArray[np.bool_]


class Everything:
    """`known` for PgDenseIndex: the benchmark has no catalog, every row counts."""

    def __contains__(self, key: object) -> bool:
        return True


def synthetic(n: int, rng: np.random.Generator, basis: FloatArray) -> FloatArray:
    """Unit rows near the subspace spanned by `basis` (see the module docstring)."""
    latent, dimension = basis.shape
    rows = rng.standard_normal((n, latent), dtype=np.float32) @ basis
    rows += rng.standard_normal((n, dimension), dtype=np.float32) * (
        0.35 * (latent / dimension) ** 0.5
    )
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows.astype(np.float32, copy=False)


def certified(keys: KeyArray) -> BoolArray:
    """Which items (ids 1..n) belong to a certified enterprise."""
    mask: BoolArray = ((keys - 1) // ITEMS_PER_ENTERPRISE + 1) % CERTIFIED_EVERY == 0
    return mask


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.array(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def exact_truth(vectors: FloatArray, keys: KeyArray, queries: FloatArray) -> list[set[int]]:
    index = faiss.IndexFlatIP(DIM)
    index.add(vectors)
    _, found = index.search(queries, 10)
    return [set(keys[row].tolist()) for row in found]


def recall(found: list[list[int]], truth: list[set[int]]) -> float:
    return float(np.mean([len(set(f) & t) / len(t) for f, t in zip(found, truth, strict=True)]))


# --- calibration -----------------------------------------------------------------------------

CALIBRATION_EF = (10, 20, 40)


def make_basis(latent: int, rng: np.random.Generator, dimension: int = DIM) -> FloatArray:
    basis: FloatArray = rng.standard_normal((latent, dimension), dtype=np.float32) * latent**-0.5
    return basis


def real_vectors() -> FloatArray:
    """Distinct all-MiniLM-L6-v2 vectors of the HS reference texts that ship with the service."""
    parts = [np.load(path) for path in sorted((MODELS_DIR / "hs-vectors").glob("*.npy"))]
    rows = np.concatenate(parts).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    _, first = np.unique(np.round(rows, 3), axis=0, return_index=True)
    return rows[np.sort(first)]


def hnsw_recall(vectors: FloatArray, rng: np.random.Generator) -> list[float]:
    """faiss HNSW (M=16, efConstruction=64) recall@10 at CALIBRATION_EF, 1,000 held-out queries."""
    order = rng.permutation(len(vectors))
    queries, base = vectors[order[:1000]], vectors[order[1000:]]
    truth = exact_truth(base, np.arange(len(base), dtype=np.int64), queries)
    graph = faiss.IndexHNSWFlat(DIM, 16, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = 64
    graph.add(base)
    curve = []
    for ef in CALIBRATION_EF:
        graph.hnsw.efSearch = ef
        _, found = graph.search(queries, 10)
        curve.append(recall(found.tolist(), truth))
    return curve


def calibration(latents: list[int], seed: int) -> dict[str, list[float]]:
    """HNSW recall curves: real MiniLM vectors beside synthetic ones of the same count."""
    real = real_vectors()
    curves = {f"real MiniLM ({len(real)})": hnsw_recall(real, np.random.default_rng(seed))}
    for latent in latents:
        rng = np.random.default_rng(seed + latent)
        rows = synthetic(len(real), rng, make_basis(latent, rng))
        curves[f"synthetic latent {latent}"] = hnsw_recall(rows, np.random.default_rng(seed))
    for name, curve in curves.items():
        shown = ", ".join(f"{r:.3f}" for r in curve)
        print(f"calibration {name:<26} HNSW recall@10 at ef {CALIBRATION_EF}: {shown}")
    return curves


# --- embedded --------------------------------------------------------------------------------


def embedded(vectors: FloatArray, queries: FloatArray, folder: Path) -> dict[str, Any]:
    n = len(vectors)
    keys = np.arange(1, n + 1, dtype=np.int64)
    db = folder / f"embedded-{n}.db"
    start = time.perf_counter()
    _sqlite_load(db, vectors)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    index = _sqlite_read(db, n)
    build_s = time.perf_counter() - start
    flat = faiss.IndexFlatIP(DIM)
    flat.add(vectors)
    mask = certified(keys)
    ours, ref, ours_f = [], [], []
    found, found_f = [], []
    for q in queries[:50]:  # warm-up
        index.search(q, 10)
        flat.search(q[None], 10)
    for q in queries:  # interleaved: ours, reference, ours with the filter
        start = time.perf_counter()
        hits = index.search(q, 10)
        ours.append(time.perf_counter() - start)
        found.append([h.key for h in hits])
        start = time.perf_counter()
        flat.search(q[None], 10)
        ref.append(time.perf_counter() - start)
        start = time.perf_counter()
        hits = _masked_top10(index, q, mask)
        ours_f.append(time.perf_counter() - start)
        found_f.append([h.key for h in hits])
    return {
        "load_s": load_s,
        "build_s": build_s,
        "p50_p99_ms": percentiles(ours),
        "faiss_flat_p50_p99_ms": percentiles(ref),
        "filtered_p50_p99_ms": percentiles(ours_f),
        "found": found,
        "found_filtered": found_f,
    }


def _masked_top10(index: ExactIndex, q: FloatArray, mask: BoolArray) -> list[Hit]:
    keys, scores = index.scores(q)
    return top_k(keys[mask], scores[mask], 10)


def _sqlite_load(db: Path, vectors: FloatArray) -> None:
    migrate(f"sqlite:///{db}")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO enterprise (id, name, role, description, looking_for, city, region, "
            "country, certifications, export_markets, years_exporting, capacity_unit, languages, "
            "channels, website, contact_name, contact_email, contact_phone, verified, "
            "api_key_hash, created_at, updated_at) "
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?) "
            "SELECT i, 'e' || i, 'supplier', '', '', '', '', '', "
            f"CASE WHEN i % {CERTIFIED_EVERY} = 0 THEN '[\"HACCP\"]' ELSE '[]' END, "
            "'[]', 0, '', '[]', '[]', '', '', '', '', 0, '', '2026-01-01', '2026-01-01' FROM g",
            (len(vectors) // ITEMS_PER_ENTERPRISE + 1,),
        )
        conn.executemany(
            "INSERT INTO item_vector (id, enterprise_id, kind, ref_id, label, hs_code, text, "
            "model, vector) VALUES (?, ?, 'product', 0, '', '', '', 'synthetic', ?)",
            ((i + 1, i // ITEMS_PER_ENTERPRISE + 1, v.tobytes()) for i, v in enumerate(vectors)),
        )
    conn.close()


def _sqlite_read(db: Path, n: int) -> ExactIndex:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, vector FROM item_vector ORDER BY id").fetchall()
    conn.close()
    vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(n, DIM)
    return ExactIndex(DIM).fit([r[0] for r in rows], vectors)


# --- postgres --------------------------------------------------------------------------------


@contextmanager
def postgres_database(server: LocalPostgres, name: str) -> Iterator[tuple[str, Engine]]:
    url = server.create_database(name)
    migrate(url)
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        server.drop_database(name)


def _server_cpu(server: LocalPostgres) -> float:
    """CPU-seconds of the server so far: postmaster, live backends, reaped workers."""
    pid = int((server.data / "postmaster.pid").read_text().split()[0])
    postmaster = psutil.Process(pid)
    own = postmaster.cpu_times()
    total = float(own.user + own.system + own.children_user + own.children_system)
    for child in postmaster.children(recursive=True):
        try:
            cpu = child.cpu_times()
        except psutil.Error:
            continue
        total += cpu.user + cpu.system
    return total


def pg_load(server: LocalPostgres, name: str, vectors: FloatArray) -> float:
    """COPY enterprises and items, without the supply HNSW index (built afterwards, as a bulk
    import should); returns seconds."""
    n = len(vectors)
    with psycopg.connect(host=str(server.folder), user="postgres", dbname=name) as conn:
        register_vector(conn)
        conn.execute("DROP INDEX ix_item_vector_hnsw_supply")
        conn.commit()
        start = time.perf_counter()
        conn.execute(
            "INSERT INTO enterprise (id, name, role, description, looking_for, city, region, "
            "country, certifications, export_markets, years_exporting, capacity_unit, "
            "languages, channels, website, contact_name, contact_email, contact_phone, "
            "verified, api_key_hash, created_at, updated_at) "
            "SELECT g, 'e' || g, 'supplier', '', '', '', '', '', "
            f"CASE WHEN g %% {CERTIFIED_EVERY} = 0 THEN '[\"HACCP\"]' ELSE '[]' END::json, "
            "'[]', 0, '', '[]', '[]', '', '', '', '', false, '', now(), now() "
            "FROM generate_series(1, %s) g",
            (n // ITEMS_PER_ENTERPRISE + 1,),
        )
        with conn.cursor().copy(
            "COPY item_vector (id, enterprise_id, kind, ref_id, label, hs_code, text, model, "
            "vector) FROM STDIN WITH (FORMAT BINARY)"
        ) as copy:
            copy.set_types(
                [
                    "int4",
                    "int4",
                    "varchar",
                    "int4",
                    "varchar",
                    "varchar",
                    "varchar",
                    "varchar",
                    "vector",
                ]
            )
            for i, v in enumerate(vectors):
                copy.write_row(
                    (i + 1, i // ITEMS_PER_ENTERPRISE + 1, "product", 0, "", "", "", "synthetic", v)
                )
        conn.commit()
        seconds = time.perf_counter() - start
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE item_vector")
        conn.execute("VACUUM ANALYZE enterprise")
    return seconds


def pg_build(server: LocalPostgres, name: str, m: int, ef_construction: int) -> dict[str, float]:
    with psycopg.connect(host=str(server.folder), user="postgres", dbname=name) as conn:
        conn.execute("DROP INDEX IF EXISTS ix_item_vector_hnsw_supply")
        conn.commit()
        cpu = _server_cpu(server)
        start = time.perf_counter()
        conn.execute(
            "CREATE INDEX ix_item_vector_hnsw_supply ON item_vector "
            "USING hnsw (vector vector_cosine_ops) "
            f"WITH (m = {m}, ef_construction = {ef_construction}) "
            "WHERE kind IN ('product', 'offer')"
        )
        conn.commit()
        wall = time.perf_counter() - start
    return {"build_s": wall, "build_cpu_s": _server_cpu(server) - cpu}


def pg_queries(
    engine: Engine, queries: FloatArray, ef: int, where: Requirements | None
) -> tuple[list[float], list[list[int]]]:
    dense = PgDenseIndex(engine, Side.supply, Everything, ef_search=ef)
    admit = None if where is None else InSql(where)
    for q in queries[:50]:
        dense.top(q, 10, admit)
    seconds, found = [], []
    for q in queries:
        start = time.perf_counter()
        keys, _ = dense.top(q, 10, admit)
        seconds.append(time.perf_counter() - start)
        found.append(keys.tolist())
    return seconds, found


def postgres(
    server: LocalPostgres,
    vectors: FloatArray,
    queries: FloatArray,
    truth: list[set[int]],
    truth_f: list[set[int]],
    builds: list[tuple[int, int]],
) -> dict[str, Any]:
    n = len(vectors)
    name = f"bench_{n}"
    out: dict[str, Any] = {"builds": []}
    with postgres_database(server, name) as (_, engine):
        out["load_s"] = pg_load(server, name, vectors)
        for m, efc in builds:
            curve: list[dict[str, Any]] = []
            build = {
                "m": m,
                "ef_construction": efc,
                **pg_build(server, name, m, efc),
                "curve": curve,
            }
            for ef in EF_SEARCH:
                for label, where, gt in (("none", None, truth), ("filter", FILTER, truth_f)):
                    seconds, found = pg_queries(engine, queries, ef, where)
                    p50, p99 = percentiles(seconds)
                    curve.append(
                        {
                            "ef_search": ef,
                            "filter": label,
                            "p50_ms": p50,
                            "p99_ms": p99,
                            "recall10": recall(found, gt),
                        }
                    )
            out["builds"].append(build)
            print(
                json.dumps({"n": n, **{k: v for k, v in build.items() if k != "curve"}}), flush=True
            )
            for point in curve:
                print(f"  {point}", flush=True)
    return out


# --- main ------------------------------------------------------------------------------------


def run(
    sizes: list[int],
    n_queries: int,
    seed: int,
    latent: int,
    builds: list[tuple[int, int]] | None,
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "threadpools": threadpool_info(),
        "latent": latent,
        "calibration": calibration(sorted({8, latent, 32}), seed),
        "sizes": {},
    }
    rng = np.random.default_rng(seed)
    basis = make_basis(latent, rng)
    queries = synthetic(n_queries, rng, basis)
    server = LocalPostgres(settings=SERVER).start()
    try:
        with server.connect() as conn:
            results["huge_pages"] = conn.execute("SHOW huge_pages_status").fetchone()
        print(f"latent {latent}; PostgreSQL huge pages: {results['huge_pages']}", flush=True)
        with tempfile.TemporaryDirectory(prefix="mfbench-") as tmp:
            for n in sizes:
                vectors = synthetic(n, np.random.default_rng(seed + n), basis)
                keys = np.arange(1, n + 1, dtype=np.int64)
                truth = exact_truth(vectors, keys, queries)
                mask = certified(keys)
                truth_f = exact_truth(vectors[mask], keys[mask], queries)
                faiss.omp_set_num_threads(1)
                with threadpool_limits(1):  # a 1M scan is ~0.1 s: fewer queries there
                    emb = embedded(vectors, queries[: 300 if n >= 1_000_000 else None], Path(tmp))
                faiss.omp_set_num_threads(psutil.cpu_count() or 1)
                used = len(emb["found"])
                emb["recall10"] = recall(emb.pop("found"), truth[:used])
                emb["filtered_recall10"] = recall(emb.pop("found_filtered"), truth_f[:used])
                print(json.dumps({"n": n, "embedded": emb}), flush=True)
                # a 1M build with m=32 takes ~20 minutes here: only when asked for
                chosen = builds or ([(16, 64)] if n >= 1_000_000 else [(16, 64), (32, 128)])
                with threadpool_limits(1):
                    pg = postgres(server, vectors, queries, truth, truth_f, chosen)
                results["sizes"][n] = {"embedded": emb, "postgres": pg}
                del vectors, truth, truth_f
    finally:
        server.stop()
    return results


def table(results: dict[str, Any]) -> str:
    lines = [
        "size  backend   index                 load s  build s (cpu)   p50/p99 ms       "
        "filtered p50/p99 ms  recall@10 (filtered)  p50 vs faiss flat",
    ]
    for n, r in results["sizes"].items():
        e = r["embedded"]
        ref50 = e["faiss_flat_p50_p99_ms"][0]
        lines.append(
            f"{int(n):>7}  embedded  exact (numpy sgemv)  {e['load_s']:6.1f}  {e['build_s']:6.1f}"
            f"          {e['p50_p99_ms'][0]:6.2f}/{e['p50_p99_ms'][1]:6.2f}    "
            f"{e['filtered_p50_p99_ms'][0]:6.2f}/{e['filtered_p50_p99_ms'][1]:6.2f}       "
            f"{e['recall10']:.3f} ({e['filtered_recall10']:.3f})        "
            f"{e['p50_p99_ms'][0] / ref50:.2f}x (faiss {ref50:.2f} ms)"
        )
        for b in r["postgres"]["builds"]:
            for ef in EF_SEARCH:
                pts = {p["filter"]: p for p in b["curve"] if p["ef_search"] == ef}
                a, f = pts["none"], pts["filter"]
                lines.append(
                    f"{int(n):>7}  postgres  hnsw m={b['m']} efc={b['ef_construction']} "
                    f"ef={ef:<3} {r['postgres']['load_s']:6.1f}  {b['build_s']:6.1f} "
                    f"({b['build_cpu_s']:6.1f})  {a['p50_ms']:6.2f}/{a['p99_ms']:6.2f}    "
                    f"{f['p50_ms']:6.2f}/{f['p99_ms']:6.2f}       "
                    f"{a['recall10']:.3f} ({f['recall10']:.3f})        "
                    f"{a['p50_ms'] / ref50:.2f}x"
                )
    return "\n".join(lines)


def _build_option(text: str) -> tuple[int, int]:
    m, ef_construction = text.split(":")
    return int(m), int(ef_construction)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latent", type=int, default=20, help="intrinsic dimension of the data")
    parser.add_argument(
        "--builds",
        nargs="+",
        metavar="M:EF_CONSTRUCTION",
        help="HNSW builds at every size (default 16:64, and 32:128 below 1M rows)",
    )
    args = parser.parse_args()
    builds = [_build_option(b) for b in args.builds] if args.builds else None
    results = run(args.sizes, args.queries, args.seed, args.latent, builds)
    print(table(results))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
