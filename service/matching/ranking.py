"""Ranking: dense + lexical candidates, fused per item, grouped per partner, filtered, boosted.

Scores are in [0, 1]. Every component is kept on the result, so explanations can show them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from service.matching.catalog import Catalog
from service.matching.embedder import FloatArray
from service.matching.examples import Example, ExampleMemory
from service.matching.index import top_k
from service.matching.items import Facts, Item, Kind, Side, fold
from service.matching.requirements import Check, Requirements, check, passes
from service.matching.weights import Weights, fuse


@dataclass(frozen=True, slots=True)
class MatchedItem:
    """Which of the partner's items met which query text, and how strongly."""

    partner_item: Item
    query_label: str
    dense: float
    lexical: float
    hs_shared: str  # the shared 4-digit heading or 2-digit chapter, or ""
    fused: float
    hs_suggested: bool = False  # the query's heading came from the HS suggester
    hs_bonus: float = 0.0  # what the shared heading or chapter added to `fused`


@dataclass(frozen=True, slots=True)
class Match:
    enterprise_id: int
    score: float
    evidence: MatchedItem
    checks: tuple[Check, ...]
    components: dict[str, float] = field(default_factory=dict)
    # needs of other buyers, like this query, whose meeting with this partner was accepted
    learned_from: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """A text that looks for partners: its vector, its words, its label and HS code.

    `hs_code` is the declared code, or a confident suggestion of the HS suggester filled in by
    the caller for texts without one (`hs_suggested` then says so in the explanation).
    """

    vector: FloatArray
    text: str
    label: str
    hs_code: str | None = None
    hs_suggested: bool = False


def _heading(code: str | None) -> str:
    return code[:4] if code and len(code) >= 4 else ""


