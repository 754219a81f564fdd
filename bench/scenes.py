"""The measured scenes of `bench.serve`: in-process, loopback, load, fair; and the floor."""

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_limits

from bench.catalog import Meta, ensure
from bench.sampler import Sampler
from bench.server import Server
from bench.serving import (
    NEED,
    PARTNERS,
    READS,
    SEARCH,
    Answer,
    Tally,
    Workload,
    run_clients,
)
from service.app import create_app
from service.config import Settings
from service.fairs.tables import EventCreate, ParticipantCreate, ParticipantRole
from service.fairs.usecases import events, matchlists
from service.matching.embedder import Embedder, FloatArray
from service.matching.hs import HsSuggester
from service.matching.items import Kind, Side
from service.matchmaker import Matchmaker
from service.records import SYSTEM
from service.runtime import build_matchmaker
from tools import scale_generator

WARM_UP = 20  # requests of each route before timing
# Requests and floors alternate in blocks, not one by one: a floor streams the whole vector
# matrix through the CPU caches, and the request after it paid for that (need p50 at 100k over
# loopback: 10.3 ms in a row, 11.5 ms after each floor; /tmp probe, 2026-12-03)
BLOCK = 50
TOP = 10
Results = dict[str, Tally]  # route -> its requests
Send = Callable[[str, int | str], int]  # (route, subject) -> HTTP status


class Floor:
    """numpy exact top-10 over copies of the catalogue's vectors, with no service code in the
    timed part: what a request could cost if ranking were the bare nearest-neighbour search."""

    def __init__(self, mm: Matchmaker, encoder: Embedder, work: Workload, n: int) -> None:
        self.encoder = encoder
        self.columns: dict[Side, FloatArray] = {}
        for side in (Side.supply, Side.demand):
            items = [i for i in mm.catalog.items.values() if i.side is side]
            rows = np.stack([mm.catalog.vector(i) for i in items])
            self.columns[side] = np.ascontiguousarray(rows.T)  # query @ columns: one sgemv
        self.queries: dict[tuple[str, int | str], list[tuple[Side, FloatArray]]] = {}
        for i in range(n):  # the subjects the timed requests will ask about
            need = mm.catalog.find(Kind.need, work.need(i))
            assert need is not None
            self.queries[(NEED, work.need(i))] = [(Side.supply, mm.catalog.vector(need)[None])]
            self.queries[(PARTNERS, work.enterprise(i))] = self._partner_queries(mm, work, i)

    @staticmethod
    def _partner_queries(mm: Matchmaker, work: Workload, i: int) -> list[tuple[Side, FloatArray]]:
        """As `Ranker.reciprocal` asks: a buyer's needs and wants against supply, a seller's
        products and offers against demand."""
        me = mm.catalog.facts[work.enterprise(i)]
        asks = []
        if me.buys:
            asks.append((Side.supply, (Kind.need, Kind.wants)))
        if me.sells:
            asks.append((Side.demand, (Kind.product, Kind.offer)))
        out = []
        for side, kinds in asks:
            if items := mm.catalog.owned(me.enterprise_id, kinds):
                out.append((side, np.stack([mm.catalog.vector(it) for it in items])))
        return out

    def run(self, route: str, subject: int | str) -> None:
        if route == SEARCH:
            asks = [(Side.supply, self.encoder.encode([str(subject)]))]
        else:
            asks = self.queries[(route, subject)]
        for side, queries in asks:
            scores = queries @ self.columns[side]
            k = min(TOP, scores.shape[1] - 1)
            best = np.argpartition(-scores, k, axis=1)[:, :k]
            order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1)
            np.take_along_axis(best, order, axis=1)


def pairs(
    send: Send, floor: Floor, work: Workload, n: int, cap_s: float
) -> tuple[Results, Results]:
    """Each route's requests and their floors in alternating blocks (BLOCK requests, then their
    floors, ...), after a warm-up: `n` of each, or fewer if a route's blocks take more than
    `cap_s` seconds (its warm-up, a quarter)."""
    ours: Results = {r: Tally() for r in READS}
    base: Results = {r: Tally() for r in READS}
    for route in READS:
        began = time.perf_counter()
        for i in range(min(WARM_UP, n)):
            if time.perf_counter() - began > cap_s / 4:
                break
            subject = work.subject(route, i)
            send(route, subject)
            floor.run(route, subject)
        began = time.perf_counter()
        for first in range(0, n, BLOCK):
            if time.perf_counter() - began > cap_s:
                break
            subjects = [work.subject(route, i) for i in range(first, min(first + BLOCK, n))]
            for subject in subjects:
                start = time.perf_counter()
                status = send(route, subject)
                ours[route].seconds[route].append(time.perf_counter() - start)
                if status >= 400:
                    ours[route].errors.append(f"{route} {subject!r}: {status}")
            for subject in subjects:
                start = time.perf_counter()
                floor.run(route, subject)
                base[route].seconds[route].append(time.perf_counter() - start)
        for tally in (ours[route], base[route]):
            tally.wall_s = sum(tally.seconds[route])
    return ours, base


@dataclass
class InProcess:
    start_s: float
    ours: Results
    floor_results: Results
    floor: Floor
    profile: str


