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
The noise is defined cell by cell, independently of any window: the value at lattice cell
``(r, c)`` of a key is a pure function of ``(key, r, c)`` — a counter-based generator
(the SplitMix64 output of the cell's counter in the key's stream, ziggurat to a normal;
:mod:`seabed.geostats.white_noise`, compiled with numba). No state is carried from cell to cell.
:func:`lattice_noise` therefore returns bitwise the same value at a cell whatever window it
is asked for, and :func:`field_window` (FFT convolution of the noise on the window grown by
the halo) gives the same field, to rounding (≤ 1e-12 in float64), for any tiling of a region, on any
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
    "key_stream_offsets",
    "lattice_noise",
    "window_workspace_bytes",
]

#: Lattice cells per side of the noise blocks :func:`field_at` draws (shared by nearby points).
NOISE_BLOCK: int = 64

_B = NOISE_BLOCK
_BB = NOISE_BLOCK * NOISE_BLOCK
_OFFSET = 2**31
_MASK32 = 0xFFFFFFFF
# Sparse entries per batch of points in field_at (memory ~ 12 bytes each).
_NNZ_BUDGET = 8_000_000
# Noise values held per batch of keys (memory ~ 8 bytes each).
_NOISE_BUDGET = 8_000_000


# ----------------------------------------------------------------------------- noise
def _key_words(key: Sequence[int]) -> list[int]:
    """``key`` as uint32 words: each integer as its word count, then its words (little-endian;
    0 is one word), so that different keys give different words."""
    words: list[int] = []
    for v in key:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or int(v) < 0:
            raise ValueError(f"random field key: got {list(key)!r}; expected integers >= 0")
        v = int(v)
        own = [v & _MASK32] if v == 0 else []
        while v > 0:
            own.append(v & _MASK32)
            v >>= 32
        words += [len(own), *own]
    return words


def _offset(key: Sequence[int]) -> int:
    from seabed.geostats.white_noise import key_offset

    return key_offset(_key_words(key))


def key_stream_offsets(keys: Sequence[Sequence[int]]) -> np.ndarray:
    """The noise stream offset of each key (uint64), for :func:`seabed.geostats.white_noise.fill_keys`."""
    return np.array([_offset(k) for k in keys], dtype=np.uint64)


def _check_lattice(*values: int) -> None:
    if values and (min(values) < -_OFFSET or max(values) >= _OFFSET):
        raise ValueError("random field: lattice index beyond the supported ±2**31 cells")


def _draw_blocks(key: Sequence[int], br: np.ndarray, bc: np.ndarray) -> np.ndarray:
    """Noise blocks ``(br[i], bc[i])`` of ``key`` (``NOISE_BLOCK`` cells a side), (n, B, B) float64."""
    from seabed.geostats.white_noise import fill_blocks

    br = np.asarray(br, dtype=np.int64).ravel()
    bc = np.asarray(bc, dtype=np.int64).ravel()
    out = np.empty((br.size, _B, _B))
    if br.size:
        _check_lattice(int(br.min()) * _B, int(bc.min()) * _B, int(br.max() + 1) * _B - 1, int(bc.max() + 1) * _B - 1)
        fill_blocks(_offset(key), br, bc, _B, out)
    return out


def _check_span(name: str, span: tuple[int, int]) -> tuple[int, int]:
    a, b = (int(v) for v in span)
    if b < a:
        raise ValueError(f"{name}: got ({a}, {b}); expected start <= stop")
    return a, b


