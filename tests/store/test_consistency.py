"""`matchfair check`: a sound database passes; each kind of damage is named, and the command
exits non-zero."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session
from typer.testing import CliRunner

from service.cli.main import app
from service.db import is_postgres
from service.matching.embedder import Embedder
from service.usecases.consistency import check
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, post_need, post_offer, register


def _fill(client: TestClient) -> dict[str, int]:
    supplier, auth = register(client, **HOTPOT_MAKER)
    buyer, buyer_auth = register(client, **GERMAN_BUYER)
    post_need(client, buyer_auth, buyer_id=buyer["id"], title="Hotpot seasoning")
    offer = post_offer(client, auth, supplier_id=supplier["id"], title="Hotpot base, 400 g")
    return {"supplier": supplier["id"], "buyer": buyer["id"], "offer": offer["id"]}


def _engine(client: TestClient) -> Engine:
    engine: Engine = client.app.state.runtime.matchmaker.engine  # type: ignore[attr-defined]
    return engine


def _cli(database_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check"], env={"MATCHFAIR_DATABASE_URL": database_url})
    return result.exit_code, result.output


def test_a_sound_database_passes(client: TestClient, embedder: Embedder, database_url: str) -> None:
    _fill(client)
    with Session(_engine(client)) as session:
        found = check(session, embedder.identity)
    assert found.problems == [] and found.ok
    assert found.enterprises == 2 and found.items >= 5
    code, output = _cli(database_url)
    assert code == 0, output
    assert f"all of {embedder.identity}" in output


def test_each_kind_of_damage_is_named(
    client: TestClient, embedder: Embedder, database_url: str
) -> None:
    ids = _fill(client)
    engine = _engine(client)
    with engine.begin() as db:
        db.execute(
            text(  # a vector whose need is gone
                "INSERT INTO item_vector (enterprise_id, kind, ref_id, label, hs_code, text, "
                "model, vector) SELECT enterprise_id, 'need', 999, label, hs_code, text, model, "
                "vector FROM item_vector WHERE kind = 'need'"
            )
        )
        db.execute(text("DELETE FROM item_vector WHERE kind = 'offer'"))  # a missing vector
        db.execute(  # a vector of an old text
            text("UPDATE item_vector SET text = 'old words' WHERE kind = 'product'")
        )
        db.execute(  # a vector another model made
            text("UPDATE item_vector SET model = 'other@1' WHERE kind = 'profile' AND ref_id = 0")
        )
    with Session(engine) as session:
        problems = check(session, embedder.identity).problems
    sid = ids["supplier"]
    assert any(
        p.endswith(f"(need 999 of enterprise {ids['supplier'] + 1}) belongs to no current row")
        for p in problems
    ), problems
    assert f"offer {ids['offer']} of enterprise {sid} has no stored vector" in problems
    assert any("holds an old text of product" in p for p in problems)
    assert f"2 vector(s) made by other@1, not by the configured {embedder.identity}" in problems
    code, output = _cli(database_url)
    assert code == 1 and "has no stored vector" in output
    if not is_postgres(engine):  # SQLite's own checks run too
        with engine.connect() as db:
            db.execute(text("PRAGMA foreign_keys = OFF"))
            db.execute(text("UPDATE need SET buyer_id = 999"))
            db.commit()
        with Session(engine) as session:
            problems = check(session, embedder.identity).problems
        assert "foreign key: need row 1 names a missing enterprise row" in problems
