"""Organizer/admin operations that run as jobs."""

from fastapi import APIRouter, status

from service.api.deps import JobsDep, MatchmakerDep, Organizer
from service.jobs import JobStatus

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/reindex", status_code=status.HTTP_202_ACCEPTED)
def reindex_items(_: Organizer, jobs: JobsDep, mm: MatchmakerDep) -> JobStatus:
    """Re-embed every stored item with the loaded model, as a job (progress at /jobs/{id});
    searches keep using the old vectors until all new ones swap in at once."""
    return jobs.submit("reindex", mm.reembed)
