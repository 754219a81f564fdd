"""The HTTP side of `bench.serve`: the requests and the clients (the server is bench.server's).

`Workload` knows the routes and picks each request's subject from its
index, so two runs (and a request and its floor) see the same subjects. `run_clients` drives a
request function from N threads, each with its own keep-alive connection, for a number of
requests or seconds, and tallies seconds per route and every failure.
"""

import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import numpy as np

from bench.catalog import Meta
from tools import scale_generator

NEED = "GET /needs/{id}/recommendations"
SEARCH = "GET /search/suppliers"
PARTNERS = "GET /enterprises/{id}/recommendations"
EDIT = "PATCH /enterprises/{id}"
POST_NEED = "POST /needs"
READS = (NEED, SEARCH, PARTNERS)
# The load's mix, by weight out of 20: mostly reads, one write in five.
MIX = {SEARCH: 7, NEED: 6, PARTNERS: 3, EDIT: 2, POST_NEED: 2}


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
