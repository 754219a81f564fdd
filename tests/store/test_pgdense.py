"""pgvector search: its SQL filters keep exactly the partners the ranker's checks keep, and its
cosine scores agree with an exact scan."""

import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.db import make_engine
from service.entities import Enterprise, EnterpriseRole, ItemVector
from service.matching.items import Side, fold
from service.matching.requirements import Requirements, check, passes
from service.store.convert import facts_of
from service.store.localpg import LocalPostgres
from service.store.pgdense import InSql, PgDenseIndex
from tests.conftest import PG_TEMPLATE

CERTS = ["ISO 9001", "HACCP", "halal", "BRC"]
PLACES = ["Chongqing", "Sichuan", "Germany", "Poland"]
DIM = 384


@pytest.fixture
def engine(postgres: LocalPostgres) -> Iterator[Engine]:
    name = f"dense_{uuid.uuid4().hex[:12]}"
    engine = make_engine(postgres.create_database(name, template=PG_TEMPLATE))
    yield engine
    engine.dispose()
    postgres.drop_database(name)


def _fill(engine: Engine, rng: np.random.Generator) -> tuple[list[Enterprise], dict[int, set[str]]]:
    """40 suppliers with random facts, each with 1-3 products under random HS codes."""
    hs_codes: dict[int, set[str]] = {}
    with Session(engine) as session:
        rows = [
            Enterprise(
                name=f"Supplier {i}",
                role=EnterpriseRole.supplier,
                certifications=[c for c in CERTS if rng.random() < 0.4],
                export_markets=[p for p in PLACES if rng.random() < 0.3],
                region=str(rng.choice(PLACES)),
                annual_capacity=None if rng.random() < 0.2 else float(rng.integers(1, 100)),
                years_exporting=int(rng.integers(0, 3)),
                verified=bool(rng.random() < 0.5),
                languages=[],
                api_key_hash="x",
            )
            for i in range(40)
        ]
        session.add_all(rows)
        session.flush()
        for e in rows:
            assert e.id is not None
            for _ in range(rng.integers(1, 4)):
                code = str(rng.choice(["210390", "210690", "847130", "090411"]))
                vector = rng.standard_normal(DIM).astype(np.float32)
                session.add(
                    ItemVector(
                        enterprise_id=e.id,
                        kind="product",
                        hs_code=code,
                        text="",
                        model="test",
                        vector=(vector / np.linalg.norm(vector)).tobytes(),
                    )
                )
                hs_codes.setdefault(e.id, set()).add(code)
        session.commit()
        for e in rows:
            session.refresh(e)
        return rows, hs_codes


def test_sql_filters_keep_exactly_the_partners_the_checks_keep(engine: Engine) -> None:
    rng = np.random.default_rng(1)
    rows, hs_codes = _fill(engine, rng)
    dense = PgDenseIndex(engine, Side.supply, lambda: range(10**9))
    owner = {}
    with Session(engine) as session:
        for item in session.exec(select(ItemVector)):
            owner[item.id] = item.enterprise_id
    for case in range(40):
        req = Requirements(
            certifications=fold(c for c in CERTS if rng.random() < 0.25),
            export_market=str(rng.choice(PLACES)) if rng.random() < 0.4 else "",
            region=str(rng.choice(PLACES)).upper() if rng.random() < 0.3 else "",
            hs_prefix=str(rng.choice(["21", "2103", "8471"])) if rng.random() < 0.4 else "",
            min_capacity=float(rng.integers(1, 100)) if rng.random() < 0.3 else None,
            has_exported=bool(rng.random() < 0.3),
            verified=bool(rng.random() < 0.3),
        )
        query = rng.standard_normal(DIM).astype(np.float32)
        keys, _ = dense.top(query / np.linalg.norm(query), 1000, InSql(req))
        found = {owner[int(k)] for k in keys}
        assert e_ids_passing(rows, hs_codes, req) == found, (case, req)


def e_ids_passing(
    rows: list[Enterprise], hs_codes: dict[int, set[str]], req: Requirements
) -> set[int]:
    return {
        e.id
        for e in rows
        if e.id is not None and passes(check(req, facts_of(e), frozenset(hs_codes[e.id])))
    }


def test_scores_are_cosines_best_first_like_an_exact_scan(engine: Engine) -> None:
    rng = np.random.default_rng(2)
    _fill(engine, rng)
    dense = PgDenseIndex(engine, Side.supply, lambda: range(10**9), ef_search=1000)
    with Session(engine) as session:
        items = list(session.exec(select(ItemVector)))
    vectors = np.stack([np.frombuffer(i.vector, np.float32) for i in items])
    ids = np.array([i.id for i in items])
    query = vectors[7]
    keys, scores = dense.top(query, 5)
    best = np.argsort(-(vectors @ query))[:5]
    assert keys.tolist() == ids[best].tolist()
    np.testing.assert_allclose(scores, (vectors @ query)[best], atol=1e-5)
    np.testing.assert_allclose(dense.vector(int(keys[0])), query)
    asked = ids[[3, 0, 11]]
    expected = [*(vectors @ query)[[3, 0, 11]], 0.0]  # 10**9: no such row
    np.testing.assert_allclose(dense.cosines(query, np.append(asked, 10**9)), expected, atol=1e-5)
