"""Compiled (numba) passes over the torus of a circulant embedding (:mod:`seabed.geostats.circulant`).

- :func:`pack_spectrum`: pairs of real noise slabs times the spectral amplitude, as complex slabs;
- :func:`gather_parts`: the real and imaginary parts of transformed slabs at given cells.

Each replaces two or three strided numpy passes by one. Imported lazily (``import seabed`` never
loads numba); compiled on first use with ``cache=True`` (:mod:`seabed.pipeline.jit_cache`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["gather_parts", "pack_spectrum"]


@njit(cache=True, nogil=True)
def _pack(noise, amp, spec):
    m, p, q = spec.shape
    for k in range(m):
        for i in range(p):
            for j in range(q):
                a = amp[i, j]
                spec[k, i, j] = complex(noise[2 * k, i, j] * a, noise[2 * k + 1, i, j] * a)


@njit(cache=True, nogil=True)
def _gather(y, at, first, n_fields, out):
    m = y.shape[0]
    for k in range(m):
        f = first + 2 * k
        for i in range(at.size):
            v = y[k, at[i]]
            out[f, i] = v.real
            if f + 1 < n_fields:
                out[f + 1, i] = v.imag


def pack_spectrum(noise: np.ndarray, amplitude: np.ndarray, spec: np.ndarray) -> None:
    """``spec[k] = amplitude × (noise[2k] + i noise[2k + 1])`` for every slab ``k`` of ``spec``.

    Parameters
    ----------
    noise : ndarray, shape (2m, p, q), float32 or float64
    amplitude : ndarray, shape (p, q), same dtype
    spec : ndarray, shape (m, p, q), complex64 or complex128 (written)
    """
    _pack(noise, amplitude, spec)


def gather_parts(y: np.ndarray, at: np.ndarray, first: int, out: np.ndarray) -> None:
    """``out[first + 2k] = Re y[k, at]`` and ``out[first + 2k + 1] = Im y[k, at]`` (rows of ``out``
    beyond its last are skipped).

    Parameters
    ----------
    y : ndarray, shape (m, cells), complex
        Transformed slabs, flattened.
    at : ndarray of int64
        Cells of ``y`` to take.
    first : int
        Row of ``out`` of the first slab's real part.
    out : ndarray, shape (fields, len(at)), float (written)
    """
    _gather(y, at, int(first), out.shape[0], out)
