"""bench/serve.py at a tiny size: the catalogue is built through the use-cases, every scene runs
through the real app, the answers are sane and no request fails. Times are never checked."""

import itertools
import shutil
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench import figures, scenes
from bench.catalog import ensure
from bench.serving import MIX, READS, SCHEDULE, SEARCH, Workload
from service.app import create_app
from service.config import Settings
from service.entities import EnterpriseCreate
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from tools import scale_generator


def test_generated_catalogue_has_the_asked_supply_and_valid_varied_profiles() -> None:
    data = scale_generator.catalog(3000, seed=3)
    sellers = [e for e in data.enterprises if e["role"] != "buyer"]
    lines = [line for e in sellers for line in e["product_lines"]]
    assert len(lines) + len(data.offers) == 3000
    assert all(4 <= len(e["product_lines"]) <= 50 for e in sellers)
    assert len({(x["name"], x["description"]) for x in lines}) > len(lines) / 4 > 100
    for record in data.enterprises:
        EnterpriseCreate.model_validate(record)
    fair = scale_generator.fair(30)
    roles = [e["role"] for e in fair.enterprises]
    assert roles.count("supplier") == roles.count("buyer") == 30


def test_search_texts_never_repeat() -> None:
    texts = list(itertools.islice(scale_generator.queries(5), 3000))
    assert len(set(texts)) == len(texts)
    assert all(2 <= len(t) <= 500 for t in texts)  # what /search/suppliers accepts


def test_every_scene_runs_small_and_every_request_succeeds(
    embedder: Embedder, suggester: HsSuggester, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    built = ensure("catalog-150", lambda: scale_generator.catalog(150), embedder, cache)
    meta = built.meta
    assert not built.cached and 140 <= meta.supply_items <= 150  # closed offers do not match
    assert meta.sellers and meta.buyers and meta.open_needs
    assert ensure("catalog-150", lambda: scale_generator.catalog(150), embedder, cache).cached

    db = tmp_path / "run.db"
    shutil.copyfile(built.path, db)
    settings = Settings(database_url=f"sqlite:///{db}", cache_dir=cache)
    work = Workload(meta)
    run = scenes.in_process(
        settings, embedder, work, 8, 60, measure=True, profile=True, suggester=suggester
    )
    for route in READS:
        assert run.ours[route].requests == run.floor_results[route].requests == 8
        assert run.ours[route].errors == []
    assert "service/usecases/recommend.py" in run.profile
    out: dict[str, Any] = {}
    figures.put(out, "", "150", run.ours, run.floor_results)
    assert out["errors_150"] == 0 and out["need_requests_150"] == 8
    assert "p50/floor" in figures.table("smoke", run.ours, run.floor_results)

    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as client:
        items = client.app.state.runtime.matchmaker.catalog.items.values()  # type: ignore[attr-defined]
        assert meta.distinct_texts == len({item.text for item in items})  # each embedded once
        answers = [work.mixed(client, i) for i in range(len(SCHEDULE))]  # the load's mix
        url = f"/needs/{work.need(0)}/recommendations"
        need = client.get(url, params={"strict": False}).json()  # few suppliers hold its certs
        found = client.get("/search/suppliers", params={"q": work.subject(SEARCH, 0)}).json()
    assert {route for route, _ in answers} == set(MIX)
    assert [a.text for _, a in answers if a.status_code >= 400] == []
    assert need["items"] and found["items"]
    sellers = set(meta.sellers)
    assert {r["partner"]["id"] for r in need["items"] + found["items"]} <= sellers

    said = scenes.fair(out, embedder, 6, cache, tmp_path, "6")
    assert out["fair_participants"] == 12 and out["fair_entries"] > 0
    assert "end to end" in said
