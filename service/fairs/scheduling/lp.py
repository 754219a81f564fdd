"""Degree-constrained bipartite b-matching as a linear programme solved by HiGHS.

The constraint matrix is a network matrix (source -> supplier -> buyer -> sink, with a
one-unit "first meeting" arc per participant and a total-flow arc), so simplex vertices are
integral: the LP *is* the integer optimum, and its value is a valid upper bound.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

IntArray = NDArray[np.int64]
Float64Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def solve_b_matching(
    eu: IntArray,
    ev: IntArray,
    weights: Float64Array,
    cap: IntArray,
    bonus: Float64Array,
    total: int,
) -> tuple[BoolArray, float]:
    """Maximise sum(weights[e] x_e) + sum(bonus[v] * [v has an edge]) over edge sets.

    eu/ev: endpoint node indices per edge (suppliers and buyers share one node numbering);
    cap[v]: most edges at node v; bonus[v] >= 0 is earned once when v gets any edge;
    total: most edges overall. Returns (chosen-edge mask, LP optimum value).
    """
    n_edges = len(eu)
    chosen = np.zeros(n_edges, dtype=np.bool_)
    if n_edges == 0 or total <= 0:
        return chosen, 0.0
    nodes, inverse = np.unique(np.concatenate([eu, ev]), return_inverse=True)
    ends = inverse.astype(np.int64)
    n_nodes = len(nodes)
    bonus_nodes = np.flatnonzero(bonus[nodes] > 0)
    n_bonus = len(bonus_nodes)
    bonus_row = np.full(n_nodes, -1, dtype=np.int64)
    bonus_row[bonus_nodes] = np.arange(n_bonus)
    edge_cols = np.tile(np.arange(n_edges, dtype=np.int64), 2)
    # Rows: node degree <= cap; y_v - degree(v) <= 0 (bonus only once covered); sum x <= total.
    covering = bonus_row[ends] >= 0
    rows = np.concatenate(
        [
            ends,
            n_nodes + bonus_row[ends[covering]],
            n_nodes + np.arange(n_bonus),
            np.full(n_edges, n_nodes + n_bonus),
        ]
    )
    cols = np.concatenate(
        [edge_cols, edge_cols[covering], n_edges + np.arange(n_bonus), np.arange(n_edges)]
    )
    data = np.concatenate(
        [
            np.ones(2 * n_edges),
            -np.ones(int(covering.sum())),
            np.ones(n_bonus),
            np.ones(n_edges),
        ]
    )
    matrix = coo_matrix((data, (rows, cols)), shape=(n_nodes + n_bonus + 1, n_edges + n_bonus))
    upper = np.concatenate([cap[nodes].astype(np.float64), np.zeros(n_bonus), [float(total)]])
    cost = -np.concatenate([weights, bonus[nodes][bonus_nodes]])
    result = linprog(cost, A_ub=matrix.tocsr(), b_ub=upper, bounds=(0.0, 1.0), method="highs-ds")
    if result.status != 0:
        raise RuntimeError(f"b-matching LP failed: {result.message}")
    chosen = np.asarray(result.x[:n_edges] > 0.5, dtype=np.bool_)
    return chosen, float(-result.fun)
