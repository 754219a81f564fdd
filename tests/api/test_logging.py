"""Logs: one line per request with its id (never the query string), and failed jobs keep their
traceback."""

import logging

import pytest
from fastapi.testclient import TestClient

from service.jobs import JobRunner, JobState
from service.logs import RequestIdFilter


def test_every_response_carries_a_request_id_and_a_sane_one_is_kept(client: TestClient) -> None:
    fresh = client.get("/health").headers["x-request-id"]
    assert 8 <= len(fresh) <= 64
    assert (
        client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    odd = client.get("/health", headers={"X-Request-ID": "a b\x7f" * 30}).headers["x-request-id"]
    assert odd != "a b\x7f" * 30 and " " not in odd


def test_a_request_is_logged_by_path_with_its_id_never_its_query(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="matchfair.http")
    caplog.handler.addFilter(RequestIdFilter())  # as configure_logging's handler does
    params = {"q": "confidential tea"}
    client.get("/search/suppliers", params=params, headers={"X-Request-ID": "r1"})
    [line] = [r for r in caplog.records if r.name == "matchfair.http"]
    assert "GET /search/suppliers 200" in line.getMessage()
    assert "confidential" not in line.getMessage()
    assert line.request_id == "r1"  # type: ignore[attr-defined]


def test_a_failed_job_keeps_its_traceback_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    def broken(_: object) -> None:
        raise ZeroDivisionError("a bug")

    runner = JobRunner()
    try:
        job = runner.submit("broken", broken)
        status = runner.wait(job.id, timeout=10)
    finally:
        runner.shutdown()
    assert status.state is JobState.failed and status.error == "ZeroDivisionError: a bug"
    [record] = [r for r in caplog.records if r.name == "matchfair.jobs"]
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
