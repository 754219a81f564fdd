"""Sustained load: a realistic mix of reads and writes against a real `matchfair serve`.

    python -m bench.load --backend sqlite|postgres [--duration 60] [--concurrency 8]

Starts its own server on a free loopback port (never anything else: the URL is 127.0.0.1) with
the demo fair in a fresh database (SQLite file, or a local PostgreSQL with fsync on), rate limits
off (all clients share one address here), then runs `--concurrency` clients for `--duration`
seconds or `--max-requests` requests, whichever ends first, and stops by itself. The mix, by
weight: free-text supplier search 20, HS suggestion 10, a need's recommendations 20, an
enterprise's partners 10, browsing profiles 10, a profile edit 10 (re-embedded), a need posted
10 (embedded), a meeting request sent and answered 10 (two requests). It reports requests per
second, p50/p99 per route, every error (any status >= 400, or no answer), and how many lines of
the server's log say "database is locked". The clients run on the same cores as the server.
"""

import argparse
import json
import random
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.server import LOOPBACK, Server
from service.db import migrate
from service.store.localpg import LocalPostgres

ADMIN_KEY = "bench-organizer"
SETTINGS = {"MATCHFAIR_ADMIN_KEY": ADMIN_KEY, "MATCHFAIR_RATE_LIMITS": "false"}
QUERIES = [
    "hotpot seasoning for supermarkets",
    "CE certified e-bike hub motor",
    "organic green tea in bulk",
    "stainless steel kitchen knives",
    "LED street lights",
    "frozen dumplings for export",
    "cotton t-shirts private label",
    "laptop 14 inch business",
    "chili oil glass jars",
    "motorcycle spare parts",
]
DAY = "2026-05-20"


@dataclass
class Cast:
    """Who the clients act as: keys of some suppliers and buyers, their participants in one
    event, need ids, and which pairs have a live request (pending or accepted)."""

    suppliers: dict[int, str]
    buyers: dict[int, str]
    needs: list[int]
    event_id: int
    participant: dict[int, int]
    live: set[tuple[int, int]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def free_pair(self, rng: random.Random) -> tuple[int, int] | None:
        """A (buyer, supplier) pair without a live request, marked live until answered."""
        with self.lock:
            for _ in range(20):
                pair = (rng.choice(list(self.buyers)), rng.choice(list(self.suppliers)))
                if pair not in self.live:
                    self.live.add(pair)
                    return pair
        return None


@dataclass
class Tally:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.seconds.values())


