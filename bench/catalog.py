"""Benchmark catalogues in SQLite files, written through the service's own use-cases, cached.

`ensure(...)` returns a migrated SQLite database holding generated data (tools/scale_generator),
written as users write it: `profiles.register` for the enterprises, `trades.create` for needs and
offers, in batches, each through the unit of work (rows and vectors in one transaction, the
change logged). The embedder is wrapped in an LRU as large as the catalogue, so each distinct
text is embedded once however many sellers repeat it; each batch's new texts go to the encoder
in one bulk call. A finished build is kept in `cache/<key>/` (the key names the data set, its
size, the generator version and the model identity), so later runs skip it.
"""

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from service.config import Settings
from service.db import migrate
from service.entities import EnterpriseCreate, Need, NeedCreate, Offer, OfferCreate, Status
from service.matching.embedder import CachedEmbedder, Embedder, FloatArray
from service.matchmaker import Matchmaker
from service.records import SYSTEM
from service.runtime import build_matchmaker, build_suggester_for
from service.usecases import profiles, trades
from service.usecases.trades import Trade
from tools import scale_generator
from tools.demo_generator import DemoData

DB_FILE = "matchfair.db"
META_FILE = "catalog.json"
ENTERPRISE_BATCH = 250  # ~5,000 items a transaction at 20 product lines a seller
TRADE_BATCH = 1000


class CountingEmbedder:
    """Passes texts to `inner`, counting them and the seconds it spends."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.dimension = inner.dimension
        self.texts = 0
        self.seconds = 0.0

    def encode(self, texts: Sequence[str]) -> FloatArray:
        start = time.perf_counter()
        rows = self.inner.encode(texts)
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        return rows


@dataclass
class Meta:
    """What a benchmark needs to know about a built catalogue, kept beside its database."""

    name: str
    identity: str
    supply_items: int
    enterprises: int
    needs: int
    offers: int
    distinct_texts: int  # embedded once each
    embed_s: float
    build_s: float
    build_cpu_s: float
    sellers: list[int] = field(default_factory=list)  # enterprise ids
    buyers: list[int] = field(default_factory=list)
    open_needs: list[int] = field(default_factory=list)
    keys: dict[int, str] = field(default_factory=dict)  # enterprise id -> its API key

    @classmethod
    def read(cls, path: Path) -> "Meta":
        raw: dict[str, Any] = json.loads(path.read_text())
        raw["keys"] = {int(k): v for k, v in raw["keys"].items()}
        return cls(**raw)


@dataclass(frozen=True, slots=True)
class Catalog:
    path: Path  # the SQLite file: copy it before writing to it
    meta: Meta
    cached: bool  # found in the cache, not built by this run


def _batches(rows: Sequence[Any], n: int) -> list[Sequence[Any]]:
    return [rows[i : i + n] for i in range(0, len(rows), n)]


def _resolve(row: dict[str, Any], owner: str, ids: dict[str, int]) -> dict[str, Any]:
    fields = {k: v for k, v in row.items() if k != f"{owner}_external_id"}
    return {**fields, f"{owner}_id": ids[row[f"{owner}_external_id"]]}


def _open_ids(
    mm: Matchmaker, table: type[Trade], rows: Sequence[NeedCreate | OfferCreate]
) -> list[int]:
    """Create needs or offers in one unit of work; the ids of the open ones (matchable)."""
    with mm.session() as session:
        made = trades.create(mm.unit_of_work(session, SYSTEM), mm, table, rows)
        return [r.id for r in made if r.status is Status.open and r.id is not None]


def load(url: str, data: DemoData, embedder: Embedder, name: str) -> Meta:
    """Write `data` into the migrated database at `url` through the use-cases."""
    wall, cpu = time.perf_counter(), time.process_time()
    counting = CountingEmbedder(embedder)
    size = len(data.enterprises) * 60 + len(data.needs) + len(data.offers)  # > distinct texts
    settings = Settings(database_url=url)
    mm = build_matchmaker(settings, CachedEmbedder(counting, size=size), load=False)
    mm.hs = build_suggester_for(settings, mm.embedders)  # goods without a code get estimates
    ids: dict[str, int] = {}
    meta = Meta(name, embedder.identity, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0)
    for chunk in _batches(data.enterprises, ENTERPRISE_BATCH):
        drafts = [EnterpriseCreate.model_validate(r) for r in chunk]
        with mm.session() as session:
            for e, key in profiles.register(mm.unit_of_work(session, SYSTEM), mm, drafts):
                assert e.id is not None and e.external_id is not None
                ids[e.external_id] = e.id
                meta.keys[e.id] = key
                (meta.buyers if e.role.value == "buyer" else meta.sellers).append(e.id)
                meta.supply_items += len(e.product_lines) if e.role.value != "buyer" else 0
    for part in _batches(data.needs, TRADE_BATCH):
        needs = [NeedCreate.model_validate(_resolve(r, "buyer", ids)) for r in part]
        meta.open_needs += _open_ids(mm, Need, needs)
    for part in _batches(data.offers, TRADE_BATCH):
        offers = [OfferCreate.model_validate(_resolve(r, "supplier", ids)) for r in part]
        meta.supply_items += len(_open_ids(mm, Offer, offers))
    mm.engine.dispose()
    meta.enterprises, meta.needs, meta.offers = len(ids), len(data.needs), len(data.offers)
    meta.distinct_texts, meta.embed_s = counting.texts, round(counting.seconds, 1)
    meta.build_s = round(time.perf_counter() - wall, 1)
    meta.build_cpu_s = round(time.process_time() - cpu, 1)
    return meta


def ensure(
    name: str,
    make: Callable[[], DemoData],
    embedder: Embedder,
    cache: Path,
    *,
    log: Callable[[str], None] = print,
) -> Catalog:
    """The cached catalogue `name` (built with `make()` if absent) for this embedder's model."""
    model = hashlib.sha256(embedder.identity.encode()).hexdigest()[:10]
    home = cache / f"{name}-g{scale_generator.GENERATOR_VERSION}-{model}"
    if (home / META_FILE).exists():
        migrate(f"sqlite:///{home / DB_FILE}")  # built by an older schema: upgrade it in place
        return Catalog(home / DB_FILE, Meta.read(home / META_FILE), cached=True)
    partial = home.with_name(home.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    url = f"sqlite:///{partial / DB_FILE}"
    migrate(url)
    log(f"building catalogue {name} in {home} ...")
    meta = load(url, make(), embedder, name)
    (partial / META_FILE).write_text(json.dumps(asdict(meta)))
    shutil.rmtree(home, ignore_errors=True)
    partial.rename(home)
    return Catalog(home / DB_FILE, meta, cached=False)
