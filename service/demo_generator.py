"""Seeded demo data for a domestic-and-foreign-trade matchmaking fair.

`generate()` builds enterprises (makers, domestic and foreign buyers, trading companies),
buyer needs and supplier offers as plain JSON-ready dicts; `main()` writes them to data/demo.
Needs and offers name their enterprise by `buyer_external_id` / `supplier_external_id`.
"""

import argparse
import json
import random
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

from service.demo_vocab import (
    CN_GIVEN,
    CN_PHONE_AREAS,
    CN_SURNAMES,
    COUNTRIES,
    COUNTRY_DECK,
    DOMESTIC_CITIES,
    DOMESTIC_KINDS,
    IMPORTER_CORES,
    IMPORTER_ROLES,
    NEED_DECK,
    SECTORS,
    SUPPLIER_DECK,
    SYLLABLES,
    TRADER_NAMES,
    BuyerKind,
    Country,
    Product,
    Sector,
)

Record = dict[str, Any]
T = TypeVar("T")

FAIR_DATE = date(2026, 12, 8)  # deadlines fall within about half a year after the fair
ROLE_DECK = ("supplier",) * 14 + ("buyer",) * 8 + ("both",) * 3
KIND_DECK = ("supermarket",) * 3 + ("ecommerce", "live") * 2 + ("wholesale",) * 2
KIND_DECK += ("department", "assembler")
FX = {"USD": 1.0, "EUR": 0.92, "CNY": 7.1}
UNIT_SHORT = {"tonnes": "t", "units": "units", "pieces": "pcs", "metres": "m", "kg": "kg"}
SECTOR_BY_KEY = {s.key: s for s in SECTORS}
COUNTRY_BY_NAME = {c.name: c for c in COUNTRIES}
KIND_BY_KEY = {k.key: k for k in DOMESTIC_KINDS}
GROUP_SECTORS: dict[str, list[Sector]] = defaultdict(list)
for _sector in SECTORS:
    GROUP_SECTORS[_sector.group].append(_sector)
EU = frozenset({c.name for c in COUNTRIES if c.eu} | {"France"})
HALAL = frozenset({c.name for c in COUNTRIES if c.halal} | {"Morocco", "Bangladesh"})
EAEU = frozenset({c.name for c in COUNTRIES if c.eaeu})
ASCII = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ß": "ss", "'": "", " ": "-"})


@dataclass
class DemoData:
    enterprises: list[Record]
    needs: list[Record]
    offers: list[Record]


@dataclass
class _Party:
    """What needs and offers must know about an enterprise generated earlier."""

    external_id: str
    short: str
    city: str
    country: str
    currency: str
    purposes: tuple[str, ...]
    sectors: list[Sector]
    products: list[tuple[Sector, Product]] = field(default_factory=list)
    certs: list[str] = field(default_factory=list)


class _Deck(Generic[T]):
    """Deals items in freshly shuffled rounds, so shares hold at every size."""

    def __init__(self, rng: random.Random, items: Sequence[T]) -> None:
        self._rng, self._items, self._hand = rng, list(items), list[T]()

    def deal(self) -> T:
        if not self._hand:
            self._hand = self._items.copy()
            self._rng.shuffle(self._hand)
        return self._hand.pop()


# --- helpers -------------------------------------------------------------------------------


def _nice(x: float) -> int:
    """Round to two significant digits so quantities look quoted, not computed."""
    if x < 100:
        return max(1, round(x))
    magnitude = 10 ** (len(str(int(x))) - 2)
    return round(x / magnitude) * magnitude


