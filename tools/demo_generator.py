"""Seeded demo data for a domestic-and-foreign-trade matchmaking fair.

`generate()` builds enterprises (makers, domestic and foreign buyers, trading companies),
buyer needs and supplier offers as plain JSON-ready dicts; `main()` writes them to data/demo.
Needs and offers name their enterprise by `buyer_external_id` / `supplier_external_id`.
"""

import argparse
import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tools import demo_vocab as vocab
from tools.demo_dice import Deck, Dice, cap, money, nice
from tools.demo_vocab import BuyerKind, Country, Product, Sector
from tools.demo_zh import ChineseWriter, Voice

Record = dict[str, Any]

FAIR_DATE = date(2026, 12, 8)  # deadlines fall within about half a year after the fair
SECTOR_BY_KEY = {s.key: s for s in vocab.SECTORS}
COUNTRY_BY_NAME = {c.name: c for c in vocab.COUNTRIES}
KIND_BY_KEY = {k.key: k for k in vocab.DOMESTIC_KINDS}
EU = frozenset({c.name for c in vocab.COUNTRIES if c.eu} | {"France"})
HALAL = frozenset({c.name for c in vocab.COUNTRIES if c.halal} | {"Morocco", "Bangladesh"})
EAEU = frozenset({c.name for c in vocab.COUNTRIES if c.eaeu})
ASCII = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", **dict.fromkeys("'().,&/")})


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
    zh: Voice | None = None  # set when it writes Chinese


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _slug(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text.translate(ASCII))
    return "-".join(flat.encode("ascii", "ignore").decode().lower().split())


def _route(country: Country) -> str:
    if country.eu or country.name in ("Russia", "Turkey"):
        return "rail"
    if country.eaeu or country.name == "Uzbekistan":
        return "land"
    if country.name in ("Vietnam", "Thailand", "Malaysia", "Indonesia"):
        return "corridor"
    return "sea"


def _required(rng: Dice, sector: Sector, country: str) -> list[str]:
    """Certificates a buyer in `country` asks for: market rules first, then house rules."""
    certs: list[str] = []
    if country in EU:
        certs.append(sector.eu_certs[0])
        certs += [c for c in sector.eu_certs[1:] if rng.chance(0.5)]
    elif "CE" in sector.eu_certs and rng.chance(0.3):
        certs.append("CE")
    if sector.group == "food" and country in HALAL and rng.chance(0.7):
        certs.append("Halal")
    if sector.group != "food" and country in EAEU and rng.chance(0.5):
        certs.append("EAC")
    if country == "China" and any(c == "CCC" for c, _ in sector.certs) and rng.chance(0.5):
        certs.append("CCC")
    if rng.chance(0.3):
        certs.append(sector.certs[0][0])
    return list(dict.fromkeys(certs))


