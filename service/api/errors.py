"""One error shape for every client error: {"error", "detail"}, plus "errors" (the fields of an
invalid request) or "rows" (a refused bulk write). FastAPI's own 422 and Starlette's 404/405
take the same shape. Messages never echo what was sent: input may be unprintable (a lone
surrogate, NaN) or large. And the OpenAPI document lists, per route, every 4xx it can answer.
"""

from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from service.errors import InvalidRows, ServiceError
from service.text import printable

F = TypeVar("F", bound=Callable[..., Any])
_LOCATIONS = ("body", "query", "path", "header", "cookie")
_NAMES = {413: "ContentTooLarge", 414: "URITooLong"}  # the phrases Python 3.11 does not know
_MESSAGE = 300  # characters of one field's message


class FieldError(BaseModel):
    field: str
    detail: str


class RowError(BaseModel):
    row: int
    field: str
    detail: str


class ErrorBody(BaseModel):
    """Every 4xx answer."""

    error: str
    detail: str
    errors: list[FieldError] | None = None
    rows: list[RowError] | None = None


def error_name(status: int) -> str:
    return _NAMES.get(status) or HTTPStatus(status).phrase.replace(" ", "").replace("-", "")


def _field(loc: tuple[int | str, ...]) -> str:
    path = loc[1:] if loc and loc[0] in _LOCATIONS else loc
    return ".".join(str(p) for p in path) or str(loc[0] if loc else "body")


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "json_invalid":
        return f"not valid JSON ({error.get('ctx', {}).get('error', 'decode error')})"
    text = str(error["msg"]).removeprefix("Value error, ")
    return printable(text if len(text) <= _MESSAGE else text[:_MESSAGE] + "…")


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Each invalid field with pydantic's message, without the `input` it was given."""
    out = []
    for e in exc.errors():
        loc = ("body",) if e["type"] == "json_invalid" else tuple(e["loc"])
        out.append({"field": _field(loc), "detail": _message(e)})
    return out


def install(app: FastAPI) -> None:
    """Register the handlers that give every client error the one shape."""

    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        body: dict[str, object] = {"error": type(exc).__name__, "detail": printable(exc.detail)}
        if isinstance(exc, InvalidRows):
            body["rows"] = exc.errors
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        shown = "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        body = {"error": "Invalid", "detail": shown + more, "errors": errors}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # the service raises its own errors; FastAPI and Starlette answer 400 only when they
            # cannot read a body (not UTF-8, a number too long to parse, broken multipart data)
            why = f"not readable ({printable(str(exc.detail))})"
            errors = [{"field": "body", "detail": why}]
            return JSONResponse(
                {"error": "Invalid", "detail": f"body: {why}", "errors": errors}, status_code=422
            )
        body = {"error": error_name(exc.status_code), "detail": printable(str(exc.detail))}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


# --- the OpenAPI side ----------------------------------------------------------------------

_MEANING = {
    400: "The request is valid but cannot be done in the current state.",
    401: "No X-API-Key where one is needed, or an unknown one.",
    403: "This key may not do this.",
    404: "No such row.",
    409: "Conflicts with what is stored (or with a write that happened meanwhile).",
    413: "The body is over the configured size (MATCHFAIR_MAX_BODY_BYTES).",
    414: "The query string is over the configured size (MATCHFAIR_MAX_QUERY_BYTES).",
    422: "Invalid request; `errors` (or `rows`) names each field.",
    503: "The feature is off in this deployment.",
}


def raises(*codes: int) -> Callable[[F], F]:
    """Declare the 4xx a dependency can answer; `document` lists them on every route using it."""

    def mark(func: F) -> F:
        func.__dict__["raises"] = codes
        return func

    return mark


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: error codes its use-case answers, in the one error shape."""
    return {code: {"model": ErrorBody, "description": _MEANING[code]} for code in codes}


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def route_codes(route: APIRoute, method: str) -> set[int]:
    """The 4xx that a route's shape implies: 414 always, 413 with a body, 422 with any input,
    404 with an id in the path, 409 for a write (a race lost at the commit), and what its
    dependencies declare (`raises`: 401, 403, 503)."""
    parts = list(_dependants(route.dependant))
    codes = {414}
    if route.body_field is not None:
        codes |= {413, 422}
    if any(d.path_params or d.query_params or d.header_params for d in parts):
        codes.add(422)
    if any(d.path_params for d in parts):
        codes.add(404)
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        codes.add(409)
    for d in parts:
        codes |= set(getattr(d.call, "raises", ()))
    return codes


def document(app: FastAPI) -> None:
    """Make the app's OpenAPI document list, on every operation, each 4xx it can answer (see
    `route_codes`, plus the routes' own `responses=`), all in the one error shape."""
    generate = app.openapi
    done: set[int] = set()

    def openapi() -> dict[str, Any]:
        schema = generate()
        if id(schema) not in done:  # generated anew (FastAPI caches it until routes change)
            _add_errors(app, schema)
            done.add(id(schema))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_errors(app: FastAPI, schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    shape = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(shape.pop("$defs", {}))
    components["ErrorBody"] = shape
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            responses = schema["paths"][context.path_format][method.lower()]["responses"]
            for code in route_codes(route, method):
                responses[str(code)] = {"description": _MEANING[code], "content": content}
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, replaced above
        components.pop(unused, None)
