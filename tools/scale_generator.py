"""Large, varied catalogues for the serving benchmark, built on the demo generator.

`catalog(n_supply)` takes the demo generator's enterprises, needs and offers and gives every
seller (supplier or trading company) 4-36 product lines drawn from a pool of product-line
variants of its own sectors: a demo product x a grade or model x a specification x a pack, with
two of the product's feature phrases. The pool is bounded (`POOL_LIMIT` distinct lines, each sold
by several sellers, as real catalogues repeat product names), so the number of distinct texts to
embed stays near 30k at 100k supply items. `fair(per_role)` gives exactly `per_role` suppliers
and buyers with the demo's own product lines and one need per buyer. `queries()` yields buyer
search texts that never repeat.
"""

import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from tools import demo_vocab as vocab
from tools import demo_vocab_zh as zh
from tools.demo_generator import DemoData, generate
from tools.demo_vocab import Product, Sector

# Bump when the generated data changes: benchmarks key their cached databases on it.
GENERATOR_VERSION = 2
POOL_LIMIT = 12_000
POOL_FLOOR = 2_000  # ~100 lines a sector: a small catalogue's sellers still find 4-36
LINES_PER_SELLER = (4, 36)  # at most 50 (EnterpriseCreate.product_lines)
OFFER_SHARE = 0.05  # of the supply items; the rest are product lines
SELLER_SHARE = 16 / 25  # of the demo generator's role deck: suppliers and traders
Record = dict[str, Any]

# Hand-packed word tables, as in demo_vocab.
# fmt: off
GRADES = {
    "food": ("export grade", "premium grade", "standard grade", "organic", "catering line",
             "retail line", "low-salt recipe", "extra-hot recipe", "gift edition", "halal line"),
    "auto": ("OEM replacement", "aftermarket", "heavy-duty", "long-life", "low-noise",
             "racing series", "economy series", "for commercial vehicles", "for SUVs"),
    "electronics": ("business series", "consumer series", "industrial grade", "automotive grade",
                    "low-power version", "high-performance version", "education edition"),
    "mobility": ("city model", "cargo model", "folding model", "off-road model",
                 "long-range version", "lightweight version", "delivery fleet version"),
    "chemicals": ("industrial grade", "food grade", "reagent grade", "agricultural grade",
                  "technical grade", "high-purity grade", "feed grade"),
    "machinery": ("standard model", "heavy-duty model", "compact model", "automatic model",
                  "semi-automatic model", "energy-saving model", "export model"),
    "textiles": ("spring collection", "winter collection", "basic line", "premium line",
                 "eco line", "workwear line", "kids line"),
}
SPECS = {
    "food": ("no preservatives", "non-GMO ingredients", "traceable farm origin", "HACCP plant",
             "double-sealed for sea freight", "24 months shelf life", "vacuum packed",
             "nitrogen flushed", "bright red colour, medium heat"),
    "auto": ("cast aluminium housing", "forged steel", "zinc-plated", "powder-coated",
             "tested to 200,000 cycles", "IP67 sealed", "fits 2015-2024 models", "TS16949 line"),
    "electronics": ("aluminium chassis", "fanless design", "USB-C charging", "wide-temperature",
                    "three-year warranty", "RoHS compliant", "multi-language firmware",
                    "AEC-Q100 qualified"),
    "mobility": ("48 V system", "36 V system", "hydraulic disc brakes", "torque sensor",
                 "removable battery", "aluminium frame", "steel frame", "IPX5 rated"),
    "chemicals": ("purity 99.5 %", "purity 98 %", "low heavy metals", "REACH registered",
                  "moisture below 0.5 %", "granular", "powder", "liquid concentrate"),
    "machinery": ("PLC control", "stainless steel contact parts", "380 V three-phase",
                  "220 V single-phase", "servo drive", "CE-marked guards", "remote diagnostics"),
    "textiles": ("100 % cotton", "cotton-polyester blend", "recycled polyester", "linen blend",
                 "OEKO-TEX dyes", "pre-shrunk", "water-repellent finish", "stretch weave"),
}
PACKS = {
    "tonnes": ("in 20 kg cartons", "in 25 kg sacks", "in 1 t bulk bags", "in 400 g retail packs",
               "in 5 kg catering bags", "in 200 L drums"),
    "kg": ("in 100 g tins", "in 250 g pouches", "in 1 kg bags", "in 5 kg cartons",
           "in gift boxes of 200 g"),
    "units": ("single boxed", "in export cartons of 4", "on pallets of 20", "crated",
              "in retail colour boxes"),
    "pieces": ("in bulk cartons of 100", "in blister packs", "in sets of 4", "boxed singly",
               "on reels of 3,000"),
    "metres": ("on 100 m rolls", "on 50 m rolls", "cut to order", "in bolts of 60 m"),
}
PURPOSES = ("for our supermarkets", "for export to Europe", "for live-stream sales",
            "for a private-label range", "for restaurants", "for our dealer network",
            "for a government tender", "for cross-border e-commerce", "for re-export to Russia",
            "for our Southeast Asia stores", "for the autumn season", "for a new factory line")
