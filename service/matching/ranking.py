"""Ranking: candidates from every signal, scored per item, grouped per partner, filtered, boosted.

An item's fit combines the probability that it sits under the query's HS heading (heading
estimates, `headings.py`) with the text similarity of the two (`weights.fit`). Scores are in
[0, 1]; every component is kept on the result, so explanations can show them.
"""

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from service.matching.candidates import Admissions, Query, gather
from service.matching.catalog import Catalog
from service.matching.evidence import Found, MatchedItem
from service.matching.examples import Example, ExampleMemory
from service.matching.headings import Estimate, declared
from service.matching.items import Facts, Item, Kind, Side, fold
from service.matching.requirements import Check, Requirements, check, passes
from service.matching.weights import Weights, fit, text_similarity


@dataclass(frozen=True, slots=True)
class Match:
    enterprise_id: int
    score: float
    evidence: MatchedItem
    checks: tuple[Check, ...]
    components: dict[str, float] = field(default_factory=dict)
    # needs of other buyers, like this query, whose meeting with this partner was accepted
    learned_from: tuple[str, ...] = ()
    weak: bool = False  # neither a shared heading nor the text backs it


@dataclass(frozen=True, slots=True)
class Ranking:
    """The matches, and what the hard filters removed: partner count per filter, and the best
    partners they removed (with their failed checks), so an empty answer can say why."""

    matches: list[Match]
    removed: dict[str, int] = field(default_factory=dict)
    closest: list[Match] = field(default_factory=list)


