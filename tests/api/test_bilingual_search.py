"""Chinese and English on equal terms, over HTTP: HS suggestions for Chinese text, supplier
search across the two languages through the HS heading bridge, weak marks and the filter report.

A small bilingual catalogue of its own (the demo's is another branch's): two hotpot-base makers
(one writes Chinese and declares no HS code, one English with a code), a Chinese tea house
without codes, an English laptop maker, and a buyer that talks about hotpot base too.
"""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.factories import (
    CHINESE_HOTPOT,
    CHINESE_TEA,
    HOTPOT_BUYER,
    HOTPOT_MAKER,
    LAPTOP_MAKER,
    register,
)


def _catalogue(client: TestClient) -> dict[str, int]:
    ids = {}
    for key, fields in (
        ("zh_hotpot", CHINESE_HOTPOT),
        ("en_hotpot", HOTPOT_MAKER),
        ("zh_tea", CHINESE_TEA),
        ("laptop", LAPTOP_MAKER),
        ("buyer", HOTPOT_BUYER),
    ):
        ids[key] = register(client, **fields)[0]["id"]
    return ids


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/search/suppliers", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_chinese_text_gets_the_right_heading_explained_like_english(client: TestClient) -> None:
    chinese = client.get("/hs/suggest", params={"text": "智能手机"}).json()["items"]
    english = client.get("/hs/suggest", params={"text": "smartphone"}).json()["items"]
    assert chinese[0]["code"] == "8517"
    assert set(chinese[0]) == set(english[0])
    assert set(chinese[0]["components"]) == set(english[0]["components"])
    assert chinese[0]["reason"].startswith("HS 8517 “")
    assert "common terms:" in chinese[0]["reason"]  # against the Chinese heading texts


def test_a_chinese_query_finds_the_hotpot_makers_in_both_languages(client: TestClient) -> None:
    ids = _catalogue(client)
    body = _search(client, q="火锅底料")
    assert body["language"] == "zh"
    found = [item["partner"]["id"] for item in body["items"]]
    assert set(found[:2]) == {ids["zh_hotpot"], ids["en_hotpot"]}
    assert ids["buyer"] not in found  # a buyer is never offered as a supplier
    chinese = next(i for i in body["items"] if i["partner"]["id"] == ids["zh_hotpot"])
    assert "“牛油火锅底料”" in chinese["reason"]  # quoted as written
    assert "火锅底料" in chinese["reason"].split("common terms:")[1]
    english = next(i for i in body["items"] if i["partner"]["id"] == ids["en_hotpot"])
    assert "across languages" in english["reason"]
    assert not chinese["weak"] and not english["weak"]


def test_an_english_need_finds_a_supplier_without_hs_codes_through_the_heading(
    client: TestClient,
) -> None:
    ids = _catalogue(client)
    body = _search(client, q="black tea")
    assert body["language"] == "en"
    top = body["items"][0]
    assert top["partner"]["id"] == ids["zh_tea"]
    assert top["matched"]["hs_code"] is None
    assert "both classified as HS 0902 (Tea" in top["reason"]
    assert "confident" in top["reason"]
    assert top["components"]["agreement"] > 0.2


def test_weak_matches_are_marked_not_cut_and_an_empty_answer_names_the_filter(
    client: TestClient,
) -> None:
    ids = _catalogue(client)
    body = _search(client, q="industrial forklift trucks")
    assert len(body["items"]) == 4  # every supplier, none cut by a floor
    assert all(item["weak"] for item in body["items"])
    assert body["filters"] == {"removed": {}, "note": ""}
    empty = _search(client, q="火锅底料", certification="BRCGS")
    assert empty["items"] == []
    assert empty["filters"]["removed"] == {"certification": 4}
    assert "certification removed 4" in empty["filters"]["note"]
    kept = _search(client, q="火锅底料", certification="HACCP")
    assert [i["partner"]["id"] for i in kept["items"]] == [ids["en_hotpot"]]
    assert kept["filters"] == {  # a thin answer says it too, on both backends
        "removed": {"certification": 3},
        "note": "Only 1 partner passed the filters: certification removed 3 candidates.",
    }
