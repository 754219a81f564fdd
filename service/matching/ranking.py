"""Ranking: dense + lexical candidates, fused per item, grouped per partner, filtered, boosted.

Scores are in [0, 1]. Every component is kept on the result, so explanations can show them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from service.matching.catalog import Catalog
from service.matching.embedder import FloatArray
from service.matching.index import top_k
from service.matching.items import Facts, Item, Kind, Side, fold
from service.matching.requirements import Check, Requirements, check, passes


@dataclass(frozen=True, slots=True)
class Weights:
    """Every tunable number of the ranking, in one place."""

    dense: float = 0.7  # cosine of sentence embeddings, clipped to [0, 1]
    lexical: float = 0.3  # TF-IDF words + characters cosine
    hs_heading: float = 0.08  # bonus when both sides carry the same 4-digit HS heading
    candidates: int = 200  # top-N from each of dense and lexical, before grouping
    export_record: float = 0.05  # boost at >= 10 years of exporting, linear below
    verified: float = 0.03
    soft_miss: float = 0.15  # score factor lost per unmet soft requirement
    min_score: float = 0.2  # results below this are noise (e.g. laptops for a hotpot need)


@dataclass(frozen=True, slots=True)
class MatchedItem:
    """Which of the partner's items met which query text, and how strongly."""

    partner_item: Item
    query_label: str
    dense: float
    lexical: float
    hs_shared: str  # the shared 4-digit heading, or ""
    fused: float


@dataclass(frozen=True, slots=True)
class Match:
    enterprise_id: int
    score: float
    evidence: MatchedItem
    checks: tuple[Check, ...]
    components: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Query:
    """A text that looks for partners: its vector, its words, its label and HS code."""

    vector: FloatArray
    text: str
    label: str
    hs_code: str | None = None


def _heading(code: str | None) -> str:
    return code[:4] if code and len(code) >= 4 else ""


