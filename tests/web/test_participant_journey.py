"""Journey 2's meeting part, in headless Chromium, in English and in Chinese: a buyer asks a
supplier for a meeting at a coming fair from the supplier's page, with a message, and sets when
it can meet; the supplier answers; only then does each see the other's contact details.
Keyboard only, every page screenshotted and checked with axe-core."""

import re
from datetime import date, timedelta
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ADMIN_KEY
from tests.web.browser import Steps
from tests.web.conftest import LiveServer, new_context

ADMIN = {"X-API-Key": ADMIN_KEY}


def _coming_fair(server: LiveServer) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A fair in a month with one demo supplier and one demo buyer enrolled (through the JSON
    API, as the organizer): (event id, supplier, buyer), each with its participant id and key."""
    day = (date.today() + timedelta(days=30)).isoformat()
    with httpx.Client(base_url=server.url, headers=ADMIN, timeout=60) as api:
        event = api.post(
            "/events",
            json={
                "name": "Liangjiang buyer day",
                "starts_on": day,
                "ends_on": day,
                "timezone": "Asia/Shanghai",
                "n_tables": 4,
                "sessions": [{"starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00"}],
            },
        ).json()
        sides = []
        for role, country in (("supplier", "China"), ("buyer", "Germany")):
            found = api.get("/enterprises", params={"role": role, "country": country}).json()
            e = next(i for i in found["items"] if i["role"] == role)
            place = api.post(
                f"/events/{event['id']}/participants", json={"enterprise_id": e["id"], "role": role}
            ).json()
            key = api.post(f"/enterprises/{e['id']}/api-key").json()["api_key"]
            private = api.get(f"/enterprises/{e['id']}").json()  # the organizer sees contacts
            sides.append({**private, "place": place["id"], "key": key})
    return event["id"], sides[0], sides[1]


def _sign_in(steps: Steps, key: str) -> None:
    steps.page.goto("/sign-in")
    steps.type_into("#f-api-key", key)
    steps.page.keyboard.press("Enter")
    steps.page.wait_for_url(re.compile(r"/me$"))


def test_buyer_asks_for_a_meeting_and_contacts_follow_acceptance(
    page: Page, browser: Browser, live_server: LiveServer, lang: str
) -> None:
    event_id, supplier, buyer = _coming_fair(live_server)
    steps = Steps(page, "meetings", lang)
    _ = steps._
    _sign_in(steps, buyer["key"])
    page.goto(f"/companies/{supplier['id']}")
    expect(page.locator("#meet")).to_be_visible()
    steps.type_into(f"#meet-{event_id}", "Your e-bike motors for our 40 shops?")
    steps.shot("ask-from-company-page")
    steps.tab_to("#meet button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/participants/{buyer['place']}\?sent=1"))
    outgoing = page.locator("#outgoing + ul li")
    expect(outgoing).to_contain_text("Your e-bike motors for our 40 shops?")
    expect(outgoing).to_contain_text(_("pending"))
    expect(page.locator("main")).not_to_contain_text(supplier["contact_email"])

    steps.choose("#window-0-day", _("every day"))
    # hours, minutes, then "A" for the AM field the browser shows in a 12-hour locale
    steps.tab_to("#window-0-start")
    page.keyboard.type("0930A")
    steps.tab_to("#window-0-end")
    page.keyboard.type("1130A")
    steps.shot("availability")
    steps.tab_to("form[action$='/availability'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"saved=1"))
    expect(page.locator("#window-0-start")).to_have_value("09:30")
    expect(page.locator("#window-1-start")).to_have_value("")  # room for one more
    page.goto("/me/fairs")
    expect(page.locator("main h2 a")).to_contain_text(["Liangjiang buyer day"])
    steps.shot("my-fairs")

    # the supplier, in its own browser window, answers
    other = new_context(browser, live_server, lang)
    try:
        theirs = Steps(other.new_page(), "meetings-supplier", lang)
        _sign_in(theirs, supplier["key"])
        theirs.page.goto(f"/fairs/{event_id}/participants/{supplier['place']}")
        incoming = theirs.page.locator("#incoming + ul li")
        expect(incoming).to_contain_text("Your e-bike motors for our 40 shops?")
        expect(theirs.page.locator("main")).not_to_contain_text(buyer["contact_email"])
        theirs.shot("request-received")
        theirs.tab_to("#incoming + ul button[value=accept]")
        theirs.page.keyboard.press("Enter")
        expect(incoming).to_contain_text(_("accepted"))
        expect(theirs.page.locator("#contacts-title + p + ul")).to_contain_text(
            buyer["contact_email"]
        )
        theirs.shot("accepted-contacts")
    finally:
        other.close()

    page.goto(f"/fairs/{event_id}/participants/{buyer['place']}")
    expect(page.locator("#contacts-title + p + ul")).to_contain_text(supplier["contact_email"])
    steps.shot("contacts-shared")
