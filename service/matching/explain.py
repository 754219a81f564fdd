"""Human-readable reasons for a match or an HS suggestion, built only from what was scored."""

import re

from service.matching.hs import HsSuggestion
from service.matching.items import Facts, Kind
from service.matching.ranking import Match

_VERB = {
    Kind.product: "makes",
    Kind.offer: "offers",
    Kind.need: "needs",
    Kind.wants: "is looking for",
    Kind.profile: "is",
    Kind.seeks: "seeks",
}
_WORD = re.compile(r"[^\W_]{3,}")
# function words and trade boilerplate that every RFQ and offer shares: not worth naming
# fmt: off
_STOP = frozenset([
    "and", "the", "for", "with", "other", "not", "from", "than", "their", "this", "that", "its",
    "our", "units", "available", "required", "month", "export", "grade", "rfq", "seeking",
    "buying", "wanted", "sourcing", "tonnes", "pieces", "factory", "direct", "certified",
])
# fmt: on


def shared_terms(query: str, text: str, limit: int = 5) -> list[str]:
    """Words (3+ letters, case-folded) that both texts contain, in the query's order."""
    theirs = {w.casefold() for w in _WORD.findall(text)}
    found = [w for w in dict.fromkeys(w.casefold() for w in _WORD.findall(query)) if w in theirs]
    return [w for w in found if w not in _STOP][:limit]


def reason(match: Match, facts: Facts) -> str:
    """One paragraph: what matched what (shared words, scores), HS heading, requirements met
    and missed, two-sided fit, boosts."""
    ev = match.evidence
    item = ev.partner_item
    hs = f" (HS {item.hs_code})" if item.hs_code else ""
    parts = [
        f"{facts.name} {_VERB[item.kind]} “{item.label}”{hs}, which matches “{ev.query_label}” "
        f"(meaning {ev.dense:.2f}, shared words {ev.lexical:.2f})"
    ]
    if words := shared_terms(ev.query_label, item.text):
        parts.append("common terms: " + ", ".join(words))
    if ev.hs_shared:
        level = "heading" if len(ev.hs_shared) == 4 else "chapter"
        how = f"suggested HS {level}" if ev.hs_suggested else f"same HS {level}"
        parts.append(f"{how} {ev.hs_shared}")
    if match.learned_from:
        quoted = "; ".join(f"“{t[:80]}”" for t in match.learned_from[:2])
        parts.append(f"buyers with similar needs accepted meetings with them ({quoted})")
    if "backward" in match.components:
        c = match.components
        parts.append(
            f"two-sided fit: products→needs {c['forward']:.2f}, "
            f"markets/partners {c['backward']:.2f}"
        )
    met = [c.detail for c in match.checks if c.ok]
    missed = [c.detail for c in match.checks if not c.ok]
    if met:
        parts.append("meets: " + "; ".join(met))
    if missed:
        parts.append("missing: " + "; ".join(missed))
    extras = []
    if facts.years_exporting:
        extras.append(f"{facts.years_exporting} years exporting")
    if facts.verified:
        extras.append("verified by the organizer")
    if extras:
        parts.append(", ".join(extras))
    return "; ".join(parts) + "."


def hs_reason(text: str, suggestion: HsSuggestion, rich_text: str) -> str:
    """Why a code was suggested for `text`: scores, shared words with the nomenclature entry
    (`rich_text`: its chapter/heading/subheading words), and the confirmed examples behind it."""
    parts = [
        f"HS {suggestion.code} “{suggestion.description}”: meaning {suggestion.dense:.2f}, "
        f"shared words {suggestion.lexical:.2f}"
    ]
    if words := shared_terms(text, rich_text):
        parts.append("common terms: " + ", ".join(words))
    if suggestion.similar:
        near = suggestion.similar[:3]
        shown = ", ".join(f"“{n.example.text}” ({n.similarity:.2f})" for n in near)
        parts.append(f"{len(suggestion.similar)} similar confirmed example(s): {shown}")
    return "; ".join(parts) + "."
