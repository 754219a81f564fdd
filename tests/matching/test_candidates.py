"""Hard filters as a mask over item keys (Admissions): the same answers as checking each owner's
facts one by one, and fresh after the catalog changes. Pure filter math on a small catalog."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from service.matching.candidates import Admission, Admissions
from service.matching.catalog import Catalog
from service.matching.items import Facts, Item, Kind, fold
from service.matching.requirements import Requirements, admits, check, passes

DIM = 4


def _catalog() -> Catalog:
    catalog = Catalog(DIM)
    facts = [
        Facts(1, "Jar maker", "supplier", certifications=fold(["FDA", "ISO 9001"])),
        Facts(2, "Tea garden", "supplier", certifications=fold(["Halal"]), verified=True),
        Facts(3, "Pan works", "supplier", certifications=fold(["FDA"]), years_exporting=3),
        Facts(70_000, "Far id", "supplier", certifications=fold(["FDA"])),
    ]
    owners = [1, 1, 2, 3, 3, 3, 70_000]
    items = [
        Item(owner, Kind.product, i, f"line {i}", f"product {i}", key=100 + 7 * i)
        for i, owner in enumerate(owners)
    ]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(items), DIM)).astype(np.float32)
    catalog.load(facts, items, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    return catalog


def _one_by_one(catalog: Catalog, req: Requirements, keys: list[int]) -> list[bool]:
    out = []
    for key in keys:
        item = catalog.items.get(key)
        facts = None if item is None else catalog.facts.get(item.enterprise_id)
        out.append(facts is not None and passes(check(req, facts, frozenset())))
    return out


def test_the_mask_equals_each_owners_checks_and_follows_changes() -> None:
    catalog = _catalog()
    admissions = Admissions(catalog)
    keys = [*catalog.items, 5, 10**7]  # two keys the catalog does not hold
    asked = np.array(keys, np.int64)
    cases = [
        Requirements(certifications=fold(["FDA"])),
        Requirements(certifications=fold(["FDA"]), has_exported=True),
        Requirements(verified=True),
        Requirements(certifications=fold(["Kosher"])),
    ]
    for req in cases:
        admission = admissions.of(req)
        assert admission is not None
        assert admission(asked).tolist() == _one_by_one(catalog, req, keys)
        assert admission(asked).tolist() == _one_by_one(catalog, req, keys)  # remembered
    assert admissions.of(Requirements()) is None  # nothing filtered: no mask at all
    fda = cases[0]
    catalog.put_facts(Facts(2, "Tea garden", "supplier", certifications=fold(["FDA"])))
    admission = admissions.of(fda)
    assert admission is not None
    assert admission(asked).tolist() == _one_by_one(catalog, fda, keys)
    assert admission(np.array([100 + 7 * 2])).tolist() == [True]  # the tea garden's line
    catalog.remove_enterprise(1)
    admission = admissions.of(fda)
    assert admission is not None
    assert admission(np.array([100, 107])).tolist() == [False, False]  # its items are gone


def test_a_change_rechecks_only_the_owners_it_touched_and_new_owners_pass() -> None:
    catalog = _catalog()
    admissions = Admissions(catalog)
    fda = Requirements(certifications=fold(["FDA"]))
    asked = np.array(list(catalog.items), np.int64)
    admission = admissions.of(fda)
    assert admission is not None
    admission(asked)
    checked: list[int] = []
    real = Admission._passes

    def counting(self: Admission, owner: int) -> bool:
        checked.append(owner)
        return real(self, owner)

    Admission._passes = counting  # type: ignore[method-assign]
    try:
        catalog.put_facts(Facts(2, "Tea garden", "supplier", certifications=fold(["FDA"])))
        newcomer = Item(90_000, Kind.product, 99, "new line", "new product", key=900)
        catalog.put_facts(Facts(90_000, "Newcomer", "supplier", certifications=fold(["FDA"])))
        catalog.put_items([newcomer], np.eye(1, DIM, dtype=np.float32))
        admission = admissions.of(fda)
        assert admission is not None
        keys = [*catalog.items]
        assert admission(np.array(keys)).tolist() == _one_by_one(catalog, fda, keys)
    finally:
        Admission._passes = real  # type: ignore[method-assign]
    assert sorted(checked) == [2, 90_000]  # the others' answers were kept


LABELS = st.sampled_from(["fda", "halal", "iso9001", "brc"])
PLACES = st.sampled_from(["", "Chongqing", "chong qing", "Sichuan", "China", "Vietnam"])


@given(
    facts=st.builds(
        Facts,
        enterprise_id=st.integers(1, 5),
        name=st.just("E"),
        role=st.just("supplier"),
        country=PLACES,
        region=PLACES,
        city=PLACES,
        certifications=st.frozensets(LABELS),
        export_markets=st.frozensets(st.sampled_from(["us", "vietnam", "china"])),
        years_exporting=st.integers(0, 3),
        annual_capacity=st.none() | st.floats(0, 1e6),
        verified=st.booleans(),
    ),
    req=st.builds(
        Requirements,
        certifications=st.frozensets(LABELS, max_size=2),
        export_market=st.sampled_from(["", "US", "Viet nam"]),
        region=PLACES,
        hs_prefix=st.sampled_from(["", "09", "0902", "85"]),
        min_capacity=st.none() | st.floats(0, 1e6),
        has_exported=st.booleans(),
        verified=st.booleans(),
        quantity=st.none() | st.floats(0, 1e6),
        strict=st.booleans(),
        partners=st.none() | st.frozensets(st.integers(1, 5)),
    ),
    codes=st.frozensets(st.sampled_from(["090210", "851712", "0901"])),
)
def test_the_fast_filter_agrees_with_the_checks(
    facts: Facts, req: Requirements, codes: frozenset[str]
) -> None:
    assert admits(req, facts, codes) == passes(check(req, facts, codes))
