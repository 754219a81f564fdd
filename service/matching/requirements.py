"""Structured fit: which facts a partner must have (hard) or should have (soft), checked."""

from dataclasses import dataclass, replace

from service.matching.items import Facts, fold


@dataclass(frozen=True, slots=True)
class Requirements:
    """What the searcher asks of a partner. Hard ones filter; soft ones lower the score."""

    certifications: frozenset[str] = frozenset()  # folded labels, all required
    export_market: str = ""  # partner must export there
    region: str = ""  # partner's city, region or country
    hs_prefix: str = ""  # partner sells something under this HS chapter/heading
    min_capacity: float | None = None
    has_exported: bool = False  # partner has an export record (years or markets)
    verified: bool = False  # partner verified by the organizer
    quantity: float | None = None  # the order size: capacity >= it, MOQ <= it (soft)
    unit: str = ""
    strict: bool = True  # False turns the hard checks into soft ones
    partners: frozenset[int] | None = None  # only these enterprises (a fair's participants)

    @property
    def filters(self) -> bool:
        """Whether any hard check applies, i.e. some partners may be filtered out."""
        asked = self.certifications or self.export_market or self.region or self.hs_prefix
        extra = self.min_capacity is not None or self.has_exported or self.verified
        return self.strict and bool(asked or extra or self.partners is not None)

    @property
    def hard(self) -> "Requirements":
        """Only what filters: the order size (quantity, unit) lowers scores, never filters."""
        return replace(self, quantity=None, unit="")


@dataclass(frozen=True, slots=True)
class Check:
    """One requirement checked against one partner, with words for the explanation."""

    name: str
    ok: bool
    hard: bool
    detail: str


def _same(a: str, b: str) -> bool:
    return bool(a) and fold([a]) == fold([b])


def check(req: Requirements, facts: Facts, hs_codes: frozenset[str]) -> list[Check]:
    """Every requirement that applies, in a fixed order; unknown facts count as not met."""
    checks: list[Check] = []
    hard = req.strict
    for cert in sorted(req.certifications):
        ok = cert in facts.certifications
        checks.append(Check("certification", ok, hard, f"certification {cert}"))
    if req.export_market:
        ok = _exports_to(req, facts)
        checks.append(Check("export_market", ok, hard, f"exports to {req.export_market}"))
    if req.region:
        checks.append(Check("region", _located(req, facts), hard, f"located in {req.region}"))
    if req.hs_prefix:
        ok = _sells_under(req, hs_codes)
        checks.append(Check("hs_code", ok, hard, f"sells goods under HS {req.hs_prefix}"))
    if req.min_capacity is not None:
        capacity = facts.annual_capacity
        shown = "unknown" if capacity is None else f"{capacity:,.0f} {facts.capacity_unit}".strip()
        detail = f"capacity {shown} ≥ {req.min_capacity:,.0f}"
        checks.append(Check("capacity", _capacity_reaches(req, facts), hard, detail))
    if req.has_exported:
        checks.append(Check("has_exported", _has_exported(facts), hard, "has exported before"))
    if req.verified:
        checks.append(Check("verified", facts.verified, hard, "verified by the organizer"))
    if req.partners is not None:
        ok = facts.enterprise_id in req.partners
        checks.append(Check("partners", ok, hard, "among the partners asked for"))
    if req.quantity is not None:
        checks += _quantity_checks(req.quantity, req.unit, facts)
    return checks


def admits(req: Requirements, facts: Facts, hs_codes: frozenset[str]) -> bool:
    """`passes(check(...))` without the checks' words: the hard filter every candidate owner
    meets once (~1 us here against ~7 us for the checks)."""
    return not req.strict or (
        req.certifications <= facts.certifications
        and (not req.export_market or _exports_to(req, facts))
        and (not req.region or _located(req, facts))
        and (not req.hs_prefix or _sells_under(req, hs_codes))
        and (req.min_capacity is None or _capacity_reaches(req, facts))
        and (not req.has_exported or _has_exported(facts))
        and (not req.verified or facts.verified)
        and (req.partners is None or facts.enterprise_id in req.partners)
    )


def _exports_to(req: Requirements, facts: Facts) -> bool:
    return bool(fold([req.export_market]) & facts.export_markets)


def _located(req: Requirements, facts: Facts) -> bool:
    return any(_same(req.region, place) for place in (facts.city, facts.region, facts.country))


def _sells_under(req: Requirements, hs_codes: frozenset[str]) -> bool:
    return any(code.startswith(req.hs_prefix) for code in hs_codes)


def _capacity_reaches(req: Requirements, facts: Facts) -> bool:
    capacity, wanted = facts.annual_capacity, req.min_capacity
    return capacity is not None and wanted is not None and capacity >= wanted


def _has_exported(facts: Facts) -> bool:
    return facts.years_exporting > 0 or bool(facts.export_markets)


def _quantity_checks(quantity: float, unit: str, facts: Facts) -> list[Check]:
    """Order size against capacity and MOQ; only comparable when the units agree."""
    checks = []
    comparable = not unit or not facts.capacity_unit or _same(unit, facts.capacity_unit)
    wanted = f"{quantity:,.0f} {unit}".strip()
    if facts.annual_capacity is not None and comparable:
        ok = facts.annual_capacity >= quantity
        detail = f"annual capacity {facts.annual_capacity:,.0f} {facts.capacity_unit} vs {wanted}"
        checks.append(Check("capacity", ok, False, detail.replace("  ", " ")))
    if facts.moq is not None and comparable:
        checks.append(
            Check("moq", facts.moq <= quantity, False, f"MOQ {facts.moq:,.0f} vs {wanted}")
        )
    return checks


def passes(checks: list[Check]) -> bool:
    return all(c.ok for c in checks if c.hard)
