"""The `matchfair` command line: serve, migrate, load-demo, recommend, reindex, eval, fair ..."""

import os
from pathlib import Path
from typing import Annotated

import typer
from threadpoolctl import threadpool_limits

from service.cli import eval as evaluation
from service.cli import eval_catalog
from service.cli.progress import bar
from service.config import Settings
from service.fairs.cli import errors_as_exit as _errors_as_exit
from service.fairs.cli import fair_app
from service.logs import configure_logging, logging_config
from service.matchmaker import Matchmaker, OtherModelsVectors
from service.records import ORGANIZER
from service.runtime import build_matchmaker

app = typer.Typer(
    help="Matchfair: supply-demand matchmaking for trade fairs.", no_args_is_help=True
)
app.add_typer(
    fair_app, name="fair", help="Fair organizer: events, imports, match lists, schedules."
)
app.command("eval")(evaluation.eval_command)
app.command("eval-catalog")(eval_catalog.eval_catalog_command)


def _load_demo(mm: Matchmaker) -> None:
    from service.usecases.demo import is_empty, load_demo

    with mm.session() as session:
        if not is_empty(session):
            typer.echo("The database already holds enterprises; demo data not loaded.")
            return
        with bar("embedding demo data") as progress:
            summary = load_demo(mm.unit_of_work(session, ORGANIZER), mm, progress=progress)
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
    threads: Annotated[
        int,
        typer.Option(
            min=1,
            max=256,
            envvar="MATCHFAIR_REQUEST_THREADS",
            help="Requests each worker runs at once. More than one compute side by side and "
            "wait on each other for the GIL; raise it when requests mostly wait on a remote "
            "database.",
        ),
    ] = 1,
) -> None:
    """Serve the API (OpenAPI docs at /docs). Every worker sees every write within
    MATCHFAIR_SYNC_INTERVAL seconds (the change log)."""
    import uvicorn

    os.environ["MATCHFAIR_REQUEST_THREADS"] = str(threads)  # read by each worker's Settings

    # One BLAS/OpenMP thread per worker: requests are the parallelism, and more threads per
    # worker spin against the other workers on the same cores. Spawned workers read the
    # variables; this process, whose libraries are loaded, is limited directly (one worker).
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]))
    settings = Settings()
    if demo:
        _load_demo(build_matchmaker(settings))
    typer.echo(f"Matchfair: open http://{host}:{port}/ (the web app; JSON API docs at /docs)")
    # each worker process builds its own app from the same MATCHFAIR_* settings
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_level, settings.log_format),
        access_log=False,  # service.logs logs each request, without its query string
        http="service.cli.transport:NoDelayProtocol",
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
        done = mm.reembed(progress, actor=ORGANIZER)
    typer.echo(f"Re-embedded {done} items with {mm.embedder.identity}.")


@app.command()
def check() -> None:
    """Check the database: integrity, and every stored vector against its row and the
    configured model. Exits 1 on any problem (each printed on a line)."""
    from sqlmodel import Session

    from service.db import check_schema, make_engine
    from service.matching.embedder import model_identity
    from service.usecases.consistency import check as check_store

    settings = Settings()
    model = model_identity(settings.resolved_model_path(), backend=settings.embedder)
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        with Session(engine) as session:
            found = check_store(session, model)
    finally:
        engine.dispose()
    for problem in found.problems:
        typer.echo(problem, err=True)
    if not found.ok:
        raise typer.Exit(1)
    typer.echo(f"OK: {found.enterprises} enterprises, {found.items} vectors, all of {model}.")


@app.command()
def backup(path: Annotated[Path, typer.Argument(help="The backup file to write (new)")]) -> None:
    """Copy the SQLite database to PATH, safely while the service runs (online backup API)."""
    from service.usecases import backups

    with _errors_as_exit():
        backups.backup(Settings().database_url, path)
    typer.echo(f"Backed up to {path}.")


@app.command()
def restore(path: Annotated[Path, typer.Argument(help="A file `matchfair backup` wrote")]) -> None:
    """Replace the SQLite database's content with a backup (stop the service first)."""
    from service.usecases import backups

    with _errors_as_exit():
        backups.restore(Settings().database_url, path)
    typer.echo(f"Restored from {path}; run `matchfair migrate` if it is from an older version.")


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        app()
    except OtherModelsVectors as error:  # a set-up step to take, not a crash: say which
        raise SystemExit(f"matchfair: {error}") from None
