"""Jobs persist their state: another process (a restart, another worker) still answers for them,
and a job whose process died is marked failed rather than left running forever."""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from service.db import make_engine
from service.jobs import ABANDONED, JobRunner, JobState
from service.records import JobRecord
from service.store import jobs as stored


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_a_finished_job_answers_from_another_process(engine: Engine) -> None:
    first = JobRunner(engine)
    try:
        job = first.submit("count", lambda progress: {"counted": 3})
        assert first.wait(job.id, timeout=30).state is JobState.done
    finally:
        first.shutdown()
    second = JobRunner(engine)  # a restarted (or another) process
    try:
        seen = second.status(job.id)
    finally:
        second.shutdown()
    assert (seen.state, seen.result, seen.kind) == (JobState.done, {"counted": 3}, "count")
    assert seen.finished_at is not None


def test_a_job_whose_process_stopped_beating_is_marked_failed(engine: Engine) -> None:
    now = datetime.now(UTC)
    stored.save(
        engine,
        JobRecord(
            id="dead", kind="import", state="running", heartbeat_at=now - timedelta(minutes=5)
        ),
    )
    stored.save(engine, JobRecord(id="alive", kind="import", state="running", heartbeat_at=now))
    runner = JobRunner(engine, heartbeat_s=5)  # starting sweeps what is abandoned
    try:
        dead, alive = runner.status("dead"), runner.status("alive")
    finally:
        runner.shutdown()
    assert dead.state is JobState.failed and dead.error == ABANDONED
    assert alive.state is JobState.running  # another worker's job, beating: left alone


def test_a_running_job_beats_and_a_silent_one_fails_when_asked_about(engine: Engine) -> None:
    release = threading.Event()
    runner = JobRunner(engine, heartbeat_s=0.2)
    watcher = JobRunner(engine, heartbeat_s=0.2)  # another worker, asked about the jobs
    try:
        job = runner.submit("slow", lambda progress: release.wait(30))
        first = _heartbeat(engine, job.id)
        time.sleep(0.6)
        assert _heartbeat(engine, job.id) > first  # still beating while it runs
        assert watcher.status(job.id).state is JobState.running
        # a job whose process died a moment ago: running until it misses three beats
        stored.save(engine, JobRecord(id="orphan", kind="import", state="running"))
        assert watcher.status("orphan").state is JobState.running
        time.sleep(0.8)
        assert watcher.status("orphan").state is JobState.failed
        assert watcher.status(job.id).state is JobState.running
    finally:
        release.set()
        runner.shutdown()
        watcher.shutdown()


def _heartbeat(engine: Engine, job_id: str) -> datetime:
    record = stored.get(engine, job_id)
    assert record is not None
    return record.heartbeat_at