class Ranker:
    def __init__(self, catalog: Catalog, weights: Weights | None = None) -> None:
        self.catalog = catalog
        self.weights = weights or Weights()
        # accepted matches: a buyer's needs and wants -> the supplier it agreed to meet
        self.accepted = ExampleMemory(self.weights)

    def learn_match(self, buyer_id: int, supplier_id: int) -> None:
        """An accepted meeting: from now on the buyer's demand texts vote for that supplier
        when a similar need looks for suppliers (read as "buyers like you met them")."""
        with self.catalog.reading():
            items = self.catalog.owned(buyer_id, (Kind.need, Kind.wants))
            if not items:
                return
            vectors = np.stack([self.catalog.vector(i) for i in items])
            self.accepted.add([Example(i.text, str(supplier_id)) for i in items], vectors)

    def _learned(self, queries: list[Query]) -> dict[int, tuple[float, tuple[str, ...]]]:
        """Supplier -> (its strongest vote over the queries, capped at 1; the voting texts)."""
        with self.catalog.reading():
            if not len(self.accepted):
                return {}
            texts = [q.text for q in queries]
            votes = self.accepted.votes(texts, np.stack([q.vector for q in queries]))
        out: dict[int, tuple[float, tuple[str, ...]]] = {}
        for vote in votes:
            for target, total in vote.totals.items():
                owner = int(target)
                if total > out.get(owner, (0.0, ()))[0]:
                    voters = tuple(n.example.text for n in vote.voters[target])
                    out[owner] = (min(total, 1.0), voters)
        return out

    def item_scores(
        self, query: Query, side: Side, where: Requirements | None = None
    ) -> list[MatchedItem]:
        """Fused scores of the candidate items on one side, best first: the dense and the
        lexical top-N, plus every item under the query's HS heading (its words may differ).

        A query sharing no character n-gram with any item (another script: a Chinese query over
        English profiles with the multilingual model) is scored on meaning alone, rather than
        losing the lexical weight from every score.
        """
        w = self.weights
        c = self.catalog
        heading = _heading(query.hs_code)
        with c.reading():
            keys, dense = c.dense[side].scores(query.vector, where)  # pgvector filters in SQL
            if len(keys) == 0:
                return []
            lexical = c.lexical[side].aligned(query.text, keys)
            fusion = w if lexical.max() > 0 else replace(w, dense=w.dense + w.lexical, lexical=0.0)
            fused = fuse(dense, lexical, fusion)
            chosen = {h.key for h in top_k(keys, dense, w.candidates)}
            chosen |= {h.key for h in top_k(keys, lexical, w.candidates)}
            if heading:
                chosen |= c.under_heading(side, heading)
            position = np.flatnonzero(np.isin(keys, np.fromiter(chosen, np.int64, len(chosen))))
            out = []
            for i in position.tolist():
                item = c.items[int(keys[i])]
                bonus, shared = self._hs_bonus(heading, item.hs_code)
                out.append(
                    MatchedItem(
                        item,
                        query.label,
                        max(float(dense[i]), 0.0),
                        float(lexical[i]),
                        shared,
                        min(float(fused[i]) + bonus, 1.0),
                        query.hs_suggested,
                        bonus,
                    )
                )
        out.sort(key=lambda m: (-m.fused, m.partner_item.key))
        return out

    def _hs_bonus(self, heading: str, code: str | None) -> tuple[float, str]:
        """(bonus, shared code): a shared 4-digit heading, else a shared 2-digit chapter."""
        theirs = _heading(code)
        if not heading or not theirs:
            return 0.0, ""
        if theirs == heading:
            return self.weights.hs_heading, heading
        if theirs[:2] == heading[:2]:
            return self.weights.hs_chapter, heading[:2]
        return 0.0, ""

    def best_per_partner(
        self,
        queries: Iterable[Query],
        side: Side,
        *,
        exclude: int | None = None,
        where: Requirements | None = None,
    ) -> dict[int, MatchedItem]:
        """For each partner, its single best item against any of the queries."""
        best: dict[int, MatchedItem] = {}
        for query in queries:
            for m in self.item_scores(query, side, where):
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

        score = (best fused item score + examples x learned vote)
                x (1 + boosts) x (1 - soft_miss x unmet soft checks), clipped to [0, 1];
        the learned vote (suppliers only) sums the similarity of the nearest accepted matches'
        needs that name this partner, capped at 1.
        """
        w = self.weights
        matches = []
        found = self.best_per_partner(queries, side, exclude=exclude, where=requirements)
        learned = self._learned(queries) if side is Side.supply else {}
        for owner, evidence in found.items():
            facts = self.catalog.facts.get(owner)
            if facts is None:
                continue
            # what the partner sells under which HS code matters only to an HS filter
            codes = self.catalog.hs_codes(owner) if requirements.hs_prefix else frozenset()
            checks = check(requirements, facts, codes)
            if not passes(checks):
                continue
            missed = sum(1 for c in checks if not c.ok and not c.hard)
            boost = self.boost(facts)
            vote, voters = learned.get(owner, (0.0, ()))
            fit = evidence.fused + w.examples * vote
            score = fit * (1 + boost) * max(0.0, 1 - w.soft_miss * missed)
            components = {
                "dense": round(evidence.dense, 4),
                "lexical": round(evidence.lexical, 4),
                "hs": evidence.hs_bonus,
                "learned": round(w.examples * vote, 4),
                "boost": round(boost, 4),
            }
            matches.append(
                Match(owner, min(score, 1.0), evidence, tuple(checks), components, voters)
            )
        return _best(matches, w.min_score, limit)

    def queries_of(self, enterprise_id: int, kinds: Iterable[Kind]) -> list[Query]:
        with self.catalog.reading():  # an item and its vector from one state of the catalog
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
        Pair = tuple[MatchedItem, float, float, tuple[Check, ...]]
        pairs: dict[int, Pair] = {}
        if me.buys:  # suppliers for my needs
            mine = self.queries_of(enterprise_id, (Kind.need, Kind.wants))
            found = self.best_per_partner(mine, Side.supply, exclude=enterprise_id)
            for owner, ev in found.items():
                pairs[owner] = (ev, ev.fused, *self._buyer_fit(owner, enterprise_id))
        if me.sells:  # buyers for my products
            mine = self.queries_of(enterprise_id, (Kind.product, Kind.offer))
            found = self.best_per_partner(mine, Side.demand, exclude=enterprise_id)
            for owner, ev in found.items():
                both: Pair = (ev, ev.fused, *self._buyer_fit(enterprise_id, owner))
                if owner not in pairs or _harmonic(*both[1:3]) > _harmonic(*pairs[owner][1:3]):
                    pairs[owner] = both
        matches = []
        for owner, (ev, forward, backward, checks) in pairs.items():
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
                "hs": ev.hs_bonus,
                "boost": round(boost, 4),
            }
            matches.append(Match(owner, score, ev, checks, components))
        return _best(matches, self.weights.min_score, limit)

    def _buyer_fit(self, supplier_id: int, buyer_id: int) -> tuple[float, tuple[Check, ...]]:
        """How well a buyer fits the markets and partners a supplier serves, in [0, 1], and the
        market check behind it (soft: it lowers the score, never filters)."""
        supplier, buyer = self.catalog.facts[supplier_id], self.catalog.facts[buyer_id]
        checks: tuple[Check, ...] = ()
        if not supplier.export_markets:
            market = 0.5
        else:
            ok = bool(fold([buyer.country]) & (supplier.export_markets | fold([supplier.country])))
            market = 1.0 if ok else 0.2
            where = buyer.country or "the buyer's country (unknown)"
            checks = (Check("export_market", ok, False, f"{supplier.name} delivers to {where}"),)
        parts = [market]
        with self.catalog.reading():  # items and their vectors from one state of the catalog
            seeks = self.catalog.owned(supplier_id, (Kind.seeks,))
            profile = self.catalog.owned(buyer_id, (Kind.profile,))
            if seeks and profile:
                cosine = float(self.catalog.vector(seeks[0]) @ self.catalog.vector(profile[0]))
                parts.append(max(cosine, 0.0))
        return sum(parts) / len(parts), checks


def _best(matches: list[Match], min_score: float, limit: int) -> list[Match]:
    kept = [m for m in matches if m.score >= min_score]
    kept.sort(key=lambda m: (-m.score, m.enterprise_id))
    return kept[:limit]


def _harmonic(a: float, b: float) -> float:
    return 0.0 if a + b <= 0 else 2 * a * b / (a + b)
