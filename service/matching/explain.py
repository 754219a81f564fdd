"""Human-readable reasons for a match or an HS suggestion, built only from what was scored.

Texts are quoted as their owners wrote them, in their own language.
"""

import re
from collections.abc import Callable

from service.matching.hs import HsSuggestion
from service.matching.items import Facts, Kind
from service.matching.language import split_cjk
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
    """Words (3+ letters, case-folded) that both texts contain, in the query's order; in
    Chinese, the longest runs of 2+ characters that both contain."""
    query_rest, query_runs = split_cjk(query)
    text_rest, _ = split_cjk(text)
    theirs = {w.casefold() for w in _WORD.findall(text_rest)}
    words = dict.fromkeys(w.casefold() for w in _WORD.findall(query_rest))
    found = [w for w in words if w in theirs and w not in _STOP]
    found += [run for run in dict.fromkeys(_common_runs(query_runs, text)) if run not in found]
    return found[:limit]


def _common_runs(runs: list[str], text: str) -> list[str]:
    """The longest substrings (2+ characters) of the Chinese runs that `text` contains."""
    found = []
    for run in runs:
        start = 0
        while start < len(run) - 1:
            end = start + 1
            while end < len(run) and run[start : end + 1] in text:
                end += 1
            if end - start >= 2:
                found.append(run[start:end])
                start = end
            else:
                start += 1
    return found


def reason(match: Match, facts: Facts, describe: Callable[[str], str] | None = None) -> str:
    """One paragraph: what matched what (shared words, scores), the HS heading both sit under
    (`describe` names a heading), requirements met and missed, two-sided fit, boosts."""
    ev = match.evidence
    item = ev.partner_item
    hs = f" (HS {item.hs_code})" if item.hs_code else ""
    across = ", across languages" if ev.across else ""
    parts = [
        f"{facts.name} {_VERB[item.kind]} “{item.label}”{hs}, which matches “{ev.query_label}” "
        f"(meaning {ev.dense:.2f}{across}, shared words {ev.lexical:.2f})"
    ]
    if words := shared_terms(ev.query_label, item.text):
        parts.append("common terms: " + ", ".join(words))
    if ev.heading:
        name = describe(ev.heading) if describe else ""
        named = f" ({name[:60]})" if name else ""
        if len(ev.heading) == 2:  # declared codes of one chapter
            parts.append(f"same HS chapter {ev.heading}{named}")
        elif ev.heading_share >= 0.01:  # below, the text says nothing of a shared heading
            how = "both classified as" if ev.hs_suggested or not item.hs_code else "both under"
            parts.append(f"{how} HS {ev.heading}{named}, {ev.heading_share:.2f} confident")
    if match.weak:
        parts.append("a weak match: no HS heading in common and few words")
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