class _Builder:
    """One generation run: the random stream, the decks and the parties made so far."""

    def __init__(self, seed: int) -> None:
        self.rng = Dice(seed)
        self.names: set[str] = set()
        self.sellers: list[_Party] = []
        self.buyers: list[_Party] = []
        self.buyers_by_sector: dict[str, list[_Party]] = defaultdict(list)
        self.roles = Deck(self.rng, vocab.ROLE_DECK)
        self.maker_sectors = Deck(self.rng, [SECTOR_BY_KEY[k] for k in vocab.SUPPLIER_DECK])
        self.need_sectors = Deck(self.rng, [SECTOR_BY_KEY[k] for k in vocab.NEED_DECK])
        self.kinds = Deck(self.rng, [KIND_BY_KEY[k] for k in vocab.KIND_DECK])
        self.countries = Deck(self.rng, [COUNTRY_BY_NAME[c] for c in vocab.COUNTRY_DECK])
        self.zh = ChineseWriter(seed, self.names)

    # --- names, contacts, product lines

    def _unique(self, make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """A (name, short name) pair whose name no earlier enterprise has."""
        for _ in range(4):
            name, short = make()
            if name not in self.names:
                break
        else:
            name = f"{name} No. {len(self.names) + 1}"
        self.names.add(name)
        return name, short

    def _brand(self) -> str:
        return self.rng.pick(vocab.SYLLABLES) + self.rng.pick(vocab.SYLLABLES).lower()

    def _cn_contact(self, slug: str, region: str) -> Record:
        rng = self.rng
        surname, given = rng.pick(vocab.CN_SURNAMES), rng.pick(vocab.CN_GIVEN)
        area = vocab.CN_PHONE_AREAS.get(region)
        if area is None:
            phone = f"+86 13{rng.between(0, 9)} {rng.between(1000, 9999)} {rng.between(1000, 9999)}"
        else:
            phone = f"+86 {area} {rng.between(6000, 8999)} {rng.between(1000, 9999)}"
        return {
            "website": f"https://www.{slug}.example.com",
            "contact_name": f"{surname} {given}",
            "contact_email": f"{given.lower()}.{surname.lower()}@{slug}.example.com",
            "contact_phone": phone,
        }

    def _foreign_contact(self, slug: str, country: Country) -> Record:
        rng = self.rng
        first, last = rng.pick(country.first_names), rng.pick(country.last_names)
        digits = f"{rng.between(100, 999)} {rng.between(100, 999)} {rng.between(1000, 9999)}"
        return {
            "website": f"https://www.{slug}.example.com",
            "contact_name": f"{first} {last}",
            "contact_email": f"{_slug(first)}.{_slug(last)}@{slug}.example.com",
            "contact_phone": f"{country.phone} {digits}",
        }

    def _lines(self, pairs: Sequence[tuple[Sector, Product]]) -> list[Record]:
        rng = self.rng
        lines = []
        for _, product in pairs:
            features = rng.some(product.features, min(2, len(product.features)))
            text = f"{cap('; '.join(features))}. {rng.pick(vocab.SAMPLE_LINES)}"
            lines.append(
                {"name": product.name, "hs_code": product.hs_code, "description": text.strip()}
            )
        return lines

    # --- enterprises

    def enterprise(self, index: int) -> Record:
        role = self.roles.deal()
        external_id = f"ent-{index + 1:04d}"
        if role == "supplier":
            return self._maker(external_id)
        if role == "both":
            return self._trader(external_id)
        if self.rng.chance(0.4):
            return self._domestic_buyer(external_id)
        return self._importer(external_id)

    def _maker(self, external_id: str) -> Record:
        rng = self.rng
        sector = self.maker_sectors.deal()
        place, region = rng.pick(sector.places)
        word = rng.pick(sector.name_words)
        head = region if region != place and rng.chance(0.3) else place

        def make() -> tuple[str, str]:
            brand = self._brand()
            pattern = rng.pick(vocab.MAKER_NAMES)
            name = pattern.format(head=head, b=brand, w=word, place=place)
            return name, f"{brand} {word.split()[0]}"

        name, short = self._unique(make)
        products = rng.some(sector.products, rng.between(1, min(3, len(sector.products))))
        founded = rng.between(1988, 2022)
        years = 0 if rng.chance(0.18) else rng.between(1, min(25, FAIR_DATE.year - founded))
        markets = rng.some(sector.markets, rng.between(1, 6)) if years else []
        certs = [c for c, p in sector.certs if rng.chance(p)]
        if EU.intersection(markets):
            certs += [c for c in sector.eu_certs if rng.chance(0.75)]
        if sector.group == "food" and HALAL.intersection(markets) and rng.chance(0.6):
            certs.append("Halal")
        if sector.group != "food" and EAEU.intersection(markets) and rng.chance(0.6):
            certs.append("EAC")
        certs = list(dict.fromkeys(certs))
        capacity = nice(rng.uniform(*sector.capacity))
        languages = ["Chinese", "English"]
        spoken = [vocab.MARKET_LANGUAGE[m] for m in markets if m in vocab.MARKET_LANGUAGE]
        if spoken and rng.chance(0.4):
            languages.append(spoken[0])
        pool = vocab.FOOD_CHANNELS if sector.group == "food" else vocab.INDUSTRY_CHANNELS
        channels = (["export"] if years else []) + rng.some(pool, rng.between(1, 3))

        slots = {
            "name": name,
            "short": short,
            "year": founded,
            "place": place,
            "region": region,
            "label": sector.label,
            "staff": f"{nice(rng.uniform(40, 4000)):,}",
        }
        text = [rng.pick(vocab.MAKER_OPENERS).format(**slots)]
        aliases = _join([p.aliases[0] for p in products])
        text.append(rng.pick(vocab.RANGE_LINES).format(items=aliases))
        text += [s + "." for s in rng.some(sector.strengths, rng.between(1, 2))]
        if rng.chance(0.8):
            line = rng.pick(vocab.CAPACITY_LINES)
            text.append(line.format(cap=f"{capacity:,}", unit=sector.unit))
        if markets:
            share = rng.between(1, 9) * 10
            line = rng.pick(vocab.EXPORT_LINES)
            text.append(line.format(years=years, markets=_join(markets), share=share))
        else:
            text.append(rng.pick(vocab.DOMESTIC_LINES))
        if certs:
            text.append(rng.pick(vocab.CERT_LINES).format(certs=_join(certs)))
        seeks = rng.some(sector.seeks + vocab.GENERIC_SEEKS, 2)

        pairs = [(sector, p) for p in products]
        party = _Party(external_id, short, place, "China", "USD", (), [sector], pairs, certs)
        self.sellers.append(party)
        record = {
            "external_id": external_id,
            "name": name,
            "role": "supplier",
            "description": cap(" ".join(text)),
            "looking_for": rng.pick(vocab.SEEK_LINES).format(a=seeks[0], b=seeks[1]),
            "city": place,
            "region": region,
            "country": "China",
            "certifications": certs,
            "export_markets": markets,
            "years_exporting": years,
            "annual_capacity": float(capacity),
            "capacity_unit": sector.unit,
            "moq": float(nice(rng.uniform(*sector.moq))),
            "languages": languages,
            "channels": channels,
            **self._cn_contact(_slug(short), region),
            "product_lines": self._lines(pairs),
        }
        if self.zh.writes_maker(sector, region):
            party.zh = self.zh.maker(record, sector, products, short, founded)
        return record

    def _buyer_record(
        self,
        party: _Party,
        *,
        role: str,
        name: str,
        region: str,
        text: list[str],
        certs: list[str],
        languages: list[str],
        channels: list[str],
        contact: Record,
    ) -> Record:
        items = _join([s.products[0].aliases[0] for s in party.sectors])
        for sector in party.sectors:
            self.buyers_by_sector[sector.key].append(party)
        self.buyers.append(party)
        return {
            "external_id": party.external_id,
            "name": name,
            "role": role,
            "description": " ".join(text),
            "looking_for": self.rng.pick(vocab.SOURCING_LINES).format(items=items),
            "city": party.city,
            "region": region,
            "country": party.country,
            "certifications": certs,
            "export_markets": [],
            "years_exporting": 0,
            "annual_capacity": None,
            "capacity_unit": "",
            "moq": None,
            "languages": languages,
            "channels": channels,
            **contact,
            "product_lines": self._lines(party.products),
        }

    def _domestic_buyer(self, external_id: str) -> Record:
        rng = self.rng
        kind: BuyerKind = self.kinds.deal()
        city, region = rng.pick(vocab.DOMESTIC_CITIES)

        def make() -> tuple[str, str]:
            name = rng.pick(kind.names).format(b=self._brand(), city=city)
            return name, name.removesuffix(" Co., Ltd.")

        name, short = self._unique(make)
        sectors = [SECTOR_BY_KEY[k] for k in rng.some(kind.interests, rng.between(1, 3))]
        note = rng.pick(kind.notes)
        slots = {
            "name": name,
            "short": short,
            "city": city,
            "region": region,
            "label": kind.label,
            "scale": kind.scale.format(n=f"{nice(rng.uniform(*kind.scale_range)):,}"),
            "note": note,
            "year": rng.between(1992, 2021),
        }
        opener = rng.pick(vocab.BUYER_OPENERS)
        text = [opener.format(**slots)]
        if "{note}" not in opener:
            text.append(rng.pick(vocab.NOTE_LINES).format(note=note, short=short))
        purposes = vocab.DOMESTIC_PURPOSES[kind.key]
        party = _Party(external_id, short, city, "China", "CNY", purposes, sectors)
        record = self._buyer_record(
            party,
            role="buyer",
            name=name,
            region=region,
            text=text,
            certs=["ISO 9001"] if rng.chance(0.3) else [],
            languages=["Chinese"],
            channels=list(kind.channels),
            contact=self._cn_contact(_slug(short), region),
        )
        if self.zh.writes_buyer(kind.key):
            party.zh = self.zh.buyer(record, kind.key, sectors, short)
        return record

    def _importer(self, external_id: str) -> Record:
        rng = self.rng
        country: Country = self.countries.deal()
        group = rng.pick(country.groups)
        city, region = rng.pick(country.places)
        core = rng.pick(vocab.IMPORTER_CORES[group])

        def make() -> tuple[str, str]:
            prefix, form = rng.pick(country.prefixes), rng.pick(country.forms)
            name = form.format(p=prefix, c=core)
            return name, f"{prefix} {core}" if "{c}" in form else name

        name, short = self._unique(make)
        pool = [s for s in vocab.SECTORS if s.group == group]
        sectors = rng.some(pool, rng.between(1, min(2, len(pool))))
        slots = {
            "name": name,
            "short": short,
            "city": city,
            "country": country.name,
            "role": rng.pick(vocab.IMPORTER_ROLES[group]),
            "year": rng.between(1990, 2021),
            "years": rng.between(2, 25),
        }
        text = [rng.pick(vocab.IMPORTER_OPENERS).format(**slots)]
        text.append(rng.pick(vocab.LOGISTICS[_route(country)]))
        certs = ["AEO"] if rng.chance(0.2) else []
        if group == "food" and rng.chance(0.3):
            certs.append("IFS Broker" if country.eu else "HACCP")
        languages = list(country.languages)
        if rng.chance(0.25):
            languages.append("Chinese")
        extra = rng.some(vocab.IMPORTER_CHANNELS, rng.between(0, 2))
        purposes = tuple(p.format(country=country.name, city=city) for p in vocab.IMPORTER_PURPOSES)
        currency = country.currency if rng.chance(0.7) else "USD"
        party = _Party(external_id, short, city, country.name, currency, purposes, sectors)
        return self._buyer_record(
            party,
            role="buyer",
            name=name,
            region=region,
            text=text,
            certs=certs,
            languages=languages,
            channels=["import-distribution", *extra],
            contact=self._foreign_contact(_slug(short), country),
        )

    def _trader(self, external_id: str) -> Record:
        rng = self.rng
        city, region = rng.pick(vocab.DOMESTIC_CITIES)

        def make() -> tuple[str, str]:
            name = rng.pick(vocab.TRADER_NAMES).format(b=self._brand(), city=city)
            return name, name.removesuffix(" Co., Ltd.")

        name, short = self._unique(make)
        sectors = rng.some(vocab.SECTORS, rng.between(1, 2))
        pairs = [(s, rng.pick(s.products)) for s in sectors]
        year = rng.between(1995, 2021)
        opener = rng.pick(vocab.TRADER_OPENERS)
        aliases = _join([p.aliases[0] for _, p in pairs])
        text = [
            opener.format(name=name, short=short, city=city, year=year),
            rng.pick(vocab.RANGE_LINES).format(items=aliases),
            rng.pick(vocab.LOGISTICS["rail"] + vocab.LOGISTICS["corridor"]),
        ]
        certs = ["AEO"] if rng.chance(0.4) else []
        purposes = vocab.TRADER_PURPOSES
        party = _Party(external_id, short, city, "China", "USD", purposes, sectors, pairs, certs)
        self.sellers.append(party)
        return self._buyer_record(
            party,
            role="both",
            name=name,
            region=region,
            text=text,
            certs=certs,
            languages=["Chinese", "English"],
            channels=["import-distribution", "cross-border e-commerce", "wholesale"],
            contact=self._cn_contact(_slug(short), region),
        )

    # --- needs and offers

    def need(self) -> Record:
        rng = self.rng
        sector = self.need_sectors.deal()
        buyer = rng.pick(self.buyers_by_sector.get(sector.key) or self.buyers)
        product = rng.pick(sector.products)
        alias = rng.pick(product.aliases)
        qty = nice(rng.uniform(*sector.order))
        certs = _required(rng, sector, buyer.country)
        purpose = rng.pick(buyer.purposes)
        slots = {
            "alias": alias,
            "Alias": cap(alias),
            "qty": f"{qty:,} {vocab.UNIT_SHORT[sector.unit]}",
            "freq": "/month" if sector.group == "food" and rng.chance(0.4) else "",
            "purpose": purpose,
            "Purpose": cap(purpose),
            "country": buyer.city if buyer.country == "China" else buyer.country,
            "cert": certs[0] if certs else "",
            "short": buyer.short,
            "city": buyer.city,
            "annual": f"{qty * rng.between(4, 12):,}",
            "unit": sector.unit,
        }
        titles = vocab.NEED_CERT_TITLES if certs and rng.chance(0.5) else vocab.NEED_TITLES
        text = [
            rng.pick(vocab.NEED_OPENERS).format(**slots),
            rng.pick(vocab.SPEC_LINES).format(f=rng.pick(product.features)),
        ]
        if certs:
            text.append(rng.pick(vocab.REQUIRE_LINES).format(certs=_join(certs)))
        domestic = buyer.country == "China"
        delivery = rng.pick(vocab.DOMESTIC_DELIVERY if domestic else vocab.FOREIGN_DELIVERY)
        text += [delivery.format(city=buyer.city), rng.pick(vocab.TERMS)]
        price = product.price * rng.uniform(0.75, 1.05) * vocab.FX[buyer.currency]
        deadline = FAIR_DATE + timedelta(days=rng.between(30, 200))
        record = {
            "buyer_external_id": buyer.external_id,
            "title": rng.pick(titles).format(**slots),
            "description": " ".join(text),
            "product": product.name,
            "hs_code": product.hs_code,
            "quantity": float(qty),
            "unit": sector.unit,
            "target_price": money(price),
            "currency": buyer.currency,
            "required_certifications": certs,
            "delivery_country": buyer.country,
            "delivery_region": buyer.city,
            "deadline": deadline.isoformat(),
            "status": "closed" if rng.chance(0.04) else "open",
        }
        return self.zh.need(record, buyer.zh, sector, product) if buyer.zh else record

    def offer(self, seller: _Party) -> Record:
        rng = self.rng
        sector, product = rng.pick(seller.products)
        alias = rng.pick(product.aliases)
        currency = "CNY" if rng.chance(0.25) else "USD"
        price = money(product.price * rng.uniform(0.8, 1.2) * vocab.FX[currency])
        moq = nice(rng.uniform(*sector.moq))
        avail = nice(rng.uniform(*sector.order) * rng.between(2, 10))
        unit_short = vocab.UNIT_SHORT[sector.unit]
        certs = [c for c in seller.certs if rng.chance(0.85)]
        feature = rng.pick(product.features)
        slots = {
            "alias": alias,
            "Alias": cap(alias),
            "feature": feature,
            "moq": f"{moq:,} {unit_short}",
            "place": seller.city,
            "short": seller.short,
            "price": f"{price:,.2f}" if price < 100 else f"{price:,.0f}",
            "currency": currency,
            "unit_one": vocab.UNIT_ONE[sector.unit],
            "avail": f"{avail:,} {unit_short}",
            "cert": certs[0] if certs else "",
            "days": rng.pick((7, 10, 15, 20, 25, 30, 45)),
        }
        titles = vocab.OFFER_CERT_TITLES if certs and rng.chance(0.4) else vocab.OFFER_TITLES
        text = [rng.pick(vocab.OFFER_OPENERS).format(**slots)]
        more = [f for f in product.features if f != feature]
        if more:
            text.append(cap(rng.pick(more)) + ".")
        text.append(rng.pick(vocab.PRICE_LINES).format(**slots))
        text.append(rng.pick(vocab.LEAD_LINES).format(**slots))
        if certs:
            text.append(rng.pick(vocab.CERT_LINES).format(certs=_join(certs)))
        text.append(rng.pick(vocab.SAMPLE_LINES))
        record = {
            "supplier_external_id": seller.external_id,
            "title": rng.pick(titles).format(**slots),
            "description": " ".join(text).strip(),
            "product": product.name,
            "hs_code": product.hs_code,
            "price": price,
            "currency": currency,
            "unit": sector.unit,
            "moq": float(moq),
            "available_quantity": float(avail),
            "certifications": certs,
            "status": "closed" if rng.chance(0.04) else "open",
        }
        return self.zh.offer(record, seller.zh, sector, product) if seller.zh else record


def generate(
    *, n_enterprises: int = 320, n_needs: int = 160, n_offers: int = 160, seed: int = 7
) -> DemoData:
    """Build a fair's worth of enterprises, needs and offers; the same seed gives the same data.

    O(n) in all three counts. Raises ValueError when needs or offers are asked for but the
    enterprises include no buyer or no seller to own them.
    """
    builder = _Builder(seed)
    enterprises = [builder.enterprise(i) for i in range(n_enterprises)]
    if n_needs and not builder.buyers:
        raise ValueError(f"{n_enterprises} enterprises include no buyer to post needs")
    if n_offers and not builder.sellers:
        raise ValueError(f"{n_enterprises} enterprises include no supplier to post offers")
    needs = [builder.need() for _ in range(n_needs)]
    sellers = Deck(builder.rng, builder.sellers)
    offers = [builder.offer(sellers.deal()) for _ in range(n_offers)]
    return DemoData(enterprises, needs, offers)


def write(data: DemoData, out: Path) -> list[Path]:
    """Write enterprises.json, needs.json and offers.json under `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"enterprises": data.enterprises, "needs": data.needs, "offers": data.offers}
    paths = []
    for stem, records in files.items():
        path = out / f"{stem}.json"
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
