"""Table rows -> the matching core's plain documents."""

from service.entities import Enterprise, Need, Offer, Status
from service.matching.items import Facts, Kind, ProductDoc, ProfileDoc, TradeDoc, fold


def facts_of(e: Enterprise) -> Facts:
    assert e.id is not None  # rows reach here after a flush
    return Facts(
        enterprise_id=e.id,
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


def need_doc(n: Need) -> TradeDoc:
    assert n.id is not None
    return TradeDoc(
        id=n.id,
        enterprise_id=n.buyer_id,
        kind=Kind.need,
        title=n.title,
        product=n.product,
        description=n.description,
        hs_code=n.hs_code,
        quantity=n.quantity,
        unit=n.unit,
        certifications=fold(n.required_certifications),
        country=n.delivery_country,
        is_open=n.status is Status.open,
    )


def offer_doc(o: Offer) -> TradeDoc:
    assert o.id is not None
    return TradeDoc(
        id=o.id,
        enterprise_id=o.supplier_id,
        kind=Kind.offer,
        title=o.title,
        product=o.product,
        description=o.description,
        hs_code=o.hs_code,
        quantity=o.available_quantity,
        unit=o.unit,
        moq=o.moq,
        certifications=fold(o.certifications),
        is_open=o.status is Status.open,
    )
