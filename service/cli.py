"""The `matchfair` command line: serve, load-demo, recommend."""

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session
from tqdm import tqdm

from service.config import Settings
from service.matchmaker import Matchmaker, Progress

app = typer.Typer(
    help="Matchfair: supply-demand matchmaking for trade fairs.", no_args_is_help=True
)


def _bar(description: str) -> tuple[tqdm, Progress]:
    bar = tqdm(desc=description, unit="text", leave=True)

    def progress(done: int, total: int) -> None:
        if bar.total != total:  # a new phase of the job (e.g. needs after enterprises)
            bar.reset(total=total)
        bar.n = done
        bar.refresh()

    return bar, progress


def _matchmaker(settings: Settings) -> Matchmaker:
    from service.app import build_matchmaker

    return build_matchmaker(settings)


def _load_demo(mm: Matchmaker) -> None:
    from service.usecases.demo import is_empty, load_demo

    with Session(mm.engine) as session:
        if not is_empty(session):
            typer.echo("The database already holds enterprises; demo data not loaded.")
            return
        bar, progress = _bar("embedding demo data")
        summary = load_demo(session, mm, progress=progress)
        bar.close()
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
) -> None:
    """Serve the API (OpenAPI docs at /docs)."""
    import uvicorn

    from service.app import create_app

    settings = Settings()
    embedder = None
    if demo:
        mm = _matchmaker(settings)
        _load_demo(mm)
        embedder = mm.embedder  # loaded once, shared with the app
    uvicorn.run(create_app(settings, embedder=embedder), host=host, port=port)


@app.command("load-demo")
def load_demo_command() -> None:
    """Load the demo fair (data/demo) into an empty database, with a progress bar."""
    _load_demo(_matchmaker(Settings()))


@app.command()
def recommend(
    need: Annotated[int, typer.Option(help="A need id: print suppliers for it.")],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Print the recommended suppliers for a need, with reasons."""
    from service.entities import Need
    from service.usecases import recommend as use
    from service.usecases.trades import get_trade

    mm = _matchmaker(Settings())
    with Session(mm.engine) as session:
        result = use.for_need(session, mm, get_trade(session, Need, need), limit=limit, strict=True)
    for rank, r in enumerate(result.items, 1):
        typer.echo(f"{rank:>2}. {r.score:.3f}  {r.partner.name}\n    {r.reason}")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (MATCHFAIR_DATABASE_URL) to this version's."""
    from service.db import migrate as upgrade

    settings = Settings()
    upgrade(settings.database_url)
    typer.echo("The database schema is up to date.")


@app.command()
def reindex() -> None:
    """Re-embed every stored item with the configured model, then swap all vectors at once."""
    from service.app import build_matchmaker

    mm = build_matchmaker(Settings(), load=False)  # no catalog: this process does not search
    bar, progress = _bar("re-embedding")
    done = mm.reembed(progress)
    bar.close()
    typer.echo(f"Re-embedded {done} items with {mm.embedder.identity}.")


@app.command("eval")
def evaluate(
    corpus: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Targets, JSON lines.")],
    queries: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Queries, JSON lines.")
    ],
    qrels: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Relevance, TSV.")],
    examples_queries: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Confirmed example texts.")
    ] = None,
    examples_qrels: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Their targets, TSV.")
    ] = None,
    field: Annotated[str, typer.Option(help="Corpus field to index (text or text_rich).")] = (
        "text_rich"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of a table.")] = (
        False
    ),
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
) -> None:
    """Ranking quality on labelled data: lexical, dense, hybrid and hybrid+examples.

    Without --examples-*, hybrid+examples runs k-fold cross-validation over the queries
    themselves, so no query ever sees its own label.
    """
    from service.eval_command import eval_command

    eval_command(corpus, queries, qrels, examples_queries, examples_qrels, field, as_json, folds)


def main() -> None:
    from service.fairs_cli import fair_app

    app.add_typer(
        fair_app, name="fair", help="Fair organizer: events, imports, match lists, schedules."
    )
    app()
