"""What the browser tests do on a page: keyboard-only moves, screenshots, axe-core checks,
and the catalog's words for the page's language."""

from pathlib import Path

from playwright.sync_api import Page

from service.web.i18n import translations
from tests.web.conftest import ARTIFACTS

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAX_TABS = 80


class Steps:
    """One journey in one language: numbered screenshots and an axe-core run per page."""

    def __init__(self, page: Page, journey: str, lang: str) -> None:
        self.page = page
        self.lang = lang
        self.folder = ARTIFACTS / f"{journey}-{lang}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.catalog = translations(lang)

    def _(self, message: str) -> str:
        """The page's words for `message` in this journey's language (from the catalog)."""
        return self.catalog.gettext(message)

    def shot(self, name: str) -> None:
        """A full-page screenshot, then axe-core in the page: no serious or critical issue."""
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)
        assert_accessible(self.page)

    def tab_to(self, selector: str) -> None:
        """Press Tab until `selector` has the focus: it is reachable with the keyboard alone."""
        for _ in range(MAX_TABS):
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{selector} was not reached with {MAX_TABS} presses of Tab")

    def type_into(self, selector: str, text: str) -> None:
        """Tab to a field, clear it and type, as a person with only a keyboard would."""
        self.tab_to(selector)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        if text:
            self.page.keyboard.type(text)

    def choose(self, selector: str, label: str) -> None:
        """Pick a <select> option with the arrow keys."""
        self.tab_to(selector)
        for _ in range(10):
            shown = self.page.evaluate(
                "s => { const e = document.querySelector(s);"
                " return e.options[e.selectedIndex].text }",
                selector,
            )
            if shown == label:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"no option {label!r} in {selector}")


def assert_accessible(page: Page) -> None:
    """axe-core's WCAG 2.1 A/AA rules, run in the page: no serious or critical violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # run through DevTools: CSP allows it
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))",
        AXE_TAGS,
    )
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{page.url}: {bad}"