class Ranker:
    def __init__(self, catalog: Catalog, weights: Weights | None = None) -> None:
        self.catalog = catalog
        self.weights = weights or Weights()

    def item_scores(self, query: Query, side: Side) -> list[MatchedItem]:
        """Fused scores of the best candidate items on one side, best first."""
        w = self.weights
        c = self.catalog
        with c.reading():
            keys, dense = c.dense[side].scores(query.vector)
            if len(keys) == 0:
                return []
            lex_keys, lex = c.lexical[side].scores(query.text)
            lexical = dict(zip(lex_keys.tolist(), lex.tolist(), strict=True))
            dense_of = dict(zip(keys.tolist(), dense.tolist(), strict=True))
            lex_arr = np.array([lexical.get(k, 0.0) for k in keys.tolist()], np.float32)
            chosen = {h.key for h in top_k(keys, dense, w.candidates)}
            chosen |= {h.key for h in top_k(keys, lex_arr, w.candidates)}
            heading = _heading(query.hs_code)
            out = []
            for key in chosen:
                item = c.items[key]
                d, lx = max(dense_of[key], 0.0), lexical.get(key, 0.0)
                shared = heading if heading and _heading(item.hs_code) == heading else ""
                fused = w.dense * d + w.lexical * lx + (w.hs_heading if shared else 0.0)
                out.append(MatchedItem(item, query.label, d, lx, shared, min(fused, 1.0)))
        out.sort(key=lambda m: (-m.fused, m.partner_item.key))
        return out

    def best_per_partner(
        self, queries: Iterable[Query], side: Side, *, exclude: int | None = None
    ) -> dict[int, MatchedItem]:
        """For each partner, its single best item against any of the queries."""
        best: dict[int, MatchedItem] = {}
        for query in queries:
            for m in self.item_scores(query, side):
                owner = m.partner_item.enterprise_id
                if owner != exclude and (owner not in best or m.fused > best[owner].fused):
                    best[owner] = m
        return best

    def boost(self, facts: Facts) -> float:
        w = self.weights
        record = w.export_record * min(facts.years_exporting, 10) / 10
        return record + (w.verified if facts.verified else 0.0)

    def rank(
        self,
        queries: list[Query],
        side: Side,
        requirements: Requirements,
        *,
        exclude: int | None = None,
        limit: int = 10,
    ) -> list[Match]:
        """Partners whose items on `side` best fit the queries, filtered and boosted, best first.

        score = clip(best fused item score) x (1 + boosts) x (1 - soft_miss x unmet soft checks)
        """
        w = self.weights
        matches = []
        for owner, evidence in self.best_per_partner(queries, side, exclude=exclude).items():
            facts = self.catalog.facts.get(owner)
            if facts is None:
                continue
            checks = check(requirements, facts, self.catalog.hs_codes(owner))
            if not passes(checks):
                continue
            missed = sum(1 for c in checks if not c.ok and not c.hard)
            boost = self.boost(facts)
            score = evidence.fused * (1 + boost) * max(0.0, 1 - w.soft_miss * missed)
            components = {
                "dense": round(evidence.dense, 4),
                "lexical": round(evidence.lexical, 4),
                "hs_heading": w.hs_heading if evidence.hs_shared else 0.0,
                "boost": round(boost, 4),
            }
            matches.append(
                Match(owner, min(score, 1.0), evidence, tuple(checks), components)
            )
        return _best(matches, w.min_score, limit)

    def queries_of(self, enterprise_id: int, kinds: Iterable[Kind]) -> list[Query]:
        return [
            Query(self.catalog.vector(i), i.text, i.label, i.hs_code)
            for i in self.catalog.owned(enterprise_id, kinds)
        ]

    def reciprocal(self, enterprise_id: int, *, limit: int = 10) -> list[Match]:
        """Partners for an enterprise, scored in both directions so one-sided matches sink.

        forward  f = how well the supplier's products fit the buyer's needs and wants
                     (best fused item score, as in `rank`);
        backward b = how well the buyer fits whom the supplier serves: the mean of market fit
                     (1 if the supplier exports to the buyer's country or both are in one
                     country, 0.2 otherwise, 0.5 when the supplier lists no markets) and, when
                     the supplier describes the partners it seeks, the cosine of that text with
                     the buyer's profile;
        score      = harmonic mean 2fb / (f + b), x (1 + boosts of the partner).
        """
        me = self.catalog.facts.get(enterprise_id)
        if me is None:
            return []
        pairs: dict[int, tuple[MatchedItem, float, float]] = {}
        if me.buys:  # suppliers for my needs
            mine = self.queries_of(enterprise_id, (Kind.need, Kind.wants))
            for owner, ev in self.best_per_partner(mine, Side.supply, exclude=enterprise_id).items():
                pairs[owner] = (ev, ev.fused, self._buyer_fit(owner, enterprise_id))
        if me.sells:  # buyers for my products
            mine = self.queries_of(enterprise_id, (Kind.product, Kind.offer))
            for owner, ev in self.best_per_partner(mine, Side.demand, exclude=enterprise_id).items():
                both = (ev, ev.fused, self._buyer_fit(enterprise_id, owner))
                if owner not in pairs or _harmonic(*both[1:]) > _harmonic(*pairs[owner][1:]):
                    pairs[owner] = both
        matches = []
        for owner, (ev, forward, backward) in pairs.items():
            facts = self.catalog.facts.get(owner)
            if facts is None:
                continue
            boost = self.boost(facts)
            score = min(_harmonic(forward, backward) * (1 + boost), 1.0)
            components = {
                "forward": round(forward, 4),
                "backward": round(backward, 4),
                "dense": round(ev.dense, 4),
                "lexical": round(ev.lexical, 4),
                "boost": round(boost, 4),
            }
            matches.append(Match(owner, score, ev, (), components))
        return _best(matches, w.min_score, limit)

    def _buyer_fit(self, supplier_id: int, buyer_id: int) -> float:
        """How well a buyer fits the markets and partners a supplier serves, in [0, 1]."""
        supplier, buyer = self.catalog.facts[supplier_id], self.catalog.facts[buyer_id]
        if not supplier.export_markets:
            market = 0.5
        elif fold([buyer.country]) & (supplier.export_markets | fold([supplier.country])):
            market = 1.0
        else:
            market = 0.2
        parts = [market]
        seeks = self.catalog.owned(supplier_id, (Kind.seeks,))
        profile = self.catalog.owned(buyer_id, (Kind.profile,))
        if seeks and profile:
            cosine = float(self.catalog.vector(seeks[0]) @ self.catalog.vector(profile[0]))
            parts.append(max(cosine, 0.0))
        return sum(parts) / len(parts)


def _best(matches: list[Match], min_score: float, limit: int) -> list[Match]:
    kept = [m for m in matches if m.score >= min_score]
    kept.sort(key=lambda m: (-m.score, m.enterprise_id))
    return kept[:limit]


def _harmonic(a: float, b: float) -> float:
    return 0.0 if a + b <= 0 else 2 * a * b / (a + b)