def _noise_region(key: Sequence[int], rows: tuple[int, int], cols: tuple[int, int],
                  out: np.ndarray | None = None) -> np.ndarray:
    """The noise of ``[r0, r1) × [c0, c1)``, written into ``out`` (a 2-D float64 or float32 view)
    if given (float32: the float64 values rounded)."""
    from seabed.geostats.white_noise import fill_noise

    r0, r1 = rows
    c0, c1 = cols
    if out is None:
        out = np.empty((r1 - r0, c1 - c0))
    if r1 > r0 and c1 > c0:
        _check_lattice(r0, c0, r1 - 1, c1 - 1)
        fill_noise(_offset(key), r0, c0, out)
    return out


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
        Independent standard normals; the value at ``(r, c)`` depends only on ``(key, r, c)``
        (:mod:`seabed.geostats.white_noise`), so overlapping windows agree bitwise.
    """
    return np.ascontiguousarray(
        _noise_region(key, _check_span("rows", rows), _check_span("cols", cols))
    )


# ---------------------------------------------------------------------------- fields
def window_workspace_bytes(kernel: ConvolutionKernel, n_cols: int) -> int:
    """Working memory of :func:`field_window` beyond its output, bytes (an upper bound).

    A window's noise is convolved a batch of fields at a time, holding at most 8 M noise
    values (or one field's padded window if larger, here for a window one row high and
    ``n_cols`` wide); each held value costs about 28 B (the noise, the forward transform's
    intermediate and result, the inverse's first pass; its second pass is done on the kept rows
    only). The bound does not
    depend on the number of fields or, below 8 M values per field, on the window.

    Examples
    --------
    >>> from seabed.geostats.variogram import Structure, VariogramModel
    >>> k = ConvolutionKernel.from_model(VariogramModel(0.0, (Structure("spherical", 1.0, 60e3),)), 1000.0)
    >>> window_workspace_bytes(k, 742) / 2**20  # MiB
    213.62304687...
    """
    h = kernel.halo
    return 28 * max(_NOISE_BUDGET, (1 + 2 * h) * (int(n_cols) + 2 * h))


def _key_batch(n_keys: int, values_per_key: int) -> int:
    return max(1, min(n_keys, _NOISE_BUDGET // max(values_per_key, 1)))


def field_window(
    kernel: ConvolutionKernel,
    keys: Sequence[Sequence[int]],
    rows: tuple[int, int],
    cols: tuple[int, int],
    *,
    workers: int = 1,
    dtype: type = np.float64,
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
    dtype : {numpy.float64, numpy.float32}, default float64
        Precision of the noise, the FFTs and the result. float32 halves the memory and takes
        ~40 % of the float64 time (single-precision FFTs); the noise values are the same numbers
        rounded to float32, and fields of different windows then agree to ~1e-6 instead of 1e-12.

    Returns
    -------
    ndarray, shape (len(keys), r1 - r0, c1 - c0), ``dtype``

    Notes
    -----
    The noise on the window grown by ``halo`` cells is convolved with the kernel by FFT
    (``scipy.fft.rfft2``; the kernel's transform is computed once per call) and the 'valid'
    part kept. The result does not depend on the window: any tiling of a region gives the
    same field to rounding (≤ 1e-12 in float64).
    """
    r0, r1 = _check_span("rows", rows)
    c0, c1 = _check_span("cols", cols)
    keys = list(keys)
    h = kernel.halo
    nr, nc = r1 - r0, c1 - c0
    dtype = np.dtype(dtype)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"field_window: got dtype {dtype}; expected float64 or float32")
    out = np.empty((len(keys), nr, nc), dtype=dtype)
    if out.size == 0:
        return out
    if h == 0:
        for i, key in enumerate(keys):
            out[i] = kernel.weights[0, 0] * _noise_region(key, (r0, r1), (c0, c1))
        return out
    pr, pc = nr + 2 * h, nc + 2 * h
    shape = (sfft.next_fast_len(pr, real=True), sfft.next_fast_len(pc, real=True))
    kft = sfft.rfft2(kernel.weights.astype(dtype), s=shape, workers=workers)
    batch = _key_batch(len(keys), shape[0] * shape[1])
    noise = np.zeros((batch, *shape), dtype=dtype)
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        for j, key in enumerate(chunk):
            _noise_region(key, (r0 - h, r1 + h), (c0 - h, c1 + h), out=noise[j, :pr, :pc])
        spec = sfft.rfft2(noise[: len(chunk)], workers=workers)
        spec *= kft
        # the inverse of irfft2 in its two passes, the second only on the rows kept
        rows_kept = sfft.ifft(spec, axis=-2, overwrite_x=True, workers=workers)[:, 2 * h : 2 * h + nr]
        conv = sfft.irfft(rows_kept, n=shape[1], axis=-1, workers=workers)
        out[start : start + len(chunk)] = conv[:, :, 2 * h : 2 * h + nc]
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
    batch. The cost is dominated by drawing the blocks (~40 µs each per key: 4,096 values): scattered
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
