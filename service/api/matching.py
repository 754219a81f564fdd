"""Partner recommendations for an enterprise and free-text supplier search."""

from typing import Annotated

from annotated_types import MaxLen
from fastapi import APIRouter, Query, Response

from service.api.answers import as_json
from service.api.deps import EnterpriseDep, MatchmakerDep, SessionDep
from service.matching.items import fold
from service.matching.requirements import Requirements
from service.text import CleanText
from service.usecases import recommend

router = APIRouter(tags=["recommendations"])


@router.get(
    "/enterprises/{enterprise_id}/recommendations", response_model=recommend.RecommendationList
)
def recommend_partners(
    e: EnterpriseDep,
    session: SessionDep,
    mm: MatchmakerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Response:
    """Partners fitting in both directions: suppliers for a buyer, buyers for a supplier."""
    return as_json(recommend.for_enterprise(session, mm, e, limit=limit))


@router.get("/search/suppliers", response_model=recommend.RecommendationList)
def search_suppliers(
    session: SessionDep,
    mm: MatchmakerDep,
    q: Annotated[
        CleanText, Query(min_length=2, max_length=500, description="What you want to buy")
    ],
    certification: Annotated[
        list[Annotated[CleanText, MaxLen(80)]],
        Query(max_length=10, description="Required, repeatable"),
    ] = [],  # noqa: B006
    market: Annotated[CleanText, Query(max_length=80, description="Supplier exports there")] = "",
    region: Annotated[
        CleanText, Query(max_length=80, description="City, province or country")
    ] = "",
    hs: Annotated[
        str, Query(pattern=r"^\d{2}(\d{2}){0,2}$", description="HS chapter, heading or subheading")
    ] = "",
    min_capacity: Annotated[float | None, Query(ge=0, le=1e12, allow_inf_nan=False)] = None,
    has_exported: Annotated[bool, Query(description="Supplier has an export record")] = False,
    verified: Annotated[bool, Query(description="Supplier verified by the organizer")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Response:
    """Suppliers for a free-text product need, filtered on facts, ranked and explained."""
    req = Requirements(
        certifications=fold(certification),
        export_market=market,
        region=region,
        hs_prefix=hs,
        min_capacity=min_capacity,
        has_exported=has_exported,
        verified=verified,
    )
    return as_json(recommend.search_suppliers(session, mm, q, req, limit=limit))
