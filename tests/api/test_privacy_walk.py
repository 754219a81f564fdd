"""Privacy audit: walk every GET route of the app, found from its routes (so a new route, an API
route or a web page, is audited without touching this file), as an anonymous caller, as another
enterprise and as a fair participant whose meeting request was declined. No answer may carry
another enterprise's contact details, nor anything shaped like an e-mail address or phone
number that is not the caller's own: JSON, CSV, XLSX (unzipped), PDF (its text), iCalendar and
HTML alike. The same walk sends every write route a request without a key and one with a
foreign key: each is refused.

Every caller sends its key both ways, as the `X-API-Key` header of the JSON API and as the web
app's session cookie, so the pages are walked as the same callers. A route with a path
parameter the seed has no value for fails the walk until `path_values` has one.
"""

import html
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pypdf
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response  # what this Starlette's TestClient answers with
from starlette.routing import BaseRoute

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from tests.conftest import ADMIN_KEY, copy_database
from tests.fairs.conftest import wait_for
from tests.seed import COMPANIES, Fair, contact

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")  # a version "x@0.2.1" is none
PHONE = re.compile(r"\+\d{1,3}[ \d-]{6,}\d")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC_WRITES = {("POST", "/enterprises")}  # registration
# any key may confirm an HS code (weighted by trust), and keeps a shortlist of its own
ANY_KEY_WRITES = {
    ("POST", "/hs/confirmations"),
    ("PUT", "/shortlist/{supplier_id}"),
    ("DELETE", "/shortlist/{supplier_id}"),
}
# pages: signing in and out and registering are public; these act on the caller's own account
PUBLIC_PAGES = {"/register", "/sign-in", "/sign-out"}
OWN_PAGES = {"/me/profile", "/me/{kinds}/new", "/me/shortlist/{supplier_id}"}
ENTERPRISE_ONLY = {"/shortlist"}  # the organizer keeps no shortlist: 403 for it
CSRF = "walk-csrf-token"  # the page forms' double-submit token, cookie and field alike


@dataclass(frozen=True)
class Caller:
    name: str
    own: str | None  # the company it speaks for: its own details may appear
    headers: dict[str, str] = field(default_factory=dict)


def signed_in(key: str, csrf: str = "") -> dict[str, str]:
    """A key as the API's header and as the web app's session cookie (with a CSRF cookie)."""
    cookies = f"mf_key={key}" + (f"; mf_csrf={csrf}" if csrf else "")
    return {"X-API-Key": key, "Cookie": cookies}


def is_page(route: BaseRoute) -> bool:
    """A web page (HTML, outside the OpenAPI document), not a JSON route."""
    return isinstance(route, APIRoute) and not route.include_in_schema


@dataclass(frozen=True)
class Endpoint:
    path: str  # as served, router prefixes included
    methods: frozenset[str]
    route: BaseRoute  # as declared: its parameters


def endpoints(client: TestClient, methods: set[str]) -> list[Endpoint]:
    """Every route of the app (API routes, pages, docs) answering one of `methods`."""
    found = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        served = frozenset(getattr(route, "methods", None) or ()) & methods
        if served and context.path_format:
            found.append(Endpoint(context.path_format, served, route))
    assert found
    return found


@pytest.fixture(scope="module")
def walk(
    fair_database: tuple[Path, Fair], tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[TestClient, Fair]]:
    source, fair = fair_database
    url = copy_database(source, tmp_path_factory.mktemp("walk") / "walk.db")
    settings = Settings(database_url=url, admin_key=ADMIN_KEY)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        admin = {"X-API-Key": ADMIN_KEY}
        job = client.post(f"/events/{fair.event}/match-lists", headers=admin).json()
        wait_for(client, job)  # jobs live in the process: one of this app's own
        yield client, replace(fair, job=job["id"])


