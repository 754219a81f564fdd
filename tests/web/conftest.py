"""One real server with the demo fair and one headless Chromium for every browser test.

The server is uvicorn in a thread on a free loopback port, the app built by `create_app` with
the session's model and HS suggester, the demo data loaded through the service's own loader.
Chromium is Debian's (`apt-get install chromium`, which `make test` does when it is missing),
driven by Playwright through `executable_path`; Playwright never downloads a browser here.
"""

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from service.matchmaker import Matchmaker
from tests.conftest import ADMIN_KEY, copy_database

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# the browser's Accept-Language per page language of the journeys
BROWSER_LOCALES = {"en": "en-GB", "zh": "zh-CN"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 120  # the lifespan loads the catalog and HS vectors
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    @property
    def matchmaker(self) -> Matchmaker:
        mm: Matchmaker = self.app.state.runtime.matchmaker
        return mm


@pytest.fixture(scope="session")
def live_server(
    demo_database: Path,
    embedder: Embedder,
    suggester: HsSuggester,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """The demo fair served over HTTP (a copy of the session's: the journeys write)."""
    url = copy_database(demo_database, tmp_path_factory.mktemp("web") / "matchfair.db")
    settings = Settings(database_url=url, admin_key=ADMIN_KEY)
    with LiveServer(create_app(settings, embedder=embedder, suggester=suggester)) as server:
        yield server


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Debian's chromium is not installed: run `apt-get install -y chromium`")
    return found


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # the first model call of a process and a busy 2-core machine can take seconds
    expect.set_options(timeout=20_000)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # Playwright gives every launch a fresh temporary profile (its --user-data-dir)
    chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
    yield chromium
    chromium.close()


def new_context(browser: Browser, server: LiveServer, lang: str) -> BrowserContext:
    """A private browser window whose Accept-Language asks for `lang`; phone-sized."""
    context = browser.new_context(
        base_url=server.url,
        locale=BROWSER_LOCALES[lang],
        viewport={"width": 412, "height": 915},
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(20_000)
    return context


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, lang: str) -> Iterator[Page]:
    context = new_context(browser, live_server, lang)
    tab = context.new_page()
    yield tab
    context.close()
