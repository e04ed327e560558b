"""Kriging systems: the matrices of a neighbourhood chunk, deduplicated and solved in batches.

:class:`~seabed.geostats.kriging.Kriging` fits one :class:`SampleGroup` per set of variables
sharing a sample set and a variogram, cuts the targets into spatially compact chunks
(:func:`spatial_order`, :func:`default_chunk_size`) and calls :func:`krige_chunk` on each.
Within a chunk, targets with the same neighbour set share one kriging matrix: the sets are
deduplicated, each distinct matrix is factorised once, and the right-hand sides of all
targets are solved in one batched call (targets sorted by set and packed into equal-size
"pieces").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from seabed.geostats.drift import DriftBasis
from seabed.geostats.kriging_result import (
    DIAGNOSTICS,
    OutputSink,
    empty_chunk_outputs,
    write_to_sink,
)
from seabed.geostats.neighbourhood import SampleSearch
from seabed.geostats.variogram import VariogramModel

__all__ = [
    "DIAGNOSTICS",  # re-exported from seabed.geostats.kriging_result
    "OutputSink",
    "SampleGroup",
    "default_chunk_size",
    "krige_chunk",
    "spatial_order",
    "write_to_sink",
]

@dataclass
class SampleGroup:
    """Variables sharing a sample set and a variogram."""

    columns: np.ndarray
    model: VariogramModel  # unit-sill model used for the weights
    scale: np.ndarray  # (p_g,) multiplies unit-model variances
    coords: np.ndarray  # (n_g + 1, 2), last row a sentinel
    values: np.ndarray  # (n_g + 1, p_g), last row 0 (after mean removal for SK)
    mean: np.ndarray | None  # (p_g,) for simple kriging
    search: SampleSearch
    n: int
    block_variance: float
    sample_covariance: np.ndarray | None  # (n_g + 1, n_g + 1) when small enough
    drift: DriftBasis | None = None  # drift functions besides the constant (universal kriging)
    drift_values: np.ndarray | None = None  # (n_g + 1, q) drift at the samples, last row 0


def krige_chunk(
    g: SampleGroup,
    t: np.ndarray,
    *,
    min_samples: int,
    ordinary: bool,
    offsets: np.ndarray | None,
    weights_only: bool = False,
    compiled: bool = True,
    sink: OutputSink | None = None,
) -> dict[str, np.ndarray]:
    """Krige one chunk of targets for one sample group.

    Parameters
    ----------
    g : SampleGroup
        Variables sharing a sample set and a variogram.
    t : ndarray, shape (m, 2)
        Target points or block centres ``(x, y)``, m.
    min_samples : int
        Fewest samples needed; targets with fewer keep NaN and reason code 1.
    ordinary : bool
        Ordinary kriging (weights sum to 1) if true, else simple kriging. With a drift
        (``g.drift``) the weights also reproduce each drift function (universal kriging or
        kriging with an external drift; ``ordinary`` must be true); targets whose neighbours
        cannot identify the drift (collinear for a linear drift) are not estimated (reason 1).
    offsets : ndarray, shape (n, 2), optional
        Block discretisation offsets from the block centre, m; ``None`` for point kriging.
    weights_only : bool, default False
        Return only ``indices`` and ``weights`` (see :meth:`Kriging.neighbour_weights`).
    compiled : bool, default True
        Try the compiled kernel first (:mod:`seabed.geostats.kriging_fast`: point targets,
        ``max_samples`` search, no octants; same results to rounding); False forces numpy.
    sink : OutputSink, optional
        Write the results into the prediction's arrays (the compiled kernel writes them
        directly; not with ``weights_only``) and return only the negative counts.

    Returns
    -------
    dict of str to ndarray
        ``estimate`` (m, p_g), unit-sill ``variance`` (m,) and the diagnostics (m,); or
        ``indices`` and ``weights`` (m, k) with ``weights_only``; or, with a ``sink``,
        ``n_negative`` (p_g,), the negative estimates per variable (before clipping).
    """
    if compiled:
        from seabed.geostats.kriging_fast import krige_chunk_fast

        fast = krige_chunk_fast(g, t, min_samples=min_samples, ordinary=ordinary, offsets=offsets,
                                weights_only=weights_only, fallback=krige_chunk, sink=sink)
        if fast is not None:
            return fast
    if sink is not None and not weights_only:
        out = krige_chunk(g, t, min_samples=min_samples, ordinary=ordinary, offsets=offsets, compiled=False)
        return {"n_negative": write_to_sink(sink, np.arange(t.shape[0]), out)}
    m = t.shape[0]
    pg = g.columns.size
    out = empty_chunk_outputs(m, pg)
    idx = g.search.query(t)
    n_used = np.sum(idx < g.n, axis=1)
    out["n_samples"][:] = n_used
    ok = n_used >= min_samples
    q = 0 if g.drift is None else g.drift.n_terms
    if q:  # a drift needs more samples than unknown coefficients, and its value at the target
        f0 = g.drift.at_targets(t, offsets)
        ok &= (n_used > q) & np.all(np.isfinite(f0), axis=1)
    if weights_only:
        out = {"indices": np.full(idx.shape, g.n, dtype=np.intp), "weights": np.zeros(idx.shape)}
    if not ok.any():
        return out
    t = t[ok]
    idx = idx[ok]
    k = int(n_used[ok].max())
    idx = idx[:, :k]
    valid = idx < g.n
    size = (k + 1 if ordinary else k) + q

    # distinct neighbour sets and the inverse of their kriging matrices
    uniq, inv = _unique_rows(idx)
    if q:  # neighbours that cannot identify the drift (e.g. on one line for a linear drift): not estimated
        keep = _drift_identifiable(g, uniq)[inv]
        if not keep.all():
            ok[np.flatnonzero(ok)[~keep]] = False
            if not ok.any():
                return out
            t, idx, valid = t[keep], idx[keep], valid[keep]
            uniq, inv = _unique_rows(idx)
    lhs = _lhs(g, uniq, ordinary)

    # right-hand sides
    sx = g.coords[idx]  # (m, k, 2)
    dx = t[:, None, 0] - sx[..., 0]
    dy = t[:, None, 1] - sx[..., 1]
    d2 = dx * dx + dy * dy
    nearest = np.sqrt(np.where(valid, d2, np.inf).min(axis=1))
    if offsets is None and g.model.isotropic:
        cov = g.model.covariance_at_distance(np.sqrt(d2))
    elif offsets is None:
        cov = g.model.covariance(dx, dy)
    else:
        cov = np.zeros_like(dx)
        for ox, oy in offsets:
            cov += g.model.structured_covariance(dx + ox, dy + oy)
        cov /= offsets.shape[0]
    cov = np.where(valid, cov, 0.0)
    rhs = np.empty((t.shape[0], size))
    rhs[:, :k] = cov
    if ordinary:
        rhs[:, k] = 1.0
    if q:
        rhs[:, k + 1 :] = f0[ok]

    pieces = _Pieces(inv, uniq.shape[0], size)
    sol = pieces.unpack(_solve(lhs[pieces.set_of_piece], pieces.pack(rhs)))
    w = sol[:, :k]
    if weights_only:
        rows = np.flatnonzero(ok)
        out["indices"][rows, :k] = idx
        out["weights"][rows, :k] = np.where(valid, w, 0.0)
        return out
    wc = np.sum(w * cov, axis=1)
    bv = g.block_variance
    if q:  # Lagrange multipliers of the constant and the drift terms
        mu = np.sum(sol[:, k:] * rhs[:, k:], axis=1)
        var = bv - wc - mu
        denom = wc - mu
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = np.where(denom > 0, wc / np.where(denom > 0, denom, 1.0), np.nan)
    elif ordinary:
        mu = sol[:, k]
        var = bv - wc - mu
        denom = wc - mu
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = np.where(denom > 0, wc / np.where(denom > 0, denom, 1.0), np.nan)
    else:
        var = bv - wc
        slope = np.ones_like(var)
    var = np.maximum(var, 0.0)

    # estimates
    if pg <= 4:
        est = np.einsum("mk,mkp->mp", w, g.values[idx])
    else:  # sparse (targets x samples) weight matrix times the sample table
        mt = idx.shape[0]
        weights = csr_matrix(
            (w.ravel(), idx.ravel(), np.arange(0, mt * k + 1, k)), shape=(mt, g.n + 1)
        )
        est = np.asarray(weights @ g.values)
    if g.mean is not None:
        est = est + g.mean[None, :]

    sel = np.flatnonzero(ok)
    out["estimate"][sel] = est
    out["variance"][sel] = var
    out["slope_of_regression"][sel] = slope
    out["kriging_efficiency"][sel] = (bv - var) / bv
    out["nearest_distance"][sel] = nearest
    out["negative_weight_sum"][sel] = np.minimum(w, 0.0).sum(axis=1)
    out["reason"][sel] = 0
    return out


class _Pieces:
    """Targets sorted by neighbour set and packed into equal-size pieces of one set each.

    Each piece is solved as one linear system with ``cap`` right-hand sides; ``cap`` is
    chosen to minimise the flop count (one LU factorisation per piece plus two
    triangular solves per right-hand side).
    """

    def __init__(self, inv: np.ndarray, n_sets: int, size: int) -> None:
        m = inv.size
        self.order = np.argsort(inv, kind="stable")
        counts = np.bincount(inv, minlength=n_sets)
        factor_cost = 2.0 * size**3 / 3.0
        rhs_cost = 2.0 * size**2
        best = None
        for cap in {1, int(np.ceil(m / n_sets)), int(np.ceil(2 * m / n_sets)), int(counts.max())}:
            n_p = -(-counts // cap)
            cost = n_p.sum() * (factor_cost + cap * rhs_cost)
            if best is None or cost < best[0]:
                best = (cost, cap)
        self.cap = cap = best[1]
        starts = np.cumsum(counts) - counts
        set_sorted = inv[self.order]
        pos = np.arange(m) - starts[set_sorted]
        n_pieces = -(-counts // cap)
        first_piece = np.cumsum(n_pieces) - n_pieces
        self.piece = first_piece[set_sorted] + pos // cap
        self.slot = pos % cap
        self.set_of_piece = np.repeat(np.arange(n_sets), n_pieces)
        self.n_pieces = int(n_pieces.sum())
        self.m = m

    def pack(self, rows: np.ndarray) -> np.ndarray:
        """``(m, K)`` rows to ``(P, K, cap)`` right-hand-side blocks (zero padded)."""
        out = np.zeros((self.n_pieces, self.cap, rows.shape[1]))
        out[self.piece, self.slot] = rows[self.order]
        return out.transpose(0, 2, 1)

    def unpack(self, packed: np.ndarray) -> np.ndarray:
        """``(P, K, cap)`` solutions back to ``(m, K)`` rows in the original order."""
        out = np.empty((self.m, packed.shape[1]))
        out[self.order] = packed.transpose(0, 2, 1)[self.piece, self.slot]
        return out


def default_chunk_size(k: int) -> int:
    """Targets per batch for neighbourhoods of ``k`` samples (bounds the (m, k+1, k+1) systems)."""
    return int(np.clip(2**23 // (k + 1) ** 2, 256, 16384))


def _solve(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Batched solve; a singular system (e.g. coincident samples) falls back to a pseudo-inverse."""
    try:
        return np.linalg.solve(lhs, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(lhs, hermitian=True) @ rhs


def _unique_rows(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of an int array and the row -> distinct-row map.

    Rows are hashed to one 64-bit integer (random odd multipliers, wrapping arithmetic);
    the result is verified and recomputed exactly in the (astronomically rare) case of a
    hash collision.
    """
    m, k = idx.shape
    if m == 0:
        return idx[:0], np.zeros(0, dtype=np.intp)
    if np.all(idx == idx[:1]):
        return idx[:1].copy(), np.zeros(m, dtype=np.intp)
    mult = np.random.default_rng(12345).integers(1, 2**62, size=k, dtype=np.uint64) * 2 + 1
    with np.errstate(over="ignore"):
        h = (idx.astype(np.uint64) * mult).sum(axis=1, dtype=np.uint64)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = np.asarray(inv).ravel()
    uniq = idx[first]
    if not np.array_equal(uniq[inv], idx):  # hash collision: exact fallback
        uniq, inv = np.unique(idx, axis=0, return_inverse=True)
        inv = np.asarray(inv).ravel()
    return uniq, inv


def _drift_identifiable(g: SampleGroup, uniq: np.ndarray) -> np.ndarray:
    """Whether the constant and the drift functions are linearly independent on each neighbour set.

    Otherwise the universal-kriging matrix is singular (e.g. a linear drift with every neighbour
    on one straight line, or an external drift constant over the neighbours), and the weights
    would be one arbitrary solution among many.
    """
    f = g.drift_values[uniq]  # (u, k, q), padded slots hold the zero row
    basis = np.concatenate([(uniq < g.n)[..., None].astype(float), f], axis=2)
    sv = np.linalg.svd(basis, compute_uv=False)  # (u, q + 1), descending
    return sv[:, -1] > 1e-8 * np.maximum(sv[:, 0], 1e-300)


def _lhs(g: SampleGroup, uniq: np.ndarray, ordinary: bool) -> np.ndarray:
    """Kriging matrices of the distinct neighbour sets, (u, K, K)."""
    u, k = uniq.shape
    valid = uniq < g.n
    if g.sample_covariance is not None:
        c = g.sample_covariance[uniq[:, :, None], uniq[:, None, :]]
    else:
        xy = g.coords[uniq]
        dx = xy[:, :, None, 0] - xy[:, None, :, 0]
        dy = xy[:, :, None, 1] - xy[:, None, :, 1]
        c = g.model.covariance(dx, dy)
    # Padded slots (index g.n, fewer samples than k) become identity rows/columns in both paths,
    # so the system stays regular and their weights are exactly zero.
    pair = valid[:, :, None] & valid[:, None, :]
    c = np.where(pair, c, 0.0)
    diag = np.arange(k)
    c[:, diag, diag] = np.where(valid, c[:, diag, diag], 1.0)
    if g.drift_values is not None:
        f = g.drift_values[uniq]  # (u, k, q); padded slots hold the zero row
        q = f.shape[2]
        a = np.zeros((u, k + 1 + q, k + 1 + q))
        a[:, :k, :k] = c
        a[:, :k, k] = valid
        a[:, k, :k] = valid
        a[:, :k, k + 1 :] = f
        a[:, k + 1 :, :k] = f.transpose(0, 2, 1)
        return a
    if ordinary:
        a = np.zeros((u, k + 1, k + 1))
        a[:, :k, :k] = c
        a[:, :k, k] = valid
        a[:, k, :k] = valid
        return a
    return c


def spatial_order(targets: np.ndarray, chunk_size: int) -> np.ndarray:
    """A permutation visiting targets tile by tile, so that each chunk is compact."""
    m = targets.shape[0]
    if m <= chunk_size:
        return np.arange(m)
    lo = targets.min(axis=0)
    span = np.maximum(targets.max(axis=0) - lo, 1e-9)
    n_tiles = m / chunk_size
    aspect = span[0] / span[1]
    nx = max(1, round(np.sqrt(n_tiles * aspect)))
    ny = max(1, round(n_tiles / nx))
    tx = np.minimum((targets[:, 0] - lo[0]) / span[0] * nx, nx - 1).astype(np.intp)
    ty = np.minimum((targets[:, 1] - lo[1]) / span[1] * ny, ny - 1).astype(np.intp)
    key = ty * nx + tx
    if nx * ny <= 2**16:  # numpy's stable sort of 16-bit keys is a radix sort: O(m), same order
        key = key.astype(np.uint16)
    return np.argsort(key, kind="stable")
