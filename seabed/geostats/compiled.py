"""Compiled (numba) kernel of point kriging over targets grouped by tile.

Imported lazily by :mod:`seabed.geostats.kriging_fast` (``import seabed`` never loads numba).
Compiled on first use with ``cache=True``: the machine code is stored beside this file (or in
``NUMBA_CACHE_DIR``), so the compile (a few seconds) happens once per machine and later
processes only load it.

The kernel visits the targets tile by tile. For each target it selects, among the tile's
candidate samples (a superset of every target's neighbours, see
:meth:`~seabed.geostats.neighbourhood.SampleSearch.tile_candidates`), the ``k`` nearest by
(squared distance, sample index) within the search bound, exactly as
:meth:`~seabed.geostats.neighbourhood.SampleSearch.query` does. Targets of one tile with the
same neighbour set share one Cholesky factorisation of the sample covariance matrix ``C``
(a hash table per tile). Ordinary kriging uses the Schur complement of the bordered system:
with ``u = C⁻¹1`` and ``x = C⁻¹c``, ``μ = (1ᵀx − 1) / 1ᵀu`` and ``w = x − μu``, which is the
solution of ``[[C, 1], [1ᵀ, 0]] [w, μ] = [c, 1]``. A set whose ``C`` is not numerically
positive definite marks its targets ``failed`` (the caller solves them with the numpy path).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["krige_tiles"]

#: Structure kinds, in the order of :data:`seabed.geostats.variogram.KINDS`.
SPHERICAL, EXPONENTIAL, GAUSSIAN = 0, 1, 2


@njit(cache=True, nogil=True)
def _unit_gamma(kind, r):
    if kind == SPHERICAL:
        rc = min(r, 1.0)
        return 1.5 * rc - 0.5 * rc**3
    if kind == EXPONENTIAL:
        return 1.0 - math.exp(-3.0 * r)  # = -expm1(-3r) to 1e-16 absolute, and faster
    return 1.0 - math.exp(-3.0 * r * r)


@njit(cache=True, nogil=True)
def _covariance(dx, dy, nugget, sill, kinds, spar):
    """Covariance at lag (dx, dy); ``spar[s]`` = (sill, range, range_minor, sin az, cos az, isotropic)."""
    return _covariance_h2(dx * dx + dy * dy, dx, dy, nugget, sill, kinds, spar)


@njit(cache=True, nogil=True)
def _covariance_h2(h2, dx, dy, nugget, sill, kinds, spar):
    """:func:`_covariance` given ``h2 = dx² + dy²`` (only ``h2`` is read for isotropic structures)."""
    out = sill if h2 == 0.0 else sill - nugget
    for s in range(kinds.size):
        if spar[s, 5] != 0.0:
            r = math.sqrt(h2) / spar[s, 1]
        else:
            major = dx * spar[s, 3] + dy * spar[s, 4]
            minor = dx * spar[s, 4] - dy * spar[s, 3]
            r = math.hypot(major / spar[s, 1], minor / spar[s, 2])
        out -= spar[s, 0] * _unit_gamma(kinds[s], r)
    return out


@njit(cache=True, nogil=True)
def _kth_smallest(a, n, kth):
    """The ``kth`` smallest (0-based) of ``a[:n]``; reorders ``a[:n]`` (quickselect)."""
    lo, hi = 0, n - 1
    while hi > lo:
        pivot = a[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if kth <= j:
            hi = j
        elif kth >= i:
            lo = i
        else:
            break
    return a[kth]


#: Reassociation and contraction let LLVM vectorise the dot products of the factorisation
#: and the solves (rounding changes at the 1e-16 level); the distance and selection code
#: keeps strict IEEE order, so ties are broken exactly as in the numpy search.
_LINALG_MATH = {"reassoc", "contract", "nsz", "arcp"}


@njit(cache=True, nogil=True, fastmath=_LINALG_MATH)
def _cholesky(a, n):
    """In-place lower Cholesky factor of ``a[:n, :n]``; False if not positive definite."""
    for j in range(n):
        s = a[j, j]
        for q in range(j):
            s -= a[j, q] * a[j, q]
        if not s > 0.0:
            return False
        d = math.sqrt(s)
        a[j, j] = d
        for i in range(j + 1, n):
            v = a[i, j]
            for q in range(j):
                v -= a[i, q] * a[j, q]
            a[i, j] = v / d
    return True


@njit(cache=True, nogil=True, fastmath=_LINALG_MATH)
def _cho_solve(low, n, b, x):
    """``x = (L Lᵀ)⁻¹ b`` for the factor ``low[:n, :n]``."""
    for i in range(n):
        v = b[i]
        for q in range(i):
            v -= low[i, q] * x[q]
        x[i] = v / low[i, i]
    for i in range(n - 1, -1, -1):
        xi = x[i] / low[i, i]
        x[i] = xi
        for q in range(i):
            x[q] -= low[i, q] * xi


@njit(cache=True, nogil=True)
def krige_tiles(
    t, tt, order, tile_ptr, cand_ptr, cand, scoords, tcoords, k, bound2, min_samples, ordinary,
    nugget, sill, kinds, spar, scov, values, mean, bv,
    est, var, slope, eff, nsamp, nearest, negsum, reason, failed, stats, isotropic_search,
):  # pragma: no cover - compiled
    """Krige the targets tile by tile (see the module docstring).

    ``t``/``tt``: targets in metres / in the search metric; ``order[tile_ptr[i]:tile_ptr[i+1]]``
    the targets of tile ``i``, ``cand[cand_ptr[i]:cand_ptr[i+1]]`` its candidate samples in
    increasing index order; ``scoords``/``tcoords``: samples in metres / search metric;
    ``bound2``: squared search bound (inf for none); ``scov``: precomputed unit-sill sample
    covariances, or a 0 × 0 array to compute them; ``values`` (n, p) and ``mean`` (p,) (zeros
    for ordinary kriging); ``bv`` the block variance. Outputs are written at the target's row
    (rows of targets not estimated are left as given); ``stats`` (int64, 3) counts the
    factorisations, the covariances computed for them and the tiles. ``isotropic_search``: the
    search metric is the plain distance (``tt`` is ``t``), so the search's squared distances
    serve the right-hand sides of an isotropic model.
    """
    p = values.shape[1]
    n_tiles = tile_ptr.size - 1
    max_t = 1
    max_c = 1
    for i in range(n_tiles):
        max_t = max(max_t, tile_ptr[i + 1] - tile_ptr[i])
        max_c = max(max_c, cand_ptr[i + 1] - cand_ptr[i])
    table_size = 1
    while table_size < 2 * max_t:
        table_size *= 2
    table = np.empty(table_size, dtype=np.int64)
    mult = np.empty(k, dtype=np.uint64)
    state = np.uint64(0x9E3779B97F4A7C15)
    for j in range(k):
        state = state * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
        mult[j] = state | np.uint64(1)
    d2 = np.empty(max_c)
    scratch = np.empty(max_c)
    cx = np.empty(max_c)
    cy = np.empty(max_c)
    sel = np.empty(k, dtype=np.int64)
    pos = np.empty(k, dtype=np.int64)
    use_scov = scov.shape[0] > 0
    cc = np.empty((max_c, max_c) if not use_scov else (1, 1))  # candidate covariances, lazily
    set_idx = np.empty((max_t, k), dtype=np.int64)
    set_n = np.empty(max_t, dtype=np.int64)
    set_hash = np.empty(max_t, dtype=np.uint64)
    set_ok = np.empty(max_t, dtype=np.bool_)
    low = np.empty((max_t, k, k))
    u = np.empty((max_t, k))
    one_u = np.empty(max_t)
    c = np.empty(k)
    x = np.empty(k)
    ones = np.ones(k)
    same_metric = isotropic_search
    for s in range(kinds.size):
        same_metric = same_metric and spar[s, 5] != 0.0
    for tile in range(n_tiles):
        c0 = cand_ptr[tile]
        nc = cand_ptr[tile + 1] - c0
        table[:] = -1
        stats[2] += 1
        if not use_scov:
            cc[:nc, :nc] = np.nan
        n_sets = 0
        for j in range(nc):
            cx[j] = tcoords[cand[c0 + j], 0]
            cy[j] = tcoords[cand[c0 + j], 1]
        prev_kth = -1.0  # k-th squared distance of the previous target of the tile
        px = 0.0
        py = 0.0
        for q in range(tile_ptr[tile], tile_ptr[tile + 1]):
            i = order[q]
            tx = tt[i, 0]
            ty = tt[i, 1]
            for j in range(nc):
                dx = cx[j] - tx
                dy = cy[j] - ty
                d2[j] = dx * dx + dy * dy
            # the k nearest by (distance, index): all closer than the k-th distance, then
            # the lowest indices among those at exactly the k-th distance
            kth = np.inf
            need = k
            if nc > k:
                # the k-th distance is at most the previous target's plus the step between
                # them (triangle inequality): select among the candidates within that bound
                nf = 0
                if prev_kth >= 0.0:
                    reach = math.sqrt(prev_kth) + math.sqrt((tx - px) ** 2 + (ty - py) ** 2)
                    limit = reach * reach * (1.0 + 1e-9) + 1e-300
                    for j in range(nc):
                        if d2[j] <= limit:
                            scratch[nf] = d2[j]
                            nf += 1
                if nf < k:
                    scratch[:nc] = d2[:nc]
                    nf = nc
                kth = _kth_smallest(scratch, nf, k - 1)
                prev_kth = kth
                px = tx
                py = ty
                for j in range(nc):
                    if d2[j] < kth:
                        need -= 1
            nv = 0
            for j in range(nc):
                dj = d2[j]
                if dj < kth:
                    take = True
                elif dj == kth and need > 0:
                    take = True
                    need -= 1
                else:
                    take = nc <= k
                if take and dj <= bound2:
                    sel[nv] = cand[c0 + j]
                    pos[nv] = j
                    nv += 1
            nsamp[i] = nv
            if nv < min_samples:
                continue
            # the neighbour set's factorisation, shared within the tile
            h = np.uint64(nv)
            for j in range(nv):
                h += np.uint64(sel[j]) * mult[j]
            slot = np.int64(h & np.uint64(table_size - 1))
            sid = -1
            while table[slot] >= 0:
                cand_set = table[slot]
                if set_hash[cand_set] == h and set_n[cand_set] == nv:
                    same = True
                    for j in range(nv):
                        if set_idx[cand_set, j] != sel[j]:
                            same = False
                            break
                    if same:
                        sid = cand_set
                        break
                slot = (slot + 1) & (table_size - 1)
            if sid < 0:
                sid = n_sets
                n_sets += 1
                stats[0] += 1
                table[slot] = sid
                set_hash[sid] = h
                set_n[sid] = nv
                a = low[sid]
                for j in range(nv):
                    set_idx[sid, j] = sel[j]
                for r in range(nv):
                    sr = sel[r]
                    for col in range(r + 1):
                        sc = sel[col]
                        if use_scov:
                            a[r, col] = scov[sr, sc]
                            continue
                        value = cc[pos[r], pos[col]]
                        if math.isnan(value):  # not computed yet in this tile
                            value = _covariance(
                                scoords[sr, 0] - scoords[sc, 0], scoords[sr, 1] - scoords[sc, 1],
                                nugget, sill, kinds, spar,
                            )
                            cc[pos[r], pos[col]] = value
                            stats[1] += 1
                        a[r, col] = value
                set_ok[sid] = _cholesky(a, nv)
                if set_ok[sid] and ordinary:
                    _cho_solve(a, nv, ones, u[sid])
                    total = 0.0
                    for j in range(nv):
                        total += u[sid, j]
                    one_u[sid] = total
                    if not total > 0.0:
                        set_ok[sid] = False
            if not set_ok[sid]:
                failed[i] = True
                continue
            # right-hand side, weights and the estimate
            near = np.inf
            if same_metric:  # isotropic search and model: the search's squared distances
                for j in range(nv):
                    h2 = d2[pos[j]]
                    near = min(near, h2)
                    c[j] = _covariance_h2(h2, 0.0, 0.0, nugget, sill, kinds, spar)
            else:
                for j in range(nv):
                    s = sel[j]
                    dx = t[i, 0] - scoords[s, 0]
                    dy = t[i, 1] - scoords[s, 1]
                    near = min(near, dx * dx + dy * dy)
                    c[j] = _covariance(dx, dy, nugget, sill, kinds, spar)
            _cho_solve(low[sid], nv, c, x)
            mu = 0.0
            if ordinary:
                total = 0.0
                for j in range(nv):
                    total += x[j]
                mu = (total - 1.0) / one_u[sid]
                for j in range(nv):
                    x[j] -= mu * u[sid, j]
            wc = 0.0
            neg = 0.0
            for j in range(nv):
                wc += x[j] * c[j]
                neg += min(x[j], 0.0)
            if ordinary:
                v = bv - wc - mu
                denom = wc - mu
                slope[i] = wc / denom if denom > 0 else np.nan
            else:
                v = bv - wc
                slope[i] = 1.0
            v = max(v, 0.0)
            var[i] = v
            eff[i] = (bv - v) / bv
            nearest[i] = math.sqrt(near)
            negsum[i] = neg
            reason[i] = 0
            for col in range(p):
                est[i, col] = 0.0
            for j in range(nv):
                wj = x[j]
                row = sel[j]
                for col in range(p):
                    est[i, col] += wj * values[row, col]
            for col in range(p):
                est[i, col] += mean[col]