def path_values(fair: Fair) -> dict[str, list[str]]:
    """Real ids for every path parameter; the first of each belongs to another enterprise than
    the outsider `x` (the target of the write walk)."""
    values: dict[str, list[int] | list[str]] = {
        **fair.path_ids(),
        # the web app's own path parameters
        "kinds": ["needs", "offers"],
        "row_id": [fair.need, fair.offer],
        "supplier_id": [fair.enterprises["s1"]],
        "table": [1],
        "code": ["zh", "en"],
    }
    return {name: [str(v) for v in vs] for name, vs in values.items()} | {"job_id": [fair.job]}


def _params(route: BaseRoute, kind: str) -> list[Any]:
    """The route's parameters of one kind ("path_params", "query_params"), dependencies too."""
    if not isinstance(route, APIRoute):
        return []
    found, todo = [], [route.dependant]
    while todo:
        dependant = todo.pop()
        found += getattr(dependant, kind)
        todo += dependant.dependencies
    return found


def _literal(route: BaseRoute, name: str) -> list[str]:
    """The values of a path parameter typed as a Literal (e.g. a file format), else []."""
    for param in _params(route, "path_params"):
        if param.name == name and get_origin(param.field_info.annotation) is Literal:
            return [str(v) for v in get_args(param.field_info.annotation)]
    return []


def _query(route: BaseRoute) -> dict[str, str]:
    """A value for every required query parameter (free text or a number)."""
    required = [p for p in _params(route, "query_params") if p.field_info.is_required()]
    return {
        p.alias: "1" if p.field_info.annotation is int else "hotpot seasoning" for p in required
    }


def urls(endpoint: Endpoint, fair: Fair) -> list[str]:
    known = path_values(fair)
    names = re.findall(r"{(\w+)(?::\w+)?}", endpoint.path)
    choices = []
    for name in names:
        options = _literal(endpoint.route, name) or known.get(name)
        assert options, f"{endpoint.path}: no value for {{{name}}}; add it to path_values"
        choices.append(options)
    out = []
    for combo in itertools.product(*choices):
        url = endpoint.path
        for name, value in zip(names, combo, strict=True):
            url = re.sub(rf"{{{name}(?::\w+)?}}", value, url)
        out.append(url)
    return out


def readable(reply: Response) -> str:
    """An answer's text, whatever its format."""
    kind, body = reply.headers.get("content-type", ""), reply.content
    if body[:4] == b"PK\x03\x04":  # XLSX: every part of the zip
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if body[:5] == b"%PDF-":
        pages = pypdf.PdfReader(io.BytesIO(body)).pages
        return "\n".join(page.extract_text() for page in pages)
    text = body.decode("utf-8", "replace")
    if "calendar" in kind:  # unfold lines, undo escapes
        text = re.sub(r"\r?\n[ \t]", "", text).replace("\\,", ",").replace("\\;", ";")
    return html.unescape(text)


def leaks(text: str, caller: Caller) -> list[str]:
    """Other enterprises' contact values, and any e-mail or phone not the caller's own."""
    own = set(contact(caller.own).values()) if caller.own else set()
    others = {v for name in COMPANIES if name != caller.own for v in contact(name).values()}
    found = [v for v in others if v in text]
    found += [m for m in EMAIL.findall(text) + PHONE.findall(text) if m not in own]
    return found


def callers(fair: Fair) -> list[Caller]:
    return [
        Caller("anonymous", None),
        Caller("another enterprise", "x", signed_in(fair.keys["x"])),
        Caller("participant not accepted", "s2", signed_in(fair.keys["s2"])),
    ]


def test_no_get_route_shows_another_enterprises_contact_details(
    walk: tuple[TestClient, Fair],
) -> None:
    client, fair = walk
    walked: dict[str, set[int]] = {}
    for endpoint in endpoints(client, {"GET"}):
        for url in urls(endpoint, fair):
            params = _query(endpoint.route)
            for who in callers(fair):
                reply = client.get(url, params=params, headers=who.headers)
                assert reply.status_code < 500, (url, who.name, reply.text)
                assert not leaks(readable(reply), who), (url, who.name, leaks(readable(reply), who))
                walked.setdefault(endpoint.path, set()).add(reply.status_code)
            organizer = client.get(url, params=params, headers=signed_in(ADMIN_KEY))
            # the walk reaches it (the organizer has no company pages of its own)
            own_only = is_page(endpoint.route) or endpoint.path in ENTERPRISE_ONLY
            reached = (200, 403) if own_only else (200,)
            assert organizer.status_code in reached, (url, organizer.text)
    assert len(walked) == len(endpoints(client, {"GET"}))
    public = [path for path, codes in walked.items() if 200 in codes]
    assert len(public) >= 15, public  # not a walk of refusals


