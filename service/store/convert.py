"""Table rows -> the matching core's plain documents and the items to embed.

Rows may not have ids yet (a write embeds its texts before its transaction opens): ids are then
0, and the texts, which never contain ids, are the same as after the flush.
"""

from collections.abc import Iterable
from functools import partial

from service.entities import Enterprise, Need, Offer, Status
from service.matching.items import (
    Facts,
    ItemDraft,
    Kind,
    ProductDoc,
    ProfileDoc,
    TradeDoc,
    fold,
    profile_items,
    trade_item,
)


def facts_of(e: Enterprise) -> Facts:
    return Facts(
        enterprise_id=e.id or 0,
        name=e.name,
        role=e.role.value,
        country=e.country,
        region=e.region,
        city=e.city,
        certifications=fold(e.certifications),
        export_markets=fold(e.export_markets),
        channels=frozenset(c.lower() for c in e.channels),
        years_exporting=e.years_exporting,
        annual_capacity=e.annual_capacity,
        capacity_unit=e.capacity_unit,
        moq=e.moq,
        verified=e.verified,
    )


def profile_of(e: Enterprise) -> ProfileDoc:
    products = tuple(
        ProductDoc(p.id or 0, p.name, p.hs_code, p.description) for p in e.product_lines
    )
    return ProfileDoc(facts_of(e), e.description, e.looking_for, products)


def trade_doc(row: Need | Offer) -> TradeDoc:
    """A need (demand) or an offer (supply) as the core sees it."""
    doc = partial(
        TradeDoc,
        id=row.id or 0,
        enterprise_id=row.owner_id,
        title=row.title,
        product=row.product,
        description=row.description,
        hs_code=row.hs_code,
        unit=row.unit,
        is_open=row.status is Status.open,
    )
    if isinstance(row, Need):
        return doc(
            kind=Kind.need,
            quantity=row.quantity,
            certifications=fold(row.required_certifications),
            country=row.delivery_country,
        )
    return doc(
        kind=Kind.offer,
        quantity=row.available_quantity,
        moq=row.moq,
        certifications=fold(row.certifications),
    )


def drafts_of(
    enterprises: Iterable[Enterprise] = (), trades: Iterable[Need | Offer] = ()
) -> list[ItemDraft]:
    """The items these rows are matched by; a closed need or offer is kept but not matched."""
    drafts = [d for e in enterprises for d in profile_items(profile_of(e))]
    return drafts + [trade_item(trade_doc(r)) for r in trades if r.status is Status.open]