class Client:
    """One simulated user session: an HTTP connection, its random choices, and the tally."""

    def __init__(self, base: str, cast: Cast, tally: Tally, seed: int) -> None:
        self.http = httpx.Client(base_url=base, timeout=120)
        self.cast, self.tally, self.rng = cast, tally, random.Random(seed)

    def call(
        self, route: str, method: str, url: str, key: str | None = None, **kw: object
    ) -> httpx.Response | None:
        headers = {"X-API-Key": key} if key else {}
        started = time.perf_counter()
        response: httpx.Response | None = None
        try:
            response = self.http.request(method, url, headers=headers, **kw)  # type: ignore[arg-type]
            problem = f"{route}: {response.status_code} {response.text[:200]}"
        except httpx.TransportError as exc:
            problem = f"{route}: no answer ({exc!r})"
        with self.tally.lock:
            self.tally.seconds[route].append(time.perf_counter() - started)
            if response is None or response.status_code >= 400:
                self.tally.errors.append(problem)
        return response

    def search(self) -> None:
        q = self.rng.choice(QUERIES)
        self.call("GET /search/suppliers", "GET", "/search/suppliers", params={"q": q})

    def hs(self) -> None:
        text = self.rng.choice(QUERIES)
        self.call("GET /hs/suggest", "GET", "/hs/suggest", params={"text": text})

    def need_recommendations(self) -> None:
        need = self.rng.choice(self.cast.needs)
        self.call("GET /needs/{id}/recommendations", "GET", f"/needs/{need}/recommendations")

    def partners(self) -> None:
        who = self.rng.choice([*self.cast.suppliers, *self.cast.buyers])
        route = "GET /enterprises/{id}/recommendations"
        self.call(route, "GET", f"/enterprises/{who}/recommendations")

    def browse(self) -> None:
        params = {"offset": self.rng.randrange(0, 200), "limit": 20}
        self.call("GET /enterprises", "GET", "/enterprises", params=params)

    def edit_profile(self) -> None:
        who, key = self.rng.choice(list(self.cast.suppliers.items()))
        made = f"Exporter of {self.rng.choice(QUERIES)}, revision {self.rng.random():.6f}"
        body = {"description": made}
        self.call("PATCH /enterprises/{id}", "PATCH", f"/enterprises/{who}", key, json=body)

    def post_need(self) -> None:
        who, key = self.rng.choice(list(self.cast.buyers.items()))
        body = {"buyer_id": who, "title": self.rng.choice(QUERIES), "quantity": 10, "unit": "t"}
        self.call("POST /needs", "POST", "/needs", key, json=body)

    def meeting(self) -> None:
        """A buyer asks a supplier for a meeting; the supplier declines (the pair may meet
        again later) or, one time in five, accepts (the pair stays taken)."""
        pair = self.cast.free_pair(self.rng)
        if pair is None:
            return
        buyer, supplier = pair
        c, accept = self.cast, self.rng.random() < 0.2
        sent = self.call(
            "POST /events/{id}/requests",
            "POST",
            f"/events/{c.event_id}/requests",
            c.buyers[buyer],
            json={"from_id": c.participant[buyer], "to_id": c.participant[supplier]},
        )
        if sent is not None and sent.status_code == 201:
            self.call(
                "POST /events/{id}/requests/{rid}/answer",
                "POST",
                f"/events/{c.event_id}/requests/{sent.json()['id']}/answer",
                c.suppliers[supplier],
                json={"accept": accept},
            )
        if not accept:
            with c.lock:
                c.live.discard(pair)

    def mix(self) -> list[tuple[Callable[[], None], int]]:
        return [
            (self.search, 20),
            (self.hs, 10),
            (self.need_recommendations, 20),
            (self.partners, 10),
            (self.browse, 10),
            (self.edit_profile, 10),
            (self.post_need, 10),
            (self.meeting, 10),
        ]

    def run(self, deadline: float, max_requests: int) -> None:
        actions, weights = zip(*self.mix(), strict=True)
        while time.monotonic() < deadline and self.tally.count() < max_requests:
            self.rng.choices(actions, weights)[0]()
        self.http.close()


def prepare(base: str, *, people: int = 16, seed: bool = False) -> Cast:
    """Keys for `people` suppliers and buyers (issued by the organizer, or registered afresh
    when `seed`: an empty database), one need each at least, and an event they all attend."""
    admin = {"X-API-Key": ADMIN_KEY}
    with httpx.Client(base_url=base, timeout=120) as http:
        suppliers: dict[int, str] = {}
        buyers: dict[int, str] = {}
        for role, keys in (("supplier", suppliers), ("buyer", buyers)):
            if seed:
                for i in range(people):
                    lines = [{"name": QUERIES[i % len(QUERIES)]}] if role == "supplier" else []
                    body = {"name": f"{role.title()} {i}", "role": role, "product_lines": lines}
                    made = http.post("/enterprises", json=body).raise_for_status().json()
                    keys[made["enterprise"]["id"]] = made["api_key"]
            else:
                rows = http.get("/enterprises", params={"role": role, "limit": 200}).json()
                for e in [e for e in rows["items"] if e["role"] == role][:people]:
                    issued = http.post(f"/enterprises/{e['id']}/api-key", headers=admin)
                    keys[e["id"]] = issued.raise_for_status().json()["api_key"]
        for buyer, key in buyers.items():
            need = {"buyer_id": buyer, "title": QUERIES[buyer % len(QUERIES)]}
            http.post("/needs", json=need, headers={"X-API-Key": key}).raise_for_status()
        listed = http.get("/needs", params={"status": "open", "limit": 200}).json()["items"]
        needs = [n["id"] for n in listed]  # a closed need has no recommendations (400)
        event = {
            "name": "Load test fair",
            "starts_on": DAY,
            "ends_on": DAY,
            "n_tables": 20,
            "max_pending_requests": 200,
            "sessions": [{"starts_at": f"{DAY}T09:00", "ends_at": f"{DAY}T17:00"}],
        }
        event_id = http.post("/events", json=event, headers=admin).raise_for_status().json()["id"]
        participant = {}
        for role, keys in (("supplier", suppliers), ("buyer", buyers)):
            for enterprise_id in keys:
                enrol = {"enterprise_id": enterprise_id, "role": role}
                added = http.post(f"/events/{event_id}/participants", json=enrol, headers=admin)
                participant[enterprise_id] = added.raise_for_status().json()["id"]
    return Cast(suppliers, buyers, needs, event_id, participant)


