"""The seeded demo data: valid against the Create schemas, consistent, varied and as shipped."""

import json
import re
from collections import Counter
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.entities import EnterpriseCreate, NeedCreate, OfferCreate
from tools.demo_generator import FAIR_DATE, DemoData, generate, main
from tools.demo_vocab_zh import heading_of

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
Record = dict[str, Any]


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate()


def check_valid(data: DemoData) -> None:
    """Every record validates as its Create model once external ids are resolved to row ids."""
    row_ids: dict[str, int] = {}
    roles: dict[str, str] = {}
    for row_id, record in enumerate(data.enterprises, start=1):
        enterprise = EnterpriseCreate.model_validate(record)
        assert enterprise.external_id is not None
        assert enterprise.external_id not in row_ids
        row_ids[enterprise.external_id] = row_id
        roles[enterprise.external_id] = enterprise.role.value
    for need in data.needs:
        fields = {k: v for k, v in need.items() if k != "buyer_external_id"}
        NeedCreate.model_validate({**fields, "buyer_id": row_ids[need["buyer_external_id"]]})
        assert roles[need["buyer_external_id"]] in ("buyer", "both")
    for offer in data.offers:
        fields = {k: v for k, v in offer.items() if k != "supplier_external_id"}
        OfferCreate.model_validate(
            {**fields, "supplier_id": row_ids[offer["supplier_external_id"]]}
        )
        assert roles[offer["supplier_external_id"]] in ("supplier", "both")


def test_defaults_give_the_documented_counts(demo: DemoData) -> None:
    assert (len(demo.enterprises), len(demo.needs), len(demo.offers)) == (320, 160, 160)


def test_every_record_validates_and_references_resolve(demo: DemoData) -> None:
    check_valid(demo)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(25, 150), k=st.integers(0, 60))
def test_any_seed_and_size_gives_valid_data(seed: int, n: int, k: int) -> None:
    data = generate(n_enterprises=n, n_needs=k, n_offers=k, seed=seed)
    assert (len(data.enterprises), len(data.needs), len(data.offers)) == (n, k, k)
    check_valid(data)


def test_same_seed_same_data_other_seed_other_data() -> None:
    small = {"n_enterprises": 60, "n_needs": 30, "n_offers": 30}
    assert generate(**small, seed=3) == generate(**small, seed=3)
    assert generate(**small, seed=3).enterprises != generate(**small, seed=4).enterprises


def test_shipped_files_equal_generate_with_defaults(demo: DemoData) -> None:
    for name, records in asdict(demo).items():
        path = DEMO_DIR / f"{name}.json"
        assert json.loads(path.read_text("utf-8")) == records, f"regenerate {path}"
    assert sum(p.stat().st_size for p in DEMO_DIR.glob("*.json")) < 2_000_000


def test_main_writes_what_generate_returns(tmp_path: Path) -> None:
    main(["--out", str(tmp_path), "--enterprises", "40", "--needs", "8", "--offers", "9"])
    expected = generate(n_enterprises=40, n_needs=8, n_offers=9)
    for name, records in asdict(expected).items():
        assert json.loads((tmp_path / f"{name}.json").read_text("utf-8")) == records


def test_names_ids_and_contacts_are_unique_and_fictional() -> None:
    enterprises = generate(n_enterprises=5000, n_needs=0, n_offers=0).enterprises
    assert len({e["name"] for e in enterprises}) == len(enterprises)
    assert [e["external_id"] for e in enterprises[:2]] == ["ent-0001", "ent-0002"]
    for e in enterprises:
        assert re.fullmatch(r"[a-z0-9.-]+@[a-z0-9-]+\.example\.com", e["contact_email"])
        assert re.fullmatch(r"https://www\.[a-z0-9-]+\.example\.com", e["website"])


def test_texts_are_varied_not_one_template(demo: DemoData) -> None:
    texts = {
        "enterprise descriptions": [e["description"] for e in demo.enterprises],
        "need titles": [n["title"] for n in demo.needs],
        "need descriptions": [n["description"] for n in demo.needs],
        "offer titles": [o["title"] for o in demo.offers],
        "offer descriptions": [o["description"] for o in demo.offers],
    }
    for what, values in texts.items():
        assert len(set(values)) >= 0.9 * len(values), what
        openings = Counter(" ".join(v.split()[:3]) for v in values)
        assert openings.most_common(1)[0][1] <= 0.15 * len(values), what


