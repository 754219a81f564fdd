"""`matchfair eval-catalog` on a small slice of the dev catalogue (tests/data/catalog_slice):
the whole command runs (registration through the use-case, the search use-case per query) and
its quality figures are checked; its times are printed, never checked."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli.main import app

SLICE = Path(__file__).parent / "data" / "catalog_slice"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_eval_catalog_measures_supplier_search_end_to_end(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHFAIR_CACHE_DIR", str(tmp_path))
    arguments = ["eval-catalog", "--suppliers", str(SLICE / "suppliers.jsonl")]
    arguments += ["--queries", str(SLICE / "queries.jsonl"), "--qrels", str(SLICE / "qrels.tsv")]
    result = CliRunner().invoke(app, [*arguments, "--lang", lang, "--folds", "1", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["lang"] == lang and figures["queries"] == 24
    assert figures["empty"] == 0.0
    # 40 suppliers, one relevant each: the right one in the top ten for most queries
    assert figures["recall_10"] >= 0.6
    assert figures["ndcg_10"] >= 0.4
    assert figures["candidate_recall_200"] >= 0.95 * figures["exhaustive_recall_200"]
    assert figures["ms_p50"] > 0
