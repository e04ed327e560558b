"""The convolution square root of a variogram on the cell lattice (the kernel of a random field).

A stationary Gaussian field with covariance :math:`C` on the cell lattice is the moving average
of white noise with a kernel :math:`k` such that :math:`k \\circledast k = C` (Oliver 1995;
:mod:`seabed.geostats.random_field`). The kernel is computed once per model
(:meth:`ConvolutionKernel.from_model`): :math:`C/S` (unit sill) is sampled on an ``M × M``
torus of cells, :math:`\\lambda = \\mathrm{FFT}_2(c)` is real (``C`` is even), negative
eigenvalues are clipped, :math:`k = \\mathrm{IFFT}_2(\\sqrt{\\lambda})` is real and centrally
symmetric; it is then truncated to the smallest square window of half-width ``halo`` holding
at least ``1 - tolerance`` of :math:`\\sum k^2` and renormalised to :math:`\\sum k^2 = 1`, so
every field has unit variance exactly. The covariance it implies is
:meth:`ConvolutionKernel.covariance`.

References
----------
Oliver, D. S. (1995). Moving averages for Gaussian simulation in two and three dimensions.
*Mathematical Geology* 27(5), 939-960.

Examples
--------
>>> from seabed.geostats.variogram import Structure, VariogramModel
>>> model = VariogramModel(0.0, (Structure("spherical", 1.0, 5_000.0),))
>>> kernel = ConvolutionKernel.from_model(model, 1_000.0)
>>> round(float((kernel.weights ** 2).sum()), 12)
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from seabed.errors import ConfigError
from seabed.geostats.variogram import VariogramModel

__all__ = ["ConvolutionKernel"]

# Torus size, in practical ranges of a structure (C must have decayed at half the torus).
_TORUS_RANGES = {"spherical": 4.0, "gaussian": 4.0, "exponential": 8.0}
_MIN_TORUS = 33
# Above this many cells per longest range the halo is first estimated on coarser cells.
_COARSE_RATIO = 128.0


@dataclass(frozen=True)
class ConvolutionKernel:
    """Truncated convolution square root of a unit-sill covariance on the cell lattice.

    Attributes
    ----------
    weights : ndarray, shape (2 * halo + 1, 2 * halo + 1), float64
        Kernel, centred; row offset ``di`` (north → south) first, column offset ``dj``
        (west → east) second. Centrally symmetric and ``sum(weights**2) == 1`` (unit variance).
    halo : int
        Half-width of the kernel, cells.
    cell_size : float
        Cell edge, m.
    captured_variance : float
        Fraction of :math:`\\sum k^2` of the untruncated kernel (the unit variance) inside the
        window, before renormalisation (≥ ``1 - tolerance``).
    """

    weights: np.ndarray
    halo: int
    cell_size: float
    captured_variance: float

    @classmethod
    def from_model(
        cls,
        model: VariogramModel,
        cell_size: float,
        *,
        tolerance: float = 1e-3,
        max_halo: int = 1024,
    ) -> ConvolutionKernel:
        """Kernel of ``model`` (rescaled to unit sill) at cells of ``cell_size`` m.

        Parameters
        ----------
        model : VariogramModel
            Covariance model; nugget, nested and anisotropic structures allowed.
        cell_size : float
            Cell edge, m (> 0).
        tolerance : float, default 1e-3
            Largest fraction of the unit variance left outside the truncated kernel.
        max_halo : int, default 1024
            Largest allowed halo, cells.

        Returns
        -------
        ConvolutionKernel

        Raises
        ------
        ConfigError
            When the halo needed exceeds ``max_halo`` (a range too long for the cells).

        Notes
        -----
        On an odd ``M × M`` torus (``M`` ≥ 4 practical ranges, 8 for exponential structures)
        ``c[i, j] = C(j' d, −i' d) / S`` with signed wrapped offsets ``i', j'``;
        ``k = fftshift(IFFT₂(√max(FFT₂(c), 0)))``. The halo ``h`` is the smallest with
        :math:`\\sum_{\\max(|di|,|dj|) \\le h} k^2 \\ge (1 - \\mathrm{tol}) \\sum k^2`;
        the window is symmetrised and renormalised to :math:`\\sum k^2 = 1`. A pure nugget
        gives the 1 × 1 kernel ``[[1.0]]``.

        ``tolerance`` bounds the variance lost, not the covariance error: the truncated kernel
        misses the products of its peak with the tails, so the implied covariance falls short
        just beyond the halo. Measured at 36 cells per practical range ``a`` (largest error
        at lags within ``3a``; halo in ranges):

        ===========  =================  =================  =================
        tolerance    exponential        spherical          gaussian
        ===========  =================  =================  =================
        1e-3         1.9e-2, 0.92 a     7.3e-3, 0.94 a     1.5e-2, 0.72 a
        1e-4         5.8e-3, 1.25 a     3.2e-3, 1.19 a     4.5e-3, 0.83 a
        1e-5         1.7e-3, 1.61 a     1.1e-3, 1.81 a     1.2e-3, 0.94 a
        1e-6         5.5e-4, 1.94 a     3.2e-4, 2.25 a     4.2e-4, 1.03 a
        ===========  =================  =================  =================
        """
        if not (np.isfinite(cell_size) and cell_size > 0):
            raise ConfigError(f"simulation cell size: got {cell_size!r} m; expected > 0 m")
        if not (0.0 < tolerance < 1.0):
            raise ConfigError(f"simulation kernel tolerance: got {tolerance!r}; expected in (0, 1)")
        if int(max_halo) != max_halo or max_halo < 0:
            raise ConfigError(f"simulation max_halo: got {max_halo!r}; expected an integer >= 0")
        unit = model.scaled(1.0 / model.sill)
        active = [s for s in unit.structures if s.sill > 0]
        if not active:  # pure nugget: the field is the noise itself
            return cls(np.ones((1, 1)), 0, float(cell_size), 1.0)
        longest = max(max(s.range, s.range_minor or 0.0) for s in active)
        ratio = longest / cell_size
        if ratio > _COARSE_RATIO:
            # The kernel's shape scales with range / cell: estimate the halo cheaply first.
            coarse = longest / (_COARSE_RATIO / 2)
            k = _torus_kernel(unit, coarse, _torus_size(active, coarse))
            h_est = int(np.ceil(_halo_of(k, tolerance)[0] * coarse / cell_size))
            if h_est > 1.25 * max_halo + 2:
                raise ConfigError(_halo_message(longest, cell_size, h_est, max_halo, approx=True))
        m = _torus_size(active, cell_size)
        for _ in range(4):
            k = _torus_kernel(unit, cell_size, m)
            h, captured = _halo_of(k, tolerance)
            if h > max_halo:
                raise ConfigError(_halo_message(longest, cell_size, h, max_halo, approx=False))
            if 4 * h + 1 <= m:  # window well inside the torus: wrap-around negligible
                break
            m = _odd_fast_len(4 * h + 1)
        c = m // 2
        w = k[c - h : c + h + 1, c - h : c + h + 1]
        w = 0.5 * (w + w[::-1, ::-1])
        w = w / np.sqrt(np.sum(w * w))
        return cls(np.ascontiguousarray(w), int(h), float(cell_size), float(captured))

    def covariance(self, max_lag: int) -> np.ndarray:
        """Covariance implied by the kernel, :math:`k \\circledast k`, on lattice lags.

        Parameters
        ----------
        max_lag : int
            Largest lag, cells (≥ 0).

        Returns
        -------
        ndarray, shape (2 * max_lag + 1, 2 * max_lag + 1), float64
            ``out[max_lag + di, max_lag + dj]`` is the covariance (unit sill) at the lag
            ``dx = dj · cell``, ``dy = −di · cell``; zero beyond ``2 · halo``.
        """
        max_lag = int(max_lag)
        if max_lag < 0:
            raise ValueError(f"max_lag: got {max_lag}; expected >= 0")
        w = self.weights
        h = self.halo
        if h > 0:  # full autocorrelation of the kernel, (4h + 1)² (scipy.signal costs ~1 s to import)
            shape = (sfft.next_fast_len(4 * h + 1, real=True),) * 2
            spec = sfft.rfft2(w, s=shape) * sfft.rfft2(w[::-1, ::-1], s=shape)
            full = sfft.irfft2(spec, s=shape)[: 4 * h + 1, : 4 * h + 1]
        else:
            full = w * w
        out = np.zeros((2 * max_lag + 1, 2 * max_lag + 1))
        n = min(max_lag, 2 * h)
        out[max_lag - n : max_lag + n + 1, max_lag - n : max_lag + n + 1] = full[
            2 * h - n : 2 * h + n + 1, 2 * h - n : 2 * h + n + 1
        ]
        return out


def _odd_fast_len(n: int) -> int:
    """Smallest odd integer ≥ ``n`` with prime factors in {3, 5, 7, 11} (fast FFT length)."""
    n = max(int(n), 1) | 1
    while True:
        r = n
        for p in (3, 5, 7, 11):
            while r % p == 0:
                r //= p
        if r == 1:
            return n
        n += 2


def _torus_size(structures: Sequence, cell_size: float) -> int:
    """Odd torus length, cells, on which every structure has decayed."""
    need = max(
        _TORUS_RANGES[s.kind] * max(s.range, s.range_minor or 0.0) / cell_size for s in structures
    )
    return _odd_fast_len(max(int(np.ceil(need)) + 1, _MIN_TORUS))


def _torus_kernel(unit: VariogramModel, cell_size: float, m: int) -> np.ndarray:
    """Convolution square root of ``unit``'s covariance on an ``m × m`` torus, centred."""
    i = np.arange(m)
    d = np.where(i <= m // 2, i, i - m)
    c = unit.covariance((d * cell_size)[None, :], (-d * cell_size)[:, None])
    lam = sfft.rfft2(c).real
    k = sfft.irfft2(np.sqrt(np.clip(lam, 0.0, None)), s=(m, m))
    return sfft.fftshift(k)


def _halo_of(k: np.ndarray, tolerance: float) -> tuple[int, float]:
    """Smallest half-width holding ``1 - tolerance`` of ``sum(k**2)``, and the fraction held."""
    m = k.shape[0]
    d = np.abs(np.arange(m) - m // 2)
    ring = np.maximum(d[:, None], d[None, :])
    energy = np.bincount(ring.ravel(), weights=(k * k).ravel())
    cum = np.cumsum(energy)
    total = cum[-1]
    h = int(np.searchsorted(cum, (1.0 - tolerance) * total))
    h = min(h, cum.size - 1)
    return h, float(cum[h] / total)


def _halo_message(longest: float, cell_size: float, h: int, max_halo: int, *, approx: bool) -> str:
    limit = float(f"{longest * max_halo / h:.3g}")
    return (
        f"variogram: a practical range of {longest:.0f} m at {cell_size:g} m cells needs a "
        f"simulation halo of {'~' if approx else ''}{h} cells (max {max_halo}); expected a range "
        f"below ~{limit:.0f} m; fix: cap the fitted range (variogram_fit.max_range) or use "
        "larger cells"
    )
