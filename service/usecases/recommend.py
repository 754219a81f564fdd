"""Recommendations: the ranker's matches turned into explained, public partner lists."""

from collections.abc import Callable

from pydantic import BaseModel, Field
from sqlmodel import Session

from service.entities import Enterprise, EnterprisePublic, Need, Offer, Status
from service.errors import BadRequest, NotFound
from service.matching.candidates import Query
from service.matching.explain import reason
from service.matching.items import Kind, Side, fold
from service.matching.language import Language
from service.matching.ranking import Match, Ranking
from service.matching.requirements import Requirements
from service.matchmaker import Matchmaker


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
    weak: bool = Field(
        default=False, description="neither a shared HS heading nor the text backs it much"
    )
    reason: str
    matched: MatchedOn
    requirements: list[RequirementCheck]
    components: dict[str, float]


class FilterReport(BaseModel):
    """What the hard filters removed: partners per failed filter (one partner may fail
    several), and a sentence saying it when few or none are left."""

    removed: dict[str, int] = Field(default_factory=dict)
    note: str = Field(
        default="",
        description="when the answer is empty or thin (fewer items than asked) and filters "
        "removed partners: which requirement removed how many candidates",
    )


class RecommendationList(BaseModel):
    query: str
    language: Language | None = Field(default=None, description="detected, for a free text")
    items: list[Recommendation]
    filters: FilterReport = Field(default_factory=FilterReport)
    closest: list[Recommendation] = Field(
        default_factory=list,
        description="when the answer is empty or thin and filters removed partners: the best "
        "of those, closest first; their failed hard requirements say what each one misses",
    )


def _report(ranking: Ranking, short: bool) -> FilterReport:
    removed = dict(sorted(ranking.removed.items()))
    if not short:
        return FilterReport(removed=removed)
    said = ", ".join(f"{name} removed {_count(n, 'candidate')}" for name, n in removed.items())
    kept = len(ranking.matches)
    passed = f"Only {_count(kept, 'partner')}" if kept else "No partner"
    return FilterReport(removed=removed, note=f"{passed} passed the filters: {said}.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _render(
    session: Session,
    mm: Matchmaker,
    query: str,
    ranking: Ranking,
    limit: int,
    language: Language | None = None,
) -> RecommendationList:
    """The ranking explained; an empty or thin one (fewer than `limit`) that filters made so
    also says which filter removed how many, and offers the closest partners they removed."""
    short = len(ranking.matches) < limit and bool(ranking.removed)
    closest = ranking.closest if short else []
    cards = mm.cards.by_ids(session, [m.enterprise_id for m in [*ranking.matches, *closest]])
    return RecommendationList(
        query=query,
        language=language,
        items=_recommendations(mm, cards, ranking.matches),
        filters=_report(ranking, short),
        closest=_recommendations(mm, cards, closest),
    )


def _recommendations(
    mm: Matchmaker, cards: dict[int, EnterprisePublic], matches: list[Match]
) -> list[Recommendation]:
    items = []
    for m in matches:
        partner, facts = cards.get(m.enterprise_id), mm.catalog.facts.get(m.enterprise_id)
        if partner is None or facts is None:  # deleted while we ranked
            continue
        it = m.evidence.partner_item
        items.append(
            Recommendation(
                partner=partner,
                score=round(m.score, 4),
                weak=m.weak,
                reason=reason(m, facts, _describe(mm)),
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
    return items


def _describe(mm: Matchmaker) -> Callable[[str], str] | None:
    """Names an HS heading in explanations (None without the nomenclature)."""
    return None if mm.hs is None else mm.hs.nomenclature.describe


def _trade_query(mm: Matchmaker, row: Need | Offer) -> Query:
    """The query of a stored need or offer: its vectors and heading estimate were made when it
    was written (the same steps as a free text's, `pipeline.text_query`), so none is redone."""
    kind = Kind.need if isinstance(row, Need) else Kind.offer
    assert row.id is not None
    if row.status is not Status.open:
        raise BadRequest(f"{kind.value} {row.id} is closed; reopen it to get recommendations")
    with mm.catalog.reading():  # the item and its vectors from one state of the catalog
        item = mm.catalog.find(kind, row.id)
        if item is None:
            raise NotFound(f"{kind.value} {row.id} is not indexed yet")
        return mm.ranker.item_query(item)


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
    ranking = mm.ranker.search(
        [_trade_query(mm, need)], Side.supply, req, exclude=need.buyer_id, limit=limit
    )
    return _render(session, mm, need.title, ranking, limit)


def for_offer(session: Session, mm: Matchmaker, offer: Offer, *, limit: int) -> RecommendationList:
    """Buyers whose needs or wants fit a supplier's offer."""
    query = _trade_query(mm, offer)
    matches = mm.ranker.rank(
        [query], Side.demand, Requirements(), exclude=offer.supplier_id, limit=limit
    )
    return _render(session, mm, offer.title, Ranking(matches), limit)


def for_enterprise(
    session: Session, mm: Matchmaker, e: Enterprise, *, limit: int
) -> RecommendationList:
    """Partners in both directions: suppliers for a buyer, buyers for a supplier, both for both."""
    assert e.id is not None
    return _render(session, mm, e.name, Ranking(mm.ranker.reciprocal(e.id, limit=limit)), limit)


def search_suppliers(
    session: Session, mm: Matchmaker, text: str, req: Requirements, *, limit: int
) -> RecommendationList:
    """Free-text supplier search with hard filters: the retailer's 'find suppliers for X'."""
    query = mm.text_query(text, Side.supply)
    ranking = mm.ranker.search([query], Side.supply, req, limit=limit)
    return _render(session, mm, text, ranking, limit, query.language)
