"""Compiled (numba) keyed white noise on the integer lattice: the noise of the random fields.

Imported lazily by :mod:`seabed.geostats.random_field` (``import seabed`` never loads numba);
compiled on first use with ``cache=True`` (the machine code is stored beside this file, or in
``NUMBA_CACHE_DIR``).

Definition
----------
A key (integers ≥ 0) is hashed to a 64-bit stream offset ``s`` (:func:`key_offset`). Cell
``(r, c)`` has the counter ``n = ((r + 2**31) << 32) | (c + 2**31)`` and the 64-bit word
``u = mix(s + n γ)``: the ``n``-th output of the SplitMix64 stream started at ``s`` (Steele, Lea &
Flood 2014; ``γ`` the golden-ratio increment, ``mix`` its finaliser). Its standard normal is drawn
by the ziggurat method (Marsaglia & Tsang 2000, 256 layers) from ``u``: the low 8 bits pick the
layer, bit 8 the sign, the top 52 bits the abscissa, accepted in ~98.8 % of cells. A rejected
cell draws again from its own stream, ``mix(u + j γ)`` for ``j = 1, 2, …`` (the tail beyond
``R = 3.654`` by Marsaglia's 1964 method). Each value is a pure function of ``(key, r, c)``:
any window of the lattice gives the same value at a cell, bitwise, on any machine with IEEE
arithmetic (the transcendental functions of the rare rejections are libm's). One SplitMix64
output per accepted cell, computed for a whole row in a vectorised loop: ~2.5 ns a value.

References
----------
Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number generators.
*OOPSLA '14*, 453–472 (SplitMix64).
Marsaglia, G. & Tsang, W. W. (2000). The ziggurat method for generating random variables.
*Journal of Statistical Software* 5(8). Marsaglia, G. (1964). Generating a variable from the
tail of the normal distribution. *Technometrics* 6(1), 101–102.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["fill_keys", "fill_noise", "key_offset"]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_OFFSET = 2**31
_TWO_PI = 2.0 * math.pi
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, nogil=True)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def _key_offset(words):
    s = np.uint64(0x243F6A8885A308D3)
    for w in words:
        s = _mix(s ^ np.uint64(w)) + _GAMMA
    return s


def key_offset(words: list[int]) -> int:
    """Stream offset of a key given as its uint32 words (order and length both matter)."""
    return int(_key_offset(np.asarray([*words, len(words)], dtype=np.uint64)))


def _ziggurat_tables(n: int = 256, r: float = 3.6541528853610088, v: float = 4.92867323399e-3):
    """Marsaglia & Tsang (2000) ziggurat tables of the standard normal, ``n`` layers, 52-bit
    integers: ``k`` (acceptance bounds), ``w`` (widths per integer unit), ``f`` (density)."""
    m1 = 2.0**52
    k = np.zeros(n, dtype=np.uint64)
    w = np.zeros(n)
    f = np.zeros(n)
    dn = tn = r
    q = v / math.exp(-0.5 * dn * dn)
    k[0] = np.uint64((dn / q) * m1)
    w[0], w[n - 1] = q / m1, dn / m1
    f[0], f[n - 1] = 1.0, math.exp(-0.5 * dn * dn)
    for i in range(n - 2, 0, -1):
        dn = math.sqrt(-2.0 * math.log(v / dn + math.exp(-0.5 * dn * dn)))
        k[i + 1] = np.uint64((dn / tn) * m1)
        tn = dn
        f[i] = math.exp(-0.5 * dn * dn)
        w[i] = dn / m1
    return k, w, f


_K, _W, _F = _ziggurat_tables()
_R = 3.6541528853610088
_MASK52 = np.uint64((1 << 52) - 1)


@njit(cache=True, nogil=True)
def _uniform(z):
    """(0, 1] from the top 53 bits."""
    return (np.float64(z >> np.uint64(11)) + 1.0) * _INV53


@njit(cache=True, nogil=True)
def _normal(cell, kt, wt, ft):
    """Standard normal of the cell whose SplitMix64 word is ``cell`` (ziggurat): the first try
    uses ``cell`` itself, retries the cell's own stream ``mix(cell + j γ)``, ``j = 1, 2, …``."""
    u = cell
    j = np.uint64(1)
    while True:
        idx = u & np.uint64(0xFF)
        neg = (u >> np.uint64(8)) & np.uint64(1)
        m = (u >> np.uint64(12)) & _MASK52
        x = np.float64(m) * wt[idx]
        if m < kt[idx]:
            return -x if neg else x
        if idx == 0:  # the tail beyond R (Marsaglia 1964)
            while True:
                a = -math.log(_uniform(_mix(cell + j * _GAMMA))) / _R
                b = -math.log(_uniform(_mix(cell + (j + np.uint64(1)) * _GAMMA)))
                j += np.uint64(2)
                if b + b > a * a:
                    return -(_R + a) if neg else _R + a
        fu = _uniform(_mix(cell + j * _GAMMA))
        j += np.uint64(1)
        if ft[idx] + fu * (ft[idx - 1] - ft[idx]) < math.exp(-0.5 * x * x):
            return -x if neg else x
        u = _mix(cell + j * _GAMMA)
        j += np.uint64(1)


