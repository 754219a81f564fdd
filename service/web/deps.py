"""Who may see a page, in its signature: the visitor's key (from the session cookie) checked by
the same rules as the API's (service/usecases/access.py). Anonymous visitors are sent to sign
in; the wrong key gets a 403 page. As in service/api/deps.py, the checks that decide from what
they are given are coroutines (no thread-pool trip); what reads the database stays a function."""

from typing import Annotated

from fastapi import Depends

from service.api.deps import SessionDep
from service.fairs.api import EventDep, ParticipantDep
from service.fairs.tables import Meeting, Participant
from service.fairs.usecases import outcomes
from service.payloads import Id
from service.usecases import access
from service.web.core import Visitor, VisitorDep


async def member(v: VisitorDep) -> Visitor:
    """A signed-in enterprise (the organizer has no company pages)."""
    access.require_enterprise(v.who, "use your company's pages")
    return v


async def organizer(v: VisitorDep) -> Visitor:
    access.require_organizer(v.who)
    return v


async def key_holder(v: VisitorDep) -> Visitor:
    access.require_key(v.who)
    return v


Member = Annotated[Visitor, Depends(member)]
OrganizerVisitor = Annotated[Visitor, Depends(organizer)]
KeyHolderVisitor = Annotated[Visitor, Depends(key_holder)]


# --- fairs: the same path parameters as the JSON routes (event_id, participant_id, ...) ----


async def own_place(v: KeyHolderVisitor, p: ParticipantDep) -> Participant:
    """A participant of the visitor's own enterprise (or any, for the organizer)."""
    access.require_owner(v.who, p.enterprise_id)
    return p


def event_meeting(
    v: OrganizerVisitor, meeting_id: Id, event: EventDep, session: SessionDep
) -> Meeting:
    """A meeting of the event, for the organizer."""
    return outcomes.get_meeting(session, event, meeting_id)


OwnPlace = Annotated[Participant, Depends(own_place)]
EventMeeting = Annotated[Meeting, Depends(event_meeting)]
