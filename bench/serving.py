"""The HTTP side of `bench.serve`: the server in a process of its own, the requests, the clients.

`Server` runs `matchfair serve` (its default workers and embedder unless told) on a free loopback
port with its own database and the bench's cache folder (the encoder's export), and waits until
every worker has started. `Workload` knows the routes and picks each request's subject from its
index, so two runs (and a request and its floor) see the same subjects. `run_clients` drives a
request function from N threads, each with its own keep-alive connection, for a number of
requests or seconds, and tallies seconds per route and every failure.
"""

import itertools
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import httpx
import numpy as np

from bench.catalog import Meta
from bench.server import LOOPBACK, free_port
from tools import scale_generator

NEED = "GET /needs/{id}/recommendations"
SEARCH = "GET /search/suppliers"
PARTNERS = "GET /enterprises/{id}/recommendations"
EDIT = "PATCH /enterprises/{id}"
POST_NEED = "POST /needs"
READS = (NEED, SEARCH, PARTNERS)
# The load's mix, by weight out of 20: mostly reads, one write in five.
MIX = {SEARCH: 7, NEED: 6, PARTNERS: 3, EDIT: 2, POST_NEED: 2}
READY_LINE = "Application startup complete"
MAIN = "from service.cli.main import main; main()"
START_TIMEOUT = 1800  # s: every worker loads the catalogue; 100k on a busy machine is slow