def _money(x: float) -> float:
    return round(x, 2) if x < 100 else float(round(x))


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _slug(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text.translate(ASCII))
    return "".join(c for c in flat if c.isascii() and (c.isalnum() or c == "-")).lower()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _unit_one(unit: str) -> str:
    return {"tonnes": "tonne", "units": "unit", "pieces": "piece", "metres": "metre"}.get(
        unit, unit
    )


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.sellers: list[_Party] = []
        self.buyers: list[_Party] = []
        self.buyers_by_sector: dict[str, list[_Party]] = defaultdict(list)
        self.roles = _Deck(self.rng, ROLE_DECK)
        self.maker_sectors = _Deck(self.rng, [SECTOR_BY_KEY[k] for k in SUPPLIER_DECK])
        self.need_sectors = _Deck(self.rng, [SECTOR_BY_KEY[k] for k in NEED_DECK])
        self.kinds = _Deck(self.rng, [KIND_BY_KEY[k] for k in KIND_DECK])
        self.countries = _Deck(self.rng, [COUNTRY_BY_NAME[c] for c in COUNTRY_DECK])

    # names and contacts

    def _unique(self, make: Any) -> str:
        for _ in range(4):
            name: str = make()
            if name not in self.names:
                break
        else:
            name = f"{name} No. {len(self.names) + 1}"
        self.names.add(name)
        return name

    def _brand(self) -> str:
        return self.rng.choice(SYLLABLES) + self.rng.choice(SYLLABLES).lower()

    def _cn_contact(self, slug: str, region: str) -> Record:
        rng = self.rng
        surname, given = rng.choice(CN_SURNAMES), rng.choice(CN_GIVEN)
        area = CN_PHONE_AREAS.get(region)
        if area is None:
            phone = f"+86 13{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        else:
            phone = f"+86 {area} {rng.randint(6000, 8999)} {rng.randint(1000, 9999)}"
        return {
            "website": f"https://www.{slug}.example.com",
            "contact_name": f"{surname} {given}",
            "contact_email": f"{given.lower()}.{surname.lower()}@{slug}.example.com",
            "contact_phone": phone,
        }

    def _foreign_contact(self, slug: str, country: Country) -> Record:
        rng = self.rng
        first, last = rng.choice(country.first_names), rng.choice(country.last_names)
        return {
            "website": f"https://www.{slug}.example.com",
            "contact_name": f"{first} {last}",
            "contact_email": f"{_slug(first)}.{_slug(last)}@{slug}.example.com",
            "contact_phone": f"{country.phone} {rng.randint(100, 999)} {rng.randint(100, 999)}"
            f" {rng.randint(1000, 9999)}",
        }

    def _lines(self, pairs: Sequence[tuple[Sector, Product]]) -> list[Record]:
        rng = self.rng
        lines = []
        for _, product in pairs:
            features = rng.sample(product.features, min(2, len(product.features)))
            extra = rng.choice(SAMPLE_LINES)
            text = _cap("; ".join(features)) + "."
            lines.append(
                {
                    "name": product.name,
                    "hs_code": product.hs_code,
                    "description": f"{text} {extra}".strip(),
                }
            )
        return lines

    # enterprises

    def enterprise(self, index: int) -> Record:
        role = self.roles.deal()
        external_id = f"ent-{index + 1:04d}"
        if role == "supplier":
            return self._maker(external_id)
        if role == "both":
            return self._trader(external_id)
        if self.rng.random() < 0.45:
            return self._domestic_buyer(external_id)
        return self._importer(external_id)

    def _maker(self, external_id: str) -> Record:
        rng = self.rng
        sector = self.maker_sectors.deal()
        place, region = rng.choice(sector.places)
        brand, word = self._brand(), rng.choice(sector.name_words)
        head = region if region != place and rng.random() < 0.3 else place
        name = self._unique(lambda: f"{head} {self._brand()} {word} Co., Ltd.")
        brand = name.split()[-4] if name.endswith(f"{word} Co., Ltd.") else brand
        short = f"{brand} {word.split()[0]}"
        products = rng.sample(sector.products, rng.randint(1, min(3, len(sector.products))))
        founded = rng.randint(1988, 2022)
        years = 0 if rng.random() < 0.18 else rng.randint(1, min(25, FAIR_DATE.year - founded))
        markets = rng.sample(sector.markets, rng.randint(1, 6)) if years else []
        certs = [c for c, p in sector.certs if rng.random() < p]
        if EU.intersection(markets):
            certs += [c for c in sector.eu_certs if rng.random() < 0.75]
        if sector.group == "food" and HALAL.intersection(markets) and rng.random() < 0.6:
            certs.append("Halal")
        if sector.group != "food" and EAEU.intersection(markets) and rng.random() < 0.6:
            certs.append("EAC")
        certs = list(dict.fromkeys(certs))
        capacity = _nice(rng.uniform(*sector.capacity))
        unit = sector.unit
        languages = ["Chinese", "English"]
        spoken = [MARKET_LANGUAGE[m] for m in markets if m in MARKET_LANGUAGE]
        if spoken and rng.random() < 0.4:
            languages.append(spoken[0])
        channels = ["export"] if years else []
        channels += rng.sample(
            ("OEM", "wholesale", "e-commerce", "cross-border e-commerce", "live-streaming",
             "supermarket") if sector.group == "food" else
            ("OEM", "distributors", "project sales", "e-commerce", "cross-border e-commerce"),
            rng.randint(1, 3),
        )  # fmt: skip
        slots = {
            "name": name, "short": short, "year": founded, "place": place, "region": region,
            "label": sector.label, "staff": _nice(rng.uniform(40, 4000)),
        }  # fmt: skip
        text = [rng.choice(MAKER_OPENERS).format(**slots)]
        text.append(rng.choice(RANGE_LINES).format(items=_join([p.aliases[0] for p in products])))
        text += [s + "." for s in rng.sample(sector.strengths, rng.randint(1, 2))]
        if rng.random() < 0.8:
            text.append(rng.choice(CAPACITY_LINES).format(cap=f"{capacity:,}", unit=unit))
        if markets:
            text.append(
                rng.choice(EXPORT_LINES).format(
                    years=years, markets=_join(markets), share=rng.randint(5, 9) * 10 - 5
                )
            )
        else:
            text.append(rng.choice(DOMESTIC_LINES))
        if certs:
            text.append(rng.choice(CERT_LINES).format(certs=_join(certs)))
        seeks = rng.sample(sector.seeks + GENERIC_SEEKS, 2)
        looking_for = rng.choice(SEEK_LINES).format(a=seeks[0], b=seeks[1])
        pairs = [(sector, p) for p in products]
        self.sellers.append(
            _Party(external_id, short, place, "China", "USD", (), [sector], pairs, certs)
        )
        slug = _slug(short)
        return {
            "external_id": external_id, "name": name, "role": "supplier",
            "description": _cap(" ".join(text)), "looking_for": looking_for, "city": place,
            "region": region, "country": "China", "certifications": certs,
            "export_markets": markets, "years_exporting": years,
            "annual_capacity": float(capacity), "capacity_unit": unit,
            "moq": float(_nice(rng.uniform(*sector.moq))), "languages": languages,
            "channels": channels, **self._cn_contact(slug, region),
            "product_lines": self._lines(pairs),
        }  # fmt: skip

    def _buyer_record(
        self, party: _Party, role: str, name: str, region: str, description: str,
        certs: list[str], languages: list[str], channels: list[str], contact: Record,
    ) -> Record:  # fmt: skip
        items = _join([s.products[0].aliases[0] for s in party.sectors])
        looking_for = self.rng.choice(SOURCING_LINES).format(items=items)
        if role == "buyer":
            for sector in party.sectors:
                self.buyers_by_sector[sector.key].append(party)
        self.buyers.append(party)
        return {
            "external_id": party.external_id, "name": name, "role": role,
            "description": description, "looking_for": looking_for, "city": party.city,
            "region": region, "country": party.country, "certifications": certs,
            "export_markets": [], "years_exporting": 0, "annual_capacity": None,
            "capacity_unit": "", "moq": None, "languages": languages, "channels": channels,
            **contact, "product_lines": self._lines(party.products),
        }  # fmt: skip

    def _domestic_buyer(self, external_id: str) -> Record:
        rng = self.rng
        kind: BuyerKind = self.kinds.deal()
        city, region = rng.choice(DOMESTIC_CITIES)
        name = self._unique(
            lambda: rng.choice(kind.names).format(b=self._brand(), city=city)
        )
        short = name.split(" Co., Ltd.")[0]
        sectors = [SECTOR_BY_KEY[k] for k in rng.sample(kind.interests, rng.randint(1, 3))]
        scale = kind.scale.format(n=f"{_nice(rng.uniform(*kind.scale_range)):,}")
        note = rng.choice(kind.notes)
        slots = {
            "name": name, "short": short, "city": city, "region": region, "label": kind.label,
            "scale": scale, "note": note, "year": rng.randint(1992, 2021),
        }  # fmt: skip
        text = [rng.choice(BUYER_OPENERS).format(**slots)]
        if "{note}" not in text[0]:
            text.append(rng.choice(NOTE_LINES).format(note=note, short=short))
        certs = ["ISO 9001"] if rng.random() < 0.3 else []
        party = _Party(external_id, short, city, "China", "CNY",
                       DOMESTIC_PURPOSES[kind.key], sectors)  # fmt: skip
        return self._buyer_record(
            party, "buyer", name, region, " ".join(text), certs, ["Chinese"],
            list(kind.channels), self._cn_contact(_slug(short), region),
        )  # fmt: skip

    def _importer(self, external_id: str) -> Record:
        rng = self.rng
        country: Country = self.countries.deal()
        group = rng.choice(country.groups)
        city, region = rng.choice(country.places)
        core = rng.choice(IMPORTER_CORES[group])
        name = self._unique(
            lambda: rng.choice(country.forms).format(p=rng.choice(country.prefixes), c=core)
        )
        short = name.rsplit(" ", 1)[0] if rng.random() < 0.5 else name
        pool = GROUP_SECTORS[group]
        sectors = rng.sample(pool, rng.randint(1, min(2, len(pool))))
        role = rng.choice(IMPORTER_ROLES[group])
        slots = {
            "name": name, "short": short, "city": city, "country": country.name, "role": role,
            "year": rng.randint(1990, 2021), "years": rng.randint(2, 25),
        }  # fmt: skip
        text = [rng.choice(IMPORTER_OPENERS).format(**slots)]
        text.append(rng.choice(LOGISTICS[_route(country)]))
        certs = ["AEO"] if rng.random() < 0.2 else []
        if group == "food" and rng.random() < 0.3:
            certs.append("IFS Broker" if country.eu else "HACCP")
        languages = list(country.languages)
        if rng.random() < 0.25:
            languages.append("Chinese")
        channels = ["import-distribution"] + rng.sample(
            ("wholesale", "supermarket", "e-commerce", "dealer network"), rng.randint(0, 2)
        )
        purposes = tuple(p.format(country=country.name, city=city) for p in IMPORTER_PURPOSES)
        currency = country.currency if rng.random() < 0.7 else "USD"
        party = _Party(external_id, short, city, country.name, currency, purposes, sectors)
        return self._buyer_record(
            party, "buyer", name, region, " ".join(text), certs, languages, channels,
            self._foreign_contact(_slug(name.rsplit(" ", 1)[0])[:40], country),
        )  # fmt: skip

    def _trader(self, external_id: str) -> Record:
        rng = self.rng
        city, region = rng.choice(DOMESTIC_CITIES)
        name = self._unique(lambda: rng.choice(TRADER_NAMES).format(b=self._brand(), city=city))
        short = name.split(" Co., Ltd.")[0]
        sectors = rng.sample(SECTORS, rng.randint(1, 2))
        pairs = [(s, rng.choice(s.products)) for s in sectors]
        year = rng.randint(1995, 2021)
        text = [rng.choice(TRADER_OPENERS).format(name=name, short=short, city=city, year=year)]
        text.append(
            rng.choice(RANGE_LINES).format(items=_join([p.aliases[0] for _, p in pairs]))
        )
        text.append(rng.choice(LOGISTICS["rail"] + LOGISTICS["corridor"]))
        certs = ["AEO"] if rng.random() < 0.4 else []
        party = _Party(external_id, short, city, "China", "USD", TRADER_PURPOSES, sectors,
                       pairs, certs)  # fmt: skip
        self.sellers.append(party)
        record = self._buyer_record(
            party, "both", name, region, " ".join(text), certs, ["Chinese", "English"],
            ["import-distribution", "cross-border e-commerce", "wholesale"],
            self._cn_contact(_slug(short), region),
        )  # fmt: skip
        for sector in sectors:
            self.buyers_by_sector[sector.key].append(party)
        return record

    # needs and offers

    def need(self) -> Record:
        rng = self.rng
        sector = self.need_sectors.deal()
        buyer = rng.choice(self.buyers_by_sector.get(sector.key) or self.buyers)
        product = rng.choice(sector.products)
        alias = rng.choice(product.aliases)
        qty = _nice(rng.uniform(*sector.order))
        qty_text = f"{qty:,} {UNIT_SHORT[sector.unit]}"
        freq = "/month" if sector.group == "food" and rng.random() < 0.4 else ""
        certs = _required(rng, sector, buyer.country)
        slots = {
            "alias": alias, "Alias": _cap(alias), "qty": qty_text, "freq": freq,
            "purpose": rng.choice(buyer.purposes), "country": buyer.country,
            "cert": certs[0] if certs else "", "short": buyer.short, "city": buyer.city,
            "annual": f"{qty * rng.randint(4, 12):,}", "unit": sector.unit,
        }  # fmt: skip
        titles = NEED_CERT_TITLES if certs and rng.random() < 0.5 else NEED_TITLES
        text = [rng.choice(NEED_OPENERS).format(**slots)]
        text.append(rng.choice(SPEC_LINES).format(f=rng.choice(product.features)))
        if certs:
            text.append(rng.choice(REQUIRE_LINES).format(certs=_join(certs)))
        domestic = buyer.country == "China"
        text.append(rng.choice(DOMESTIC_DELIVERY if domestic else FOREIGN_DELIVERY))
        text[-1] = text[-1].format(city=buyer.city)
        text.append(rng.choice(TERMS))
        deadline = FAIR_DATE + timedelta(days=rng.randint(30, 200))
        return {
            "buyer_external_id": buyer.external_id,
            "title": rng.choice(titles).format(**slots),
            "description": " ".join(text),
            "product": product.name,
            "hs_code": product.hs_code,
            "quantity": float(qty),
            "unit": sector.unit,
            "target_price": _money(product.price * rng.uniform(0.75, 1.05) * FX[buyer.currency]),
            "currency": buyer.currency,
            "required_certifications": certs,
            "delivery_country": buyer.country,
            "delivery_region": buyer.city,
            "deadline": deadline.isoformat(),
            "status": "closed" if rng.random() < 0.04 else "open",
        }

    def offer(self, seller: _Party) -> Record:
        rng = self.rng
        sector, product = rng.choice(seller.products)
        alias = rng.choice(product.aliases)
        currency = "CNY" if rng.random() < 0.25 else "USD"
        price = _money(product.price * rng.uniform(0.8, 1.2) * FX[currency])
        moq = _nice(rng.uniform(*sector.moq))
        avail = _nice(rng.uniform(*sector.order) * rng.randint(2, 10))
        unit_short = UNIT_SHORT[sector.unit]
        certs = [c for c in seller.certs if rng.random() < 0.85]
        slots = {
            "alias": alias, "Alias": _cap(alias), "feature": rng.choice(product.features),
            "moq": f"{moq:,} {unit_short}", "place": seller.city, "short": seller.short,
            "price": f"{price:,}", "currency": currency, "unit_short": unit_short,
            "unit_one": _unit_one(sector.unit), "avail": f"{avail:,} {unit_short}",
            "cert": certs[0] if certs else "", "days": rng.choice((7, 10, 15, 20, 25, 30, 45)),
        }  # fmt: skip
        titles = OFFER_CERT_TITLES if certs and rng.random() < 0.4 else OFFER_TITLES
        text = [rng.choice(OFFER_OPENERS).format(**slots)]
        more = [f for f in product.features if f != slots["feature"]]
        if more:
            text.append(_cap(rng.choice(more)) + ".")
        text.append(rng.choice(PRICE_LINES).format(**slots))
        text.append(rng.choice(LEAD_LINES).format(**slots))
        if certs:
            text.append(rng.choice(CERT_LINES).format(certs=_join(certs)))
        text.append(rng.choice(SAMPLE_LINES))
        return {
            "supplier_external_id": seller.external_id,
            "title": rng.choice(titles).format(**slots),
            "description": " ".join(text).strip(),
            "product": product.name,
            "hs_code": product.hs_code,
            "price": price,
            "currency": currency,
            "unit": sector.unit,
            "moq": float(moq),
            "available_quantity": float(avail),
            "certifications": certs,
            "status": "closed" if rng.random() < 0.04 else "open",
        }


