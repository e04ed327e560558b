"""The compiled fast path of point kriging: eligibility, tile candidates, the kernel call.

:func:`~seabed.geostats.kriging_system.krige_chunk` calls :func:`krige_chunk_fast` first; it
returns ``None`` when the chunk is not eligible (block support, a drift, octant search, a
global neighbourhood, fewer than :data:`MIN_TARGETS` targets, weights only, numba missing, or the
fast path switched off), and the numpy path runs as before. Results agree with the numpy
path to rounding (the tests hold them to 1e-10): the same neighbour sets (same distances,
ties broken by the lowest sample index), the same kriging system, solved by Cholesky
factorisation once per distinct neighbour set and tile instead of batched LU.

numba is imported only here, inside :func:`krige_chunk_fast`, so ``import seabed`` and the
command line do not load it. Set ``SEABED_COMPILED=0`` (or :data:`ENABLED` to False) to
use the numpy path everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from seabed.geostats.kriging_result import (
    DIAGNOSTICS,
    OutputSink,
    empty_chunk_outputs,
    write_to_sink,
)

__all__ = ["ENABLED", "MIN_TARGETS", "krige_chunk_fast"]

#: Use the compiled kernel where eligible (``SEABED_COMPILED=0`` switches it off).
ENABLED = os.environ.get("SEABED_COMPILED", "1") != "0"

#: Fewest targets in a chunk for the compiled path (the search's tiled regime).
MIN_TARGETS = 512

#: Tile edge of the candidate search, as a fraction of the k-th neighbour distance: larger
#: tiles share more factorisations and candidate covariances, but have longer candidate lists.
TILE_EDGE = float(os.environ.get("SEABED_TILE_EDGE", "0.5"))

#: Running totals (diagnostics for benchmarks): factorisations (full or updated), sample
#: covariances computed, tiles visited, factorisations by update (one sample swapped).
STATS = np.zeros(4, dtype=np.int64)

_KIND_CODE = {"spherical": 0, "exponential": 1, "gaussian": 2}


def _model_arrays(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Structure kinds and ``(sill, range, range_minor, sin az, cos az, isotropic)`` rows."""
    kinds = np.array([_KIND_CODE[s.kind] for s in model.structures], dtype=np.int64)
    spar = np.zeros((len(model.structures), 6))
    for i, s in enumerate(model.structures):
        theta = np.deg2rad(s.azimuth)
        minor = s.range if s.range_minor is None else s.range_minor
        spar[i] = (s.sill, s.range, minor, np.sin(theta), np.cos(theta), float(minor == s.range))
    return kinds, spar


def eligible(g: Any, m: int, *, offsets: np.ndarray | None, weights_only: bool) -> bool:
    """Whether a chunk of ``m`` targets of sample group ``g`` takes the compiled path."""
    nb = g.search.neighbourhood
    return (
        ENABLED
        and offsets is None
        and not weights_only
        and m >= MIN_TARGETS
        and g.n > 0
        and getattr(g, "drift", None) is None  # universal kriging: the numpy path
        and nb.max_per_octant is None
        and nb.max_samples is not None
        and g.search.width > 0
    )


def krige_chunk_fast(
    g: Any, t: np.ndarray, *, min_samples: int, ordinary: bool, offsets: np.ndarray | None,
    weights_only: bool = False, fallback: Callable[..., dict[str, np.ndarray]],
    sink: OutputSink | None = None,
) -> dict[str, np.ndarray] | None:
    """:func:`~seabed.geostats.kriging_system.krige_chunk` by the compiled kernel, or ``None``.

    ``None`` when the chunk is not eligible (see the module docstring) or numba cannot be
    imported; the caller then uses the numpy path. ``fallback`` (``krige_chunk`` itself,
    called with ``compiled=False``) solves the targets of neighbour sets whose covariance
    matrix is not numerically positive definite (the numpy path's pseudo-inverse).

    With a ``sink`` the kernel writes the estimates, variances (× the variables' sills) and
    diagnostics straight into the sink's arrays and the result is ``{"n_negative": (p_g,)}``;
    without, the chunk's arrays of :func:`~seabed.geostats.kriging_result.empty_chunk_outputs`.
    """
    m = t.shape[0]
    if not eligible(g, m, offsets=offsets, weights_only=weights_only):
        return None
    try:
        from seabed.geostats.compiled import bin_tiles, krige_tiles
    except ImportError:  # numba missing or broken: the numpy path
        return None
    search = g.search
    nb = search.neighbourhood
    k = search.width
    t = np.ascontiguousarray(t, dtype=float)
    tt = np.ascontiguousarray(nb.transform(t))  # t itself without an ellipse
    bound = nb.radius * (1 + 1e-12) if np.isfinite(nb.radius) else np.inf
    # the tiles of SampleSearch.tile_candidates, binned in O(m) by the compiled bin_tiles
    lo, edge = search.tile_grid(tt, k, edge_fraction=TILE_EDGE)
    order, tile_ptr, keys, ny = bin_tiles(tt, float(lo[0]), float(lo[1]), float(edge))
    starts, flat = search.tile_lists(lo, edge, keys, int(ny), k, bound)
    pg = g.columns.size
    failed = np.zeros(m, dtype=np.bool_)
    stats = np.zeros(4, dtype=np.int64)
    negcount = np.zeros(pg, dtype=np.int64)
    if sink is None:
        out = empty_chunk_outputs(m, pg)
        rows = np.arange(m, dtype=np.int64)
        est, var = out["estimate"], out["variance"].reshape(m, 1)
        colidx = np.arange(pg, dtype=np.int64)
        vcolidx = np.zeros(1, dtype=np.int64)
        scale = np.ones(1)
        diag = {name: out[name].reshape(m, 1) for name in DIAGNOSTICS}
        gi, clip = 0, False
    else:
        rows = np.ascontiguousarray(sink.rows, dtype=np.int64)
        est, var = sink.estimate, sink.variance
        colidx = vcolidx = np.ascontiguousarray(sink.columns, dtype=np.int64)
        scale = np.ascontiguousarray(sink.scale, dtype=float)
        diag = sink.diagnostics
        gi, clip = sink.group, sink.clip
    model = g.model
    kinds, spar = _model_arrays(model)
    mean = g.mean if g.mean is not None else np.zeros(pg)
    krige_tiles(
        t, tt, order, tile_ptr, starts.astype(np.int64), flat.astype(np.int64),
        np.ascontiguousarray(g.coords[: g.n]), np.ascontiguousarray(search._tcoords), int(k),
        float(bound * bound), int(min_samples), bool(ordinary), float(model.nugget), float(model.sill),
        kinds, spar, np.ascontiguousarray(g.values, dtype=float), np.ascontiguousarray(mean, dtype=float),
        float(g.block_variance),
        rows, est, var, colidx, vcolidx, scale, bool(clip), negcount,
        diag["slope_of_regression"], diag["kriging_efficiency"], diag["n_samples"],
        diag["nearest_distance"], diag["negative_weight_sum"], diag["reason"], int(gi),
        failed, stats, nb.radius_minor is None,
    )
    STATS[:] += stats
    if failed.any():  # sets whose covariance matrix is not numerically positive definite
        which = np.flatnonzero(failed)
        redo = fallback(g, t[which], min_samples=min_samples, ordinary=ordinary, offsets=None,
                        compiled=False)
        if sink is None:
            for name, arr in redo.items():
                out[name][which] = arr
        else:
            negcount += write_to_sink(sink, which, redo)
    return out if sink is None else {"n_negative": negcount}
