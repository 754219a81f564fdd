"""Recommendations: the ranker's matches turned into explained, public partner lists."""

from pydantic import BaseModel, Field
from sqlmodel import Session

from service.entities import Enterprise, EnterprisePublic, Need, Offer, Status
from service.errors import BadRequest, NotFound
from service.matching.embedder import FloatArray
from service.matching.explain import reason
from service.matching.items import Kind, Side, fold
from service.matching.ranking import Match, Query
from service.matching.requirements import Requirements
from service.matchmaker import Matchmaker
from service.store import enterprises


class MatchedOn(BaseModel):
    kind: str = Field(description="product, offer, need, wants, profile or seeks")
    label: str
    ref_id: int | None = Field(description="product line, need or offer id")
    hs_code: str | None
    query: str = Field(description="the text on the asking side that it matched")


class RequirementCheck(BaseModel):
    requirement: str
    met: bool
    hard: bool
    detail: str


class Recommendation(BaseModel):
    partner: EnterprisePublic
    score: float = Field(ge=0, le=1)
    reason: str
    matched: MatchedOn
    requirements: list[RequirementCheck]
    components: dict[str, float]


class RecommendationList(BaseModel):
    query: str
    items: list[Recommendation]


def _render(
    session: Session, mm: Matchmaker, query: str, matches: list[Match]
) -> RecommendationList:
    rows = enterprises.by_ids(session, [m.enterprise_id for m in matches])  # one query for all
    items = []
    for m in matches:
        partner, facts = rows.get(m.enterprise_id), mm.catalog.facts.get(m.enterprise_id)
        if partner is None or facts is None:  # deleted while we ranked
            continue
        it = m.evidence.partner_item
        items.append(
            Recommendation(
                partner=EnterprisePublic.model_validate(partner, from_attributes=True),
                score=round(m.score, 4),
                reason=reason(m, facts),
                matched=MatchedOn(
                    kind=it.kind.value,
                    label=it.label,
                    ref_id=it.ref_id or None,
                    hs_code=it.hs_code,
                    query=m.evidence.query_label,
                ),
                requirements=[
                    RequirementCheck(requirement=c.name, met=c.ok, hard=c.hard, detail=c.detail)
                    for c in m.checks
                ],
                components=m.components,
            )
        )
    return RecommendationList(query=query, items=items)


def _trade_query(mm: Matchmaker, row: Need | Offer) -> Query:
    kind = Kind.need if isinstance(row, Need) else Kind.offer
    assert row.id is not None
    if row.status is not Status.open:
        raise BadRequest(f"{kind.value} {row.id} is closed; reopen it to get recommendations")
    with mm.catalog.reading():  # the item and its vector from one state of the catalog
        item = mm.catalog.find(kind, row.id)
        if item is None:
            raise NotFound(f"{kind.value} {row.id} is not indexed yet")
        vector = mm.catalog.vector(item)
    return _query(mm, vector, item.text, item.label, item.hs_code)


def _query(mm: Matchmaker, vector: FloatArray, text: str, label: str, hs_code: str | None) -> Query:
    """A query; without a declared HS code, a confident suggestion earns the HS-heading credit."""
    if hs_code or mm.hs is None:
        return Query(vector, text, label, hs_code)
    suggested = mm.hs.confident_heading(text, vector)
    return Query(vector, text, label, suggested, hs_suggested=suggested is not None)


def for_need(
    session: Session, mm: Matchmaker, need: Need, *, limit: int, strict: bool
) -> RecommendationList:
    """Suppliers for a buyer's need; its required certifications filter unless strict=False."""
    req = Requirements(
        certifications=fold(need.required_certifications),
        quantity=need.quantity,
        unit=need.unit,
        strict=strict,
    )
    matches = mm.ranker.rank(
        [_trade_query(mm, need)], Side.supply, req, exclude=need.buyer_id, limit=limit
    )
    return _render(session, mm, need.title, matches)


def for_offer(session: Session, mm: Matchmaker, offer: Offer, *, limit: int) -> RecommendationList:
    """Buyers whose needs or wants fit a supplier's offer."""
    query = _trade_query(mm, offer)
    matches = mm.ranker.rank(
        [query], Side.demand, Requirements(), exclude=offer.supplier_id, limit=limit
    )
    return _render(session, mm, offer.title, matches)


def for_enterprise(
    session: Session, mm: Matchmaker, e: Enterprise, *, limit: int
) -> RecommendationList:
    """Partners in both directions: suppliers for a buyer, buyers for a supplier, both for both."""
    assert e.id is not None
    return _render(session, mm, e.name, mm.ranker.reciprocal(e.id, limit=limit))


def search_suppliers(
    session: Session, mm: Matchmaker, text: str, req: Requirements, *, limit: int
) -> RecommendationList:
    """Free-text supplier search with hard filters: the retailer's 'find suppliers for X'."""
    vector = mm.query_encoder.encode([text])[0]
    query = _query(mm, vector, text, text, None)
    matches = mm.ranker.rank([query], Side.supply, req, limit=limit)
    return _render(session, mm, text, matches)
