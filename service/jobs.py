"""Long work (imports, match lists, re-embedding, scheduling) as jobs with progress.

Jobs run one at a time on a background thread of the API process. Live progress is kept in
memory; every change of state (queued, running, done or failed, with the result or error) is
written to the `job` table at once, so `GET /jobs/{id}` answers after a restart, from any worker.
While a job is unfinished its process writes a heartbeat every `heartbeat_s` seconds; a job
whose heartbeat stopped for three periods belonged to a process that died (kill -9, power
loss, a restart) and is marked failed, by the next process to start or to be asked about it.
"""

import contextvars
import enum
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from service.errors import NotFound, ServiceError
from service.progress import Progress
from service.records import JobRecord
from service.store import jobs as stored

log = logging.getLogger("matchfair.jobs")


class JobState(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class JobStatus(BaseModel):
    id: str
    kind: str
    state: JobState
    done: int
    total: int
    created_at: datetime
    finished_at: datetime | None
    result: Any = None
    error: str | None = None


@dataclass
class _Job:
    id: str
    kind: str
    state: JobState = JobState.queued
    done: int = 0
    total: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    result: Any = None
    error: str | None = None


ABANDONED = "interrupted: the process running this job stopped (a crash or restart); start it again"


class JobRunner:
    def __init__(self, engine: Engine, *, heartbeat_s: float = 5.0, max_kept: int = 500) -> None:
        self._engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="matchfair-job")
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._max_kept = max_kept
        self._heartbeat_s = heartbeat_s
        self._stop = threading.Event()
        self.sweep()
        self._beater = threading.Thread(target=self._beat, name="matchfair-job-beat", daemon=True)
        self._beater.start()

    def sweep(self) -> int:
        """Mark failed the unfinished jobs whose process stopped beating; returns how many."""
        now = datetime.now(UTC)
        silent_since = now - timedelta(seconds=3 * self._heartbeat_s)
        failed = stored.fail_abandoned(self._engine, silent_since, ABANDONED, now)
        if failed:
            log.warning("%d job(s) left unfinished by a stopped process marked failed", failed)
        return failed

    def _beat(self) -> None:
        while not self._stop.wait(self._heartbeat_s):
            with self._lock:
                mine = [
                    j.id
                    for j in self._jobs.values()
                    if j.state in (JobState.queued, JobState.running)
                ]
            try:
                stored.beat(self._engine, mine, datetime.now(UTC))
            except Exception:  # the database may be away for a moment; try again next beat
                log.exception("job heartbeat failed")

    def _save(self, job: _Job) -> None:
        record = JobRecord(**job.__dict__, heartbeat_at=datetime.now(UTC))
        try:
            stored.save(self._engine, record)
        except Exception:  # the job's outcome stays visible in memory; the log says why not stored
            log.exception("job %s: its state could not be stored", job.id)

    def submit(self, kind: str, work: Callable[[Progress], Any]) -> JobStatus:
        """Queue `work(progress)`; its return value becomes the job's result (JSON-able)."""
        job = _Job(id=uuid.uuid4().hex[:12], kind=kind)
        self._save(job)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._max_kept:
                self._jobs.pop(next(iter(self._jobs)))

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def run() -> None:
            job.state = JobState.running
            self._save(job)
            try:
                job.result = work(progress)
                job.state = JobState.done
            except ServiceError as exc:  # an expected refusal: report it, keep the message
                job.error, job.state = exc.detail, JobState.failed
                log.warning("job %s (%s) refused: %s", job.id, kind, exc.detail)
            except Exception as exc:  # a bug: keep the job inspectable, do not kill the pool
                job.error, job.state = f"{type(exc).__name__}: {exc}", JobState.failed
                log.exception("job %s (%s) failed", job.id, kind)  # with its traceback
            job.finished_at = datetime.now(UTC)
            self._save(job)

        # the job logs under the request id that started it
        self._pool.submit(contextvars.copy_context().run, run)
        return self.status(job.id)

    def status(self, job_id: str) -> JobStatus:
        """Live from memory when this process runs (or ran) the job, else as stored."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None:
            return JobStatus(**job.__dict__)
        record = stored.get(self._engine, job_id)
        if record is not None and record.state in stored.UNFINISHED and self.sweep():
            record = stored.get(self._engine, job_id)
        if record is None:
            raise NotFound(f"job {job_id} does not exist")
        return JobStatus.model_validate(record, from_attributes=True)

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job ends (for the CLI and tests)."""
        done = threading.Event()
        self._pool.submit(done.set)  # one worker: this runs after every job queued before it
        done.wait(timeout)
        return self.status(job_id)

    def shutdown(self) -> None:
        """Finish the running job (queued ones are cancelled: they read failed once their
        heartbeat stops), then stop beating."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._stop.set()
        self._beater.join()
