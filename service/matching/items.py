"""What gets embedded: each enterprise, need and offer becomes a few typed, labelled texts.

An enterprise is not one vector. What it sells (each product line, each offer), what it wants
(each need, its "looking for"), and who it is (name, region, channels) are separate items, so a
match can say *which* product met *which* need, and supply is never compared with supply.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from service.matching.headings import Estimate


class Side(enum.StrEnum):
    supply = "supply"  # what is sold: product lines, offers
    demand = "demand"  # what is wanted: needs, a buyer's "looking for"
    identity = "identity"  # who one is: compared with a supplier's wished-for buyers
    seek = "seek"  # the partners a supplier wants to reach


class Kind(enum.StrEnum):
    product = "product"
    offer = "offer"
    need = "need"
    wants = "wants"
    profile = "profile"
    seeks = "seeks"


LABEL_LIMIT = 400  # characters of an item's label that are stored
# the kinds that name goods, so an HS heading applies to them
GOODS = frozenset({Kind.product, Kind.offer, Kind.need, Kind.wants})

SIDE_OF_KIND = {
    Kind.product: Side.supply,
    Kind.offer: Side.supply,
    Kind.need: Side.demand,
    Kind.wants: Side.demand,
    Kind.profile: Side.identity,
    Kind.seeks: Side.seek,
}


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """An item before it has a vector: who owns it, what it is, and the text to embed.

    `headings`: the HS heading estimate of its text (`HsSuggester.estimate`), made at write time
    for products, offers and needs without a declared `hs_code`; () when there is none.
    """

    enterprise_id: int
    kind: Kind
    ref_id: int  # product line, need or offer id; 0 for profile texts
    label: str  # what an explanation calls it, e.g. the product line's name
    text: str
    hs_code: str | None = None
    headings: Estimate = field(default=(), kw_only=True)  # keyword-only: Item's key stays 7th

    @property
    def side(self) -> Side:
        return SIDE_OF_KIND[self.kind]


@dataclass(frozen=True, slots=True)
class Item(ItemDraft):
    key: int = 0  # the stored vector row's id


def keyed(draft: ItemDraft, key: int) -> Item:
    """The item a draft becomes once stored under `key`."""
    return Item(**{f.name: getattr(draft, f.name) for f in fields(ItemDraft)}, key=key)


def unkeyed(item: ItemDraft) -> ItemDraft:
    """The draft an item is stored as: equal drafts make the same stored item."""
    values = {f.name: getattr(item, f.name) for f in fields(ItemDraft)}
    stored = {"label": item.label[:LABEL_LIMIT], "hs_code": item.hs_code or None}
    return ItemDraft(**values | stored)


@dataclass(frozen=True, slots=True)
class ProductDoc:
    id: int
    name: str
    hs_code: str | None
    description: str


@dataclass(frozen=True, slots=True)
class Facts:
    """The structured facts of an enterprise that filters and boosts read."""

    enterprise_id: int
    name: str
    role: str  # supplier, buyer or both
    country: str = ""
    region: str = ""
    city: str = ""
    certifications: frozenset[str] = frozenset()
    export_markets: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    years_exporting: int = 0
    annual_capacity: float | None = None
    capacity_unit: str = ""
    moq: float | None = None
    verified: bool = False
    hs_codes: frozenset[str] = frozenset()

    @property
    def sells(self) -> bool:
        return self.role in ("supplier", "both")

    @property
    def buys(self) -> bool:
        return self.role in ("buyer", "both")


@dataclass(frozen=True, slots=True)
class ProfileDoc:
    facts: Facts
    description: str = ""
    looking_for: str = ""
    products: tuple[ProductDoc, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class TradeDoc:
    """A need (demand) or an offer (supply) as the core sees it."""

    id: int
    enterprise_id: int
    kind: Kind
    title: str
    product: str = ""
    description: str = ""
    hs_code: str | None = None
    quantity: float | None = None  # wanted (need) or available (offer)
    unit: str = ""
    moq: float | None = None
    certifications: frozenset[str] = frozenset()  # required (need) or held (offer)
    country: str = ""  # delivery country of a need
    is_open: bool = True


def fold(values: Iterable[str]) -> frozenset[str]:
    """Case- and space-insensitive labels, so "ISO 9001" matches "iso9001"."""
    return frozenset(v.lower().replace(" ", "").replace("-", "") for v in values if v.strip())


def _join(*parts: str) -> str:
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())


def quote(text: str, limit: int = 80) -> str:
    """`text` as a label: whole when short, else cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return (text[:limit].rsplit(" ", 1)[0] or text[:limit]).rstrip(" ,;:.") + "…"


def profile_items(doc: ProfileDoc) -> list[ItemDraft]:
    """The items of an enterprise profile, texts in a fixed order (most telling words first)."""
    f = doc.facts
    where = ", ".join(p for p in (f.city, f.region, f.country) if p)
    channels = ", ".join(sorted(f.channels))
    items = [
        ItemDraft(
            f.enterprise_id,
            Kind.profile,
            0,
            f.name,
            _join(f.name, doc.description, f"Based in {where}" if where else "", channels),
        )
    ]
    if f.sells:
        items += [
            ItemDraft(
                f.enterprise_id, Kind.product, p.id, p.name, _join(p.name, p.description), p.hs_code
            )
            for p in doc.products
        ]
    if doc.looking_for.strip():
        kind = Kind.wants if f.buys else Kind.seeks
        wanted = doc.looking_for.strip()
        items.append(ItemDraft(f.enterprise_id, kind, 0, quote(wanted), wanted))
    return items


def trade_item(doc: TradeDoc) -> ItemDraft:
    """The single item of a need or an offer: title, product, then the free description."""
    return ItemDraft(
        doc.enterprise_id,
        doc.kind,
        doc.id,
        doc.title,
        _join(doc.title, doc.product, doc.description),
        doc.hs_code,
    )
