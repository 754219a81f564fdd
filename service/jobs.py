"""Long work (imports, match lists, re-embedding, scheduling) as jobs with progress.

Jobs run one at a time on a background thread of the API process; their status lives in
memory (a restart forgets finished jobs, and a job cut off by a restart must be started again).
"""

import contextvars
import enum
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from service.errors import NotFound, ServiceError
from service.progress import Progress

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


class JobRunner:
    def __init__(self, max_kept: int = 500) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="matchfair-job")
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._max_kept = max_kept

    def submit(self, kind: str, work: Callable[[Progress], Any]) -> JobStatus:
        """Queue `work(progress)`; its return value becomes the job's result (JSON-able)."""
        job = _Job(id=uuid.uuid4().hex[:12], kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._max_kept:
                self._jobs.pop(next(iter(self._jobs)))

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def run() -> None:
            job.state = JobState.running
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

        # the job logs under the request id that started it
        self._pool.submit(contextvars.copy_context().run, run)
        return self.status(job.id)

    def status(self, job_id: str) -> JobStatus:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} does not exist")
        return JobStatus(**job.__dict__)

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job ends (for the CLI and tests)."""
        done = threading.Event()
        self._pool.submit(done.set)  # one worker: this runs after every job queued before it
        done.wait(timeout)
        return self.status(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
