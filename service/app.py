"""create_app(settings) -> FastAPI. Nothing happens at import time; the lifespan does the work."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from service import web
from service.api import admin, enterprises, fairs, hs, matching, shortlists, trades
from service.config import DATA_DIR, MODELS_DIR, Settings
from service.db import check_schema, make_engine
from service.errors import InvalidRows, ServiceError
from service.jobs import JobRunner, JobStatus
from service.matching.embedder import Embedder, load_embedder
from service.matching.hs import HsSuggester
from service.matchmaker import Matchmaker
from service.usecases.fair_matching import learn_accepted_matches
from service.usecases.hs import load_hs_suggester


def build_matchmaker(
    settings: Settings, embedder: Embedder | None = None, *, load: bool = True
) -> Matchmaker:
    """Open the database (its schema must be at head), load the model and fill the catalog."""
    engine = make_engine(settings.database_url)
    check_schema(engine)
    if embedder is None:
        embedder = load_embedder(
            settings.resolved_model_path(),
            backend=settings.embedder,
            batch_size=settings.embed_batch_size,
        )
    mm = Matchmaker(engine, embedder, query_cache_size=settings.query_cache_size)
    if load:
        mm.load()
    return mm


def build_hs_suggester(settings: Settings, mm: Matchmaker) -> HsSuggester:
    """The HS suggester: shipped nomenclature, examples and (default model) vectors, plus the
    confirmations stored in the database."""
    return load_hs_suggester(
        mm.engine, mm.embedder, DATA_DIR, settings.cache_dir, MODELS_DIR / "hs-vectors"
    )


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    suggester: HsSuggester | None = None,
) -> FastAPI:
    """The API. `embedder` and `suggester` let tests share one loaded model and HS suggester."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        mm = app.state.matchmaker = build_matchmaker(settings, embedder)
        with Session(mm.engine) as session:
            learn_accepted_matches(session, mm)
        hs = suggester
        if hs is None and settings.hs_suggestions:
            hs = build_hs_suggester(settings, mm)
        mm.hs = app.state.hs = hs
        app.state.jobs = JobRunner()
        yield
        app.state.jobs.shutdown()
        app.state.matchmaker.engine.dispose()

    app = FastAPI(
        title="Matchfair",
        summary="Supply-demand matchmaking for trade fairs: ranked, explained partners.",
        version="0.1.0",
        lifespan=lifespan,
    )

    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        body: dict[str, object] = {"error": type(exc).__name__, "detail": exc.detail}
        if isinstance(exc, InvalidRows):
            body["rows"] = exc.errors
        return JSONResponse(body, status_code=exc.status_code)

    @app.get("/health", tags=["health"])
    def health(request: Request) -> dict[str, object]:
        """Liveness plus what is loaded: the model and how many items are searchable."""
        mm: Matchmaker = request.app.state.matchmaker
        return {
            "status": "ok",
            "model": mm.embedder.identity,
            "items": len(mm.catalog.items),
            "enterprises": len(mm.catalog.facts),
        }

    @app.get("/jobs/{job_id}", tags=["jobs"])
    def read_job(job_id: str, request: Request) -> JobStatus:
        """A long job's state and progress (done of total), and its result when done."""
        jobs: JobRunner = request.app.state.jobs
        return jobs.status(job_id)

    app.include_router(enterprises.router)
    app.include_router(trades.router)
    app.include_router(matching.router)
    app.include_router(fairs.router)
    app.include_router(hs.router)
    app.include_router(admin.router)
    app.include_router(shortlists.router)
    app.include_router(web.router)
    app.mount("/static", web.static_files(), name="static")
    return app