class Answer(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...


class Http(Protocol):
    """What the workload needs of a client: httpx's, or FastAPI's TestClient (httpx2's)."""

    def get(self, url: str, *, params: Any = ...) -> Answer: ...
    def post(self, url: str, *, json: Any = ..., headers: Any = ...) -> Answer: ...
    def patch(self, url: str, *, json: Any = ..., headers: Any = ...) -> Answer: ...


def python_c(code: str) -> list[str]:
    return [sys.executable, "-c", code]


class Server:
    """`matchfair serve` on a free loopback port, stopped (SIGTERM) on exit."""

    def __init__(
        self, database_url: str, cache_dir: Path, log: Path, *, workers: int | None
    ) -> None:
        """The catalogue's vectors must be the configured embedder's (it refuses others)."""
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log = log
        self.workers = workers or os.cpu_count() or 1  # serve's default: one per core
        where = ["--host", LOOPBACK, "--port", str(self.port)]
        where += ["--workers", str(workers)] if workers else []
        self.env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "MATCHFAIR_DATABASE_URL": database_url,
            "MATCHFAIR_CACHE_DIR": str(cache_dir),
            # capacity is measured: one client sends everything, which per-client limits
            # would answer with 429s
            "MATCHFAIR_RATE_LIMITS": "false",
        }
        # `python -c`, not the console script: uvicorn's workers are spawned processes that
        # import a script's module again before answering the parent's 5 s health check,
        # which a loaded machine does not manage for `service.cli.main` (it restarts them)
        self.how, self.command = "matchfair serve", [*python_c(MAIN), "serve", *where]
        self.started_s = 0.0
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        """Start and wait until every worker has finished its start-up (catalogue, warm-up)."""
        start = time.perf_counter()
        root = Path(__file__).resolve().parents[1]
        with self.log.open("ab") as out:  # a pipe nobody reads would block the server
            self._process = subprocess.Popen(
                self.command, cwd=root, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        while self._text().count(READY_LINE) < self.workers:
            if self._process.poll() is not None or time.perf_counter() - start > START_TIMEOUT:
                self.__exit__(None, None, None)
                raise RuntimeError(f"the server did not start:\n{self._text()[-4000:]}")
            time.sleep(0.2)
        self.started_s = time.perf_counter() - start
        return self

    def _text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def lines_with(self, needle: str) -> int:
        return sum(needle in line for line in self._text().splitlines())

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


class Workload:
    """The routes, and which need, enterprise or fresh text request number `i` is about."""

    def __init__(self, meta: Meta, *, seed: int = 1) -> None:
        self.meta = meta
        self.enterprises = sorted([*meta.sellers, *meta.buyers])
        self.keyed = sorted(meta.keys)
        self._texts: Iterator[str] = scale_generator.queries(seed)
        self._lock = threading.Lock()

    def need(self, i: int) -> int:
        return self.meta.open_needs[(i * 7919) % len(self.meta.open_needs)]

    def enterprise(self, i: int) -> int:
        return self.enterprises[(i * 7919) % len(self.enterprises)]

    def fresh_text(self) -> str:
        with self._lock:
            return next(self._texts)

    def subject(self, route: str, i: int) -> int | str:
        """A need id, an enterprise id, or a search text never sent before."""
        if route == NEED:
            return self.need(i)
        if route == PARTNERS:
            return self.enterprise(i)
        return self.fresh_text()

    def send(self, client: Http, route: str, subject: int | str) -> Answer:
        if route == NEED:
            return client.get(f"/needs/{subject}/recommendations")
        if route == PARTNERS:
            return client.get(f"/enterprises/{subject}/recommendations")
        return client.get("/search/suppliers", params={"q": subject})

    def mixed(self, client: Http, i: int) -> tuple[str, Answer]:
        """Request number `i` of the load: reads and writes in the proportions of MIX."""
        route = SCHEDULE[i % len(SCHEDULE)]
        if route in READS:
            return route, self.send(client, route, self.subject(route, i))
        who = self.keyed[(i * 104729) % len(self.keyed)]
        key = {"X-API-Key": self.meta.keys[who]}
        if route == EDIT:
            about = f"Revised profile {i}: we now also make {self.fresh_text()}."
            return route, client.patch(
                f"/enterprises/{who}", json={"description": about}, headers=key
            )
        buyer = self.meta.buyers[(i * 104729) % len(self.meta.buyers)]
        body = {"buyer_id": buyer, "title": self.fresh_text()[:200], "quantity": 10, "unit": "t"}
        return route, client.post("/needs", json=body, headers={"X-API-Key": self.meta.keys[buyer]})


SCHEDULE = [route for route, weight in MIX.items() for _ in range(weight)]
SCHEDULE = [SCHEDULE[(i * 7) % len(SCHEDULE)] for i in range(len(SCHEDULE))]  # interleaved


@dataclass
class Tally:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.seconds.values())

    @property
    def rps(self) -> float:
        return self.requests / self.wall_s if self.wall_s else 0.0

    def ms(self, route: str, q: float) -> float:
        return float(np.percentile(np.array(self.seconds[route]) * 1000, q))


Call = Callable[[httpx.Client, int], tuple[str, Answer]]


def run_clients(
    base_url: str, call: Call, *, concurrency: int, requests: int = 0, seconds: float = 0.0
) -> Tally:
    """`concurrency` threads send requests 0, 1, 2, ... (each its own connection) until
    `requests` are sent or `seconds` have passed; any status >= 400 or no answer is an error."""
    tally, lock, numbers = Tally(), threading.Lock(), itertools.count()
    start = time.perf_counter()
    stop_at = start + seconds if seconds else float("inf")

    def client_loop() -> None:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            while time.perf_counter() < stop_at:
                with lock:
                    i = next(numbers)
                if requests and i >= requests:
                    return
                sent = time.perf_counter()
                try:
                    route, response = call(client, i)
                    failed = response.status_code >= 400
                    problem = f"{route}: {response.status_code} {response.text[:200]}"
                except httpx.TransportError as exc:
                    route, failed, problem = "transport", True, f"no answer: {exc!r}"
                took = time.perf_counter() - sent
                with lock:
                    tally.seconds[route].append(took)
                    if failed:
                        tally.errors.append(problem)

    threads = [threading.Thread(target=client_loop) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.wall_s = time.perf_counter() - start
    return tally
