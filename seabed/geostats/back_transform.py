"""Compiled (numba) back-transform of many normal-score columns at once.

Every realisation of the conditional simulation back-transforms ``elements × layers`` columns of
normal scores to grades, each with its own piecewise-linear table
(:class:`seabed.geostats.normal_score.NormalScoreTransform`). :func:`back_transform_columns` does
them in one compiled pass over float32 scores, with the arithmetic of :func:`numpy.interp`
(float64, clipped to the table's ends), instead of one ``np.interp`` call (and a float64 copy of
the scores) per column.

Imported lazily by :func:`seabed.geostats.conditioning.back_transform_scores` (``import seabed``
never loads numba); compiled on first use with ``cache=True`` (``make`` warms the cache,
:mod:`seabed.pipeline.jit_cache`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["BUCKETS", "ScoreTables", "back_transform_columns", "stack_tables"]

#: Equal-width buckets of score per table: a score's bucket gives the first knot to look at.
BUCKETS = 1024


class ScoreTables(NamedTuple):
    """Per-column piecewise-linear tables, stacked (:func:`stack_tables`).

    Attributes
    ----------
    xs, ys : ndarray, float64
        The values and scores of every table, one after the other.
    starts : ndarray of int64, shape (columns + 1,)
        Where each column's table starts in ``xs``/``ys`` (and where the last ends).
    first : ndarray of int32, shape (columns, BUCKETS)
        Per column and bucket of scores, the last knot at or below the bucket's lower edge.
    inverse_width : ndarray, float64, shape (columns,)
        Buckets per unit of score of each column.
    """

    xs: np.ndarray
    ys: np.ndarray
    starts: np.ndarray
    first: np.ndarray
    inverse_width: np.ndarray


@njit(cache=True, nogil=True)
def _interp_columns(y, xs, ys, starts, first, inverse_width, out):
    n_cols, n = y.shape
    n_buckets = first.shape[1]
    for c in range(n_cols):
        a = starts[c]
        b = starts[c + 1]
        lo_y = ys[a]
        hi_y = ys[b - 1]
        scale = inverse_width[c]
        for i in range(n):
            v = np.float64(y[c, i])
            if math.isnan(v):  # NaN stays NaN, as np.interp
                out[c, i] = v
            elif v <= lo_y:
                out[c, i] = xs[a]
            elif v >= hi_y:
                out[c, i] = xs[b - 1]
            else:
                k = min(int((v - lo_y) * scale), n_buckets - 1)
                j = first[c, k]  # ys[j] <= v; step to the knot interval holding v
                while ys[j + 1] <= v:
                    j += 1
                slope = (xs[j + 1] - xs[j]) / (ys[j + 1] - ys[j])
                out[c, i] = slope * (v - ys[j]) + xs[j]


def stack_tables(tables: list[tuple[np.ndarray, np.ndarray]]) -> ScoreTables:
    """Stack per-column ``(values, scores)`` tables for :func:`back_transform_columns`.

    Parameters
    ----------
    tables : list of (ndarray, ndarray)
        Per column: the values (e.g. ppm) and their normal scores, scores strictly increasing
        (at least two knots).

    Returns
    -------
    ScoreTables
    """
    xs = np.concatenate([np.asarray(t[0], dtype=np.float64) for t in tables])
    ys = np.concatenate([np.asarray(t[1], dtype=np.float64) for t in tables])
    starts = np.zeros(len(tables) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(t[0]) for t in tables])
    first = np.empty((len(tables), BUCKETS), dtype=np.int32)
    inverse_width = np.empty(len(tables))
    for c in range(len(tables)):
        knots = ys[starts[c] : starts[c + 1]]
        if knots.size < 2 or np.any(np.diff(knots) <= 0):
            raise ValueError(f"stack_tables: table {c} has scores {knots.tolist()}; expected at least two, "
                             "strictly increasing")
        inverse_width[c] = BUCKETS / (knots[-1] - knots[0])
        edges = knots[0] + np.arange(BUCKETS) / inverse_width[c]
        # the last knot <= each edge, never the table's last knot (an interval starts there)
        first[c] = starts[c] + np.minimum(np.searchsorted(knots, edges, side="right") - 1, knots.size - 2)
    return ScoreTables(xs, ys, starts, first, inverse_width)


def back_transform_columns(y: np.ndarray, tables: ScoreTables, out: np.ndarray | None = None) -> np.ndarray:
    """Piecewise-linear back-transform of each row of ``y`` with its own table.

    Parameters
    ----------
    y : ndarray, shape (columns, n), float32 or float64
        Normal scores, one row per column (C-contiguous rows).
    tables : ScoreTables
        From :func:`stack_tables`: row ``c`` of ``y`` uses table ``c``.
    out : ndarray, shape (columns, n), optional
        Where to write (float32 or float64); default a new float32 array.

    Returns
    -------
    ndarray, shape (columns, n)
        ``np.interp(y[c], ys_c, xs_c)`` for every row ``c`` (float64 arithmetic, then stored in
        ``out``'s precision); scores beyond a table's ends get its end values.

    Examples
    --------
    >>> tables = stack_tables([(np.array([0.0, 10.0]), np.array([-1.0, 1.0])),
    ...                        (np.array([5.0, 6.0, 9.0]), np.array([-2.0, 0.0, 2.0]))])
    >>> back_transform_columns(np.array([[0.0, 3.0], [1.0, -9.0]], dtype=np.float32), tables)
    array([[ 5. , 10. ],
           [ 7.5,  5. ]], dtype=float32)
    """
    y = np.ascontiguousarray(y)
    if y.ndim != 2 or tables.starts.shape != (y.shape[0] + 1,):
        raise ValueError(f"back_transform_columns: got scores {y.shape} and {tables.starts.size - 1} tables; "
                         "expected (columns, n) scores and one table per column")
    if out is None:
        out = np.empty(y.shape, dtype=np.float32)
    _interp_columns(y, *tables, out)
    return out
