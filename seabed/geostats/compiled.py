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
same neighbour set share one Cholesky factorisation ``C = L Lᵀ`` of the sample covariance
matrix (a hash table per tile); the covariances between a tile's candidates are computed once
per tile. Ordinary kriging uses the Schur complement of the bordered system: with
``y = L⁻¹1`` (once per set) and ``v = L⁻¹c`` (per target), ``μ = (yᵀv − 1) / yᵀy`` and
``w = L⁻ᵀ(v − μy)``, which is the solution of ``[[C, 1], [1ᵀ, 0]] [w, μ] = [c, 1]``. A set
whose ``C`` is not numerically positive definite marks its targets ``failed`` (the caller
solves them with the numpy path).

Covariances are evaluated a row at a time by loops LLVM vectorises, with :func:`_exp_rows`
(an ``exp`` accurate to a few units in the last place, written in arithmetic, as numba has
no vector maths library here) instead of a scalar libm call per lag. Estimates, variances
(unit variance × each variable's sill) and diagnostics are written straight into the caller's
output arrays (``float32`` or ``float64``), and negative estimates are counted (and clipped)
there, so no (targets × variables) block is formed per chunk.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["bin_tiles", "krige_tiles"]

#: Structure kinds, in the order of :data:`seabed.geostats.variogram.KINDS`.
SPHERICAL, EXPONENTIAL, GAUSSIAN = 0, 1, 2

#: Candidate lists longer than this get their covariances per neighbour set instead of per tile
#: (bounds the per-tile table to ``CC_LIMIT²`` values).
CC_LIMIT = 320

#: Most factor updates (one sample swapped) in a row before a full factorisation (bounds the
#: accumulated rounding).
MAX_UPDATES = 16

#: Reassociation and contraction let LLVM vectorise the dot products of the factorisation
#: and the solves (rounding changes at the 1e-16 level); the distance and selection code
#: keeps strict IEEE order, so ties are broken exactly as in the numpy search.
_LINALG_MATH = {"reassoc", "contract", "nsz", "arcp"}

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00


@njit(cache=True, nogil=True, fastmath={"contract"})
def _exp_rows(x, n, out, ibuf, fbuf):
    """``out[:n] = exp(x[:n])`` for ``x ≤ 0`` (below -708 gives ~1e-308), vectorisable.

    Cody-Waite reduction ``x = t ln 2 + r``, ``|r| ≤ ln 2 / 2``, a degree-12 Taylor polynomial
    (truncation 2e-16 relative) and ``2^t`` built in the exponent bits (``ibuf``, an int64
    buffer, and ``fbuf`` its float64 view).
    """
    for j in range(n):
        xj = max(x[j], -708.0)
        t = math.floor(xj * _INV_LN2 + 0.5)
        r = (xj - t * _LN2_HI) - t * _LN2_LO
        p = 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        ibuf[j] = (np.int64(t) + 1023) << 52
        out[j] = p
    for j in range(n):
        out[j] *= fbuf[j]


@njit(cache=True, nogil=True, fastmath={"contract"})
def _gamma_rows(kind, r, n, out, ibuf, fbuf):
    """``out[:n]`` = the unit variogram of ``kind`` at reduced lags ``r[:n]`` (lag / range);
    overwrites ``r`` (separate arrays keep the loops free of aliasing, hence vectorised)."""
    if kind == SPHERICAL:
        for j in range(n):
            rc = min(r[j], 1.0)
            out[j] = 1.5 * rc - 0.5 * (rc * rc * rc)
        return
    if kind == EXPONENTIAL:
        for j in range(n):
            r[j] = -3.0 * r[j]
    else:
        for j in range(n):
            r[j] = -3.0 * (r[j] * r[j])
    _exp_rows(r, n, out, ibuf, fbuf)
    for j in range(n):
        out[j] = 1.0 - out[j]


@njit(cache=True, nogil=True, fastmath={"contract"})
def _covariance_rows(dx, dy, h2, n, nugget, sill, kinds, spar, out, work):
    """``out[:n]`` = covariances at lags ``(dx, dy)[:n]`` with ``h2 = dx² + dy²``.

    ``spar[s]`` = (sill, range, range_minor, sin az, cos az, isotropic); isotropic structures
    read only ``h2`` (``dx``/``dy`` may then be anything). ``work`` is a (3, ≥ n) float64
    scratch array whose last row's bits are used as int64.
    """
    r = work[0]
    g = work[1]
    fbuf = work[2]
    ibuf = fbuf.view(np.int64)
    for j in range(n):
        out[j] = sill if h2[j] == 0.0 else sill - nugget
    for s in range(kinds.size):
        if spar[s, 5] != 0.0:
            inv = 1.0 / spar[s, 1]
            for j in range(n):
                r[j] = math.sqrt(h2[j]) * inv
        else:
            inv_major = 1.0 / spar[s, 1]
            inv_minor = 1.0 / spar[s, 2]
            sa = spar[s, 3]
            ca = spar[s, 4]
            for j in range(n):
                major = (dx[j] * sa + dy[j] * ca) * inv_major
                minor = (dx[j] * ca - dy[j] * sa) * inv_minor
                r[j] = math.sqrt(major * major + minor * minor)
        _gamma_rows(kinds[s], r, n, g, ibuf, fbuf)
        ss = spar[s, 0]
        for j in range(n):
            out[j] -= ss * g[j]


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


@njit(cache=True, nogil=True, fastmath=_LINALG_MATH)
def _cholesky(a, n, dinv):
    """In-place lower Cholesky factor of ``a[:n, :n]`` and ``dinv = 1 / diag``; False if not
    positive definite. Two rows at a time share the loads of the pivot row."""
    for j in range(n):
        s = a[j, j]
        for q in range(j):
            s -= a[j, q] * a[j, q]
        if not s > 0.0:
            return False
        d = math.sqrt(s)
        a[j, j] = d
        inv = 1.0 / d
        dinv[j] = inv
        i = j + 1
        while i + 1 < n:
            v1 = a[i, j]
            v2 = a[i + 1, j]
            for q in range(j):
                aj = a[j, q]
                v1 -= a[i, q] * aj
                v2 -= a[i + 1, q] * aj
            a[i, j] = v1 * inv
            a[i + 1, j] = v2 * inv
            i += 2
        if i < n:
            v = a[i, j]
            for q in range(j):
                v -= a[i, q] * a[j, q]
            a[i, j] = v * inv
    return True


@njit(cache=True, nogil=True, fastmath=_LINALG_MATH)
def _drop_row(low, a, n, rem, x):
    """``a[:n-1, :n-1]`` = the Cholesky factor of ``L Lᵀ`` (``L = low[:n, :n]``) without row and
    column ``rem``: the rows below move up and the trailing block takes the rank-one update by
    the dropped column (Givens-free: ``L̃ L̃ᵀ = L₂₂ L₂₂ᵀ + x xᵀ``); ``x`` is scratch."""
    for r in range(rem):
        src = low[r]
        dst = a[r]
        for c in range(r + 1):
            dst[c] = src[c]
    m = n - 1
    for r in range(rem, m):
        src = low[r + 1]
        dst = a[r]
        for c in range(rem):
            dst[c] = src[c]
        for c in range(rem, r + 1):
            dst[c] = src[c + 1]
        x[r] = src[rem]
    for q in range(rem, m):
        lqq = a[q, q]
        xq = x[q]
        rr = math.sqrt(lqq * lqq + xq * xq)
        cs = rr / lqq
        sn = xq / lqq
        ic = 1.0 / cs
        a[q, q] = rr
        for i in range(q + 1, m):
            liq = (a[i, q] + sn * x[i]) * ic
            a[i, q] = liq
            x[i] = cs * x[i] - sn * liq


@njit(cache=True, nogil=True, fastmath=_LINALG_MATH)
def _forward(low, dinv, n, b, x):
    """``x = L⁻¹ b`` for the factor ``low[:n, :n]`` (``dinv`` its inverse diagonal)."""
    for i in range(n):
        v = b[i]
        for q in range(i):
            v -= low[i, q] * x[q]
        x[i] = v * dinv[i]


@njit(cache=True, nogil=True, fastmath=_LINALG_MATH)
def _backward(low, dinv, n, x):
    """``x ← L⁻ᵀ x`` in place."""
    for i in range(n - 1, -1, -1):
        xi = x[i] * dinv[i]
        x[i] = xi
        for q in range(i):
            x[q] -= low[i, q] * xi


@njit(cache=True, nogil=True, fastmath={"nnan", "ninf", "nsz", "reassoc", "contract"})
def _still_nearest(d2, member, outside, nc):
    """``(max d2 of the members, min d2 of the others)`` with ``member[j]`` 1.0 for a member, else
    0.0, and ``outside[j]`` 0.0 for a non-member, else 1e300 (branch-free, vectorised)."""
    hi = 0.0
    lo = 1.0e308  # not inf: compiled with fastmath "ninf" (no infinities assumed)
    for j in range(nc):
        hi = max(hi, d2[j] * member[j])
        lo = min(lo, d2[j] + outside[j])
    return hi, lo


@njit(cache=True, nogil=True, fastmath={"contract"})
def _apply_weights(x, sel, nv, values, acc, p):
    """``acc[:p] = Σ_j x[j] values[sel[j], :p]``, four neighbours per pass over ``acc``
    (vectorised along the variables; a quarter of the loads and stores of ``acc``)."""
    if p == 1:
        total = 0.0
        for j in range(nv):
            total += x[j] * values[sel[j], 0]
        acc[0] = total
        return
    for col in range(p):
        acc[col] = 0.0
    j = 0
    while j + 3 < nv:
        w0 = x[j]
        w1 = x[j + 1]
        w2 = x[j + 2]
        w3 = x[j + 3]
        r0 = values[sel[j]]
        r1 = values[sel[j + 1]]
        r2 = values[sel[j + 2]]
        r3 = values[sel[j + 3]]
        for col in range(p):
            acc[col] += (w0 * r0[col] + w1 * r1[col]) + (w2 * r2[col] + w3 * r3[col])
        j += 4
    while j < nv:
        wj = x[j]
        rj = values[sel[j]]
        for col in range(p):
            acc[col] += wj * rj[col]
        j += 1


@njit(cache=True, nogil=True)
def bin_tiles(t, lo0, lo1, edge):  # pragma: no cover - compiled
    """Targets ``t`` (m, 2) binned into square tiles of ``edge`` from ``(lo0, lo1)``, in O(m).

    Returns ``(order, tile_ptr, keys, ny)``: the targets of tile ``i`` are
    ``order[tile_ptr[i]:tile_ptr[i + 1]]`` (increasing), ``keys[i] = cx * ny + cy`` its cell;
    tiles in increasing key order (those of ``np.unique`` in
    :meth:`~seabed.geostats.neighbourhood.SampleSearch.tile_candidates`).
    """
    m = t.shape[0]
    cx = np.empty(m, dtype=np.int64)
    cy = np.empty(m, dtype=np.int64)
    nx = 1
    ny = 1
    for i in range(m):
        cx[i] = np.int64(math.floor((t[i, 0] - lo0) / edge))
        cy[i] = np.int64(math.floor((t[i, 1] - lo1) / edge))
        nx = max(nx, cx[i] + 1)
        ny = max(ny, cy[i] + 1)
    count = np.zeros(nx * ny + 1, dtype=np.int64)
    for i in range(m):
        count[cx[i] * ny + cy[i]] += 1
    n_tiles = 0
    for key in range(nx * ny):
        n_tiles += count[key] > 0
    keys = np.empty(n_tiles, dtype=np.int64)
    tile_ptr = np.zeros(n_tiles + 1, dtype=np.int64)
    slot = np.empty(nx * ny, dtype=np.int64)  # next position in order of each cell
    n = 0
    total = 0
    for key in range(nx * ny):
        if count[key] > 0:
            keys[n] = key
            slot[key] = total
            total += count[key]
            n += 1
            tile_ptr[n] = total
    order = np.empty(m, dtype=np.int64)
    for i in range(m):
        key = cx[i] * ny + cy[i]
        order[slot[key]] = i
        slot[key] += 1
    return order, tile_ptr, keys, ny


@njit(cache=True, nogil=True)
def krige_tiles(
    t, tt, order, tile_ptr, cand_ptr, cand, scoords, tcoords, k, bound2, min_samples, ordinary,
    nugget, sill, kinds, spar, values, mean, bv,
    rows, est, var, colidx, vcolidx, scale, clip, negcount,
    slope, eff, nsamp, nearest, negsum, reason, gi, failed, stats, isotropic_search,
):  # pragma: no cover - compiled
    """Krige the targets tile by tile (see the module docstring), writing into the outputs.

    ``t``/``tt``: targets in metres / in the search metric; ``order[tile_ptr[i]:tile_ptr[i+1]]``
    the targets of tile ``i``, ``cand[cand_ptr[i]:cand_ptr[i+1]]`` its candidate samples in
    increasing index order; ``scoords``/``tcoords``: samples in metres / search metric;
    ``bound2``: squared search bound (inf for none); ``values`` (n, p) and ``mean`` (p,) (zeros
    for ordinary kriging); ``bv`` the block variance.

    Target ``i`` is written at row ``rows[i]``: ``est[rows[i], colidx]`` its ``p`` estimates
    (NaN when not estimated; clipped at 0 when ``clip``; ``negcount`` (p,) counts the negative
    ones), ``var[rows[i], vcolidx]`` the unit-sill variance times ``scale`` (same length as
    ``vcolidx``), and column ``gi`` of the diagnostics ``slope``, ``eff``, ``nsamp``,
    ``nearest``, ``negsum``, ``reason``. Targets whose set's covariance matrix is not positive
    definite are only marked in ``failed`` (their estimates and diagnostics are left as given).
    ``stats`` (int64, 4) counts the factorisations, the sample covariances computed, the tiles
    and the factorisations obtained by updating the previous target's (one sample swapped). ``isotropic_search``: the search metric is the plain distance (``tt`` is ``t``), so
    the search's squared distances serve the right-hand sides of an isotropic model.
    """
    p = values.shape[1]
    pv = vcolidx.size
    contiguous = p > 0 and colidx[p - 1] - colidx[0] == p - 1
    c0 = colidx[0] if p > 0 else 0
    contiguous_v = pv > 0 and vcolidx[pv - 1] - vcolidx[0] == pv - 1
    v0 = vcolidx[0] if pv > 0 else 0
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
    width = max(max_c, k)
    d2 = np.empty(max_c)
    member = np.zeros(max_c)
    outside = np.zeros(max_c)
    scratch = np.empty(max_c)
    cx = np.empty(max_c)
    cy = np.empty(max_c)
    sx = np.empty(max_c)
    sy = np.empty(max_c)
    lx = np.empty(width)
    ly = np.empty(width)
    lh2 = np.empty(width)
    work = np.empty((3, width))
    sel = np.empty(width, dtype=np.int64)
    pos = np.empty(width, dtype=np.int64)
    n_cc = min(max_c, CC_LIMIT)
    cc = np.empty((n_cc, n_cc))  # covariances between the tile's candidates (lower triangle)
    set_idx = np.empty((max_t, k), dtype=np.int64)
    set_n = np.empty(max_t, dtype=np.int64)
    set_hash = np.empty(max_t, dtype=np.uint64)
    set_ok = np.empty(max_t, dtype=np.bool_)
    low = np.empty((max_t, k, k))
    f_idx = np.empty((max_t, k), dtype=np.int64)  # samples in the factor's row order
    f_pos = np.empty((max_t, k), dtype=np.int64)  # their positions in the tile's candidates
    depth = np.empty(max_t, dtype=np.int64)  # updates since the last full factorisation
    newmark = np.zeros(max_c, dtype=np.bool_)
    row_buf = np.empty(k)
    col_buf = np.empty(k)
    dinv = np.empty((max_t, k))
    yv = np.empty((max_t, k))
    yy = np.empty(max_t)
    ones = np.ones(k)
    c = np.empty(k)
    x = np.empty(k)
    acc = np.empty(max(p, 1))
    same_metric = isotropic_search
    for s in range(kinds.size):
        same_metric = same_metric and spar[s, 5] != 0.0
    for tile in range(n_tiles):
        c0t = cand_ptr[tile]
        nc = cand_ptr[tile + 1] - c0t
        table[:] = -1
        stats[2] += 1
        n_sets = 0
        for j in range(nc):
            cx[j] = tcoords[cand[c0t + j], 0]
            cy[j] = tcoords[cand[c0t + j], 1]
            sx[j] = scoords[cand[c0t + j], 0]
            sy[j] = scoords[cand[c0t + j], 1]
        use_cc = nc <= CC_LIMIT
        if use_cc:  # every candidate pair once per tile, a row at a time
            for r in range(nc):
                for j in range(r + 1):
                    lx[j] = sx[r] - sx[j]
                    ly[j] = sy[r] - sy[j]
                    lh2[j] = lx[j] * lx[j] + ly[j] * ly[j]
                _covariance_rows(lx, ly, lh2, r + 1, nugget, sill, kinds, spar, cc[r], work)
            stats[1] += nc * (nc + 1) // 2
        prev_kth = -1.0  # k-th squared distance of the previous target of the tile
        prev_sid = -1  # the previous target's set, when it has k members out of more candidates
        base_sid = -1
        px = 0.0
        py = 0.0
        for q in range(tile_ptr[tile], tile_ptr[tile + 1]):
            i = order[q]
            row = rows[i]
            tx = tt[i, 0]
            ty = tt[i, 1]
            for j in range(nc):
                dx = cx[j] - tx
                dy = cy[j] - ty
                d2[j] = dx * dx + dy * dy
            # the previous target's set is still the k nearest if all its members are strictly
            # nearer than every other candidate (and within the bound): same set, no selection
            reused = False
            if prev_sid >= 0:
                hi, lo = _still_nearest(d2, member, outside, nc)
                if hi < lo and hi <= bound2:
                    reused = True
                    prev_kth = hi
                    px = tx
                    py = ty
            if not reused:
                base_sid = prev_sid  # the previous target's set (its members are marked)
                prev_sid = -1
                # the k nearest by (distance, index): all closer than the k-th distance, then
                # the lowest indices among those at exactly the k-th distance
                kth = np.inf
                need = k
                if nc > k:
                    # the k-th distance is at most the previous target's plus the step between
                    # them (triangle inequality): select among the candidates within that bound
                    nf = 0
                    if prev_kth >= 0.0:  # branch-free compaction (nf <= j: in bounds)
                        reach = math.sqrt(prev_kth) + math.sqrt((tx - px) ** 2 + (ty - py) ** 2)
                        limit = reach * reach * (1.0 + 1e-9) + 1e-300
                        for j in range(nc):
                            dj = d2[j]
                            scratch[nf] = dj
                            nf += dj <= limit
                    if nf < k:
                        scratch[:nc] = d2[:nc]
                        nf = nc
                    kth = _kth_smallest(scratch, nf, k - 1)
                    prev_kth = kth
                    px = tx
                    py = ty
                    for j in range(nc):
                        need -= d2[j] < kth
                nv = 0
                everything = nc <= k
                for j in range(nc):  # branch-free compaction (nv <= j: in bounds)
                    dj = d2[j]
                    tie = (dj == kth) & (need > 0)
                    need -= tie
                    take = ((dj < kth) | tie | everything) & (dj <= bound2)
                    sel[nv] = cand[c0t + j]
                    pos[nv] = j
                    nv += take
            nsamp[row, gi] = nv
            if nv < min_samples:
                for col in range(p):
                    est[row, colidx[col]] = np.nan
                for col in range(pv):
                    var[row, vcolidx[col]] = np.nan
                continue
            if reused:
                sid = prev_sid
            else:
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
                    done = False
                    if (use_cc and base_sid >= 0 and nv == k and set_ok[base_sid]
                            and depth[base_sid] < MAX_UPDATES):
                        # one member swapped since the previous target's set: update its factor
                        # (drop a row, append one) instead of factorising anew
                        n_new = 0
                        jn = 0
                        for j in range(nv):
                            if member[pos[j]] == 0.0:
                                n_new += 1
                                jn = j
                        if n_new == 1:
                            for j in range(nv):
                                newmark[pos[j]] = True
                            bp = f_pos[base_sid]
                            rem = 0
                            for r in range(nv):
                                if not newmark[bp[r]]:
                                    rem = r
                            for j in range(nv):
                                newmark[pos[j]] = False
                            _drop_row(low[base_sid], a, nv, rem, col_buf)
                            m1 = nv - 1
                            for r in range(m1):
                                src = r if r < rem else r + 1
                                f_idx[sid, r] = f_idx[base_sid, src]
                                f_pos[sid, r] = bp[src]
                            pn = pos[jn]
                            f_idx[sid, m1] = sel[jn]
                            f_pos[sid, m1] = pn
                            for r in range(m1):
                                pr = f_pos[sid, r]
                                row_buf[r] = cc[pn, pr] if pn > pr else cc[pr, pn]
                                dinv[sid, r] = 1.0 / a[r, r]
                            _forward(a, dinv[sid], m1, row_buf, col_buf)
                            last = cc[pn, pn]
                            for r in range(m1):
                                a[m1, r] = col_buf[r]
                                last -= col_buf[r] * col_buf[r]
                            if last > 0.0:
                                a[m1, m1] = math.sqrt(last)
                                dinv[sid, m1] = 1.0 / a[m1, m1]
                                depth[sid] = depth[base_sid] + 1
                                done = True
                                stats[3] += 1
                    if done:
                        ok = True
                    else:
                        depth[sid] = 0
                        for j in range(nv):
                            f_idx[sid, j] = sel[j]
                            f_pos[sid, j] = pos[j]
                        if use_cc:  # pos is increasing, so (pos[r], pos[col]) is in the lower triangle
                            for r in range(nv):
                                cr = cc[pos[r]]
                                for col in range(r + 1):
                                    a[r, col] = cr[pos[col]]
                        else:
                            for r in range(nv):
                                for col in range(r + 1):
                                    lx[col] = sx[pos[r]] - sx[pos[col]]
                                    ly[col] = sy[pos[r]] - sy[pos[col]]
                                    lh2[col] = lx[col] * lx[col] + ly[col] * ly[col]
                                _covariance_rows(lx, ly, lh2, r + 1, nugget, sill, kinds, spar, a[r], work)
                            stats[1] += nv * (nv + 1) // 2
                        ok = _cholesky(a, nv, dinv[sid])
                    if ok and ordinary:
                        _forward(a, dinv[sid], nv, ones, yv[sid])
                        total = 0.0
                        for j in range(nv):
                            total += yv[sid, j] * yv[sid, j]
                        yy[sid] = total
                        ok = total > 0.0
                    set_ok[sid] = ok
                if nv == k and nc > k:  # mark the members for the next target's check
                    prev_sid = sid
                    for j in range(nc):
                        member[j] = 0.0
                        outside[j] = 0.0
                    for j in range(nv):
                        member[pos[j]] = 1.0
                        outside[pos[j]] = 1e300
            if not set_ok[sid]:
                failed[i] = True
                continue
            # right-hand side, weights and the estimate, in the factor's order of the samples
            fsel = f_idx[sid]
            fpos = f_pos[sid]
            if same_metric:  # isotropic search and model: the search's squared distances
                for j in range(nv):
                    lh2[j] = d2[fpos[j]]
            else:
                for j in range(nv):
                    s = fsel[j]
                    lx[j] = t[i, 0] - scoords[s, 0]
                    ly[j] = t[i, 1] - scoords[s, 1]
                    lh2[j] = lx[j] * lx[j] + ly[j] * ly[j]
            near = np.inf
            for j in range(nv):
                near = min(near, lh2[j])
            _covariance_rows(lx, ly, lh2, nv, nugget, sill, kinds, spar, c, work)
            lf = low[sid]
            df = dinv[sid]
            _forward(lf, df, nv, c, x)
            mu = 0.0
            if ordinary:
                yx = 0.0
                for j in range(nv):
                    yx += yv[sid, j] * x[j]
                mu = (yx - 1.0) / yy[sid]
                for j in range(nv):
                    x[j] -= mu * yv[sid, j]
            _backward(lf, df, nv, x)
            wc = 0.0
            neg = 0.0
            for j in range(nv):
                wc += x[j] * c[j]
                neg += min(x[j], 0.0)
            if ordinary:
                v = bv - wc - mu
                denom = wc - mu
                slope[row, gi] = wc / denom if denom > 0 else np.nan
            else:
                v = bv - wc
                slope[row, gi] = 1.0
            v = max(v, 0.0)
            eff[row, gi] = (bv - v) / bv
            nearest[row, gi] = math.sqrt(near)
            negsum[row, gi] = neg
            reason[row, gi] = 0
            if contiguous_v:
                for col in range(pv):
                    var[row, v0 + col] = v * scale[col]
            else:
                for col in range(pv):
                    var[row, vcolidx[col]] = v * scale[col]
            _apply_weights(x, fsel, nv, values, acc, p)
            for col in range(p):
                e = acc[col] + mean[col]
                if e < 0.0:
                    negcount[col] += 1
                    if clip:
                        e = 0.0
                acc[col] = e
            if contiguous:
                for col in range(p):
                    est[row, c0 + col] = acc[col]
            else:
                for col in range(p):
                    est[row, colidx[col]] = acc[col]
