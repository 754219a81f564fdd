"""create_app(settings) -> FastAPI. Nothing happens at import time; the lifespan does the work."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Path

from service import web
from service.api import admin, audit, enterprises, errors, hs, matching, shortlists, trades
from service.api.deps import JobsDep, RuntimeDep
from service.api.limits import RateLimitMiddleware, RequestLimits, document_limits
from service.config import Settings
from service.fairs import api as fairs
from service.fairs.usecases.requests import learn_accepted_matches
from service.jobs import JobStatus
from service.logs import RequestIdMiddleware
from service.matching.embedder import Embedder, Embedders
from service.matching.hs import HsSuggester
from service.runtime import build_runtime
from service.usecases.recommend import warm_up


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | Embedders | None = None,
    suggester: HsSuggester | None = None,
) -> FastAPI:
    """The API. `embedder` and `suggester` let tests share loaded models and HS suggester."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime(settings, embedder=embedder, suggester=suggester)
        mm = runtime.matchmaker
        with mm.session() as session:
            learn_accepted_matches(session, mm)
            warm_up(session, mm)
        runtime.start_sync()
        app.state.runtime = runtime
        yield
        runtime.close()

    app = FastAPI(
        title="Matchfair",
        summary="Supply-demand matchmaking for trade fairs: ranked, explained partners.",
        version="0.1.0",
        lifespan=lifespan,
    )
    if settings.rate_limits:
        app.add_middleware(RateLimitMiddleware, settings=settings)
    app.add_middleware(
        RequestLimits,
        max_body_bytes=settings.max_body_bytes,
        max_query_bytes=settings.max_query_bytes,
    )
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer carries the request id
    errors.install(app)

    @app.get("/health", tags=["health"])
    def health(runtime: RuntimeDep) -> dict[str, object]:
        """Liveness plus what is loaded: the model and how many items are searchable."""
        mm = runtime.matchmaker
        return {
            "status": "ok",
            "model": mm.embedder.identity,
            "multilingual_model": mm.models[1],
            "items": len(mm.catalog.items),
            "enterprises": len(mm.catalog.facts),
        }

    @app.get("/jobs/{job_id}", tags=["jobs"])
    def read_job(job_id: Annotated[str, Path(max_length=64)], jobs: JobsDep) -> JobStatus:
        """A long job's state and progress (done of total), and its result when done."""
        return jobs.status(job_id)

    app.include_router(enterprises.router)
    app.include_router(trades.router)
    app.include_router(matching.router)
    app.include_router(fairs.router)
    app.include_router(hs.router)
    app.include_router(admin.router)
    app.include_router(audit.router)
    app.include_router(shortlists.router)
    app.include_router(web.router)
    app.mount("/static", web.static_files(), name="static")
    errors.document(app)
    if settings.rate_limits:
        document_limits(app)
    return app
