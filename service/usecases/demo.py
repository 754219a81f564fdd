"""Load the demo fair (data/demo/*.json) into an empty database."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from service.config import DATA_DIR
from service.entities import EnterpriseCreate, Need, NeedCreate, Offer, OfferCreate
from service.errors import Conflict
from service.matchmaker import Matchmaker
from service.progress import Progress
from service.store import enterprises
from service.store.unit_of_work import UnitOfWork
from service.usecases import profiles, trades

DEMO_DIR = DATA_DIR / "demo"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    enterprises: int
    needs: int
    offers: int


def _read(folder: Path, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((folder / name).read_text(encoding="utf-8"))
    return rows


def _resolve(row: dict[str, Any], owner: str, ids: dict[str | None, int | None]) -> dict[str, Any]:
    """Replace `<owner>_external_id` with `<owner>_id`."""
    row = dict(row)
    row[f"{owner}_id"] = ids[row.pop(f"{owner}_external_id")]
    return row


def is_empty(session: Session) -> bool:
    return enterprises.count(session) == 0


def load_demo(
    uow: UnitOfWork, mm: Matchmaker, folder: Path = DEMO_DIR, progress: Progress | None = None
) -> DemoSummary:
    """Register the demo enterprises, then their needs and offers (external ids resolved)."""
    if not is_empty(uow.session):
        raise Conflict(
            "the database already holds enterprises; demo data loads only into an empty one"
        )
    rows = [EnterpriseCreate.model_validate(r) for r in _read(folder, "enterprises.json")]
    created = profiles.register(uow, mm, rows, progress)
    ids = {e.external_id: e.id for e, _ in created}
    needs = [
        NeedCreate.model_validate(_resolve(r, "buyer", ids)) for r in _read(folder, "needs.json")
    ]
    offers = [
        OfferCreate.model_validate(_resolve(r, "supplier", ids))
        for r in _read(folder, "offers.json")
    ]
    trades.create(uow, mm, Need, needs, progress)
    trades.create(uow, mm, Offer, offers, progress)
    return DemoSummary(len(created), len(needs), len(offers))
