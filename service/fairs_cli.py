"""`matchfair fair ...`: the organizer's workflow from a spreadsheet to printed agendas.

Runs against the database directly with the organizer's rights (whoever can open the database
is the organizer). Mounted by service/cli.py, which it imports lazily to avoid a cycle.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer
from sqlmodel import Session

from service.config import Settings
from service.errors import InvalidRows, ServiceError
from service.fairs import agendas, importer
from service.fairs.tables import Event, EventCreate
from service.matchmaker import Matchmaker, Progress
from service.usecases import fair_matching, fair_schedule, fairs
from service.usecases.access import Principal

fair_app = typer.Typer(help="Fair organizer workflow: import, match, schedule, agendas, report.")
ORGANIZER = Principal(admin=True)
T = TypeVar("T")


@contextmanager
def _event(event_id: int) -> Iterator[tuple[Session, Matchmaker, Event]]:
    from service.cli import _matchmaker

    mm = _matchmaker(Settings())
    with Session(mm.engine) as session:
        try:
            yield session, mm, fairs.get_event(session, event_id)
        except InvalidRows as exc:
            for row in exc.errors:
                typer.echo(
                    f"row {row.get('row', '-')}, {row.get('field')}: {row.get('detail')}", err=True
                )
            raise typer.Exit(1) from exc
        except ServiceError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(1) from exc


def _with_bar(description: str, work: Callable[[Progress], T]) -> T:
    from service.cli import _bar

    bar, progress = _bar(description)
    try:
        return work(progress)
    finally:
        bar.close()


@fair_app.command("create-event")
def create_event(
    spec: Annotated[
        Path, typer.Argument(help="JSON file: name, venue, dates, sessions, tables...")
    ],
) -> None:
    """Create an event from a JSON description; prints its id."""
    from service.cli import _matchmaker

    data = EventCreate.model_validate_json(spec.read_text(encoding="utf-8"))
    mm = _matchmaker(Settings())
    with Session(mm.engine) as session:
        event = fairs.create_event(session, data)
        shown = fairs.show_event(session, event)
    typer.echo(f"event {shown.id}: {shown.name}, {shown.n_slots} rounds x {shown.n_tables} tables")


@fair_app.command("import")
def import_participants(
    event_id: int,
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX, one row per enterprise")],
    column: Annotated[
        list[str] | None, typer.Option("--map", help="our_column=Their Header, repeatable")
    ] = None,
) -> None:
    """Upsert profiles by external id and enrol them; any bad row: nothing is written."""
    mapping = dict(m.split("=", 1) for m in column or [] if "=" in m)
    data = file.read_bytes()
    with _event(event_id) as (session, mm, event):
        fmt = importer.detect_format(file.name, data)
        result = _with_bar(
            "importing",
            lambda p: fairs.import_participants(session, mm, event, data, fmt, mapping, p),
        )
    typer.echo(result.model_dump_json(indent=2))


@fair_app.command()
def match(event_id: int) -> None:
    """Build every participant's match list inside the event."""
    with _event(event_id) as (session, mm, event):
        result = _with_bar(
            "match lists", lambda p: fair_matching.build_match_lists(session, mm, event, p)
        )
    typer.echo(json.dumps(result))


@fair_app.command()
def schedule(
    event_id: int,
    keep: Annotated[
        bool, typer.Option(help="Re-plan, moving as few meetings as possible.")
    ] = False,
) -> None:
    """Plan (or re-plan) the meetings; prints the summary with the checker's findings."""
    with _event(event_id) as (session, _, event):
        summary = fair_schedule.generate_schedule(session, event, keep=keep)
    typer.echo(summary.model_dump_json(indent=2))


@fair_app.command()
def agenda(
    event_id: int,
    out: Annotated[Path, typer.Option(help="Folder for the files")],
    fmt: Annotated[Literal["html", "pdf", "ics"], typer.Option("--format")] = "pdf",
    participant: Annotated[int | None, typer.Option(help="One participant; default all")] = None,
) -> None:
    """Write agendas (HTML, PDF or iCalendar), one file per participant."""
    render = {
        "html": lambda a: agendas.to_html(a).encode(),
        "pdf": agendas.to_pdf,
        "ics": agendas.to_ics,
    }
    out.mkdir(parents=True, exist_ok=True)
    with _event(event_id) as (session, _, event):
        people = fairs.participants(session, event)
        chosen = [p for p in people if participant is None or p.id == participant]
        for p in chosen:
            a = fair_schedule.agenda(session, event, p, ORGANIZER)
            (out / f"agenda-{event_id}-{p.id}.{fmt}").write_bytes(render[fmt](a))
    typer.echo(f"wrote {len(chosen)} agenda(s) to {out}")


@fair_app.command()
def export(
    event_id: int,
    out: Annotated[Path, typer.Argument(help="File to write; .xlsx or .csv")],
    what: Annotated[Literal["grid", "participants"], typer.Option()] = "grid",
) -> None:
    """Export the round x table grid or the participants (import layout)."""
    fmt: Literal["xlsx", "csv"] = "csv" if out.suffix.lower() == ".csv" else "xlsx"
    with _event(event_id) as (session, _, event):
        if what == "grid":
            data = fair_schedule.grid(session, event, fmt)
        else:
            data = fairs.export_participants(session, event, fmt)
    out.write_bytes(data)
    typer.echo(f"wrote {out}")


@fair_app.command()
def report(event_id: int) -> None:
    """Requests, meetings held, coverage per participant and intended deals, as JSON."""
    with _event(event_id) as (session, _, event):
        result = fair_schedule.report(session, event)
    typer.echo(result.model_dump_json(indent=2))
