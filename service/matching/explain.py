"""Human-readable reasons for a match, built only from what the ranking actually used."""

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


def reason(match: Match, facts: Facts) -> str:
    """One paragraph: what matched what (and how strongly), requirements met and missed, boosts."""
    ev = match.evidence
    item = ev.partner_item
    hs = f" (HS {item.hs_code})" if item.hs_code else ""
    parts = [
        f"{facts.name} {_VERB[item.kind]} “{item.label}”{hs}, which matches “{ev.query_label}” "
        f"(meaning {ev.dense:.2f}, shared words {ev.lexical:.2f})"
    ]
    if ev.hs_shared:
        parts.append(f"same HS heading {ev.hs_shared}")
    if "backward" in match.components:
        c = match.components
        parts.append(f"two-sided fit: products→needs {c['forward']:.2f}, markets/partners {c['backward']:.2f}")
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
