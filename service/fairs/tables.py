"""Fair tables and API schemas: events, their sessions, participants, match lists, requests,
meetings (the persisted plan) and outcomes. One SQLModel family per noun, as in entities.py.
"""

import enum
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, NaiveDatetime
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.entities import EnterprisePublic, Name, Quantity, Short, Text, utc_now
from service.fairs.scheduling.timeslots import normalise_window


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}, e.g. Asia/Shanghai") from exc
    return name


Window = Annotated[str, AfterValidator(normalise_window)]
Zone = Annotated[str, AfterValidator(_known_zone)]


class ParticipantRole(enum.StrEnum):
    supplier = "supplier"
    buyer = "buyer"


class ParticipantStatus(enum.StrEnum):
    active = "active"
    cancelled = "cancelled"


class RequestStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"


class MeetingStatus(enum.StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class OutcomeStatus(enum.StrEnum):
    held = "held"
    no_show = "no_show"


# --- events and their sessions -------------------------------------------------------------


class EventSessionBase(SQLModel):
    """A stretch of meeting time, or (is_break) a pause inside one; local times of the event."""

    starts_at: NaiveDatetime
    ends_at: NaiveDatetime
    is_break: bool = False


class EventSession(EventSessionBase, table=True):
    __tablename__ = "event_session"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")


class EventSessionCreate(EventSessionBase):
    pass


class EventSessionPublic(EventSessionBase):
    id: int


class EventBase(SQLModel):
    name: Name
    venue: Short = ""
    starts_on: date
    ends_on: date
    timezone: Zone = Field(default="UTC", max_length=64)
    meeting_minutes: int = Field(default=15, ge=5, le=240)
    n_tables: int = Field(ge=1, le=5000)
    top_k: int = Field(default=10, ge=1, le=50, description="Match-list length per participant.")
    max_pending_requests: int = Field(default=10, ge=1, le=200)
    request_ttl_hours: int = Field(default=72, ge=1, le=24 * 60)


class Event(EventBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now)
    planned_at: datetime | None = None


class EventCreate(EventBase):
    sessions: list[EventSessionCreate] = Field(min_length=1, max_length=50)


class EventUpdate(SQLModel):
    """Every field optional; given sessions replace the stored ones."""

    name: Name | None = None
    venue: Short | None = None
    timezone: Zone | None = Field(default=None, max_length=64)
    meeting_minutes: int | None = Field(default=None, ge=5, le=240)
    n_tables: int | None = Field(default=None, ge=1, le=5000)
    top_k: int | None = Field(default=None, ge=1, le=50)
    max_pending_requests: int | None = Field(default=None, ge=1, le=200)
    request_ttl_hours: int | None = Field(default=None, ge=1, le=24 * 60)
    sessions: list[EventSessionCreate] | None = Field(default=None, min_length=1, max_length=50)


class EventPublic(EventBase):
    id: int
    created_at: datetime
    planned_at: datetime | None
    sessions: list[EventSessionPublic]
    n_slots: int = Field(description="Meeting rounds that fit the sessions.")


# --- participants --------------------------------------------------------------------------


class ParticipantBase(SQLModel):
    role: ParticipantRole
    max_meetings: int = Field(default=8, ge=0, le=100)
    available: list[Window] = Field(
        default_factory=list,
        max_length=20,
        sa_type=JSON,
        description="Windows like '2025-05-20 09:00-12:00' or '14:00-17:00' (every day); "
        "empty means the whole event.",
    )
    must_meet: list[int] = Field(
        default_factory=list,
        max_length=100,
        sa_type=JSON,
        description="Enterprise ids this participant must meet.",
    )
    do_not_meet: list[int] = Field(
        default_factory=list,
        max_length=100,
        sa_type=JSON,
        description="Enterprise ids this participant must never be paired with.",
    )
    needs_interpreter: bool = False


class Participant(ParticipantBase, table=True):
    __table_args__ = (UniqueConstraint("event_id", "enterprise_id"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    status: ParticipantStatus = ParticipantStatus.active
    created_at: datetime = Field(default_factory=utc_now)


class ParticipantCreate(ParticipantBase):
    enterprise_id: int


class ParticipantUpdate(SQLModel):
    max_meetings: int | None = Field(default=None, ge=0, le=100)
    available: list[Window] | None = Field(default=None, max_length=20)
    must_meet: list[int] | None = Field(default=None, max_length=100)
    do_not_meet: list[int] | None = Field(default=None, max_length=100)
    needs_interpreter: bool | None = None
    status: ParticipantStatus | None = None


class ParticipantPublic(ParticipantBase):
    id: int
    event_id: int
    enterprise_id: int
    status: ParticipantStatus
    enterprise: EnterprisePublic


# --- match lists ---------------------------------------------------------------------------


class EventMatch(SQLModel, table=True):
    """One entry of a participant's match list inside an event (rebuilt by each match run)."""

    __tablename__ = "event_match"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    rank: int
    score: float
    reason: str = Field(max_length=4000)
    mutual: bool = False
    must_meet: bool = False


class MatchEntry(BaseModel):
    partner_id: int
    partner: EnterprisePublic
    rank: int
    score: float
    reason: str
    mutual: bool = Field(description="Each is in the other's top-k.")
    must_meet: bool


class MatchList(BaseModel):
    participant_id: int
    items: list[MatchEntry]


# --- meeting requests ----------------------------------------------------------------------


class MeetingRequestBase(SQLModel):
    message: Text = Field(default="", max_length=1000)


class MeetingRequest(MeetingRequestBase, table=True):
    __tablename__ = "meeting_request"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    from_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    to_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    status: RequestStatus = RequestStatus.pending
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    answered_at: datetime | None = None


class MeetingRequestCreate(MeetingRequestBase):
    from_id: int = Field(description="The requesting participant (the caller's enterprise).")
    to_id: int


class MeetingRequestPublic(MeetingRequestBase):
    id: int
    event_id: int
    from_id: int
    to_id: int
    status: RequestStatus
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class RequestAnswer(BaseModel):
    accept: bool


# --- meetings (the plan) and outcomes ------------------------------------------------------


class MeetingBase(SQLModel):
    supplier_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    buyer_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    slot: int
    table: int
    starts_at: NaiveDatetime  # the event's wall-clock time, like the sessions
    ends_at: NaiveDatetime
    score: float
    required: bool = False
    locked: bool = Field(default=False, description="Fixed by hand: every re-plan keeps it.")
    status: MeetingStatus = MeetingStatus.scheduled
    sequence: int = Field(default=0, description="iCalendar SEQUENCE: bumped on every change.")


class Meeting(MeetingBase, table=True):
    """One pair's meeting; kept (cancelled) when a re-plan drops it so calendars can update."""

    __table_args__ = (UniqueConstraint("event_id", "supplier_id", "buyer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    updated_at: datetime = Field(default_factory=utc_now)


class MeetingPublic(MeetingBase):
    id: int
    event_id: int


class MeetingChange(BaseModel):
    """Move a meeting by hand to (slot, table), locked there unless `locked` is false; or only
    lock or unlock it where it is."""

    slot: int | None = Field(default=None, ge=0)
    table: int | None = Field(default=None, ge=0)
    locked: bool | None = None


class OutcomeBase(SQLModel):
    status: OutcomeStatus
    rating: int | None = Field(default=None, ge=1, le=5)
    intended_deal_value: Quantity | None = None
    currency: Short = ""
    notes: Text = Field(default="", max_length=2000)


class Outcome(OutcomeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True, ondelete="CASCADE")
    recorded_at: datetime = Field(default_factory=utc_now)


class OutcomeCreate(OutcomeBase):
    pass


class OutcomePublic(OutcomeBase):
    id: int
    meeting_id: int
    recorded_at: datetime


# --- results -------------------------------------------------------------------------------


class ImportReport(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    participants_added: int


class PlanSummary(BaseModel):
    meetings: int
    objective: float
    unmatched: list[int] = Field(description="Participants with candidates but no meeting.")
    required_missing: list[tuple[int, int]]
    moved: int = Field(description="Previous meetings not kept in place (re-plan only).")
    cancelled: int = Field(description="Previous meetings dropped (re-plan only).")
    violations: list[str] = Field(description="The independent checker's findings; [] is valid.")
    method: str


class ParticipantCoverage(BaseModel):
    participant_id: int
    name: str
    role: ParticipantRole
    scheduled: int
    held: int
    no_show: int


class ReportGroup(BaseModel):
    key: str = Field(description="A country, or an HS section numeral; '' when not known.")
    meetings_scheduled: int
    meetings_held: int


class EventReport(BaseModel):
    participants: int
    requests_sent: int
    requests_accepted: int
    requests_declined: int
    requests_expired: int
    acceptance_rate: float | None = Field(
        description="Accepted of the requests answered or expired (pending ones not counted)."
    )
    meetings_scheduled: int
    meetings_held: int
    meetings_no_show: int
    mean_rating: float | None
    intended_deals: dict[str, float] = Field(description="Intended deal value per currency.")
    coverage: list[ParticipantCoverage]
    by_buyer_country: list[ReportGroup] = Field(description="Meetings by the buyer's country.")
    by_supplier_sector: list[ReportGroup] = Field(
        description="Meetings by the HS section of the supplier's first product line with a code."
    )
