"""The two journeys of issue 12's phase A, in headless Chromium, in English and in Chinese,
driven with the keyboard alone, each page screenshotted and checked with axe-core."""

import re

from playwright.sync_api import Page, expect

from tests.web.browser import Steps
from tests.web.conftest import LiveServer

# A mixed query: the default (English) model reads the English words, the Chinese ones are
# what a Chongqing buyer would also type.
QUERY = "火锅底料 hotpot seasoning base"


def _register(steps: Steps, name: str, role_label: str) -> str:
    """Fill the registration form with the keyboard; returns the key shown once."""
    page, _ = steps.page, steps._
    steps.type_into("#f-name", name)
    steps.choose("#f-role", role_label)
    steps.type_into("#f-country", "Germany")
    steps.type_into("#f-contact-email", "buyer@example.com")
    steps.shot("register-filled")
    page.keyboard.press("Enter")  # submits the form from a text field
    expect(page.locator("h1")).to_contain_text(name)
    key = page.locator("#api-key").input_value()
    assert key.startswith("mf_")
    return key


def test_buyer_searches_opens_a_supplier_and_shortlists_it(
    page: Page, live_server: LiveServer, lang: str
) -> None:
    steps = Steps(page, "buyer", lang)
    _ = steps._
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans" if lang == "zh" else "en")
    expect(page.locator("h1")).to_have_text(_("Find export-quality suppliers"))
    steps.shot("home")

    steps.type_into("#home-q", QUERY)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/find\?"))
    steps.type_into("#f-certification", "HACCP")
    steps.tab_to("form.search button[type=submit]")
    page.keyboard.press("Enter")  # htmx swaps the results in and moves the focus to them
    title = page.locator("#results-title")
    expect(title).to_be_focused()
    heading = _("Suppliers %(first)s–%(last)s for “%(query)s”")  # noqa: RUF001 (the msgid)
    expect(title).to_contain_text(heading.split("%")[0])
    results = page.locator("ol.results > li")
    expect(results.first).to_be_visible()
    first = results.first
    expect(first.locator("meter")).to_have_count(1)
    expect(first.locator(".checks .met")).to_contain_text(
        re.compile("haccp", re.I)
    )  # the filter, met
    expect(first.locator(".why")).to_contain_text("“")
    steps.shot("results")

    steps.tab_to("ol.results > li:first-child h3 a")
    supplier = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(supplier)
    expect(page.locator("body")).to_contain_text(_("Track record"))
    expect(page.locator("body")).not_to_contain_text("@")  # no contact details for visitors
    expect(page.locator("body")).to_contain_text(
        _("Contact details are shared only after both sides accept a meeting at a fair.")
    )
    steps.shot("supplier")

    # saving needs an account: the sign-in link leads on to registration
    supplier_url = page.url
    page.goto("/register")
    _register(steps, f"Kaufhaus Rhein {lang}", _("Buyer: we buy goods"))
    steps.shot("registered")
    page.goto(supplier_url)
    steps.tab_to("form.save button")
    page.keyboard.press("Enter")
    saved = page.locator("form.save button[aria-pressed=true]")
    expect(saved).to_contain_text(_("Saved — remove from shortlist"))
    steps.shot("supplier-saved")

    page.goto("/me/shortlist")
    expect(page.locator("h1")).to_have_text(_("Shortlist"))
    expect(page.locator("main li h2")).to_have_text([supplier])
    steps.shot("shortlist")


def test_enterprise_registers_edits_profile_posts_a_need_and_sees_recommendations(
    page: Page, live_server: LiveServer, lang: str
) -> None:
    steps = Steps(page, "enterprise", lang)
    _ = steps._
    page.goto("/register")
    key = _register(steps, f"Jiangbei Fresh Mart {lang}", _("Both"))
    expect(page.locator(".alert.warn")).to_contain_text(
        _("Save this key now: it is shown only once.")
    )
    steps.tab_to("button[data-copy]")
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text(_("Copied"))
    assert page.evaluate("() => navigator.clipboard.readText()") == key
    steps.shot("key-shown-once")
    cookie = next(c for c in page.context.cookies() if c["name"] == "mf_key")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert key not in page.url

    # sign out, then in again with the key (the key never travels in a URL)
    steps.tab_to("form[action='/sign-out'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/sign-in")
    steps.type_into("#f-api-key", key)
    steps.shot("sign-in")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/me$"))
    assert key not in page.url

    page.goto("/me/profile")
    steps.type_into("#line-0-name", "Sichuan pepper hotpot seasoning base")
    use = page.locator("#line-0-hints button[data-fill]").first
    expect(use).to_be_visible()  # suggested as typed, debounced, explained
    expect(page.locator("#line-0-hints")).to_contain_text(
        _("Similar meaning %(dense)s · shared words %(lexical)s").split("%")[0].strip()
    )
    code = use.get_attribute("data-value")
    assert code and code.startswith("21")
    steps.shot("hs-suggested")
    steps.tab_to("#line-0-hints button[data-fill]")
    page.keyboard.press("Enter")
    expect(page.locator("#line-0-hs")).to_have_value(code)
    expect(page.locator("#line-0-hs")).to_be_focused()
    steps.type_into("#f-certifications", "HACCP, ISO 22000")
    steps.tab_to("form.stack .buttons button:not([name])")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/me\?saved=profile"))
    expect(page.locator("main")).to_contain_text("Sichuan pepper hotpot seasoning base")
    steps.shot("dashboard")

    page.goto("/me/needs/new")
    steps.type_into("#f-title", "Hotpot seasoning base for 40 supermarkets")
    steps.type_into("#f-quantity", "20")
    steps.type_into("#f-unit", "t")
    steps.type_into("#f-required-certifications", "HACCP")
    steps.shot("need-form")
    steps.tab_to("form.stack > button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/me/needs/\d+$"))
    expect(page.locator("h1")).to_have_text("Hotpot seasoning base for 40 supermarkets")
    results = page.locator("ol.results > li")
    expect(results.first).to_be_visible()
    expect(results.first.locator(".checks .met").first).to_contain_text(re.compile("haccp", re.I))
    expect(results.first.locator(".why")).to_contain_text(
        "Hotpot seasoning base for 40 supermarkets"
    )
    steps.shot("need-recommendations")