ASKS = ("supplier of", "factory for", "wholesale", "OEM maker of", "bulk", "certified",
        "reliable source of", "manufacturer of", "quotes for", "sample order of")
# fmt: on


def _sector_of() -> dict[str, Sector]:
    """The sector of every product name the demo writes, in English or in Chinese."""
    by_key = {s.key: s for s in vocab.SECTORS}
    return {
        **{p.name: s for s in vocab.SECTORS for p in s.products},
        **{zh.PRODUCTS[p.name][0]: s for s in vocab.SECTORS for p in s.products},
        **{p.name: by_key[key] for key, z in zh.SECTORS_ZH.items() for p in z.extras},
    }


def _line(rng: random.Random, sector: Sector, product: Product) -> Record:
    grade, spec = rng.choice(GRADES[sector.group]), rng.choice(SPECS[sector.group])
    features = rng.sample(product.features, min(2, len(product.features)))
    text = f"{'; '.join(features)}; {spec}; {rng.choice(PACKS[sector.unit])}."
    extra = rng.choice(vocab.SAMPLE_LINES)
    return {
        "name": f"{product.name}, {grade}"[:200],
        "hs_code": product.hs_code,
        "description": (text[:1].upper() + text[1:] + (f" {extra}" if extra else "")),
    }


def line_pool(size: int, seed: int) -> dict[str, list[Record]]:
    """`size` distinct product lines, per sector, in proportion to its number of products."""
    rng = random.Random(seed)
    products = [(s, p) for s in vocab.SECTORS for p in s.products]
    pool: dict[str, list[Record]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    while len(seen) < size:
        sector, product = rng.choice(products)
        line = _line(rng, sector, product)
        if (key := (line["name"], line["description"])) not in seen:
            seen.add(key)
            pool[sector.key].append(line)
    return pool


def catalog(n_supply: int, *, seed: int = 7) -> DemoData:
    """About `n_supply` supply items (product lines and offers; exact above a few hundred):
    demo enterprises whose sellers carry 4-36 lines each, a need per two enterprises."""
    n_offers = round(n_supply * OFFER_SHARE)
    n_lines = n_supply - n_offers
    mean_lines = sum(LINES_PER_SELLER) / 2
    n_enterprises = max(round(n_lines / mean_lines / SELLER_SHARE), 4)
    data = generate(
        n_enterprises=n_enterprises, n_needs=n_enterprises // 2, n_offers=n_offers, seed=seed
    )
    rng = random.Random(seed + 1)
    pool = line_pool(min(max(n_lines // 4, POOL_FLOOR), POOL_LIMIT), seed + 2)
    sector_of = _sector_of()
    sellers = [e for e in data.enterprises if e["role"] in ("supplier", "both")]
    counts = [rng.randint(*LINES_PER_SELLER) for _ in sellers]
    for i in range(len(counts)):  # spread the rounding error (4-50 lines each)
        counts[i] = min(max(counts[i] + (n_lines - sum(counts)), LINES_PER_SELLER[0]), 50)
        if sum(counts) == n_lines:
            break
    carry = 0  # lines a seller could not take (its sectors' pool ran short) go to the next
    for seller, k in zip(sellers, counts, strict=True):
        sectors = list(dict.fromkeys(sector_of[p["name"]].key for p in seller["product_lines"]))
        choices = [line for key in sectors for line in pool[key]]
        take = min(k + carry, 50, len(choices))
        carry += k - take
        seller["product_lines"] = rng.sample(choices, take)
    return data


def fair(per_role: int, *, seed: int = 11) -> DemoData:
    """Exactly `per_role` suppliers and `per_role` buyers (demo profiles), one need per buyer."""
    data = generate(n_enterprises=3 * per_role, n_needs=3 * per_role, n_offers=0, seed=seed)
    picked = [e for e in data.enterprises if e["role"] == "supplier"][:per_role]
    picked += [e for e in data.enterprises if e["role"] == "buyer"][:per_role]
    if len(picked) < 2 * per_role:
        raise ValueError(f"{3 * per_role} generated enterprises hold too few of one role")
    ids = {e["external_id"] for e in picked}
    needs, first = [], set()
    for need in data.needs:
        if (owner := need["buyer_external_id"]) in ids and owner not in first:
            first.add(owner)
            needs.append(need)
    return DemoData(picked, needs, [])


def queries(seed: int) -> Iterator[str]:
    """Buyers' free-text searches, never the same text twice (a query cache cannot help)."""
    rng = random.Random(seed)
    products = [(s, p) for s in vocab.SECTORS for p in s.products]
    seen: set[str] = set()
    while True:
        sector, product = rng.choice(products)
        text = f"{rng.choice(ASKS)} {rng.choice(product.aliases)}"
        if rng.random() < 0.5:
            text += f", {rng.choice(SPECS[sector.group])}"
        text += f" {rng.choice(PURPOSES)}"
        if text in seen or rng.random() < 0.3:
            qty = rng.randint(2, 400) * 5
            text += f", {qty:,} {vocab.UNIT_SHORT[sector.unit]}"
        if text not in seen:
            seen.add(text)
            yield text
