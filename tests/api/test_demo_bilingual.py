"""Bilingual ranking sanity on the shipped demo fair (issue 11): the Chongqing makers that write
Chinese are found by English needs and searches, the makers that write English by Chinese ones,
and each explanation quotes the matched text in the language it was written in."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import chinese, sells, writes_chinese

CONDIMENTS = ("2103", "2106")
QUOTED = re.compile(r"“([^”]*)”")


def _search(demo: TestClient, q: str, limit: int = 10) -> list[dict[str, Any]]:
    response = demo.get("/search/suppliers", params={"q": q, "limit": limit})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _makes_hotpot_base(partner: dict[str, Any]) -> bool:
    names = [p["name"] for p in partner["product_lines"]]
    return any("火锅底料" in n or re.search(r"hotpot (soup )?base", n, re.I) for n in names)


def _hotpot_needs(demo: TestClient) -> list[dict[str, Any]]:
    needs = demo.get("/needs", params={"status": "open", "limit": 200}).json()["items"]
    return [n for n in needs if "hotpot" in n["title"].lower()]


def test_the_demo_has_hotpot_base_makers_in_both_languages(demo: TestClient) -> None:
    suppliers = demo.get("/enterprises", params={"role": "supplier", "limit": 200}).json()
    makers = [e for e in suppliers["items"] if _makes_hotpot_base(e)]
    assert sum(writes_chinese(e) for e in makers) >= 3
    assert sum(not writes_chinese(e) for e in makers) >= 3


def test_chinese_query_finds_hotpot_base_makers_whatever_language_they_wrote(
    demo: TestClient,
) -> None:
    items = _search(demo, "火锅底料")
    partners = [i["partner"] for i in items]
    assert all(sells(p, CONDIMENTS) for p in partners[:3]), [p["name"] for p in partners]
    makers = [p for p in partners if _makes_hotpot_base(p)]
    assert sum(writes_chinese(p) for p in makers) >= 2, [p["name"] for p in partners]
    assert sum(not writes_chinese(p) for p in makers) >= 2, [p["name"] for p in partners]


def test_english_search_finds_chinese_hotpot_base_makers(demo: TestClient) -> None:
    partners = [i["partner"] for i in _search(demo, "hotpot seasoning base")]
    assert all(sells(p, CONDIMENTS) for p in partners[:5]), [p["name"] for p in partners]
    assert any(writes_chinese(p) and _makes_hotpot_base(p) for p in partners)


def test_english_hotpot_needs_find_chinese_condiment_makers(demo: TestClient) -> None:
    needs = [n for n in _hotpot_needs(demo) if not chinese(n["title"])]
    assert len(needs) >= 5
    for need in needs:
        items = demo.get(
            f"/needs/{need['id']}/recommendations", params={"limit": 10, "strict": False}
        ).json()["items"]
        partners = [i["partner"] for i in items]
        assert any(writes_chinese(p) and sells(p, CONDIMENTS) for p in partners), need["title"]


def test_explanations_quote_the_matched_text_in_its_own_language(demo: TestClient) -> None:
    for query in ("火锅底料", "hotpot seasoning base"):
        items = _search(demo, query)
        assert any(writes_chinese(i["partner"]) for i in items)
        assert any(not writes_chinese(i["partner"]) for i in items)
        for item in items:
            partner, reason = item["partner"], item["reason"]
            quoted = QUOTED.findall(reason)
            assert len(quoted) >= 2, reason
            theirs, ours = quoted[0], quoted[1]
            assert ours == query, reason
            assert chinese(theirs) == writes_chinese(partner), reason
            assert reason.startswith(partner["name"]), reason
    makers = [i for i in _search(demo, "火锅底料") if writes_chinese(i["partner"])]
    assert any("火锅底料" in QUOTED.findall(i["reason"])[0] for i in makers)
