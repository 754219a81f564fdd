"""The event report: figures and server-drawn SVG charts (meetings held, acceptance, meetings by
the buyer's country and the supplier's sector)."""

from fastapi import APIRouter, Response

from service.api.deps import UnitOfWorkDep
from service.fairs.api import EventDep
from service.fairs.usecases import outcomes
from service.web.core import PageRoute, render
from service.web.deps import OrganizerVisitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/fairs/{event_id}/report")
def event_report(v: OrganizerVisitor, event: EventDep, uow: UnitOfWorkDep) -> Response:
    """What the fair achieved, from the requests, the plan and the recorded outcomes."""
    return render(v, "report.html", event=event, report=outcomes.report(uow, event))
