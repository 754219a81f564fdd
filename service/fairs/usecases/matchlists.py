"""Match lists inside an event.

A participant's match list holds its top-k partners among the event's other-role participants,
by the ranker's reciprocal score, without do-not-meet pairs or pairs that met at an earlier
event; must-meet partners are always on it.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session

from service.entities import EnterprisePublic
from service.fairs import store
from service.fairs.tables import Event, EventMatch, MatchEntry, MatchList, Participant
from service.fairs.usecases.events import in_session
from service.jobs import JobRunner, JobStatus
from service.matching.explain import reason
from service.matching.ranking import Match
from service.matchmaker import Matchmaker
from service.progress import Progress
from service.records import Actor
from service.store.unit_of_work import UnitOfWork

Pair = tuple[int, int]  # (supplier participant id, buyer participant id)
MUST_MEET_REASON = "On the organizer's must-meet list."


def pair_of(a: Participant, b: Participant) -> Pair:
    assert a.id is not None and b.id is not None
    return (a.id, b.id) if a.role == "supplier" else (b.id, a.id)


def do_not_meet(people: Iterable[Participant]) -> set[frozenset[int]]:
    """Enterprise-id pairs that must never meet (either side's list is enough)."""
    return {frozenset((p.enterprise_id, x)) for p in people for x in p.do_not_meet}


def must_meet(people: Iterable[Participant]) -> set[frozenset[int]]:
    return {frozenset((p.enterprise_id, x)) for p in people for x in p.must_meet}


def build_match_lists(
    uow: UnitOfWork, mm: Matchmaker, event: Event, progress: Progress | None = None
) -> dict[str, int]:
    """Rebuild every active participant's match list; returns counts for the job result."""
    people = store.participants(uow.session, event.id, active_only=True)
    by_enterprise = {p.enterprise_id: p for p in people}
    by_id = {p.id: p for p in people}
    banned = do_not_meet(people) | store.met_before(uow.session, event.starts_on)
    forced = must_meet(people)
    scored: dict[int, dict[int, Match]] = {}  # participant -> partner participant -> match
    roles = {p.role for p in people}
    others = {r: frozenset(q.enterprise_id for q in people if q.role != r) for r in roles}
    barred, meets = _partners_of(banned), _partners_of(forced)
    for i, p in enumerate(people):
        assert p.id is not None
        among, me = others[p.role], p.enterprise_id
        # enough partners that the top k remain once barred ones are dropped
        hits = mm.ranker.reciprocal(me, limit=event.top_k + len(barred[me]), among=among)
        for x in meets[me] & among - {h.enterprise_id for h in hits} - barred[me]:
            hits += mm.ranker.reciprocal(me, limit=1, among=frozenset({x}))  # scored anyway
        found: dict[int, Match] = {}
        for hit in hits:
            q = by_enterprise[hit.enterprise_id]
            if hit.enterprise_id not in barred[me]:
                assert q.id is not None
                found[q.id] = hit
        scored[p.id] = found
        if progress:
            progress(i + 1, len(people))
    top = {pid: set(list(found)[: event.top_k]) for pid, found in scored.items()}
    assert event.id is not None
    entries = mutual = 0
    with uow.begin() as tx:
        store.clear_match_lists(tx.session, event.id)
        for p in people:
            assert p.id is not None
            mine, ids = scored[p.id], {q.enterprise_id: q.id for q in people if q.role != p.role}
            musts = {ids[x] for pair in forced if p.enterprise_id in pair for x in pair if x in ids}
            chosen = top[p.id] | {q for q in musts if q is not None}
            for rank, qid in enumerate(sorted(chosen, key=lambda q: (-_score(mine, q), q)), 1):
                m, partner = mine.get(qid), by_id[qid]
                is_must = frozenset((p.enterprise_id, partner.enterprise_id)) in forced
                facts = mm.catalog.facts.get(partner.enterprise_id)
                text = reason(m, facts) if m is not None and facts is not None else MUST_MEET_REASON
                is_mutual = p.id in top.get(qid, set()) and qid in top[p.id]
                tx.session.add(
                    EventMatch(
                        event_id=event.id,
                        participant_id=p.id,
                        partner_id=qid,
                        rank=rank,
                        score=round(m.score, 4) if m else 0.0,
                        reason=text[:4000],
                        mutual=is_mutual,
                        must_meet=is_must,
                    )
                )
                entries += 1
                mutual += is_mutual
    return {"participants": len(people), "entries": entries, "mutual_entries": mutual}


def start_match_lists(jobs: JobRunner, mm: Matchmaker, event: Event, actor: Actor) -> JobStatus:
    """Rebuild the event's match lists as a job whose progress shows at /jobs/{id}; its writes
    are recorded against `actor`."""
    assert event.id is not None
    event_id = event.id
    return jobs.submit(
        "match-lists",
        lambda progress: in_session(
            mm, event_id, actor, lambda uow, e: build_match_lists(uow, mm, e, progress)
        ),
    )


def _partners_of(pairs: set[frozenset[int]]) -> dict[int, set[int]]:
    """Enterprise -> the enterprises paired with it."""
    out: dict[int, set[int]] = defaultdict(set)
    for pair in pairs:
        for a in pair:
            out[a] |= pair - {a}
    return out


def _score(found: dict[int, Match], partner_id: int) -> float:
    return found[partner_id].score if partner_id in found else 0.0


def match_list(session: Session, p: Participant) -> MatchList:
    assert p.id is not None
    return MatchList(
        participant_id=p.id,
        items=[
            MatchEntry(
                partner_id=m.partner_id,
                partner=EnterprisePublic.model_validate(e, from_attributes=True),
                rank=m.rank,
                score=m.score,
                reason=m.reason,
                mutual=m.mutual,
                must_meet=m.must_meet,
            )
            for m, e in store.match_list(session, p.id)
        ],
    )


def pair_scores(session: Session, event: Event) -> dict[Pair, float]:
    """Each listed pair's score, the higher of its two directions."""
    scores: dict[Pair, float] = {}
    people = {p.id: p for p in store.participants(session, event.id, active_only=True)}
    for m in store.event_matches(session, event.id):
        a, b = people.get(m.participant_id), people.get(m.partner_id)
        if a is not None and b is not None:
            pair = pair_of(a, b)
            scores[pair] = max(scores.get(pair, 0.0), m.score)
    return scores
