"""`matchfair fair ...`: the organizer's workflow from a spreadsheet to printed agendas.

Runs against the database directly with the organizer's rights (whoever can open the database
is the organizer).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer

from service.cli.progress import bar
from service.config import Settings
from service.errors import InvalidRows, ServiceError
from service.fairs import agendas, spreadsheets
from service.fairs.tables import Event, EventCreate
from service.fairs.usecases import events, imports, matchlists, outcomes, plans
from service.matchmaker import Matchmaker
from service.runtime import build_matchmaker
from service.store.unit_of_work import UnitOfWork

fair_app = typer.Typer(help="Fair organizer workflow: import, match, schedule, agendas, report.")


@contextmanager
def _errors_as_exit() -> Iterator[None]:
    """A refused action prints its reason (one line per bad row) and exits with status 1."""
    try:
        yield
    except InvalidRows as exc:
        for row in exc.errors:
            where = f"row {row.get('row', '-')}, {row.get('field')}"
            typer.echo(f"{where}: {row.get('detail')}", err=True)
        raise typer.Exit(1) from exc
    except ServiceError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc


@contextmanager
def _event(event_id: int) -> Iterator[tuple[UnitOfWork, Matchmaker, Event]]:
    mm = build_matchmaker(Settings())
    with mm.session() as session, _errors_as_exit():
        yield mm.unit_of_work(session), mm, events.get_event(session, event_id)


@fair_app.command("create-event")
def create_event(
    spec: Annotated[
        Path, typer.Argument(help="JSON file: name, venue, dates, sessions, tables...")
    ],
) -> None:
    """Create an event from a JSON description; prints its id."""
    data = EventCreate.model_validate_json(spec.read_text(encoding="utf-8"))
    mm = build_matchmaker(Settings())
    with mm.session() as session, _errors_as_exit():
        shown = events.show_event(session, events.create_event(mm.unit_of_work(session), data))
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
    with _event(event_id) as (uow, mm, event), bar("importing") as progress:
        fmt = spreadsheets.detect_format(file.name, data)
        result = imports.import_participants(uow, mm, event, data, fmt, mapping, progress)
    typer.echo(result.model_dump_json(indent=2))


@fair_app.command()
def match(event_id: int) -> None:
    """Build every participant's match list inside the event."""
    with _event(event_id) as (uow, mm, event), bar("match lists") as progress:
        result = matchlists.build_match_lists(uow, mm, event, progress)
    typer.echo(json.dumps(result))


@fair_app.command()
def schedule(
    event_id: int,
    keep: Annotated[
        bool, typer.Option(help="Re-plan, moving as few meetings as possible.")
    ] = False,
) -> None:
    """Plan (or re-plan) the meetings; prints the summary with the checker's findings."""
    with _event(event_id) as (uow, _, event):
        summary = plans.generate_schedule(uow, event, keep=keep)
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
    with _event(event_id) as (uow, _, event):
        people = events.participants(uow.session, event)
        chosen = [p for p in people if participant is None or p.id == participant]
        for p in chosen:
            a = plans.agenda(uow.session, event, p)
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
    with _event(event_id) as (uow, _, event):
        if what == "grid":
            data = plans.grid(uow.session, event, fmt)
        else:
            data = imports.export_participants(uow.session, event, fmt)
    out.write_bytes(data)
    typer.echo(f"wrote {out}")


@fair_app.command()
def report(event_id: int) -> None:
    """Requests, meetings held, coverage per participant and intended deals, as JSON."""
    with _event(event_id) as (uow, _, event):
        result = outcomes.report(uow, event)
    typer.echo(result.model_dump_json(indent=2))
