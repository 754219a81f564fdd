"""What every page shares: who is visiting (cookie session, language), CSRF, rendering,
and HTML error pages in place of the API's JSON errors."""

import hmac
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from service.api.deps import MatchmakerDep, SessionDep, SettingsDep
from service.config import Settings
from service.entities import Enterprise
from service.errors import Forbidden, ServiceError, Unauthorized
from service.runtime import Runtime
from service.store.unit_of_work import UnitOfWork
from service.usecases import access, profiles
from service.web.i18n import LOCALES, choose, environment

KEY_COOKIE = "mf_key"  # the API key: HttpOnly, SameSite, never in a URL
CSRF_COOKIE = "mf_csrf"
LANG_COOKIE = "mf_lang"
CSRF_FIELD = "csrf_token"
SECURITY_HEADERS = {
    # everything from this origin only: no inline script, no CDN, no framing
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Vary": "Accept-Language, Cookie, HX-Request",
}


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is looking at a page, in which language, and the page's CSRF token."""

    lang: str
    who: access.Principal
    me: Enterprise | None  # the signed-in enterprise
    csrf: str
    path: str  # where the language switch and sign-in return to
    htmx: bool  # an htmx request: answer with the fragment, not the whole page
    new_csrf: bool = False
    stale_key: bool = False  # the cookie held a key that no longer works
    secure: bool = False

    @property
    def signed_in(self) -> bool:
        return self.who.admin or self.me is not None

    def enterprise(self) -> Enterprise:
        """The signed-in enterprise; pages that need one take `Member` (deps.py), which sends
        everyone else to sign in first."""
        if self.me is None:
            raise Unauthorized("sign in with your company's key")
        return self.me


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only (no scheme, no other host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def visitor_of(request: Request, session: Session, settings: Settings) -> Visitor:
    admin = settings.admin_key.get_secret_value() if settings.admin_key else None
    key = request.cookies.get(KEY_COOKIE)
    stale = False
    try:
        who = access.identify(session, key, admin)
    except Unauthorized:  # a rotated key or a deleted enterprise: signed out
        who, stale = access.Principal(), True
    me = profiles.get_enterprise(session, who.enterprise_id) if who.enterprise_id else None
    csrf = request.cookies.get(CSRF_COOKIE) or ""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Visitor(
        lang=choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")),
        who=who,
        me=me,
        csrf=csrf or secrets.token_urlsafe(24),
        path=path,
        htmx=request.headers.get("hx-request") == "true"
        and request.headers.get("hx-boosted") != "true",
        new_csrf=not csrf,
        stale_key=stale,
        secure=request.url.scheme == "https",
    )


def get_visitor(request: Request, session: SessionDep, settings: SettingsDep) -> Visitor:
    return visitor_of(request, session, settings)


VisitorDep = Annotated[Visitor, Depends(get_visitor)]


async def get_page_unit_of_work(
    session: SessionDep, mm: MatchmakerDep, v: VisitorDep
) -> UnitOfWork:
    """A page's writes, recorded in the audit trail against the signed-in visitor (the API's
    `UnitOfWorkDep` reads the key from a header, which pages do not send)."""
    return mm.unit_of_work(session, v.who.actor)


PageUnitOfWork = Annotated[UnitOfWork, Depends(get_page_unit_of_work)]


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the visitor's cookie (double submit)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token") or ""
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not (isinstance(sent, str) and cookie and hmac.compare_digest(sent, cookie)):
        raise Forbidden("the form's security token is missing or out of date; reload the page")
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def finish(response: Response, visitor: Visitor, *, private: bool = False) -> Response:
    """Cookies and headers every page answer carries."""
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store" if private else "private, no-cache"
    if visitor.new_csrf:
        response.set_cookie(
            CSRF_COOKIE, visitor.csrf, httponly=True, samesite="strict", secure=visitor.secure
        )
    if visitor.stale_key:
        response.delete_cookie(KEY_COOKIE)
    return response


def render(
    visitor: Visitor, template: str, status_code: int = 200, *, private: bool = False, **ctx: Any
) -> Response:
    """A template in the visitor's language; autoescaped, with the CSRF token at hand."""
    html = environment(visitor.lang).get_template(template).render(v=visitor, **ctx)
    return finish(HTMLResponse(html, status_code), visitor, private=private)


def redirect(visitor: Visitor, to: str) -> Response:
    """After a successful POST: see the result with GET (303), or tell htmx where to go."""
    if visitor.htmx:
        response: Response = Response(status_code=204, headers={"HX-Location": to})
    else:
        response = RedirectResponse(to, status_code=303)
    return finish(response, visitor)


def sign_in(response: Response, visitor: Visitor, key: str) -> Response:
    response.set_cookie(KEY_COOKIE, key, httponly=True, samesite="lax", secure=visitor.secure)
    return response


def sign_out(response: Response) -> Response:
    response.delete_cookie(KEY_COOKIE)
    return response


def set_language(response: Response, visitor: Visitor, code: str) -> Response:
    if code in LOCALES:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=visitor.secure
        )
    return response


def _error_page(request: Request, status: int, detail: str) -> Response:
    runtime: Runtime = request.app.state.runtime
    with runtime.matchmaker.session() as session:
        visitor = visitor_of(request, session, runtime.settings)
    if status == 401:  # e.g. a session that ran out mid-way: sign in again, then come back
        return _to_sign_in(visitor)
    if visitor.htmx:  # the error replaces the page's content, not the fragment it asked for
        page = render(visitor, "_error.html", status, status=status, detail=detail)
        page.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
        return page
    return render(visitor, "error.html", status, status=status, detail=detail)


def _to_sign_in(visitor: Visitor) -> Response:
    to = "/sign-in?" + urlencode({"next": visitor.path}) if visitor.path != "/" else "/sign-in"
    return redirect(visitor, to)


class PageRoute(APIRoute):
    """Errors on a page render as a page in the visitor's language, not as API JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except ServiceError as exc:
                return await run_in_threadpool(_error_page, request, exc.status_code, exc.detail)
            except RequestValidationError as exc:
                fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) for e in exc.errors())
                return await run_in_threadpool(_error_page, request, 422, fields)

        return page