def _route(country: Country) -> str:
    if country.eu or country.name in ("Russia", "Turkey"):
        return "rail"
    if country.eaeu or country.name == "Uzbekistan":
        return "land"
    if country.name in ("Vietnam", "Thailand", "Malaysia", "Indonesia"):
        return "corridor"
    return "sea"


def _required(rng: random.Random, sector: Sector, country: str) -> list[str]:
    """Certificates a buyer in `country` asks for: market rules first, then house rules."""
    certs: list[str] = []
    if country in EU:
        certs.append(sector.eu_certs[0])
        certs += [c for c in sector.eu_certs[1:] if rng.random() < 0.5]
    elif "CE" in sector.eu_certs and rng.random() < 0.3:
        certs.append("CE")
    if sector.group == "food" and country in HALAL and rng.random() < 0.7:
        certs.append("Halal")
    if sector.group != "food" and country in EAEU and rng.random() < 0.5:
        certs.append("EAC")
    if country == "China" and sector.group in ("electronics", "mobility") and rng.random() < 0.5:
        certs.append("CCC")
    if rng.random() < 0.3:
        certs.append(sector.certs[0][0])
    return list(dict.fromkeys(certs))


def generate(
    *, n_enterprises: int = 320, n_needs: int = 160, n_offers: int = 160, seed: int = 7
) -> DemoData:
    """Build a fair's worth of enterprises, needs and offers; same seed, same data.

    Runs in O(n) time. Raises ValueError when needs or offers are asked for but the
    enterprises include no buyer or no seller to own them.
    """
    builder = _Builder(seed)
    enterprises = [builder.enterprise(i) for i in range(n_enterprises)]
    if n_needs and not builder.buyers:
        raise ValueError(f"{n_enterprises} enterprises include no buyer to post needs")
    if n_offers and not builder.sellers:
        raise ValueError(f"{n_enterprises} enterprises include no supplier to post offers")
    needs = [builder.need() for _ in range(n_needs)]
    sellers = _Deck(builder.rng, builder.sellers)
    offers = [builder.offer(sellers.deal()) for _ in range(n_offers)]
    return DemoData(enterprises, needs, offers)


def write(data: DemoData, out: Path) -> list[Path]:
    """Write enterprises.json, needs.json and offers.json under `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, records in (
        ("enterprises", data.enterprises),
        ("needs", data.needs),
        ("offers", data.offers),
    ):
        path = out / f"{name}.json"
        path.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", "utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the seeded Matchfair demo data set.")
    parser.add_argument("--out", type=Path, default=Path("data/demo"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--enterprises", type=int, default=320)
    parser.add_argument("--needs", type=int, default=160)
    parser.add_argument("--offers", type=int, default=160)
    args = parser.parse_args(argv)
    data = generate(
        n_enterprises=args.enterprises, n_needs=args.needs, n_offers=args.offers, seed=args.seed
    )
    for path in write(data, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
