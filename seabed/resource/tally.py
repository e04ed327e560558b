"""Compiled (numba) tonnage tally of one realisation's grades: mud and metal per scope.

Each realisation of the conditional simulation (:mod:`seabed.resource.uncertainty`) is reduced to
the dry tonnes and metal tonnes of every scope — the whole resource, each resource class, and
each cut-off on an item's grade — in one pass over its (element, layer, cell) grades, without
materialising the per-scope tonnage arrays (:func:`tally_grades`).

Imported lazily by the simulation tasks (``import seabed`` never loads numba); compiled on first
use with ``cache=True`` (``make`` warms the cache, :mod:`seabed.pipeline.jit_cache`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from seabed.resource.classification import CLASS_NAMES

__all__ = ["CLASS_SCOPES", "tally_grades"]

#: Resource class codes counted as scopes, in scope order (after "total"): the order of
#: :data:`~seabed.resource.classification.CLASS_NAMES`, Measured first.
CLASS_SCOPES = tuple(CLASS_NAMES)


@njit(cache=True, nogil=True)
def _tally(g, tonnes, codes, class_codes, item_rows, item_factors, cutoffs, mud, metal):
    n_el, n_l, n = g.shape
    n_cls = class_codes.size
    n_scopes = mud.size
    active = np.empty(n_scopes, dtype=np.int64)
    for lyr in range(n_l):
        for c in range(n):
            t = tonnes[lyr, c]
            if t == 0.0:
                continue
            m = 0
            active[m] = 0  # total
            m += 1
            if n_cls:
                code = codes[lyr, c]
                for k in range(n_cls):
                    if code == class_codes[k]:
                        active[m] = 1 + k
                        m += 1
            if cutoffs.size:
                item = 0.0
                for k in range(item_rows.size):
                    item += item_factors[k] * np.float64(g[item_rows[k], lyr, c])
                for k in range(cutoffs.size):
                    if item >= cutoffs[k]:
                        active[m] = 1 + n_cls + k
                        m += 1
            for s in range(m):
                mud[active[s]] += t
            for e in range(n_el):
                v = np.float64(g[e, lyr, c]) * t
                for s in range(m):
                    metal[active[s], e] += v


def tally_grades(grades: np.ndarray, tonnes: np.ndarray, *, codes: np.ndarray | None, item_rows: np.ndarray,
                 item_factors: np.ndarray, cutoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dry tonnes and metal tonnes of one realisation per scope.

    Parameters
    ----------
    grades : ndarray, shape (element, layer, cells), float32 or float64
        The realisation's grades, ppm.
    tonnes : ndarray, shape (layer, cells), float64
        Dry tonnes of each cell and layer counted in the resource, t.
    codes : ndarray of int8, shape (layer, cells), or None
        Resource class codes; None: no class scopes.
    item_rows, item_factors : ndarray
        Rows of ``grades`` summed into the cut-off item's grade, and their factors (oxide
        factors for an oxide item, else 1), dimensionless.
    cutoffs : ndarray, float64
        Cut-off grades of the item, ppm (``item >= cut-off`` is in the scope).

    Returns
    -------
    mud : ndarray, shape (scopes,)
        Dry tonnes per scope, t: ``total``, then the classes :data:`CLASS_SCOPES` (when ``codes``
        is given), then each cut-off.
    metal : ndarray, shape (scopes, element)
        Metal tonnes per scope and element, t (``Σ grade × tonnes × 1e-6``).

    Examples
    --------
    Two cells of 1,000 t, one above a 500 ppm cut-off on element 0:

    >>> g = np.array([[[400.0, 600.0]]])
    >>> mud, metal = tally_grades(g, np.array([[1000.0, 1000.0]]), codes=None, item_rows=np.array([0]),
    ...                           item_factors=np.array([1.0]), cutoffs=np.array([500.0]))
    >>> mud.tolist(), metal[:, 0].round(6).tolist()
    ([2000.0, 1000.0], [1.0, 0.6])
    """
    n_el = grades.shape[0]
    class_codes = np.array(CLASS_SCOPES if codes is not None else (), dtype=np.int8)
    n_scopes = 1 + class_codes.size + len(cutoffs)
    mud = np.zeros(n_scopes)
    metal = np.zeros((n_scopes, n_el))
    if codes is None:
        codes = np.zeros((0, 0), dtype=np.int8)
    _tally(np.ascontiguousarray(grades), np.ascontiguousarray(tonnes, dtype=np.float64),
           np.ascontiguousarray(codes, dtype=np.int8), class_codes, np.asarray(item_rows, dtype=np.int64),
           np.asarray(item_factors, dtype=np.float64), np.asarray(cutoffs, dtype=np.float64), mud, metal)
    return mud, metal * 1e-6
