"""Enterprises: register (the key shown once), sign in with the key, the dashboard, the
profile with its product lines."""

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.datastructures import FormData

from service.api.deps import MatchmakerDep, SessionDep, SettingsDep, UnitOfWorkDep
from service.entities import (
    EnterpriseBase,
    EnterpriseContact,
    EnterpriseCreate,
    EnterprisePrivate,
    EnterpriseRole,
    EnterpriseUpdate,
    Need,
    Offer,
    ProductLineBase,
)
from service.errors import Unauthorized
from service.usecases import access, profiles, recommend, shortlists, trades
from service.web import core
from service.web.core import FormDep, PageRoute, VisitorDep, local_path, redirect, render
from service.web.deps import Member
from service.web.fair_people import meetable
from service.web.forms import FormErrors, fields_of, texts, validated

router = APIRouter(route_class=PageRoute, include_in_schema=False)

NextPath = Annotated[str, Query(max_length=500)]
DASHBOARD_PARTNERS = 5
MAX_LINES = 50  # as EnterpriseCreate allows


def _profile_fields(form: FormData) -> dict[str, object]:
    return fields_of(form, EnterpriseBase) | fields_of(form, EnterpriseContact)


def _product_lines(form: FormData) -> list[dict[str, object]]:
    """One row per filled product line (a blank row is the 'add one' slot, not a line)."""
    names, codes = texts(form, "line_name"), texts(form, "line_hs_code")
    notes = texts(form, "line_description")
    rows: list[dict[str, object]] = []
    for name, code, note in zip(names, codes, notes, strict=False):
        if name or code or note:
            rows.append({"name": name, "hs_code": code or None, "description": note})
    return rows[: MAX_LINES + 1]  # one too many still reaches the schema, which names the limit


@router.get("/register")
def register_form(v: VisitorDep) -> Response:
    """A new enterprise: who it is and how partners reach it."""
    return render(v, "register.html", form={}, errors={})


@router.post("/register")
def register(v: VisitorDep, form: FormDep, uow: UnitOfWorkDep, mm: MatchmakerDep) -> Response:
    """Register, sign in at once, and show the API key this one time."""
    data = _profile_fields(form)
    try:
        created = validated(EnterpriseCreate, data)
    except FormErrors as exc:
        return render(v, "register.html", 422, form=data, errors=exc.errors)
    e, key = profiles.register(uow, mm, [created])[0]
    signed_in = replace(v, who=access.Principal(enterprise_id=e.id), me=e)
    page = render(signed_in, "registered.html", private=True, enterprise=e, key=key)
    return core.sign_in(page, v, key)


@router.get("/sign-in")
def sign_in_form(v: VisitorDep, next: NextPath = "/me") -> Response:
    """Sign in with the API key that registration showed."""
    return render(v, "sign_in.html", next=local_path(next, "/me"), error=False)


@router.post("/sign-in")
def sign_in(v: VisitorDep, form: FormDep, session: SessionDep, settings: SettingsDep) -> Response:
    """The key is checked as the API checks it, then kept in an HttpOnly cookie only."""
    key = str(form.get("api_key") or "").strip()[:200]
    admin = settings.admin_key.get_secret_value() if settings.admin_key else None
    to = local_path(str(form.get("next") or ""), "/me")
    try:
        who = access.identify(session, key, admin) if key else None
    except Unauthorized:
        who = None
    if who is None:
        return render(v, "sign_in.html", 401, next=to, error=True)
    if who.admin and not to.startswith("/fairs"):  # the organizer's pages are the fairs
        to = "/fairs"
    return core.sign_in(redirect(v, to), v, key)


@router.post("/sign-out")
def sign_out(v: VisitorDep, form: FormDep) -> Response:
    """Forget the key in this browser."""
    return core.sign_out(redirect(v, "/"))


@router.get("/me")
def dashboard(v: Member, session: SessionDep, mm: MatchmakerDep) -> Response:
    """The signed-in enterprise: its needs and offers, shortlist and recommended partners."""
    me = v.enterprise()
    assert me.id is not None
    needs, _ = trades.list_page(
        session, Need, owner_id=me.id, status=None, sort="-created_at", offset=0, limit=100
    )
    offers, _ = trades.list_page(
        session, Offer, owner_id=me.id, status=None, sort="-created_at", offset=0, limit=100
    )
    return render(
        v,
        "dashboard.html",
        needs=needs if me.role is not EnterpriseRole.supplier else None,
        offers=offers if me.role is not EnterpriseRole.buyer else None,
        shortlist=shortlists.show(session, me.id).items,
        partners=recommend.for_enterprise(session, mm, me, limit=DASHBOARD_PARTNERS).items,
        saved=shortlists.saved_ids(session, v.who),
        meet=meetable(session, v),
    )


@router.get("/me/profile")
def profile_form(v: Member) -> Response:
    """The profile and product lines, with HS suggestions as a line's name is typed."""
    me = v.enterprise()
    profile = EnterprisePrivate.model_validate(me, from_attributes=True)
    lines = [line.model_dump() for line in profile.product_lines]
    return render(
        v,
        "profile.html",
        form=profile.model_dump(),
        lines=[*lines, _blank_line()],
        errors={},
        private=True,
    )


def _blank_line() -> dict[str, object]:
    return dict.fromkeys(ProductLineBase.model_fields, "")


@router.post("/me/profile")
def update_profile(v: Member, form: FormDep, uow: UnitOfWorkDep, mm: MatchmakerDep) -> Response:
    """Save the profile; 'add a product line' shows one more empty row instead."""
    me = v.enterprise()
    data = _profile_fields(form)
    lines = _product_lines(form)
    if "add_line" in form:
        return render(
            v, "profile.html", form=data, lines=[*lines, _blank_line()], errors={}, private=True
        )
    try:
        change = validated(EnterpriseUpdate, {**data, "product_lines": lines})
    except FormErrors as exc:
        return render(
            v,
            "profile.html",
            422,
            form=data,
            lines=[*lines, _blank_line()],
            errors=exc.errors,
            private=True,
        )
    profiles.update(uow, mm, me, change)
    return redirect(v, "/me?saved=profile")
