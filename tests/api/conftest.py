"""The shipped demo fair, loaded once per session through the service's own loader, and how its
ranking tests tell what a partner sells and which language it writes."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from tests.conftest import copy_database
from tools.demo_vocab_zh import heading_of


@pytest.fixture(scope="session")
def demo(
    demo_database: Path,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    suggester: HsSuggester,
) -> Iterator[TestClient]:
    """The demo fair behind the API, for tests that only read it (a copy of the session's)."""
    url = copy_database(demo_database, tmp_path_factory.mktemp("demo-api") / "demo.db")
    with TestClient(
        create_app(Settings(database_url=url), embedder=embedder, suggester=suggester)
    ) as client:
        yield client


def headings(partner: dict[str, Any]) -> list[str]:
    """The HS code of each product line; for a line listed without one (Chinese makers often
    leave it out), the code the demo's vocabulary gives that product."""
    return [p["hs_code"] or heading_of(p["name"]) or "" for p in partner["product_lines"]]


def sells(partner: dict[str, Any], prefixes: tuple[str, ...]) -> bool:
    return any(h.startswith(prefixes) for h in headings(partner))


def sells_only(partner: dict[str, Any], prefixes: tuple[str, ...]) -> bool:
    return all(h.startswith(prefixes) for h in headings(partner))


def chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def writes_chinese(partner: dict[str, Any]) -> bool:
    return chinese(partner["description"])
