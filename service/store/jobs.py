"""Queries on persisted jobs: each state change is written at once, in its own transaction."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from service.records import JobRecord

UNFINISHED = ("queued", "running")


def save(engine: Engine, record: JobRecord) -> None:
    with Session(engine) as session:
        session.merge(record)
        session.commit()


def get(engine: Engine, job_id: str) -> JobRecord | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(JobRecord, job_id)


def beat(engine: Engine, job_ids: Collection[str], now: datetime) -> None:
    """This process is alive and still owns these jobs."""
    if not job_ids:
        return
    with Session(engine) as session:
        session.execute(
            update(JobRecord).where(col(JobRecord.id).in_(list(job_ids))).values(heartbeat_at=now)
        )
        session.commit()


def fail_abandoned(engine: Engine, silent_since: datetime, error: str, now: datetime) -> int:
    """Unfinished jobs whose process stopped beating before `silent_since` turn failed."""
    with Session(engine) as session:
        result = session.execute(
            update(JobRecord)
            .where(col(JobRecord.state).in_(UNFINISHED), col(JobRecord.heartbeat_at) < silent_since)
            .values(state="failed", error=error, finished_at=now)
        )
        session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]
