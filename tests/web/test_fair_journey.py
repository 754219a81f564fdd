"""Journey 3 of issue 12, the organizer runs a fair, in headless Chromium, in English and in
Chinese: create an event, import the demo participants (a draft with one bad row first, then
the fixed file), build the match lists, plan, move and lock a meeting, re-plan around it,
download a participant's PDF agenda and read it, record an outcome and see it in the report.
Keyboard only (a file is chosen through the browser's file box), every page screenshotted and
checked with axe-core."""

import io
import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from service.config import DATA_DIR
from tests.conftest import ADMIN_KEY
from tests.web.browser import Steps
from tests.web.conftest import LiveServer

DRAFT = DATA_DIR / "demo" / "participants-draft.csv"
FIXED = DATA_DIR / "demo" / "participants.csv"
EVENT = {"en": "Chongqing trade matchmaking day", "zh": "重庆内外贸一体化对接会"}
JOB_TIMEOUT = 120_000  # ms: match lists for 60 participants on a busy 2-core machine


def _sign_in_as_organizer(steps: Steps) -> None:
    steps.page.goto("/sign-in")
    steps.type_into("#f-api-key", ADMIN_KEY)
    steps.page.keyboard.press("Enter")
    steps.page.wait_for_url(re.compile(r"/fairs$"))
    steps.shot("fairs")


def _follow_job(steps: Steps, name: str) -> None:
    """The job page updates itself (htmx polling) until the job is done, with no reload."""
    page = steps.page
    expect(page.locator("#job")).to_be_visible()
    expect(page.locator("#job .done")).to_have_text(steps._("Done."), timeout=JOB_TIMEOUT)
    steps.shot(name)


def _create_event(steps: Steps, lang: str) -> str:
    page = steps.page
    steps.tab_to("main a.button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fairs/new$"))
    steps.type_into("#f-name", EVENT[lang])
    steps.type_into("#f-venue", "Chongqing International Expo Center, Hall N3")
    steps.type_into("#f-n-tables", "12")
    steps.shot("event-form")
    steps.tab_to("#f-name")
    page.keyboard.press("Enter")  # the form's first button: create
    page.wait_for_url(re.compile(r"/fairs/\d+$"))
    expect(page.locator("h1")).to_have_text(EVENT[lang])
    steps.shot("event")
    return page.url


def _import(steps: Steps, event_url: str) -> None:
    page, _ = steps.page, steps._
    page.goto(event_url + "/import")
    page.locator("#f-file").set_input_files(DRAFT)  # the browser's own file box
    steps.tab_to("form.stack > button[type=submit]")
    page.keyboard.press("Enter")
    report = page.locator("#import-result")
    expect(report.locator(".alert")).to_contain_text("name, role")  # not found by their names
    steps.choose("#map-name", "Company")
    steps.choose("#map-role", "Side")
    steps.tab_to("#import-result details button")
    page.keyboard.press("Enter")
    bad = report.locator("tr.error")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("ent-0024")
    expect(bad).to_contain_text("role")
    expect(report.locator("[formaction$='/import']")).to_have_count(0)  # no import with errors
    steps.shot("import-report-bad-row")

    page.locator("#f-file").set_input_files(FIXED)  # the row fixed in the spreadsheet
    steps.tab_to("form.stack > button[type=submit]")
    page.keyboard.press("Enter")
    expect(report.locator("tr.error")).to_have_count(0)
    expect(report).to_contain_text(_("Every row is fine. Nothing has been written yet."))
    steps.shot("import-report-ok")
    steps.tab_to("[formaction$='/import']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jobs/\w+$"))
    _follow_job(steps, "import-done")


def _press_button(steps: Steps, selector: str) -> None:
    steps.tab_to(selector)
    steps.page.keyboard.press("Enter")


def test_organizer_runs_a_fair(page: Page, live_server: LiveServer, lang: str) -> None:
    steps = Steps(page, "organizer", lang)
    _ = steps._
    _sign_in_as_organizer(steps)
    event_url = _create_event(steps, lang)
    _import(steps, event_url)

    page.goto(event_url)
    _press_button(steps, "form[action$='/match-lists'] button")
    _follow_job(steps, "match-lists-done")
    _press_button(steps, "#job a.button")
    page.wait_for_url(re.compile(r"/participants$"))
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(60)
    steps.shot("participants")
    _press_button(steps, "main tbody tr:first-child td:first-child a")
    page.wait_for_url(re.compile(r"/participants/\d+$"))
    expect(page.locator("#matches-title + ol > li").first).to_be_visible()
    steps.shot("match-list")

    page.goto(event_url)
    _press_button(steps, "form[action$='/schedule'] button")
    _follow_job(steps, "planned")
    expect(page.locator("#job")).to_contain_text(_("The independent check found the plan valid."))
    _press_button(steps, "#job a.button")
    page.wait_for_url(re.compile(r"/schedule$"))
    expect(page.locator("table.grid td a").first).to_be_visible()
    steps.shot("schedule-grid")

    # move the first meeting by hand to a free cell, locked there
    _press_button(steps, "table.grid td a")
    expect(page.locator("td.here")).to_have_count(1)
    steps.shot("meeting")
    _press_button(steps, "button.cellbutton")
    page.wait_for_url(re.compile(r"moved=1"))
    meeting_url = page.url.split("?")[0]
    expect(page.locator("main")).to_contain_text(_("locked"))
    expect(page.locator("td.here")).to_have_count(1)
    where = page.locator("main > p").nth(1).inner_text()  # its time and table
    steps.shot("meeting-moved-locked")

    # a re-plan keeps it where it was put
    page.goto(event_url + "/schedule")
    _press_button(steps, "form[action$='/schedule'] input[value='1'] + button")
    _follow_job(steps, "replanned")
    page.goto(meeting_url)
    expect(page.locator("main > p").nth(1)).to_have_text(where)

    # the outcome, with the keyboard
    steps.tab_to("input[name=status][value=held]")
    page.keyboard.press("Space")
    steps.choose("#f-rating", "★★★★ (4)")
    steps.type_into("#f-intended-deal-value", "48000")
    steps.type_into("#f-currency", "USD")
    steps.shot("outcome-form")
    _press_button(steps, "form[action$='/outcome'] > button")
    page.wait_for_url(re.compile(r"saved=1"))

    # a participant's agenda: printable page, and the PDF opened and read
    page.goto(event_url + "/participants")
    _press_button(steps, "main tbody tr:first-child td:first-child a")
    page.wait_for_url(re.compile(r"/participants/\d+$"))
    place = page.url
    name = page.locator("h1").inner_text()
    page.goto(place + "/day")
    expect(page.locator("h1")).to_have_text(name)
    steps.shot("day-sheet")
    with page.expect_download() as download:
        _press_button(steps, "a[href$='/agenda.pdf']")
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert name in text
    assert EVENT[lang] in text
    assert re.search(r"table \d+", text)

    page.goto(event_url + "/tables")
    expect(page.locator("section.sheet").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()  # the print sheet has no site chrome
    page.emulate_media(media="screen")
    steps.shot("table-sheets")

    page.goto(event_url + "/requests")
    expect(page.locator("h1")).to_have_text(_("Meeting requests"))
    steps.shot("requests")

    page.goto(event_url + "/report")
    figures = page.locator("dl.figures")
    held = figures.locator("div", has_text=_("Meetings held")).locator("dd")
    expect(held).to_have_text("1")
    expect(figures).to_contain_text("48,000")
    expect(page.locator("figure.chart svg")).to_have_count(4)
    steps.shot("report")
