"""Limits checked before routing, so a refused request costs no parsing, database or model work:
sizes (the query string: 414, the body: 413) and rates (429 with Retry-After).

Sizes: a body announced as too large (Content-Length) is refused without reading a byte of it;
a body sent without a length is counted as it arrives and refused at the first byte over.

Rates: token buckets per API key and per client address on every write (POST, PUT, PATCH,
DELETE) and on the free-text searches. A bucket holds a minute's worth of requests and refills
continuously, so a client may burst up to its per-minute limit and then goes at the sustained
rate. A request with a key spends a token from its key's bucket and from its address's; the
organizer's key is never limited. The buckets live in this process's memory: with several worker
processes each keeps its own, so a client spread over N workers gets up to N times the limit
(put a shared limit in front, e.g. the reverse proxy's, where that matters). Behind a proxy, let
uvicorn take the client's address from X-Forwarded-For (`--proxy-headers
--forwarded-allow-ips`), or every client shares the proxy's address.
"""

import hashlib
import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Literal

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_name
from service.config import Settings
from service.errors import TooManyRequests
from service.usecases.access import is_admin_key


class ContentTooLarge(HTTPException):
    """Raised from `receive`: FastAPI passes HTTPExceptions from body reading through to the
    error handler, so a streamed body over the limit gets the same 413 as an announced one."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"body: at most {limit} bytes per request")


class RequestLimits:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_query_bytes: int) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_query = max_query_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            await _refuse_size(send, 414, f"query string: at most {self.max_query} bytes")
            return
        announced = dict(scope["headers"]).get(b"content-length", b"")
        if announced.isdigit() and int(announced) > self.max_body:
            await _refuse_size(send, 413, f"body: at most {self.max_body} bytes per request")
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise ContentTooLarge(self.max_body)
            return message

        await self.app(scope, counted, send)


async def _refuse_size(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"error": error_name(status), "detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


Limited = Literal["write", "search"]
SEARCHES = frozenset({"/search/suppliers", "/hs/suggest"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def limited(method: str, path: str) -> Limited | None:
    """Which limit a request falls under, if any (the OpenAPI document uses the same rule)."""
    if method in WRITES:
        return "write"
    if method == "GET" and path in SEARCHES:
        return "search"
    return None


class TokenBuckets:
    """One bucket per name, of `per_minute` tokens refilled at `per_minute` a minute; beyond
    `max_buckets` the least recently used are forgotten (a forgotten bucket comes back full)."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_buckets: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_buckets = max_buckets
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when

    def wait(self, name: str) -> float:
        """Seconds until `name` may spend a token (0: now)."""
        if self.capacity == 0:
            return 0.0
        tokens = self._tokens(name)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def spend(self, name: str) -> None:
        if self.capacity:
            self._buckets[name] = (self._tokens(name) - 1, self.clock())
            self._buckets.move_to_end(name)
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)

    def _tokens(self, name: str) -> float:
        tokens, when = self._buckets.get(name, (self.capacity, self.clock()))
        return min(self.capacity, tokens + (self.clock() - when) * self.rate)


class RateLimitMiddleware:
    """Pure ASGI, before routing: a refused request costs no database or model work. Buckets
    are touched only on the event loop's thread, so they need no lock."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.admin_key = settings.admin_key.get_secret_value() if settings.admin_key else None
        self.buckets: dict[tuple[Limited, str], TokenBuckets] = {
            ("write", "key"): TokenBuckets(settings.writes_per_minute_per_key),
            ("write", "address"): TokenBuckets(settings.writes_per_minute_per_address),
            ("search", "key"): TokenBuckets(settings.searches_per_minute_per_key),
            ("search", "address"): TokenBuckets(settings.searches_per_minute_per_address),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = limited(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if kind is not None:
            wait = self._admit(kind, scope)
            if wait > 0:
                await _refuse(kind, wait, send)
                return
        await self.app(scope, receive, send)

    def _admit(self, kind: Limited, scope: Scope) -> float:
        """0 and a token spent from each bucket, or the seconds to wait (nothing spent)."""
        key = dict(scope["headers"]).get(b"x-api-key", b"").decode("latin-1")
        if key and is_admin_key(key, self.admin_key):
            return 0.0
        client = scope.get("client")
        names = [("address", client[0] if client else "-")]
        if key:  # a hash: the buckets never hold a key
            names.append(("key", hashlib.sha256(key.encode()).hexdigest()))
        wait = max(self.buckets[kind, by].wait(name) for by, name in names)
        if wait == 0:
            for by, name in names:
                self.buckets[kind, by].spend(name)
        return wait


async def _refuse(kind: Limited, wait: float, send: Send) -> None:
    seconds = max(1, math.ceil(wait))
    what = "writes" if kind == "write" else "searches"
    error = TooManyRequests(f"too many {what}; retry after {seconds} s")
    body = json.dumps({"error": error_name(error.status_code), "detail": error.detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(seconds).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}  # service.api.errors.document adds it


def document_limits(app: FastAPI) -> None:
    """Add the 429 answer to every limited operation of the OpenAPI document (after
    `service.api.errors.document`, whose error shape it names)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path, operations in schema["paths"].items():
                for method, operation in operations.items():
                    if limited(method.upper(), path):
                        operation.setdefault("responses", {})["429"] = {
                            "description": "Too many requests: retry after Retry-After seconds",
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                            "content": {"application/json": {"schema": ERROR_BODY}},
                        }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
