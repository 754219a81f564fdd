"""Dense candidates from pgvector: one SQL query per search, the hard filters in its WHERE.

The same interface as the in-memory ExactIndex (`top(query, k, admit)`, `cosines(query, keys)`),
so the ranker runs unchanged on PostgreSQL. The vectors stay in the database, where each write
commits them with its rows; `fit`/`add`/`remove` only keep a small cache of vectors in step.
"""

from collections import OrderedDict
from collections.abc import Callable, Container, Sequence
from typing import Any

import numpy as np
from pgvector.sqlalchemy import VECTOR
from sqlalchemy import Engine, bindparam, text

from service.matching.embedder import FloatArray
from service.matching.index import Admit, BoolArray, KeyArray, align
from service.matching.items import SIDE_OF_KIND, Side, fold
from service.matching.requirements import Requirements

_QUERY = bindparam("q", type_=VECTOR())
_SETTINGS = text(
    "SELECT set_config('hnsw.ef_search', :ef, true), "
    "set_config('hnsw.iterative_scan', 'relaxed_order', true)"
)
_DISTANCES = text(
    "SELECT id, vector <=> :q AS distance FROM item_vector WHERE id = ANY(:keys)"
).bindparams(_QUERY)
_VECTOR_OF = text("SELECT vector FROM item_vector WHERE id = :key").columns(vector=VECTOR())
# Folded like service.matching.items.fold: lower case, no spaces or hyphens.
_FOLD = "replace(replace(lower({}), ' ', ''), '-', '')"


def _has_label(column: str, param: str) -> str:
    label = _FOLD.format("t.label")
    return (
        f"EXISTS (SELECT 1 FROM json_array_elements_text(e.{column}) AS t(label) "
        f"WHERE {label} = :{param})"
    )


def filter_sql(req: Requirements) -> tuple[list[str], dict[str, Any]]:
    """The hard requirements as SQL conditions on `e` (enterprise) and `v` (item_vector).

    Each mirrors service.matching.requirements.check, so SQL drops exactly the partners the
    ranker would drop; soft requirements (strict=False, quantity) are left to the ranker.
    """
    if not req.strict:
        return [], {}
    where: list[str] = []
    params: dict[str, Any] = {}
    for i, cert in enumerate(sorted(req.certifications)):
        where.append(_has_label("certifications", f"cert{i}"))
        params[f"cert{i}"] = cert
    if req.export_market:
        where.append(_has_label("export_markets", "market"))
        params["market"] = next(iter(fold([req.export_market])), "")
    if req.region:
        places = " OR ".join(
            _FOLD.format(f"e.{c}") + " = :region" for c in ("city", "region", "country")
        )
        where.append(f"({places})")
        params["region"] = next(iter(fold([req.region])), "")
    if req.hs_prefix:
        where.append(
            "EXISTS (SELECT 1 FROM item_vector h WHERE h.enterprise_id = v.enterprise_id "
            "AND h.kind IN ('product', 'offer') AND starts_with(h.hs_code, :hs_prefix))"
        )
        params["hs_prefix"] = req.hs_prefix
    if req.min_capacity is not None:
        where.append("e.annual_capacity >= :min_capacity")
        params["min_capacity"] = req.min_capacity
    if req.has_exported:
        where.append("(e.years_exporting > 0 OR json_array_length(e.export_markets) > 0)")
    if req.verified:
        where.append("e.verified")
    if req.partners is not None:
        where.append("v.enterprise_id = ANY(:partners)")
        params["partners"] = sorted(req.partners)
    return where, params


class InSql:
    """Hard requirements for PgDenseIndex alone, which reads them into its SQL and never asks
    the mask (benchmarks and tests that have no catalog)."""

    def __init__(self, requirements: Requirements) -> None:
        self.requirements = requirements

    def __call__(self, keys: KeyArray) -> BoolArray:
        raise NotImplementedError("pgvector filters in SQL")


class PgDenseIndex:
    """Top-k rows of one side by cosine, via the side's partial HNSW index.

    `known` says which keys the caller's catalog holds: a row committed by another worker (or
    by a write whose catalog update has not run yet) is skipped until the catalog has it.
    `ef_search` trades latency for recall (the README has the curve); iterative scans keep
    filtered searches from coming back short.
    """

    def __init__(
        self,
        engine: Engine,
        side: Side,
        known: Callable[[], Container[int]],
        *,
        ef_search: int = 200,
        cache_size: int = 20_000,
    ) -> None:
        self.engine = engine
        self.side = side
        self.known = known
        self.ef_search = ef_search
        # literals, not parameters: the planner matches the partial index's predicate only so
        kinds = ", ".join(f"'{k.value}'" for k, s in SIDE_OF_KIND.items() if s is side)
        self._side_sql = f"v.kind IN ({kinds})"
        self._cache: OrderedDict[int, FloatArray] = OrderedDict()
        self._cache_size = cache_size

    def fit(self, keys: Sequence[int], vectors: FloatArray) -> "PgDenseIndex":
        self._cache.clear()
        return self

    def add(self, keys: Sequence[int], vectors: FloatArray) -> None:
        self.remove(keys)

    def remove(self, keys: Sequence[int]) -> None:
        for key in keys:
            self._cache.pop(int(key), None)

    def vector(self, key: int) -> FloatArray:
        if (found := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return found.copy()
        with self.engine.connect() as conn:
            found = conn.execute(_VECTOR_OF, {"key": key}).scalar_one()
        value = np.asarray(found, dtype=np.float32)
        self._cache[key] = value
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return value.copy()

    def top(
        self, query: FloatArray, k: int, admit: Admit | None = None
    ) -> tuple[KeyArray, FloatArray]:
        """(keys, cosine) of the best `k` rows of this side that pass `admit`'s hard checks
        (in SQL), best first."""
        conditions, params = filter_sql(admit.requirements) if admit is not None else ([], {})
        join = "JOIN enterprise e ON e.id = v.enterprise_id" if conditions else ""
        sql = (
            f"SELECT v.id, v.vector <=> :q AS distance FROM item_vector v {join} "
            f"WHERE {' AND '.join([self._side_sql, *conditions])} "
            "ORDER BY distance LIMIT :limit"
        )
        params |= {"q": np.asarray(query, dtype=np.float32), "limit": k}
        with self.engine.begin() as conn:
            conn.execute(_SETTINGS, {"ef": str(max(self.ef_search, k))})  # one round trip
            rows = conn.execute(text(sql).bindparams(_QUERY), params).all()
        return self._known(rows)

    def cosines(self, query: FloatArray, keys: KeyArray) -> FloatArray:
        """The cosine of `query` with each of `keys`, in their order; 0 for a key not held."""
        params = {"q": np.asarray(query, dtype=np.float32), "keys": keys.tolist()}
        with self.engine.connect() as conn:
            rows = conn.execute(_DISTANCES, params).all()
        found, cosine = self._known(rows)
        return align(found, cosine, keys)

    def _known(self, rows: Sequence[Any]) -> tuple[KeyArray, FloatArray]:
        known = self.known()
        rows = [r for r in rows if r[0] in known]
        keys = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        cosine = np.fromiter((1.0 - r[1] for r in rows), np.float32, len(rows))
        return keys, cosine
