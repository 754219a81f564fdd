"""What the service records about its own work: who acted, the audit trail, and jobs.

`Actor` is who a write is recorded against (the API derives it from the caller); `AuditEntry`
rows are written by the unit of work in the same transaction as the change they describe
(service/store/unit_of_work.py); `JobRecord` rows let a job's state outlive the process.
"""

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from service.entities import utc_now


class ActorKind(enum.StrEnum):
    organizer = "organizer"  # the admin key, or the command line (whoever opens the database)
    enterprise = "enterprise"  # an enterprise's own API key
    anonymous = "anonymous"  # no key: self-registration
    system = "system"  # the service on its own: request expiry, re-embedding after a model change


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    enterprise_id: int | None = None


ORGANIZER = Actor(ActorKind.organizer)
ANONYMOUS = Actor(ActorKind.anonymous)
SYSTEM = Actor(ActorKind.system)


# --- the audit trail -----------------------------------------------------------------------


class AuditEntryBase(SQLModel):
    at: datetime = Field(default_factory=utc_now)
    actor: ActorKind = Field(sa_type=String(16))
    actor_id: int | None = Field(default=None, description="The acting enterprise's id.")
    action: str = Field(max_length=16, description="create, update, delete, rotate, revoke ...")
    noun: str = Field(max_length=16, description="enterprise, key, need, offer, event ...")
    ref_id: int | None = Field(default=None, description="The changed row's id.")
    enterprise_id: int | None = Field(
        default=None, description="The enterprise the changed row belongs to, when one does."
    )
    fields: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Names of the changed fields (never their values).",
    )
    request_id: str = Field(default="-", max_length=64, description="As in the service's logs.")


class AuditEntry(AuditEntryBase, table=True):
    """One change. No foreign keys: the trail outlives what it describes."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_noun_ref_id", "noun", "ref_id"),
        Index("ix_audit_entry_enterprise_id", "enterprise_id"),
        Index("ix_audit_entry_actor_id", "actor_id"),
        Index("ix_audit_entry_at", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)


class AuditPublic(AuditEntryBase):
    id: int


# --- jobs ----------------------------------------------------------------------------------


class JobRecord(SQLModel, table=True):
    """A job's last known state; `heartbeat_at` shows that the process running it is alive."""

    __tablename__ = "job"
    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=40)
    state: str = Field(max_length=16, index=True)
    done: int = 0
    total: int = 0
    created_at: datetime = Field(default_factory=utc_now)
    finished_at: datetime | None = None
    heartbeat_at: datetime = Field(default_factory=utc_now)
    result: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = Field(default=None, max_length=4000)
