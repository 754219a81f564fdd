"""Pages over real HTTP (TestClient, both backends): language, CSRF, the key's cookie, the
API's permissions and privacy, escaping, and validation in the visitor's language."""

import re

from fastapi.testclient import TestClient

from service.web.core import CSRF_COOKIE, KEY_COOKIE
from tests.api.factories import HOTPOT_MAKER, post_need, register

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


def _token(client: TestClient, path: str = "/register") -> str:
    """Open a form page as a browser would; its CSRF token is the cookie it sets."""
    assert client.get(path).status_code == 200
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    return token


def _register_page(client: TestClient, **fields: str) -> str:
    """Register through the page; returns the key the page showed once."""
    token = _token(client)
    form = {"csrf_token": token, "name": "Kaufhaus Rhein", "role": "buyer", **fields}
    response = client.post("/register", data=form)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    key = re.search(r'id="api-key"[^>]*value="(mf_[^"]+)"', response.text)
    assert key is not None
    return key.group(1)


def test_pages_speak_the_browsers_language_until_one_is_chosen(client: TestClient) -> None:
    home = client.get("/", headers=ZH)
    assert '<html lang="zh-Hans">' in home.text
    assert "寻找出口品质的供应商" in home.text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr, en;q=0.5"}).text

    switched = client.get("/language/en?next=/find", headers=ZH, follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/find"
    assert "Find export-quality suppliers" in client.get("/", headers=ZH).text
    elsewhere = client.get("/language/zh?next=//evil.example", follow_redirects=False)
    assert elsewhere.headers["location"] == "/"
    assert client.get("/language/fr").status_code == 404


def test_a_form_without_its_csrf_token_changes_nothing(client: TestClient) -> None:
    _token(client)
    forged = client.post("/register", data={"name": "Forged", "role": "buyer"})
    wrong = client.post("/register", data={"name": "Forged", "role": "buyer", "csrf_token": "x"})
    assert forged.status_code == wrong.status_code == 403
    assert "security token" in forged.text
    assert client.get("/enterprises").json()["total"] == 0


def test_the_key_lives_in_an_httponly_cookie_and_signs_in_and_out(client: TestClient) -> None:
    key = _register_page(client, contact_email="einkauf@rhein.example")
    cookie = next(c for c in client.cookies.jar if c.name == KEY_COOKIE)
    assert cookie.value == key
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite", "").lower() == "lax"
    assert "einkauf@rhein.example" in client.get("/me/profile").text

    signed_out = client.post("/sign-out", data={"csrf_token": client.cookies[CSRF_COOKIE]})
    assert signed_out.url.path == "/"
    assert KEY_COOKIE not in client.cookies
    to_sign_in = client.get("/me", follow_redirects=False)
    assert to_sign_in.status_code == 303
    assert to_sign_in.headers["location"] == "/sign-in?next=%2Fme"

    token = client.cookies[CSRF_COOKIE]
    bad = client.post("/sign-in", data={"csrf_token": token, "api_key": "mf_wrong"})
    assert bad.status_code == 401
    good = client.post("/sign-in", data={"csrf_token": token, "api_key": key, "next": "/me"})
    assert good.url.path == "/me"
    assert key not in str(good.url)
    assert "Kaufhaus Rhein" in good.text


def test_pages_keep_the_apis_permissions_and_privacy(client: TestClient) -> None:
    supplier, supplier_auth = register(client, **HOTPOT_MAKER)
    other, other_auth = register(client, name="Other Buyer", role="buyer")
    need = post_need(client, other_auth, buyer_id=other["id"], title="Chili oil, 5 t")
    _register_page(client)

    company = client.get(f"/companies/{supplier['id']}")
    assert company.status_code == 200
    assert HOTPOT_MAKER["contact_email"] not in company.text  # only after an accepted meeting
    foreign_need = client.get(f"/me/needs/{need['id']}")
    assert foreign_need.status_code == 403
    assert "text/html" in foreign_need.headers["content-type"]
    edit = client.post(
        f"/me/needs/{need['id']}/edit",
        data={"csrf_token": client.cookies[CSRF_COOKIE], "title": "taken over"},
    )
    assert edit.status_code == 403
    assert client.get(f"/needs/{need['id']}").json()["title"] == "Chili oil, 5 t"
    owner_view = client.get(f"/companies/{supplier['id']}", headers=supplier_auth)
    assert HOTPOT_MAKER["contact_email"] not in owner_view.text  # headers are not a session


def test_what_users_typed_is_escaped(client: TestClient) -> None:
    evil, _ = register(client, name="<script>alert(1)</script>", role="supplier")
    page = client.get(f"/companies/{evil['id']}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]


def test_a_key_that_stopped_working_signs_the_browser_out(client: TestClient) -> None:
    client.cookies.set(KEY_COOKIE, "mf_revoked")
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/sign-in"' in home.text
    assert f'{KEY_COOKIE}=""' in home.headers["set-cookie"]


def test_search_form_errors_name_the_field_in_the_visitors_language(client: TestClient) -> None:
    short = client.get("/find?q=x", headers=ZH)
    assert short.status_code == 422
    assert "请更正标出的字段" in short.text
    assert "q:" in short.text
    bad_hs = client.get("/find?q=chili+oil&hs=12a")
    assert bad_hs.status_code == 422
    assert "hs:" in bad_hs.text


def test_shortlist_works_without_javascript(client: TestClient) -> None:
    supplier, _ = register(client, **HOTPOT_MAKER)
    key = _register_page(client)
    form = {"csrf_token": client.cookies[CSRF_COOKIE], "action": "save", "next": "/find"}
    saved = client.post(f"/me/shortlist/{supplier['id']}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/find"
    listed = client.get("/shortlist", headers={"X-API-Key": key}).json()["items"]
    assert [i["supplier"]["id"] for i in listed] == [supplier["id"]]
    assert HOTPOT_MAKER["name"] in client.get("/me/shortlist").text
    removed = client.post(
        f"/me/shortlist/{supplier['id']}",
        data={**form, "action": "remove"},
        headers={"HX-Request": "true"},
    )
    assert 'aria-pressed="false"' in removed.text  # htmx gets the button back, not a page
    assert client.get("/shortlist", headers={"X-API-Key": key}).json()["items"] == []


def test_supplier_posts_edits_and_closes_an_offer_through_the_pages(client: TestClient) -> None:
    key = _register_page(client, role="supplier", name="Yuzhong Red Pot")
    token = client.cookies[CSRF_COOKIE]
    form = {"csrf_token": token, "title": "Beef tallow hotpot base", "moq": "2", "price": ""}
    refused = client.post("/me/offers/new", data={**form, "moq": "-1"})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text  # the field says what was wrong
    created = client.post("/me/offers/new", data=form, follow_redirects=False)
    assert created.status_code == 303
    offer_url = created.headers["location"]
    offer_id = int(offer_url.rsplit("/", 1)[1])
    assert client.get(f"/offers/{offer_id}").json()["moq"] == 2
    assert "Recommended buyers" in client.get(offer_url).text
    closed = client.post(
        f"{offer_url}/edit", data={**form, "status": "closed"}, follow_redirects=False
    )
    assert closed.status_code == 303
    assert client.get(f"/offers/{offer_id}", headers={"X-API-Key": key}).json()["status"] == (
        "closed"
    )
    assert "Reopen it to see recommendations" in client.get(offer_url).text
    assert client.get("/me/needs/new").status_code == 200  # a supplier may open the form…
    need = client.post("/me/needs/new", data={"csrf_token": token, "title": "Chili"})
    assert need.status_code == 400  # …but, as in the API, only buyers post needs
    assert "not a buyer" in need.text
