"""The composition root: builds the embedder, the matchmaker and the HS suggester from settings.

The app's lifespan, the CLI and the benchmarks all start the service through here, so they run
the same matching pipeline.
"""

import logging
import os
import threading
from dataclasses import dataclass, field

from sqlmodel import Session

from service.config import DATA_DIR, MODELS_DIR, Settings
from service.db import check_schema, make_engine
from service.jobs import JobRunner
from service.matching.embedder import Embedder, load_embedder
from service.matching.examples import Example
from service.matching.hs import HsSuggester, build_suggester
from service.matching.onnx_encoder import OnnxEmbedder
from service.matchmaker import Matchmaker
from service.store import confirmations

log = logging.getLogger("matchfair.sync")


@dataclass
class Runtime:
    """What a running service holds for its whole life."""

    settings: Settings
    matchmaker: Matchmaker
    hs: HsSuggester | None
    jobs: JobRunner = field(default_factory=JobRunner)
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
    settings: Settings, embedder: Embedder | None = None, *, load: bool = True
) -> Matchmaker:
    """Open the database (its schema must be at head), load the model and fill the catalog."""
    engine = make_engine(settings.database_url)
    check_schema(engine)
    mm = Matchmaker(
        engine, embedder or build_embedder(settings), query_cache_size=settings.query_cache_size
    )
    if load:
        mm.load()
    return mm


def build_hs_suggester(settings: Settings, mm: Matchmaker) -> HsSuggester:
    """The shipped nomenclature, examples and (default model) vectors, plus every confirmation
    stored in the database; other models' vectors are cached in `settings.cache_dir`."""
    with Session(mm.engine) as session:
        confirmed = [Example(row.text, row.code) for row in confirmations.every(session)]
    return build_suggester(
        DATA_DIR,
        mm.embedder,
        confirmed,
        cache_dir=settings.cache_dir,
        shipped_vectors=MODELS_DIR / "hs-vectors",
    )


def build_runtime(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    suggester: HsSuggester | None = None,
) -> Runtime:
    """Everything a serving process needs. `embedder` and `suggester` let tests (and `serve
    --demo`) share what is already loaded."""
    mm = build_matchmaker(settings, embedder)
    hs = suggester
    if hs is None and settings.hs_suggestions:
        hs = build_hs_suggester(settings, mm)
    mm.hs = hs
    return Runtime(settings, mm, hs)
