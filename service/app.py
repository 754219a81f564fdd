"""create_app(settings) -> FastAPI. Nothing happens at import time; the lifespan does the work."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service import web
from service.api import admin, enterprises, hs, matching, shortlists, trades
from service.api.deps import JobsDep, RuntimeDep
from service.config import Settings
from service.errors import InvalidRows, ServiceError
from service.fairs import api as fairs
from service.fairs.usecases.requests import learn_accepted_matches
from service.jobs import JobStatus
from service.logs import RequestIdMiddleware
from service.matching.embedder import Embedder, Embedders
from service.matching.hs import HsSuggester
from service.matching.requirements import Requirements
from service.runtime import build_runtime
from service.usecases.recommend import search_suppliers

WARM_UP_QUERY = "warm-up: export-grade green tea in 25 kg bags"


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
            # the first real request should not pay for first-call set-up (model, indexes)
            search_suppliers(session, mm, WARM_UP_QUERY, Requirements(), limit=1)
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
    app.add_middleware(RequestIdMiddleware)

    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        body: dict[str, object] = {"error": type(exc).__name__, "detail": exc.detail}
        if isinstance(exc, InvalidRows):
            body["rows"] = exc.errors
        return JSONResponse(body, status_code=exc.status_code)

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
    def read_job(job_id: str, jobs: JobsDep) -> JobStatus:
        """A long job's state and progress (done of total), and its result when done."""
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
