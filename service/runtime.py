"""The composition root: builds the embedder, the matchmaker and the HS suggester from settings.

The app's lifespan, the CLI and the benchmarks all start the service through here, so they run
the same matching pipeline.
"""

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from service.config import DATA_DIR, MODELS_DIR, Settings
from service.db import check_schema, make_engine
from service.jobs import JobRunner
from service.matching.embedder import Embedder, Embedders, load_embedder, with_multilingual
from service.matching.examples import Example
from service.matching.hs import HsSuggester, build_suggester
from service.matching.onnx_encoder import OnnxEmbedder
from service.matching.trust import examples_of
from service.matchmaker import Matchmaker
from service.store import confirmations

log = logging.getLogger("matchfair.sync")


@dataclass
class Runtime:
    """What a running service holds for its whole life."""

    settings: Settings
    matchmaker: Matchmaker
    hs: HsSuggester | None
    jobs: JobRunner
    _stop: threading.Event = field(default_factory=threading.Event)
    _syncing: threading.Thread | None = None

    def start_sync(self) -> None:
        """Apply other processes' writes every `settings.sync_interval` seconds (0: never)."""
        interval = self.settings.sync_interval
        if interval <= 0 or self._syncing is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.matchmaker.sync()
                except Exception:  # a failed poll must not end the loop: the next one retries
                    log.exception("applying other processes' writes failed")

        self._syncing = threading.Thread(target=loop, name="matchfair-sync", daemon=True)
        self._syncing.start()

    def close(self) -> None:
        self._stop.set()
        if self._syncing is not None:
            self._syncing.join()
        self.jobs.shutdown()
        self.matchmaker.engine.dispose()


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder. The default runs the model folder as int8 ONNX, exported once
    into `settings.cache_dir` (at the first start; later starts load the cached file); bulk
    encodes use every core, a single query one."""
    if settings.embedder == "onnx-int8":
        return OnnxEmbedder(
            settings.resolved_model_path(), settings.cache_dir, threads=os.cpu_count() or 1
        )
    return load_embedder(
        settings.resolved_model_path(),
        backend=settings.embedder,
        batch_size=settings.embed_batch_size,
    )


def build_matchmaker(
    settings: Settings, embedder: Embedder | Embedders | None = None, *, load: bool = True
) -> Matchmaker:
    """Open the database (its schema must be at head), load the models and fill the catalog.
    A single `embedder` is the primary model; the multilingual one joins it per settings."""
    engine = make_engine(settings.database_url, busy_timeout=settings.sqlite_busy_timeout)
    check_schema(engine)
    embedders = embedder if isinstance(embedder, Embedders) else build_embedders(settings, embedder)
    mm = Matchmaker(engine, embedders, query_cache_size=settings.query_cache_size)
    if load:
        mm.load()
    return mm


def build_embedders(settings: Settings, primary: Embedder | None = None) -> Embedders:
    """The primary model (`primary` when given) and the multilingual one beside it, unless
    `settings.multilingual` is off."""
    return with_multilingual(primary or build_embedder(settings), settings.multilingual)


def build_suggester_for(
    settings: Settings, embedders: Embedders, confirmed: Sequence[Example] = ()
) -> HsSuggester:
    """The shipped nomenclature (English and Chinese), examples and (default models') vectors,
    plus `confirmed`; other models' vectors are cached in `settings.cache_dir`."""
    return build_suggester(
        DATA_DIR,
        embedders.primary,
        confirmed,
        cache_dir=settings.cache_dir,
        shipped_vectors=MODELS_DIR / "hs-vectors",
        multilingual=embedders.multilingual,
    )


def build_hs_suggester(settings: Settings, mm: Matchmaker) -> HsSuggester:
    """The suggester of a serving process: shipped data plus every confirmation stored in the
    database, weighted by who confirmed it (service/matching/trust.py)."""
    with Session(mm.engine) as session:
        confirmed = examples_of(confirmations.every(session))
    return build_suggester_for(settings, mm.embedders, confirmed)


def build_runtime(
    settings: Settings,
    *,
    embedder: Embedder | Embedders | None = None,
    suggester: HsSuggester | None = None,
) -> Runtime:
    """Everything a serving process needs. `embedder` and `suggester` let tests (and `serve
    --demo`) share what is already loaded."""
    mm = build_matchmaker(settings, embedder, load=False)
    hs = suggester
    if hs is None and settings.hs_suggestions:
        hs = build_hs_suggester(settings, mm)
    mm.hs = hs  # before loading: items re-embedded at load get their heading estimates
    mm.load()
    return Runtime(
        settings, mm, hs, JobRunner(mm.engine, heartbeat_s=settings.job_heartbeat_seconds)
    )