class Ranker:
    def __init__(self, catalog: Catalog, weights: Weights | None = None) -> None:
        self.catalog = catalog
        self.weights = weights or catalog.weights
        # accepted matches: a buyer's needs and wants -> the supplier it agreed to meet
        self.accepted = ExampleMemory(self.weights)
        self.admissions = Admissions(catalog)

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

    def estimate(self, query: Query) -> Estimate:
        return query.estimate() or declared(query.hs_code, self.weights.hs_declared)

    def item_scores(
        self, query: Query, side: Side, where: Requirements | None = None
    ) -> list[MatchedItem]:
        """Each candidate partner's best item on one side, best first (`best_per_partner`)."""
        found = self.best_per_partner([query], side, where=where)
        return [e for row in found.best_first() if (e := found.evidence(row)) is not None]

    def best_per_partner(
        self,
        queries: Iterable[Query],
        side: Side,
        *,
        exclude: int | None = None,
        where: Requirements | None = None,
    ) -> Found:
        """For each partner, its single best item against any of the queries: every source's
        filtered top-N per query (dense, multilingual, lexical, heading agreement: an item
        under the query's heading is found whatever its words or language), scored on every
        signal (candidates.py), then the best row of each partner kept (ties: lower key,
        then earlier query)."""
        w, c = self.weights, self.catalog
        admit = None if where is None else self.admissions.of(where)
        queries = list(queries)
        # many queries (an enterprise's product lines) share the candidate budget, down to a
        # fifth of it each: a partner's best item for its best query stays within reach
        k = max(w.candidates // max(len(queries), 1), w.candidates // 5)
        parts, estimates = [], []
        for n, query in enumerate(queries):
            chinese = query.language == "zh"
            with c.reading():
                f = gather(c, side, query, chinese, self.estimate, admit, k)
                owners = c.owners(f.keys)
            estimates.append(f.estimate)
            dense, text = text_similarity(
                f.primary, f.multilingual, f.lexical, np.array(chinese), f.chinese, w
            )
            fused = fit(f.agreement, text, w, bridged=bool(f.estimate))
            which = np.full(len(owners), n, np.int64)
            across = f.chinese != chinese
            parts.append(
                (owners, f.keys, which, dense, f.lexical, text, f.agreement, fused, across)
            )
        if not parts:
            return Found.none(c, queries, estimates)
        columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
        owners, keys, which, fused = columns[0], columns[1], columns[2], columns[7]
        kept = np.flatnonzero((owners >= 0) & (owners != (-1 if exclude is None else exclude)))
        rows = kept[np.lexsort((which[kept], keys[kept], -fused[kept]))]
        best = rows[np.unique(owners[rows], return_index=True)[1]]
        return Found(c, queries, estimates, *(column[best] for column in columns))

    @property
    def boost_bound(self) -> float:
        """The most `1 + boost` can be: a ranking read in order of fit stops on it."""
        return 1 + self.weights.export_record + self.weights.verified

    def boost(self, facts: Facts) -> float:
        w = self.weights
        record = w.export_record * min(facts.years_exporting, 10) / 10
        return record + (w.verified if facts.verified else 0.0)

    def weak(self, evidence: MatchedItem) -> bool:
        w = self.weights
        return evidence.agreement < w.weak_agreement and evidence.text < w.weak_text

    def search(
        self,
        queries: list[Query],
        side: Side,
        requirements: Requirements,
        *,
        exclude: int | None = None,
        limit: int = 10,
    ) -> Ranking:
        """Partners whose items on `side` best fit the queries, filtered and boosted, best first.

        score = (best item fit + examples x learned vote)
                x (1 + boosts) x (1 - soft_miss x unmet soft checks), clipped to [0, 1];
        the learned vote (suppliers only) sums the similarity of the nearest accepted matches'
        needs that name this partner, capped at 1. No score is too low to be shown: a match
        that neither a shared heading nor its text backs is marked weak. Partners of the same
        side as the asker (buyers, for a search among suppliers) are never offered.
        """
        ranking = self._search(queries, side, requirements, exclude, limit, requirements)
        if len(ranking.matches) >= limit or ranking.removed or not requirements.filters:
            return ranking
        # a dense index that filters in SQL (pgvector) returned few or no one: rank again
        # unfiltered, so the answer can say which filter removed whom (its matches stay: SQL
        # found them among the partners that pass)
        unfiltered = self._search(queries, side, requirements, exclude, limit, None)
        return Ranking(ranking.matches, unfiltered.removed, unfiltered.closest)

    def _search(
        self,
        queries: list[Query],
        side: Side,
        requirements: Requirements,
        exclude: int | None,
        limit: int,
        where: Requirements | None,
    ) -> Ranking:
        w = self.weights
        matches, missed = [], []
        removed: dict[str, int] = {}
        found = self.best_per_partner(queries, side, exclude=exclude, where=where)
        learned = self._learned(queries) if side is Side.supply else {}
        # Partners in order of fitness, whose score boosts can raise by at most `bound`: once
        # `limit` matches score above what the next could reach, none after it can enter.
        # (Not when the filters are ranked here: every removed partner is counted then.)
        bound = self.boost_bound
        early = where is not None or not requirements.filters
        fitness = found.fused
        if learned:
            votes = [learned.get(o, (0.0, ()))[0] for o in found.owners.tolist()]
            fitness = fitness + w.examples * np.array(votes, np.float32)
        kept: list[float] = []  # min-heap of the best `limit` scores so far
        for row in found.best_first(fitness):
            owner, fitness_of = int(found.owners[row]), float(fitness[row])
            full = early and len(kept) >= limit
            if full and min(fitness_of * bound, 1.0) < kept[0]:
                break
            facts = self.catalog.facts.get(owner)
            if facts is None or not (facts.sells if side is Side.supply else facts.buys):
                continue
            boost = self.boost(facts)
            if full and min(fitness_of * (1 + boost), 1.0) < kept[0]:
                continue  # its own boosts cannot lift it into the answer
            evidence = found.evidence(row)
            if evidence is None:
                continue
            # what the partner sells under which HS code matters only to an HS filter
            codes = self.catalog.hs_codes(owner) if requirements.hs_prefix else frozenset()
            checks = check(requirements, facts, codes)
            unmet = sum(1 for c in checks if not c.ok and not c.hard)
            vote, voters = learned.get(owner, (0.0, ()))
            score = fitness_of * (1 + boost) * max(0.0, 1 - w.soft_miss * unmet)
            components = {
                "dense": round(evidence.dense, 4),
                "lexical": round(evidence.lexical, 4),
                "text": round(evidence.text, 4),
                "agreement": round(evidence.agreement, 4),
                "learned": round(w.examples * vote, 4),
                "boost": round(boost, 4),
            }
            match = Match(
                owner,
                min(score, 1.0),
                evidence,
                tuple(checks),
                components,
                voters,
                self.weak(evidence) and vote == 0,
            )
            if passes(checks):
                matches.append(match)
                if len(kept) < limit:
                    heapq.heappush(kept, match.score)
                else:
                    heapq.heappushpop(kept, match.score)
                continue
            missed.append(match)
            for name in {c.name for c in checks if c.hard and not c.ok}:
                removed[name] = removed.get(name, 0) + 1
        return Ranking(_best(matches, limit), removed, _best(missed, 3))

    def rank(
        self,
        queries: list[Query],
        side: Side,
        requirements: Requirements,
        *,
        exclude: int | None = None,
        limit: int = 10,
    ) -> list[Match]:
        """The matches of `search`, without what the filters removed."""
        return self.search(queries, side, requirements, exclude=exclude, limit=limit).matches

    def item_query(self, item: Item) -> Query:
        """A catalog item looking for partners: its stored vectors and heading estimate."""
        c = self.catalog
        return Query(
            c.vector(item),
            item.text,
            item.label,
            headings=c.estimate(item),
            multilingual=c.multilingual_vector(item),
        )

    def queries_of(self, enterprise_id: int, kinds: Iterable[Kind]) -> list[Query]:
        with self.catalog.reading():  # an item and its vectors from one state of the catalog
            return [self.item_query(i) for i in self.catalog.owned(enterprise_id, kinds)]

    def reciprocal(
        self, enterprise_id: int, *, limit: int = 10, among: frozenset[int] | None = None
    ) -> list[Match]:
        """Partners for an enterprise (only those `among` when given: a fair's participants),
        scored in both directions so one-sided matches sink.

        forward  f = how well the supplier's products fit the buyer's needs and wants
                     (best item fit, as in `search`);
        backward b = how well the buyer fits whom the supplier serves: the mean of market fit
                     (1 if the supplier exports to the buyer's country or both are in one
                     country, 0.2 otherwise, 0.5 when the supplier lists no markets) and, when
                     the supplier describes the partners it seeks, the cosine of that text with
                     the buyer's profile;
        score      = harmonic mean 2fb / (f + b), x (1 + boosts of the partner).
        A partner found in both directions keeps the direction of the higher harmonic mean.
        """
        me = self.catalog.facts.get(enterprise_id)
        if me is None:
            return []
        where = None if among is None else Requirements(partners=among)
        found: list[tuple[Found, bool]] = []  # (partners found, whether I am the buyer)
        if me.buys:  # suppliers for my needs
            mine = self.queries_of(enterprise_id, (Kind.need, Kind.wants))
            found.append(
                (self.best_per_partner(mine, Side.supply, exclude=enterprise_id, where=where), True)
            )
        if me.sells:  # buyers for my products
            mine = self.queries_of(enterprise_id, (Kind.product, Kind.offer))
            found.append(
                (
                    self.best_per_partner(mine, Side.demand, exclude=enterprise_id, where=where),
                    False,
                )
            )
        if not found:
            return []
        forward = np.concatenate([f.fused for f, _ in found])
        owners = np.concatenate([f.owners for f, _ in found])
        which = np.concatenate([np.full(len(f), n) for n, (f, _) in enumerate(found)])
        rows = np.concatenate([np.arange(len(f)) for f, _ in found])
        # In order of forward fit: b <= 1 and the boosts are bounded, so once `limit` partners
        # score above what the next could reach, none after it can enter.
        bound = self.boost_bound
        best: dict[int, tuple[float, Match]] = {}  # partner -> (harmonic mean, match)
        kth = 0.0  # the limit-th best score so far
        for j in np.lexsort((owners, -forward)).tolist():
            f = float(forward[j])
            if len(best) >= limit and min(_harmonic(f, 1.0) * bound, 1.0) < kth:
                break
            owner = int(owners[j])
            facts = self.catalog.facts.get(owner)
            if facts is None:
                continue
            boost = self.boost(facts)
            if len(best) >= limit and min(_harmonic(f, 1.0) * (1 + boost), 1.0) < kth:
                continue  # its own boosts cannot lift it into the answer
            partners, buying = found[int(which[j])]
            supplier, buyer = (owner, enterprise_id) if buying else (enterprise_id, owner)
            backward, checks = self._buyer_fit(supplier, buyer)
            harmonic = _harmonic(f, backward)
            if owner in best and best[owner][0] >= harmonic:
                continue
            score = min(harmonic * (1 + boost), 1.0)
            if len(best) >= limit and score < kth:
                continue  # out of the answer: no evidence to make
            ev = partners.evidence(int(rows[j]))
            if ev is None:
                continue
            components = {
                "forward": round(f, 4),
                "backward": round(backward, 4),
                "dense": round(ev.dense, 4),
                "lexical": round(ev.lexical, 4),
                "agreement": round(ev.agreement, 4),
                "boost": round(boost, 4),
            }
            best[owner] = harmonic, Match(owner, score, ev, checks, components, weak=self.weak(ev))
            if len(best) >= limit and score > kth:
                kth = heapq.nlargest(limit, (m.score for _, m in best.values()))[-1]
        return _best([m for _, m in best.values()], limit)

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
                parts.append(max(self._cosine(seeks[0], profile[0]), 0.0))
        return sum(parts) / len(parts), checks

    def _cosine(self, a: Item, b: Item) -> float:
        """Cosine of two items: the primary model's when both are English, else the
        multilingual one's (when there is one)."""
        c = self.catalog
        if c.is_chinese(a) or c.is_chinese(b):
            first, second = c.multilingual_vector(a), c.multilingual_vector(b)
            if first is not None and second is not None:
                return float(first @ second)
        return float(c.vector(a) @ c.vector(b))


def _best(matches: list[Match], limit: int) -> list[Match]:
    matches.sort(key=lambda m: (-m.score, m.enterprise_id))
    return matches[:limit]


def _harmonic(a: float, b: float) -> float:
    return 0.0 if a + b <= 0 else 2 * a * b / (a + b)
