"""No dead ends on the pages (TestClient, both backends): the search results page and a need's
recommendations page say which requirement removed how many candidates and show the closest
suppliers, marked as missing it, in English and in Chinese; in Chromium, axe-core finds no
serious issue on such a page."""

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from service.web.core import CSRF_COOKIE
from tests.api.factories import GLASS_MAKER, HOTPOT_MAKER, JAR_IMPORTER, post_need, register
from tests.web.browser import Steps

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
SAID = {
    "en": "The requirement “Certification” removed 2 candidates.",
    "zh": "“认证”这一要求排除了 2 个候选。",
}
MISSES = {
    "en": "Misses:</strong> Certification (certification fda)",
    "zh": "未满足：</strong> 认证",  # noqa: RUF001
}
CLOSEST = {
    "en": "The closest suppliers that miss a requirement",
    "zh": "最接近但未满足某项要求的供应商",
}


def _closest_part(page: str) -> str:
    start = page.index('aria-labelledby="closest-title"')
    return page[start:]


def test_an_emptied_search_says_why_and_shows_the_closest_makers_in_both_languages(
    client: TestClient,
) -> None:
    register(client, **GLASS_MAKER)
    register(client, **HOTPOT_MAKER)
    buyer, _ = register(client, **JAR_IMPORTER)
    for lang, headers in (("en", EN), ("zh", ZH)):
        page = client.get(
            "/find", params={"q": "glass jars", "certification": "FDA"}, headers=headers
        )
        assert page.status_code == 200
        shown = _closest_part(page.text)
        assert SAID[lang] in shown and CLOSEST[lang] in shown
        assert shown.index(GLASS_MAKER["name"]) < shown.index(HOTPOT_MAKER["name"])
        assert shown.count(MISSES[lang]) == 2  # each closest maker is marked
        assert buyer["name"] not in page.text
    full = client.get("/find", params={"q": "glass jars"}, headers=EN).text
    assert GLASS_MAKER["name"] in full and 'id="closest-title"' not in full


def test_a_need_page_says_why_its_list_is_empty_and_shows_the_closest(client: TestClient) -> None:
    importer, key = register(client, **JAR_IMPORTER)
    register(client, **GLASS_MAKER)
    register(client, **HOTPOT_MAKER)
    need = post_need(
        client, key, buyer_id=importer["id"], title="Glass jars", required_certifications=["FDA"]
    )
    assert client.get("/sign-in").status_code == 200
    token = client.cookies[CSRF_COOKIE]
    signed_in = client.post("/sign-in", data={"csrf_token": token, "api_key": key["X-API-Key"]})
    assert signed_in.status_code == 200
    for lang, headers in (("en", EN), ("zh", ZH)):
        page = client.get(f"/me/needs/{need['id']}", headers=headers)
        assert page.status_code == 200
        shown = _closest_part(page.text)
        assert SAID[lang] in shown and CLOSEST[lang] in shown
        assert GLASS_MAKER["name"] in shown and shown.count(MISSES[lang]) == 2
    relaxed = client.get(f"/me/needs/{need['id']}", params={"strict": "false"}, headers=EN).text
    assert GLASS_MAKER["name"] in relaxed and 'id="closest-title"' not in relaxed


def test_a_dead_end_search_page_passes_axe_in_the_browser(page: Page, lang: str) -> None:
    steps = Steps(page, "dead-end", lang)
    page.goto("/find?q=hotpot+seasoning+base&certification=Demeter")  # no demo maker holds it
    expect(page.locator("#closest-title")).to_have_text(steps._("What the filters removed"))
    expect(page.locator("li.result.misses").first).to_contain_text(steps._("Misses:"))
    steps.shot("closest")