def test_mix_of_roles_places_and_countries(demo: DemoData) -> None:
    roles = Counter(e["role"] for e in demo.enterprises)
    assert roles["supplier"] >= 120 and roles["buyer"] >= 80 and roles["both"] >= 10
    suppliers = [e for e in demo.enterprises if e["role"] == "supplier"]
    assert sum(e["region"] == "Chongqing" for e in suppliers) >= 0.3 * len(suppliers)
    foreign = {e["country"] for e in demo.enterprises} - {"China"}
    assert {"Germany", "Poland", "Kazakhstan", "Vietnam", "UAE", "Brazil"} <= foreign
    assert len(foreign) >= 15
    buyer_channels = {c for e in demo.enterprises if e["role"] == "buyer" for c in e["channels"]}
    assert {"supermarket", "e-commerce", "live-streaming", "wholesale"} <= buyer_channels
    assert {"import-distribution", "department store"} <= buyer_channels


def _makers(demo: DemoData, hs_prefix: str) -> list[Record]:
    return [
        e
        for e in demo.enterprises
        if e["role"] != "buyer"
        and any((line["hs_code"] or "").startswith(hs_prefix) for line in e["product_lines"])
    ]


def test_ranking_fixtures_are_covered(demo: DemoData) -> None:
    hotpot_makers = [
        e
        for e in _makers(demo, "2103")
        if any("hotpot" in line["name"].lower() for line in e["product_lines"])
    ]
    assert len(hotpot_makers) >= 3
    assert len(_makers(demo, "8471")) >= 3
    motor_makers = _makers(demo, "8501.31")
    with_ce = [e for e in motor_makers if "CE" in e["certifications"]]
    assert len(motor_makers) >= 4 and 1 <= len(with_ce) < len(motor_makers)
    assert any("hotpot" in n["product"].lower() for n in demo.needs)
    assert any(
        n["hs_code"] == "8501.31" and "CE" in n["required_certifications"] for n in demo.needs
    )


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_a_third_of_chongqing_suppliers_write_chinese(demo: DemoData) -> None:
    suppliers = [e for e in demo.enterprises if e["role"] != "buyer"]
    chongqing = [e for e in suppliers if e["region"] == "Chongqing"]
    chinese = [e for e in suppliers if _chinese(e["description"])]
    assert {e["region"] for e in chinese} == {"Chongqing"}
    assert 0.28 <= len(chinese) / len(chongqing) <= 0.4
    for e in chinese:
        assert re.fullmatch(r"重庆.+有限(责任)?公司", e["name"]), e["name"]
        assert _chinese(e["looking_for"]) and _chinese(e["contact_name"])
        assert all(_chinese(line["name"] + line["description"]) for line in e["product_lines"])
    lines = [line for e in chinese for line in e["product_lines"]]
    without = [line for line in lines if line["hs_code"] is None]
    assert 0.2 * len(lines) <= len(without) <= 0.6 * len(lines)
    # every line without a code is still a known product: its heading is what the bridge finds
    assert all(heading_of(line["name"]) for line in without)
    hotpot = [e for e in chinese if any("火锅底料" in line["name"] for line in e["product_lines"])]
    assert len(hotpot) >= 3
    assert any(line["hs_code"] is None for e in hotpot for line in e["product_lines"])


def test_a_few_domestic_retailers_write_chinese_needs_and_importers_stay_english(
    demo: DemoData,
) -> None:
    by_id = {e["external_id"]: e for e in demo.enterprises}
    buyers = [e for e in demo.enterprises if e["role"] == "buyer" and _chinese(e["description"])]
    assert 3 <= len(buyers) <= 15
    assert all(e["country"] == "China" for e in buyers)
    assert {c for e in buyers for c in e["channels"]} <= {
        "supermarket",
        "e-commerce",
        "live-streaming",
    }
    assert "live-streaming" in {c for e in buyers for c in e["channels"]}
    for need in demo.needs:
        buyer = by_id[need["buyer_external_id"]]
        written = need["title"] + need["description"] + need["product"]
        assert _chinese(written) == _chinese(buyer["description"]), need["title"]
    chinese_needs = [n for n in demo.needs if _chinese(n["title"])]
    assert len(chinese_needs) >= 5
    assert any(n["hs_code"] is None for n in chinese_needs)
    for offer in demo.offers:
        seller = by_id[offer["supplier_external_id"]]
        assert _chinese(offer["title"] + offer["description"]) == _chinese(seller["description"])
    english = [e for e in demo.enterprises if not _chinese(e["description"])]
    assert not any(_chinese(json.dumps(e, ensure_ascii=False)) for e in english)


def test_needs_look_like_rfqs(demo: DemoData) -> None:
    for need in demo.needs:
        assert need["quantity"] > 0 and need["unit"] and need["currency"]
        assert date.fromisoformat(need["deadline"]) > FAIR_DATE
    assert sum(bool(n["required_certifications"]) for n in demo.needs) >= 0.3 * len(demo.needs)


def test_no_buyer_for_needs_is_an_error() -> None:
    with pytest.raises(ValueError, match="no buyer"):
        generate(n_enterprises=0, n_needs=1, n_offers=0)
    assert generate(n_enterprises=0, n_needs=0, n_offers=0) == DemoData([], [], [])