@njit(cache=True, nogil=True)
def _fill(s, r0, c0, out, kt, wt, ft):
    # Row by row in three passes: the SplitMix64 words (a branch-free loop the compiler
    # vectorises), the ziggurat's fast path for every cell, then the ~1.2 % of cells it rejects
    # redrawn by _normal. The same values as _normal cell by cell, 3x faster.
    nr, nc = out.shape
    words = np.empty(nc, dtype=np.uint64)
    for i in range(nr):
        hi = np.uint64(r0 + i + _OFFSET) << np.uint64(32)
        for jj in range(nc):
            words[jj] = _mix(s + (hi | np.uint64(c0 + jj + _OFFSET)) * _GAMMA)
        for jj in range(nc):
            u = words[jj]
            x = np.float64((u >> np.uint64(12)) & _MASK52) * wt[u & np.uint64(0xFF)]
            out[i, jj] = -x if (u >> np.uint64(8)) & np.uint64(1) else x
        for jj in range(nc):
            u = words[jj]
            if (u >> np.uint64(12)) & _MASK52 >= kt[u & np.uint64(0xFF)]:
                out[i, jj] = _normal(u, kt, wt, ft)


@njit(cache=True, nogil=True)
def _fill_blocks(s, br, bc, size, out, kt, wt, ft):
    for k in range(br.size):
        _fill(s, br[k] * size, bc[k] * size, out[k], kt, wt, ft)


@njit(cache=True, nogil=True)
def _fill_keys(offsets, r0, c0, out, kt, wt, ft):
    for k in range(offsets.size):
        _fill(offsets[k], r0, c0, out[k], kt, wt, ft)


def fill_keys(offsets: np.ndarray, r0: int, c0: int, out: np.ndarray) -> None:
    """Write the noise of lattice cells ``[r0, r0 + rows) × [c0, c0 + cols)`` of every key into
    ``out[k]`` (a 3-D float64 or float32 array, one slab per key), ``offsets[k]`` each key's stream
    offset: :func:`fill_noise` for many keys in one compiled call."""
    _fill_keys(np.asarray(offsets, dtype=np.uint64), np.int64(r0), np.int64(c0), out, _K, _W, _F)


def fill_noise(offset: int, r0: int, c0: int, out: np.ndarray) -> None:
    """Write the noise of lattice cells ``[r0, r0 + rows) × [c0, c0 + cols)`` into ``out``
    (C-contiguous or a 2-D view, float64) for the key whose stream offset is ``offset``."""
    _fill(np.uint64(offset), np.int64(r0), np.int64(c0), out, _K, _W, _F)


def fill_blocks(offset: int, br: np.ndarray, bc: np.ndarray, size: int, out: np.ndarray) -> None:
    """Write the noise of the ``size × size`` blocks ``(br[k], bc[k])`` into ``out[k]``."""
    _fill_blocks(np.uint64(offset), br.astype(np.int64), bc.astype(np.int64), np.int64(size), out, _K, _W, _F)