def test_the_detector_sees_contact_details_in_every_format(walk: tuple[TestClient, Fair]) -> None:
    """Positive controls: where contact details are allowed, the same scan finds them."""
    client, fair = walk
    organizer = Caller("organizer", None, {"X-API-Key": ADMIN_KEY})
    event, s1 = fair.event, fair.participants["s1"]
    partner = contact("b1")["contact_email"]  # b1 accepted s1's request
    for url, who in (
        (f"/events/{event}/participants.xlsx", organizer),
        (f"/events/{event}/participants.csv", organizer),
        (f"/events/{event}/participants/{s1}/agenda.pdf", Caller("s1", "s1", fair.key("s1"))),
        (f"/events/{event}/participants/{s1}/agenda.ics", Caller("s1", "s1", fair.key("s1"))),
        (f"/events/{event}/participants/{s1}/agenda.html", Caller("s1", "s1", fair.key("s1"))),
        (f"/events/{event}/participants/{s1}/contacts", Caller("s1", "s1", fair.key("s1"))),
    ):
        text = readable(client.get(url, headers=who.headers))
        assert partner in text and partner in leaks(text, who), url


def _body(method: str, path: str, fair: Fair) -> dict[str, Any]:
    """A valid body where the ownership check reads the body (who is the buyer, the sender)."""
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/needs"): {"buyer_id": fair.enterprises["b1"], "title": "Tea"},
        ("POST", "/offers"): {"supplier_id": fair.enterprises["s1"], "title": "Tea"},
        ("POST", "/events/{event_id}/requests"): {
            "from_id": fair.participants["s1"],
            "to_id": fair.participants["b2"],
        },
    }
    return bodies.get((method, path), {})


def test_every_write_route_refuses_an_anonymous_caller_and_a_foreign_key(
    walk: tuple[TestClient, Fair],
) -> None:
    client, fair = walk
    outsider = fair.key("x")
    walked = 0
    for endpoint in endpoints(client, WRITES):
        url = urls(endpoint, fair)[0]
        if is_page(endpoint.route):
            walked += _page_write_refused(client, fair, endpoint.path, url)
            continue
        for method in sorted(endpoint.methods):
            key = (method, endpoint.path)
            body = _body(method, endpoint.path, fair)
            anonymous = client.request(method, url, json=body)
            foreign = client.request(method, url, json=body, headers=outsider)
            if key in PUBLIC_WRITES:
                continue
            assert anonymous.status_code == 401, (key, anonymous.text)
            if key not in ANY_KEY_WRITES:
                why = "give the route a valid body in _body" if foreign.status_code == 422 else ""
                assert foreign.status_code == 403, (key, foreign.text, why)
            walked += 1
    assert walked >= 20


def _page_write_refused(client: TestClient, fair: Fair, path: str, url: str) -> int:
    """A page's form, posted with a valid CSRF token: an anonymous visitor is sent to sign in,
    an outsider's key is refused (403) unless the form acts on the caller's own account."""
    if path in PUBLIC_PAGES:
        return 0
    form = {"csrf_token": CSRF}
    anonymous = client.post(url, data=form, headers={"Cookie": f"mf_csrf={CSRF}"})
    assert anonymous.url.path == "/sign-in" or anonymous.status_code == 401, (path, anonymous)
    if path in OWN_PAGES:
        return 1
    foreign = client.post(url, data=form, headers=signed_in(fair.keys["x"], CSRF))
    assert foreign.status_code == 403, (path, foreign.status_code, foreign.text[:300])
    return 1
