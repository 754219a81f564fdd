"""create_app(settings) -> FastAPI. Nothing happens at import time; the lifespan does the work."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import FastAPI, Path
from starlette.types import Message

from service import web
from service.api import admin, audit, enterprises, errors, hs, matching, shortlists, trades
from service.api.deps import JobsDep, RuntimeDep
from service.api.limits import RateLimitMiddleware, RequestLimits, document_limits
from service.config import Settings
from service.entities import Need, Status
from service.fairs import api as fairs
from service.fairs.usecases.requests import learn_accepted_matches
from service.jobs import JobStatus
from service.logs import RequestIdMiddleware
from service.matching.embedder import Embedder, Embedders
from service.matching.hs import HsSuggester
from service.runtime import build_runtime
from service.usecases.trades import list_page

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
        if settings.request_threads:
            to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        mm = runtime.matchmaker
        with mm.session() as session:
            learn_accepted_matches(session, mm)
            mm.cards.fill(session)
            needs, _ = list_page(
                session, Need, owner_id=None, status=Status.open, sort="id", offset=0, limit=1
            )
        app.state.runtime = runtime
        await _warm_up(app, needs)
        # What start-up built lives as long as the app: a full collection no longer walks it
        # (at 100k supply items ~760k objects, ~0.55 s per pass, paid by whichever request
        # triggered it)
        gc.collect()
        gc.freeze()
        runtime.start_sync()
        yield
        runtime.close()
        gc.unfreeze()  # collectable again once the app is gone (tests start many)

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


async def _warm_up(app: FastAPI, needs: list[Need]) -> None:
    """Each recommendation route once through the whole app (middleware, dependencies, the
    models, SQL, serialisation), so the first real request does not pay for first-call set-up
    (measured: 129 ms for a first need recommendation after a warm-up that called only the
    use-case, 16 ms for the next)."""
    asks = [("/search/suppliers", urlencode({"q": WARM_UP_QUERY}))]
    for need in needs:
        asks += [
            (f"/needs/{need.id}/recommendations", ""),
            (f"/enterprises/{need.buyer_id}/recommendations", ""),
        ]

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    for path, query in asks:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"warm-up")],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
        }
        await app(scope, receive, send)
