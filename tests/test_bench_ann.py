"""bench/ann.py at a tiny size: the graph and the exact index answer the same queries, the
filtered answers are full and admitted, recall is high. Times are never checked."""

import json

import pytest

from bench import ann


def test_smoke_run_checks_its_answers_and_ends_with_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ann.main(["--smoke"])
    lines = capsys.readouterr().out.strip().splitlines()
    results = json.loads(lines[-1])
    assert [(r["n"], r["dimension"]) for r in results["runs"]] == [(2000, 384), (2000, 512)]
    for r in results["runs"]:
        assert r["recall200"] >= 0.95 and r["recall200_filtered"] >= 0.95
        assert r["short"] == r["short_filtered"] == 0 and r["filtered_all_admitted"]
        assert r["build_cpu_s"] > 0
    assert "p50 ratio" in lines[-4]
