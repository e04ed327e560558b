"""Gaussian random fields on one fixed window by circulant embedding (spectral simulation).

Method
------
The window's cells are embedded in a ``P × Q`` torus of cells, ``P ≥ rows + reach`` and
``Q ≥ cols + reach`` with ``reach`` the lag beyond which the covariance has vanished (the range
of a spherical structure, 2 practical ranges of a Gaussian, 3 of an exponential one, so the
covariance left there is below ~1e-3 of the sill). On the torus the covariance matrix is
block-circulant: its eigenvalues are :math:`\\lambda = \\mathrm{FFT}_2(c)` of the covariance
sampled at the signed wrapped lags, and with complex white noise :math:`W = W_1 + i W_2`

.. math:: Y = \\mathrm{FFT}_2\\big(\\sqrt{\\lambda / (PQ)}\\; W\\big)

has real and imaginary parts that are two *independent* fields with exactly the model's
covariance on the window (Dietrich & Newsam 1997; Wood & Chan 1994). One complex FFT of the
torus thus gives two fields, where a convolution needs the window plus two kernel halos and two
real FFTs per field (:mod:`seabed.geostats.random_field`).

If the embedding has negative eigenvalues (it is not always non-negative definite) the torus is
enlarged, up to three times; the remaining negative mass is clipped and the amplitude
renormalised to unit variance, and the fraction clipped is reported
(:attr:`CirculantEmbedding.clipped`).

Noise and reproducibility
-------------------------
Field ``2p`` and ``2p + 1`` of a list of keys are the real and imaginary parts of one torus; the
noise of each is :func:`seabed.geostats.random_field.lattice_noise` of its key on the torus's
cells, so a field is a pure function of its keys and the window — but, unlike the convolution
fields, it is defined for this window only: another window gives another (equally valid) field.
The simulation therefore uses it only when one task holds the whole grid
(:func:`seabed.geostats.plan_variants.with_spectral_fields`).

References
----------
Dietrich, C. R. & Newsam, G. N. (1997). Fast and exact simulation of stationary Gaussian processes
through circulant embedding of the covariance matrix. *SIAM J. Sci. Comput.* 18(4), 1088–1107.
Wood, A. T. A. & Chan, G. (1994). Simulation of stationary Gaussian processes in [0, 1]^d.
*J. Comput. Graph. Stat.* 3(4), 409–432.

Examples
--------
>>> from seabed.geostats.variogram import Structure, VariogramModel
>>> model = VariogramModel(0.1, (Structure("spherical", 0.9, 5_000.0),))
>>> emb = CirculantEmbedding.from_model(model, 1_000.0, rows=(0, 20), cols=(-3, 12))
>>> emb.torus, emb.clipped
((27, 21), 0.0)
>>> emb.fields([(1, 0), (1, 1), (1, 2)]).shape
(3, 20, 15)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from seabed.geostats.variogram import VariogramModel

__all__ = ["REACH_RANGES", "CirculantEmbedding"]

#: Lag, in practical ranges of a structure, beyond which its covariance is taken as zero.
REACH_RANGES = {"spherical": 1.0, "gaussian": 2.0, "exponential": 3.0}

# Negative eigenvalue mass (fraction of the total) accepted without enlarging the torus.
_NEGATIVE_TOLERANCE = 1e-6
# Complex torus values held per FFT batch (16 B each in float64).
_BATCH_VALUES = 4_000_000


def _fast_len(n: int) -> int:
    return int(sfft.next_fast_len(int(n)))


@dataclass(frozen=True, eq=False)
class CirculantEmbedding:
    """Spectral amplitudes of a unit-sill covariance embedded in a torus around one window.

    Attributes
    ----------
    rows, cols : (int, int)
        Half-open lattice rows and columns of the window (rows north → south, as the grid's).
    torus : (int, int)
        Torus shape, cells (≥ the window plus the covariance's reach).
    amplitude : ndarray, shape ``torus``, float64
        :math:`\\sqrt{\\max(\\lambda, 0) / (PQ)}`, renormalised to unit variance.
    cell_size : float
        Cell edge, m.
    clipped : float
        Fraction of the eigenvalue mass that was negative and clipped (0 when the embedding is
        non-negative definite; the covariance is then exact on the window).
    """

    rows: tuple[int, int]
    cols: tuple[int, int]
    torus: tuple[int, int]
    amplitude: np.ndarray
    cell_size: float
    clipped: float

    @property
    def shape(self) -> tuple[int, int]:
        """Window shape, cells."""
        return self.rows[1] - self.rows[0], self.cols[1] - self.cols[0]

    @classmethod
    def from_model(cls, model: VariogramModel, cell_size: float, *, rows: tuple[int, int],
                   cols: tuple[int, int]) -> CirculantEmbedding:
        """Embedding of ``model`` (rescaled to unit sill) around the window ``rows × cols``.

        Parameters
        ----------
        model : VariogramModel
            Covariance model; nugget, nested and anisotropic structures allowed.
        cell_size : float
            Cell edge, m.
        rows, cols : (int, int)
            Half-open lattice ranges of the window.

        Returns
        -------
        CirculantEmbedding
        """
        nr, nc = int(rows[1]) - int(rows[0]), int(cols[1]) - int(cols[0])
        if nr < 1 or nc < 1 or not (np.isfinite(cell_size) and cell_size > 0):
            raise ValueError(f"circulant embedding: got a {nr} x {nc} window of {cell_size} m cells; "
                             "expected at least one cell of a positive size")
        unit = model.scaled(1.0 / model.sill)
        active = [s for s in unit.structures if s.sill > 0]
        reach = max((REACH_RANGES[s.kind] * max(s.range, s.range_minor or 0.0) for s in active), default=0.0)
        reach = int(np.ceil(reach / cell_size)) + 1
        p, q = _fast_len(max(nr + reach, 2 * reach, 8)), _fast_len(max(nc + reach, 2 * reach, 8))
        for _ in range(4):
            lam = _eigenvalues(unit, cell_size, (p, q))
            negative = float(-lam[lam < 0].sum() / np.abs(lam).sum())
            if negative <= _NEGATIVE_TOLERANCE:
                break
            p, q = _fast_len(int(p * 1.5)), _fast_len(int(q * 1.5))
        lam = np.clip(lam, 0.0, None)
        amplitude = np.sqrt(lam / lam.sum())  # Σ amplitude² = 1: unit variance at every cell
        return cls((int(rows[0]), int(rows[1])), (int(cols[0]), int(cols[1])), (p, q), amplitude,
                   float(cell_size), negative if negative > _NEGATIVE_TOLERANCE else 0.0)

    def fields(self, keys: Sequence[Sequence[int]], *, dtype: type = np.float64,
               at: np.ndarray | None = None) -> np.ndarray:
        """Unit-variance fields on the window, one per key.

        Parameters
        ----------
        keys : sequence of sequence of int
            One key (integers ≥ 0) per field: the noise of field ``f`` is
            :func:`~seabed.geostats.random_field.lattice_noise` of ``keys[f]`` on the torus.
            Fields ``2p`` and ``2p + 1`` are the real and imaginary parts of one transform; an
            odd last field takes its imaginary noise from the key extended by ``1``.
        dtype : {numpy.float64, numpy.float32}, default float64
            Precision of the noise, the FFTs and the result.
        at : ndarray of int, optional
            Flat (row-major) indices of window cells: return the fields there only,
            (len(keys), len(at)), gathered straight from the transforms.

        Returns
        -------
        ndarray, shape (len(keys), rows, cols) or (len(keys), len(at)), ``dtype``
        """
        from seabed.geostats.random_field import key_stream_offsets
        from seabed.geostats.torus import gather_parts, pack_spectrum
        from seabed.geostats.white_noise import fill_keys

        dtype = np.dtype(dtype)
        if dtype not in (np.float64, np.float32):
            raise ValueError(f"circulant fields: got dtype {dtype}; expected float64 or float32")
        keys = [tuple(k) for k in keys]
        nr, nc = self.shape
        p, q = self.torus
        n_keys = len(keys)
        if at is None:
            out = np.empty((n_keys, nr, nc), dtype=dtype)
            flat = out.reshape(n_keys, -1)
            at = np.arange(nr * nc)
        else:
            at = np.asarray(at, dtype=np.int64)
            flat = out = np.empty((n_keys, at.size), dtype=dtype)
        if not keys:
            return out
        torus_at = (at // nc) * q + at % nc  # the window's cells in the torus (its top-left corner)
        if n_keys % 2:
            keys.append((*keys[-1], 1))
        offsets = key_stream_offsets(keys)  # real parts: even keys, imaginary parts: odd keys
        amp = self.amplitude.astype(dtype)
        complex_type = np.complex64 if dtype == np.float32 else np.complex128
        n_pairs = len(keys) // 2
        batch = max(1, min(n_pairs, _BATCH_VALUES // (p * q)))
        noise = np.empty((2 * batch, p, q), dtype=dtype)
        spec = np.empty((batch, p, q), dtype=complex_type)
        for start in range(0, n_pairs, batch):
            m = min(batch, n_pairs - start)
            fill_keys(offsets[2 * start : 2 * (start + m)], 0, 0, noise[: 2 * m])
            pack_spectrum(noise[: 2 * m], amp, spec[:m])
            y = sfft.fft2(spec[:m], overwrite_x=True).reshape(m, -1)
            gather_parts(y, torus_at, 2 * start, flat)
        return out


def _eigenvalues(unit: VariogramModel, cell_size: float, torus: tuple[int, int]) -> np.ndarray:
    """Eigenvalues of the covariance on the torus (``FFT₂`` of it at signed wrapped lags)."""
    p, q = torus
    i, j = np.arange(p), np.arange(q)
    di = np.where(i <= p // 2, i, i - p)
    dj = np.where(j <= q // 2, j, j - q)
    c = unit.covariance((dj * cell_size)[None, :], (-di * cell_size)[:, None])
    return sfft.fft2(c).real
