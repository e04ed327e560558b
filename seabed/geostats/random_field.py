"""Tileable Gaussian random fields by kernel convolution of block-seeded white noise.

Method
------
A stationary Gaussian field with covariance :math:`C` on the cell lattice is written as the
moving average (Oliver 1995; Higdon 2002)

.. math:: Z(\\mathbf x) = \\sum_{\\mathbf u} k(\\mathbf u)\\, W(\\mathbf x + \\mathbf u),

with :math:`W` standard white noise on the *infinite* integer lattice and :math:`k` the
convolution square root of :math:`C` (:math:`k \\circledast k = C`). The kernel is computed
once per model (:meth:`seabed.geostats.kernel.ConvolutionKernel.from_model`): :math:`C/S` (unit sill) is sampled on an
``M × M`` torus of cells, :math:`\\lambda = \\mathrm{FFT}_2(c)` is real (``C`` is even),
negative eigenvalues are clipped, :math:`k = \\mathrm{IFFT}_2(\\sqrt{\\lambda})` is real and
centrally symmetric; it is then truncated to the smallest square window of half-width ``halo``
holding at least ``1 - tolerance`` of :math:`\\sum k^2` and renormalised to
:math:`\\sum k^2 = 1`, so every field has unit variance exactly. The covariance it implies is
:meth:`ConvolutionKernel.covariance`.

Lattice conventions follow the working grid's (:mod:`seabed.working_grid`): rows
run north → south and columns west → east, so the lattice offset ``(di, dj)`` (rows, columns)
is the lag ``dx = dj · cell``, ``dy = −di · cell`` (m).

Noise and invariance
--------------------
The noise is defined cell by cell, independently of any window: the lattice is cut into
``NOISE_BLOCK × NOISE_BLOCK`` blocks and block ``(br, bc) = (r // B, c // B)`` holds
``default_rng(SeedSequence([*key, br + 2**31, bc + 2**31])).standard_normal((B, B))``.
:func:`lattice_noise` therefore returns bitwise the same value at a cell whatever window it
is asked for, and :func:`field_window` (FFT convolution of the noise on the window grown by
the halo) gives the same field, to rounding (≤ 1e-12), for any tiling of a region, on any
process. :func:`field_at` gives the same values at arbitrary cells (e.g. data far outside
the grid) by direct dot products.

References
----------
Oliver, D. S. (1995). Moving averages for Gaussian simulation in two and three dimensions.
*Mathematical Geology* 27(5), 939-960.

Higdon, D. (2002). Space and space-time modeling using process convolutions. In
*Quantitative Methods for Current Environmental Issues*, Springer, 37-56.

Examples
--------
>>> from seabed.geostats.variogram import Structure, VariogramModel
>>> model = VariogramModel(0.1, (Structure("spherical", 0.9, 5_000.0),))
>>> kernel = ConvolutionKernel.from_model(model, 1_000.0)
>>> z = field_window(kernel, [(42, 0), (42, 1)], (0, 4), (-2, 5))
>>> z.shape
(2, 4, 7)
>>> zp = field_at(kernel, [(42, 0), (42, 1)], np.array([3]), np.array([-1]))
>>> bool(np.allclose(zp[:, 0], z[:, 3, 1], rtol=0.0, atol=1e-12))
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.fft as sfft
from scipy import sparse

from seabed.geostats.kernel import ConvolutionKernel

__all__ = [
    "NOISE_BLOCK",
    "field_at",
    "field_window",
    "lattice_noise",
    "window_workspace_bytes",
]

#: Lattice cells per side of a noise block (part of the definition of a field: do not change).
NOISE_BLOCK: int = 64

_B = NOISE_BLOCK
_BB = NOISE_BLOCK * NOISE_BLOCK
_OFFSET = 2**31
_MASK32 = 0xFFFFFFFF
_MASK128 = (1 << 128) - 1
# Sparse entries per batch of points in field_at (memory ~ 12 bytes each).
_NNZ_BUDGET = 8_000_000
# Noise values held per batch of keys (memory ~ 8 bytes each).
_NOISE_BUDGET = 8_000_000


# ----------------------------------------------------------------------------- noise
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_PCG_MULT = (2549297995355413924 << 64) | 4865540595714422341
_FAST_SEEDING: bool | None = None  # checked once against numpy on first use


def _key_words(key: Sequence[int]) -> list[int]:
    """``key`` as the uint32 words SeedSequence makes of it (little-endian per integer)."""
    words: list[int] = []
    for v in key:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or int(v) < 0:
            raise ValueError(f"random field key: got {list(key)!r}; expected integers >= 0")
        v = int(v)
        if v == 0:
            words.append(0)
        while v > 0:
            words.append(v & _MASK32)
            v >>= 32
    return words


def _seed_pools(words: list[int], br: np.ndarray, bc: np.ndarray) -> list[np.ndarray]:
    """SeedSequence entropy pools of ``[*key, br + 2**31, bc + 2**31]``, vectorised over blocks.

    Reimplements ``numpy.random.SeedSequence.mix_entropy`` (pool size 4) in uint32 arithmetic;
    checked against numpy by :func:`_fast_seeding_ok`.
    """
    hc = _INIT_A

    def hashmix(v: np.ndarray) -> np.ndarray:
        nonlocal hc
        v = v ^ np.uint32(hc)
        hc = (hc * _MULT_A) & _MASK32
        v = v * np.uint32(hc)
        return v ^ (v >> np.uint32(16))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return r ^ (r >> np.uint32(16))

    n = br.size
    entropy = [np.full(n, w, dtype=np.uint32) for w in words]
    entropy += [(br + _OFFSET).astype(np.uint32), (bc + _OFFSET).astype(np.uint32)]
    zero = np.zeros(n, dtype=np.uint32)
    mixer = [hashmix(entropy[i] if i < len(entropy) else zero) for i in range(4)]
    for s in range(4):
        for d in range(4):
            if s != d:
                mixer[d] = mix(mixer[d], hashmix(mixer[s]))
    for s in range(4, len(entropy)):
        for d in range(4):
            mixer[d] = mix(mixer[d], hashmix(entropy[s]))
    return mixer


def _pcg_states(pools: list[np.ndarray]) -> list[tuple[int, int]]:
    """PCG64 ``(state, inc)`` that ``PCG64(SeedSequence)`` derives from each pool."""
    hc = _INIT_B
    words = []
    for i in range(8):  # SeedSequence.generate_state(4, np.uint64)
        v = pools[i % 4] ^ np.uint32(hc)
        hc = (hc * _MULT_B) & _MASK32
        v = v * np.uint32(hc)
        words.append((v ^ (v >> np.uint32(16))).astype(np.uint64))
    u = [(words[2 * i] | (words[2 * i + 1] << np.uint64(32))).tolist() for i in range(4)]
    out = []
    for s0, s1, i0, i1 in zip(*u, strict=True):
        inc = ((((i0 << 64) | i1) << 1) | 1) & _MASK128
        state = (inc + ((s0 << 64) | s1)) & _MASK128
        state = (state * _PCG_MULT + inc) & _MASK128
        out.append((state, inc))
    return out


def _reference_block(key: Sequence[int], br: int, bc: int) -> np.ndarray:
    """One noise block exactly as defined (slow path)."""
    seq = np.random.SeedSequence([*(int(v) for v in key), int(br) + _OFFSET, int(bc) + _OFFSET])
    return np.random.default_rng(seq).standard_normal((_B, _B))


def _fast_seeding_ok() -> bool:
    global _FAST_SEEDING  # a once-per-process check
    if _FAST_SEEDING is None:
        key, br, bc = (2**40 + 3, 0, 17), np.array([-5, 2**31 - 1]), np.array([9, -(2**31)])
        fast = _draw_blocks(key, br, bc, fast=True)
        ref = np.stack([_reference_block(key, a, b) for a, b in zip(br, bc, strict=True)])
        _FAST_SEEDING = bool(np.array_equal(fast, ref))
    return _FAST_SEEDING


def _draw_blocks(
    key: Sequence[int], br: np.ndarray, bc: np.ndarray, *, fast: bool | None = None
) -> np.ndarray:
    """Noise blocks ``(br[i], bc[i])`` of ``key``, shape (n, B, B) float64."""
    words = _key_words(key)
    br = np.asarray(br, dtype=np.int64).ravel()
    bc = np.asarray(bc, dtype=np.int64).ravel()
    if br.size and (
        min(br.min(), bc.min()) < -_OFFSET or max(br.max(), bc.max()) >= _OFFSET
    ):
        raise ValueError("random field: lattice index beyond the supported ±2**35 cells")
    out = np.empty((br.size, _B, _B))
    if fast is None:
        fast = _fast_seeding_ok()
    if not fast:
        for i, (a, b) in enumerate(zip(br.tolist(), bc.tolist(), strict=True)):
            out[i] = _reference_block(key, a, b)
        return out
    bitgen = np.random.PCG64(0)
    gen = np.random.Generator(bitgen)
    for i, (state, inc) in enumerate(_pcg_states(_seed_pools(words, br, bc))):
        bitgen.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": inc},
            "has_uint32": 0,
            "uinteger": 0,
        }
        gen.standard_normal(out=out[i])
    return out


def _check_span(name: str, span: tuple[int, int]) -> tuple[int, int]:
    a, b = (int(v) for v in span)
    if b < a:
        raise ValueError(f"{name}: got ({a}, {b}); expected start <= stop")
    return a, b


def _noise_region(key: Sequence[int], rows: tuple[int, int], cols: tuple[int, int]) -> np.ndarray:
    r0, r1 = rows
    c0, c1 = cols
    if r1 == r0 or c1 == c0:
        return np.empty((r1 - r0, c1 - c0))
    b_r = np.arange(r0 // _B, (r1 - 1) // _B + 1)
    b_c = np.arange(c0 // _B, (c1 - 1) // _B + 1)
    blocks = _draw_blocks(key, np.repeat(b_r, b_c.size), np.tile(b_c, b_r.size))
    tiles = blocks.reshape(b_r.size, b_c.size, _B, _B).transpose(0, 2, 1, 3)
    tiles = tiles.reshape(b_r.size * _B, b_c.size * _B)
    dr, dc = r0 - b_r[0] * _B, c0 - b_c[0] * _B
    return tiles[dr : dr + r1 - r0, dc : dc + c1 - c0]


def lattice_noise(key: Sequence[int], rows: tuple[int, int], cols: tuple[int, int]) -> np.ndarray:
    """Standard normal white noise on lattice cells ``[r0, r1) × [c0, c1)``.

    Parameters
    ----------
    key : sequence of int
        Integers ≥ 0 naming the field (e.g. seed, realisation, variable).
    rows, cols : (int, int)
        Half-open row and column ranges of the infinite lattice (negative indices allowed).

    Returns
    -------
    ndarray, shape (r1 - r0, c1 - c0), float64
        The value at ``(r, c)`` depends only on ``(key, r, c)``: block
        ``(r // NOISE_BLOCK, c // NOISE_BLOCK)`` is
        ``default_rng(SeedSequence([*key, br + 2**31, bc + 2**31])).standard_normal((B, B))``,
        so overlapping windows agree bitwise.
    """
    return np.ascontiguousarray(
        _noise_region(key, _check_span("rows", rows), _check_span("cols", cols))
    )


# ---------------------------------------------------------------------------- fields
def window_workspace_bytes(kernel: ConvolutionKernel, n_cols: int) -> int:
    """Working memory of :func:`field_window` beyond its output, bytes (an upper bound).

    A window's noise is convolved a batch of fields at a time, holding at most 8 M noise
    values (or one field's padded window if larger, here for a window one row high and
    ``n_cols`` wide); each held value costs about 36 B (the noise, the forward transform's
    intermediate and result, the inverse transform, the kernel's transform). The bound does not
    depend on the number of fields or, below 8 M values per field, on the window.

    Examples
    --------
    >>> from seabed.geostats.variogram import Structure, VariogramModel
    >>> k = ConvolutionKernel.from_model(VariogramModel(0.0, (Structure("spherical", 1.0, 60e3),)), 1000.0)
    >>> window_workspace_bytes(k, 742) / 2**20  # MiB
    274.65820312...
    """
    h = kernel.halo
    return 36 * max(_NOISE_BUDGET, (1 + 2 * h) * (int(n_cols) + 2 * h))


def _key_batch(n_keys: int, values_per_key: int) -> int:
    return max(1, min(n_keys, _NOISE_BUDGET // max(values_per_key, 1)))


def field_window(
    kernel: ConvolutionKernel,
    keys: Sequence[Sequence[int]],
    rows: tuple[int, int],
    cols: tuple[int, int],
    *,
    workers: int = 1,
) -> np.ndarray:
    """Unit-variance fields on the lattice window ``[r0, r1) × [c0, c1)``, one per key.

    Parameters
    ----------
    kernel : ConvolutionKernel
        From :meth:`ConvolutionKernel.from_model`.
    keys : sequence of sequence of int
        One key (integers ≥ 0) per field; see :func:`lattice_noise`.
    rows, cols : (int, int)
        Half-open row and column ranges of the lattice.
    workers : int, default 1
        FFT threads.

    Returns
    -------
    ndarray, shape (len(keys), r1 - r0, c1 - c0), float64

    Notes
    -----
    The noise on the window grown by ``halo`` cells is convolved with the kernel by FFT
    (``scipy.fft.rfft2``; the kernel's transform is computed once per call) and the 'valid'
    part kept. The result does not depend on the window: any tiling of a region gives the
    same field to rounding (≤ 1e-12).
    """
    r0, r1 = _check_span("rows", rows)
    c0, c1 = _check_span("cols", cols)
    keys = list(keys)
    h = kernel.halo
    nr, nc = r1 - r0, c1 - c0
    out = np.empty((len(keys), nr, nc))
    if out.size == 0:
        return out
    if h == 0:
        for i, key in enumerate(keys):
            out[i] = kernel.weights[0, 0] * _noise_region(key, (r0, r1), (c0, c1))
        return out
    pr, pc = nr + 2 * h, nc + 2 * h
    shape = (sfft.next_fast_len(pr, real=True), sfft.next_fast_len(pc, real=True))
    kft = sfft.rfft2(kernel.weights, s=shape, workers=workers)
    batch = _key_batch(len(keys), shape[0] * shape[1])
    noise = np.zeros((batch, *shape))
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        for j, key in enumerate(chunk):
            noise[j, :pr, :pc] = _noise_region(key, (r0 - h, r1 + h), (c0 - h, c1 + h))
        spec = sfft.rfft2(noise[: len(chunk)], workers=workers)
        spec *= kft
        conv = sfft.irfft2(spec, s=shape, workers=workers)
        out[start : start + len(chunk)] = conv[:, 2 * h : 2 * h + nr, 2 * h : 2 * h + nc]
    return out


def field_at(
    kernel: ConvolutionKernel, keys: Sequence[Sequence[int]], rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """The fields of :func:`field_window` at arbitrary lattice cells.

    Parameters
    ----------
    kernel : ConvolutionKernel
        From :meth:`ConvolutionKernel.from_model`.
    keys : sequence of sequence of int
        One key per field; see :func:`lattice_noise`.
    rows, cols : ndarray of int, shape (n,)
        Lattice cells (any integers, e.g. data far outside the grid).

    Returns
    -------
    ndarray, shape (len(keys), n), float64
        Equal to :func:`field_window` at those cells to ≤ 1e-12.

    Notes
    -----
    Each noise block touched by a point's ``(2h + 1)²`` window is drawn once per key (points
    close together share blocks); each value is then the dot product of the kernel with the
    point's noise window, done for all points and keys as one sparse × dense product per
    batch. The cost is dominated by drawing the blocks (a few µs each per key): scattered
    points far apart each need about ``(2h / 16 + 2)²`` blocks.
    """
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    if rows.shape != cols.shape or rows.ndim != 1:
        raise ValueError(f"field_at: got rows {rows.shape} and cols {cols.shape}; expected (n,) each")
    if rows.size and not (np.issubdtype(rows.dtype, np.integer) and np.issubdtype(cols.dtype, np.integer)):
        raise ValueError("field_at: rows and cols must be integer lattice indices")
    rows = rows.astype(np.int64)
    cols = cols.astype(np.int64)
    keys = list(keys)
    out = np.empty((len(keys), rows.size))
    if out.size == 0:
        return out
    h = kernel.halo
    width = 2 * h + 1
    per_batch = max(1, _NNZ_BUDGET // (width * width))
    order = np.lexsort((cols, rows // max(width, _B)))  # spatial locality within batches
    for start in range(0, rows.size, per_batch):
        idx = order[start : start + per_batch]
        out[:, idx] = _field_at_batch(kernel, keys, rows[idx], cols[idx])
    return out


def _field_at_batch(
    kernel: ConvolutionKernel, keys: list, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    h = kernel.halo
    width = 2 * h + 1
    n = rows.size
    nb = (width + _B - 2) // _B + 1  # blocks per side spanned by any window
    br0 = (rows - h) // _B
    bc0 = (cols - h) // _B
    span = np.arange(nb)
    cand_r = np.broadcast_to((br0[:, None] + span)[:, :, None], (n, nb, nb))
    cand_c = np.broadcast_to((bc0[:, None] + span)[:, None, :], (n, nb, nb))
    code = (cand_r + _OFFSET).astype(np.uint64) << np.uint64(32)
    code |= (cand_c + _OFFSET).astype(np.uint64)
    uniq, inverse = np.unique(code.ravel(), return_inverse=True)
    inverse = inverse.reshape(n, nb, nb)
    ub_r = (uniq >> np.uint64(32)).astype(np.int64) - _OFFSET
    ub_c = (uniq & np.uint64(_MASK32)).astype(np.int64) - _OFFSET
    # Column of cell (r + a, c + b) in the stacked blocks: block id * B² + position in block.
    off = np.arange(-h, h + 1)
    cr = rows[:, None] + off  # (n, width)
    cc = cols[:, None] + off
    rel_r = cr // _B - br0[:, None]
    rel_c = cc // _B - bc0[:, None]
    pts = np.arange(n)[:, None, None]
    block = inverse[pts, rel_r[:, :, None], rel_c[:, None, :]]
    col = block * _BB + (cr % _B)[:, :, None] * _B + (cc % _B)[:, None, :]
    matrix = sparse.csr_array(
        (
            np.tile(kernel.weights.ravel(), n),
            col.ravel().astype(np.int64),
            np.arange(n + 1, dtype=np.int64) * width * width,
        ),
        shape=(n, uniq.size * _BB),
    )
    res = np.empty((len(keys), n))
    batch = _key_batch(len(keys), uniq.size * _BB)
    noise = np.empty((uniq.size * _BB, batch))
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        for j, key in enumerate(chunk):
            noise[:, j] = _draw_blocks(key, ub_r, ub_c).ravel()
        res[start : start + len(chunk)] = (matrix @ noise[:, : len(chunk)]).T
    return res
