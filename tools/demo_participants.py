"""The demo fair's participant spreadsheet, as an organizer would keep it.

Writes `data/demo/participants.csv` (60 companies of the demo data set: 30 suppliers and 30
buyers, in the import layout, with the organizer's own headers for two columns so the import
page's column mapping is needed) and `participants-draft.csv`, the same file before the
organizer fixed one bad row (a side that is neither supplier nor buyer).

    python -m tools.demo_participants
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from service.config import DATA_DIR
from service.entities import EnterpriseCreate
from service.fairs.spreadsheets import COLUMNS, FairColumns, to_cells, write
from service.fairs.tables import ParticipantRole

DEMO = DATA_DIR / "demo"
PER_SIDE = 30
HEADERS = {"name": "Company", "role": "Side"}  # the organizer's words for two of our columns
BAD_ROW = 7  # which data row the draft gets wrong
WINDOWS = ("09:00-12:00", "13:30-17:00")


def _fair(e: EnterpriseCreate, role: ParticipantRole, n: int) -> FairColumns:
    """Six meetings each; every fifth company only half the day; foreign buyers without
    Chinese ask for an interpreter."""
    return FairColumns(
        role=role,
        max_meetings=6,
        available=[WINDOWS[n // 5 % 2]] if n % 5 == 4 else [],
        needs_interpreter=role is ParticipantRole.buyer
        and e.country != "China"
        and "Chinese" not in e.languages,
    )


def rows(enterprises: Sequence[dict[str, object]]) -> list[dict[str, str]]:
    """Every other supplier and every other buyer in external-id order, 30 of each side."""
    profiles = sorted(
        (EnterpriseCreate.model_validate(e) for e in enterprises), key=lambda e: e.external_id or ""
    )
    suppliers = [e for e in profiles if e.role != "buyer"][::2][:PER_SIDE]
    taken = {e.external_id for e in suppliers}
    buyers = [e for e in profiles if e.role != "supplier" and e.external_id not in taken][::2][
        :PER_SIDE
    ]
    out = []
    for n, (e, role) in enumerate(
        [(e, ParticipantRole.supplier) for e in suppliers]
        + [(e, ParticipantRole.buyer) for e in buyers]
    ):
        cells = to_cells(e, _fair(e, role, n))
        out.append({HEADERS.get(k, k): v for k, v in cells.items()})
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEMO)
    args = parser.parse_args(argv)
    table = rows(json.loads((DEMO / "enterprises.json").read_text(encoding="utf-8")))
    columns = [HEADERS.get(c, c) for c in COLUMNS]
    (args.out / "participants.csv").write_bytes(write(table, columns, "csv"))
    draft = [dict(r) for r in table]
    draft[BAD_ROW]["Side"] = "exhibitor"
    (args.out / "participants-draft.csv").write_bytes(write(draft, columns, "csv"))


if __name__ == "__main__":
    main()