def run_mix(
    base: str, cast: Cast, *, duration: float, concurrency: int, max_requests: int
) -> dict[str, Any]:
    """Drive the mix; returns the figures (requests/s, per-route p50/p99 and counts, errors)."""
    assert httpx.URL(base).host == LOOPBACK, "load runs against loopback only"
    for action, _ in Client(base, cast, Tally(), -1).mix():  # warm-up, not counted: first
        action()  # calls load lazily built state (query caches, TF-IDF, connections)
    tally = Tally()
    deadline = time.monotonic() + duration
    clients = [Client(base, cast, tally, seed) for seed in range(concurrency)]
    threads = [threading.Thread(target=c.run, args=(deadline, max_requests)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    routes = {}
    for route, seconds in sorted(tally.seconds.items()):
        ms = np.array(seconds) * 1000
        routes[route] = {
            "requests": len(seconds),
            "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p99_ms": round(float(np.percentile(ms, 99)), 1),
        }
    total = sum(len(v) for v in tally.seconds.values())
    return {
        "requests": total,
        "seconds": round(wall, 1),
        "requests_per_s": round(total / wall, 1),
        "errors": len(tally.errors),
        "error_examples": tally.errors[:10],
        "routes": routes,
    }


def _database(backend: str, folder: Path) -> tuple[str, LocalPostgres | None]:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'load.db'}", None
    server = LocalPostgres(settings=()).start()  # durable defaults: fsync and synchronous commit
    return server.create_database("load"), server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=float, default=60, help="seconds, at most 600")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    duration = min(args.duration, 600)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, pg = _database(args.backend, folder)
        try:
            migrate(url)
            with Server(url, folder / "server.log", env=SETTINGS, demo=True) as server:
                cast = prepare(server.url)
                figures = run_mix(
                    server.url,
                    cast,
                    duration=duration,
                    concurrency=args.concurrency,
                    max_requests=args.max_requests,
                )
            log = server.text()
            locked = log.count("database is locked")
            failures = [
                t.split("\n\n")[0] for t in log.split("Traceback (most recent call last):")[1:]
            ]
        finally:
            if pg is not None:
                pg.stop()
    figures |= {"backend": args.backend, "concurrency": args.concurrency, "locked_lines": locked}
    print(
        f"{args.backend}: {figures['requests']} requests in {figures['seconds']} s = "
        f"{figures['requests_per_s']} req/s at concurrency {args.concurrency}; "
        f"errors {figures['errors']}; 'database is locked' log lines {locked}"
    )
    for route, r in figures["routes"].items():
        p50, p99 = r["p50_ms"], r["p99_ms"]
        print(f"  {route:<42} {r['requests']:>6}  p50 {p50:>8.1f} ms  p99 {p99:>8.1f} ms")
    for example in figures["error_examples"]:
        print(f"  error: {example}")
    for trace in failures[-3:]:  # the server's side of a 5xx
        print(f"  server traceback:{trace}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
