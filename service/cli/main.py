"""The `matchfair` command line: serve, migrate, load-demo, recommend, reindex, eval, fair ..."""

import os
from typing import Annotated

import typer

from service.cli import eval as evaluation
from service.cli.progress import bar
from service.config import Settings
from service.fairs.cli import fair_app
from service.logs import configure_logging, logging_config
from service.matchmaker import Matchmaker, OtherModelsVectors
from service.runtime import build_matchmaker

app = typer.Typer(
    help="Matchfair: supply-demand matchmaking for trade fairs.", no_args_is_help=True
)
app.add_typer(
    fair_app, name="fair", help="Fair organizer: events, imports, match lists, schedules."
)
app.command("eval")(evaluation.eval_command)


def _load_demo(mm: Matchmaker) -> None:
    from service.usecases.demo import is_empty, load_demo

    with mm.session() as session:
        if not is_empty(session):
            typer.echo("The database already holds enterprises; demo data not loaded.")
            return
        with bar("embedding demo data") as progress:
            summary = load_demo(mm.unit_of_work(session), mm, progress=progress)
    typer.echo(
        f"Loaded {summary.enterprises} enterprises, {summary.needs} needs, {summary.offers} offers."
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    demo: Annotated[
        bool, typer.Option(help="Load the demo data into an empty database first.")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="API processes; default one per core.")
    ] = os.cpu_count() or 1,
) -> None:
    """Serve the API (OpenAPI docs at /docs). Every worker sees every write within
    MATCHFAIR_SYNC_INTERVAL seconds (the change log)."""
    import uvicorn

    if demo:
        _load_demo(build_matchmaker(Settings()))
    typer.echo(f"Matchfair: open http://{host}:{port}/ (the web app; JSON API docs at /docs)")
    # each worker process builds its own app from the same MATCHFAIR_* settings
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(),
        access_log=False,  # service.logs logs each request, without its query string
    )


@app.command("load-demo")
def load_demo_command() -> None:
    """Load the demo fair (data/demo) into an empty database, with a progress bar."""
    _load_demo(build_matchmaker(Settings()))


@app.command()
def recommend(
    need: Annotated[int, typer.Option(help="A need id: print suppliers for it.")],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Print the recommended suppliers for a need, with reasons."""
    from service.entities import Need
    from service.usecases import recommend as use
    from service.usecases.trades import get_trade

    mm = build_matchmaker(Settings())
    with mm.session() as session:
        result = use.for_need(session, mm, get_trade(session, Need, need), limit=limit, strict=True)
    for rank, r in enumerate(result.items, 1):
        typer.echo(f"{rank:>2}. {r.score:.3f}  {r.partner.name}\n    {r.reason}")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (MATCHFAIR_DATABASE_URL) to this version's."""
    from service.db import migrate as upgrade

    upgrade(Settings().database_url)
    typer.echo("The database schema is up to date.")


@app.command()
def reindex() -> None:
    """Re-embed every stored item with the configured model, then swap all vectors at once."""
    mm = build_matchmaker(Settings(), load=False)  # no catalog: this process does not search
    with bar("re-embedding") as progress:
        done = mm.reembed(progress)
    typer.echo(f"Re-embedded {done} items with {mm.embedder.identity}.")


def main() -> None:
    configure_logging()
    try:
        app()
    except OtherModelsVectors as error:  # a set-up step to take, not a crash: say which
        raise SystemExit(f"matchfair: {error}") from None
