"""Retailers and buyers: find export-quality suppliers, read a supplier's page, HS hints."""

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from service.api.deps import MatchmakerDep, RuntimeDep, SessionDep
from service.entities import (
    Enterprise,
    EnterprisePrivate,
    EnterpriseRole,
    Label,
    Need,
    Offer,
    Status,
)
from service.fairs.tables import Event, Participant
from service.fairs.usecases import events
from service.matching.items import fold
from service.matching.requirements import Requirements
from service.usecases import hs as hs_usecase
from service.usecases import profiles, recommend, shortlists, trades
from service.web.core import PageRoute, Visitor, VisitorDep, render
from service.web.fair_people import meetable
from service.web.forms import FormErrors, split_labels, validated

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 10
MAX_PAGES = 10  # the ranker returns at most 100 suppliers, as the JSON search does
HS_HINTS = 3
COMPANY_TRADES = 20


class SupplierSearch(BaseModel):
    """The search form: the same limits as GET /search/suppliers."""

    q: str = Field(min_length=2, max_length=500)
    certification: list[Label] = Field(default_factory=list, max_length=10)
    market: str = Field(default="", max_length=80)
    region: str = Field(default="", max_length=80)
    hs: str = Field(default="", pattern=r"^(\d{2}(\d{2}){0,2})?$")
    min_capacity: float | None = Field(default=None, ge=0)
    has_exported: bool = False
    verified: bool = False
    page: int = Field(default=1, ge=1, le=MAX_PAGES)

    def requirements(self) -> Requirements:
        return Requirements(
            certifications=fold(self.certification),
            export_market=self.market,
            region=self.region,
            hs_prefix=self.hs,
            min_capacity=self.min_capacity,
            has_exported=self.has_exported,
            verified=self.verified,
        )


FILTERS = ("certification", "market", "region", "hs", "min_capacity", "has_exported", "verified")


def _url(raw: dict[str, object], **change: object) -> str:
    """This search's address with some fields changed (None drops one)."""
    params = {**raw, **change}
    if isinstance(certs := params.get("certification"), list):
        params["certification"] = ", ".join(certs)
    return "/find?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _shown(value: object) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def _form(request: Request) -> dict[str, object]:
    """The query string as the form's fields (lists split, an HS code's dots dropped)."""
    params = request.query_params
    raw: dict[str, object] = {k: params.get(k, "").strip() for k in SupplierSearch.model_fields}
    raw["certification"] = split_labels(params.get("certification", ""))
    raw["hs"] = str(raw["hs"]).replace(".", "").replace(" ", "")
    for name in ("min_capacity", "page", "has_exported", "verified"):
        if raw[name] == "":
            del raw[name]
    return raw


@router.get("/find")
def find_suppliers(
    request: Request, v: VisitorDep, session: SessionDep, mm: MatchmakerDep
) -> Response:
    """Suppliers for a free-text need, filtered on facts, ranked and explained; paged."""
    raw = _form(request)
    context: dict[str, Any] = {"form": raw, "errors": {}, "result": None}
    if "q" in request.query_params:
        try:
            search = validated(SupplierSearch, raw)
        except FormErrors as exc:
            context["errors"] = exc.errors
        else:
            shown = search.page * PAGE_SIZE
            result = recommend.search_suppliers(
                session, mm, search.q, search.requirements(), limit=shown
            )
            context.update(
                result=result,
                items=result.items[shown - PAGE_SIZE : shown],
                first=shown - PAGE_SIZE + 1,
                page=search.page,
                prev_url=_url(raw, page=search.page - 1) if search.page > 1 else None,
                next_url=_url(raw, page=search.page + 1)
                if len(result.items) == shown and search.page < MAX_PAGES
                else None,
                relax=[
                    (f, _shown(raw[f]), _url(raw, page=None, **{f: None}))
                    for f in FILTERS
                    if raw.get(f)
                ],
                saved=shortlists.saved_ids(session, v.who),
                meet=meetable(session, v),
            )
    status = 422 if context["errors"] else 200
    return render(v, "_results.html" if v.htmx else "find.html", status, **context)


@router.get("/companies/{enterprise_id}")
def show_company(enterprise_id: int, v: VisitorDep, session: SessionDep) -> Response:
    """A company's page: product lines, track record, open offers and needs; contact details
    only for itself and the organizer, as in the API."""
    e = profiles.get_enterprise(session, enterprise_id)
    profile = profiles.show(e, v.who)
    offers: list[Offer] = []
    needs: list[Need] = []
    if e.role is not EnterpriseRole.buyer:
        offers, _ = trades.list_page(
            session,
            Offer,
            owner_id=e.id,
            status=Status.open,
            sort="-created_at",
            offset=0,
            limit=COMPANY_TRADES,
        )
    if e.role is not EnterpriseRole.supplier:
        needs, _ = trades.list_page(
            session,
            Need,
            owner_id=e.id,
            status=Status.open,
            sort="-created_at",
            offset=0,
            limit=COMPANY_TRADES,
        )
    return render(
        v,
        "company.html",
        profile=profile,
        contacts=profile if isinstance(profile, EnterprisePrivate) else None,
        saved=shortlists.saved_ids(session, v.who),
        meet=_chances(session, v, e),
        offers=offers,
        needs=needs,
    )


def _chances(
    session: Session, v: Visitor, e: Enterprise
) -> list[tuple[Event, Participant, Participant]]:
    """The coming fairs where the visitor's company may ask this one for a meeting."""
    if v.me is None or v.me.id is None or e.id is None:
        return []
    return events.meeting_chances(session, v.me.id).get(e.id, [])


@router.get("/hs-suggest")
def suggest_hs(
    v: VisitorDep,
    runtime: RuntimeDep,
    text: Annotated[str, Query(max_length=1000)] = "",
    target: Annotated[str, Query(pattern=r"^[a-z0-9-]{1,40}$")] = "hs",
    level: Literal["heading", "subheading"] = "heading",
) -> Response:
    """HS codes for what is being typed, explained, each with a button that fills the field."""
    items = []
    if runtime.hs is not None and len(text.strip()) >= 2:  # HS suggestions may be switched off
        items = hs_usecase.suggest(runtime.hs, text.strip(), level=level, limit=HS_HINTS).items
    return render(v, "_hs_suggestions.html", items=items, target=target)
