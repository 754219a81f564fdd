"""The README's API tour, run as written (bash + curl) against a real server on the demo data."""

import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from tests.conftest import copy_database

README = Path(__file__).resolve().parents[1] / "README.md"
# every curl fails the script on a 4xx/5xx and ends its output with a newline, one JSON per line
STRICT_CURL = "curl() { command curl --silent --show-error --fail-with-body -w '\\n' \"$@\"; }\n"


def tour() -> str:
    """The shell block of the README's "API tour" section."""
    section = README.read_text(encoding="utf-8").split("\n## API tour\n", 1)[1].split("\n## ")[0]
    scripts: list[str] = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(scripts) == 1, "the tour is one sh block"
    return scripts[0]


@pytest.fixture
def server(
    demo_database: Path, tmp_path: Path, embedder: Embedder, suggester: HsSuggester
) -> Iterator[str]:
    """`host:port` of a uvicorn server on a copy of the demo database."""
    url = copy_database(demo_database, tmp_path / "demo.db")
    app = create_app(Settings(database_url=url), embedder=embedder, suggester=suggester)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(600):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "the server did not start"
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=30)


def test_the_readme_api_tour_runs_as_written(server: str) -> None:
    script = tour()
    assert "127.0.0.1:8000" in script and "$KEY" in script
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", STRICT_CURL + script.replace("127.0.0.1:8000", server)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    printed = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(printed) == script.count("\ncurl ")  # each printing command printed JSON
    for body in printed:
        assert body["items"], body  # recommendations and searches that find something