def in_process(
    settings: Settings,
    encoder: Embedder,
    work: Workload,
    n: int,
    cap_s: float,
    *,
    measure: bool,
    profile: bool,
    suggester: HsSuggester | None = None,
) -> InProcess:
    """The app in this process (TestClient, one thread). Also builds the floor, which needs
    the loaded catalogue; `measure=False` stops there."""
    with threadpool_limits(1):
        start = time.perf_counter()
        with TestClient(create_app(settings, embedder=encoder, suggester=suggester)) as client:
            started = time.perf_counter() - start
            mm: Matchmaker = client.app.state.runtime.matchmaker  # type: ignore[attr-defined]
            floor = Floor(mm, encoder, work, n + WARM_UP)

            def send(route: str, subject: int | str) -> int:
                return work.send(client, route, subject).status_code

            ours, base = pairs(send, floor, work, n, cap_s) if measure else ({}, {})
            text = _profile(send, work, n, cap_s) if profile else ""
    return InProcess(started, ours, base, floor, text)


def _profile(send: Send, work: Workload, n: int, cap_s: float) -> str:
    """Where a need recommendation's and a search's time goes, sampled over `n` of each
    (or as many as `cap_s` seconds allow)."""
    parts = []
    for route in (NEED, SEARCH):
        with Sampler() as sampler:
            began, done = time.perf_counter(), 0
            while done < n and time.perf_counter() - began < cap_s:
                send(route, work.subject(route, done))
                done += 1
        parts.append(f"\n-- profile of {done} x {route} (in-process):\n{sampler.report()}")
    return "".join(parts)


@contextmanager
def serving(
    settings: Settings, cache: Path, workdir: Path, *, workers: int | None
) -> Iterator[Server]:
    """`matchfair serve` with its default workers unless told, and the bench's cache folder
    (the encoder's export); capacity is measured, and one client sends everything, which
    per-client rate limits would answer with 429s."""
    log = workdir / f"serve-{time.time_ns()}.log"
    env = {"MATCHFAIR_CACHE_DIR": str(cache), "MATCHFAIR_RATE_LIMITS": "false"}
    with Server(settings.database_url, log, env=env, workers=workers) as server:
        yield server


def first_requests(server: Server, work: Workload, n: int) -> dict[str, float]:
    """Milliseconds of each route's first request after the server started (new subjects)."""
    took = {}
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for route in READS:
            subject = work.subject(route, n + WARM_UP)
            start = time.perf_counter()
            status = work.send(client, route, subject).status_code
            took[route] = (time.perf_counter() - start) * 1000
            if status >= 400:
                raise RuntimeError(f"{route} {subject!r}: {status}")
    return took


def loopback_pairs(
    server: Server, work: Workload, floor: Floor, n: int, cap_s: float
) -> tuple[Results, Results]:
    with httpx.Client(base_url=server.url, timeout=120) as client, threadpool_limits(1):
        return pairs(lambda r, s: work.send(client, r, s).status_code, floor, work, n, cap_s)


def concurrent(server: Server, work: Workload, n: int, cap_s: float, concurrency: int) -> Results:
    """Each route alone, `n` requests (or `cap_s` seconds) from `concurrency` clients at once."""
    out = {}
    for route in READS:

        def call(client: httpx.Client, i: int, route: str = route) -> tuple[str, Answer]:
            return route, work.send(client, route, work.subject(route, i))

        run_clients(server.url, call, concurrency=concurrency, requests=WARM_UP)
        out[route] = run_clients(
            server.url, call, concurrency=concurrency, requests=n, seconds=cap_s
        )
    return out


def load(server: Server, work: Workload, seconds: float, concurrency: int = 8) -> Tally:
    return run_clients(server.url, work.mixed, concurrency=concurrency, seconds=seconds)


def fair(
    out: dict[str, Any], encoder: Embedder, per_role: int, cache: Path, workdir: Path, t: str
) -> str:
    """Create an event, enrol `per_role` suppliers and buyers, build every match list: timed
    end to end through the fair use-cases, on a catalogue of just these enterprises."""
    built = ensure(f"fair-{per_role}", lambda: scale_generator.fair(per_role), encoder, cache)
    db = workdir / "fair.db"
    shutil.copyfile(built.path, db)
    start = time.perf_counter()
    mm = build_matchmaker(Settings(database_url=f"sqlite:///{db}", cache_dir=cache), encoder)
    loaded = time.perf_counter()
    day = "2026-12-08"
    data = EventCreate.model_validate(
        {
            "name": "Bench fair",
            "starts_on": day,
            "ends_on": day,
            "n_tables": 500,
            "sessions": [{"starts_at": f"{day}T09:00", "ends_at": f"{day}T17:00"}],
        }
    )
    meta: Meta = built.meta
    with mm.session() as session:
        uow = mm.unit_of_work(session, SYSTEM)
        event = events.create_event(uow, data)
        for role, ids in (
            (ParticipantRole.supplier, meta.sellers),
            (ParticipantRole.buyer, meta.buyers),
        ):
            for eid in ids:
                events.add_participant(uow, event, ParticipantCreate(enterprise_id=eid, role=role))
        enrolled = time.perf_counter()
        lists = matchlists.build_match_lists(uow, mm, event)
    done = time.perf_counter()
    mm.engine.dispose()
    key = f"match_lists_{t}_s"
    out[key] = round(done - loaded, 1)
    out.update(
        {
            "fair_participants": lists["participants"],
            "fair_entries": lists["entries"],
            "fair_enrol_s": round(enrolled - loaded, 1),
            "fair_lists_s": round(done - enrolled, 1),
            "fair_catalog_load_s": round(loaded - start, 1),
        }
    )
    return (
        f"\n== fair {per_role} x {per_role}: event + enrolment {out['fair_enrol_s']} s, match "
        f"lists {out['fair_lists_s']} s ({lists['entries']:,} entries, "
        f"{lists['mutual_entries']:,} mutual) = {out[key]} s end to end "
        f"(catalogue of {meta.enterprises:,} enterprises loaded in {out['fair_catalog_load_s']} s)"
    )
