"""Geometric anisotropy: directional variograms, the variogram map, and the fit of its ellipse.

Directional experimental variograms (Isaaks & Srivastava 1989, ch. 7) are computed in
azimuth sectors (pairs whose direction lies within ``tolerance`` degrees of the sector's
azimuth); the variogram map bins every pair by its separation vector ``(dx, dy)``.
:func:`fit_anisotropy` fits one geometric-anisotropy model to all the directional
variograms at once — nugget, sill, major range, anisotropy ratio and azimuth — by weighted
least squares with several starting azimuths; :func:`isotropic_coordinates` then maps the
samples to the space where that ellipse is a circle (the major range kept), where the
nested model of the configuration is fitted as if isotropic.

Conventions (``docs/conventions.md``): azimuths in degrees clockwise from north, in
``[0, 180)`` for an axis; ``ratio = range / range_minor >= 1``.

Examples
--------
>>> import numpy as np
>>> isotropic_coordinates(np.array([[1.0, 0.0]]), azimuth=90.0, ratio=3.0).round(6).tolist()
[[1.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares

from seabed.errors import ConfigError, InputDataError
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.variogram import (
    ExperimentalVariogram,
    Structure,
    VariogramModel,
    _unit_gamma,
    pooled_experimental_variogram,
)

__all__ = [
    "Anisotropy",
    "VariogramMap",
    "align_search",
    "directional_variograms",
    "fit_anisotropy",
    "isotropic_coordinates",
    "variogram_map",
    "with_anisotropy",
]


@dataclass(frozen=True)
class Anisotropy:
    """A geometric anisotropy: major axis ``azimuth`` (degrees clockwise from north) and
    ``ratio`` = major / minor range (>= 1); ``fitted`` says whether it was fitted or declared."""

    azimuth: float
    ratio: float
    fitted: bool = False

    def __post_init__(self) -> None:
        if not (np.isfinite(self.ratio) and self.ratio >= 1.0):
            raise ConfigError(
                f"variogram anisotropy ratio: got {self.ratio!r}; expected a number >= 1 (major / minor "
                "range); fix: give ratio >= 1 and turn the azimuth by 90 degrees if the axes are swapped"
            )
        if not np.isfinite(self.azimuth):
            raise ConfigError(f"variogram anisotropy azimuth: got {self.azimuth!r}; expected degrees")
        object.__setattr__(self, "azimuth", float(self.azimuth) % 180.0)


def isotropic_coordinates(coords: np.ndarray, *, azimuth: float, ratio: float) -> np.ndarray:
    """Rotate and stretch ``coords`` (m) so that the anisotropy ellipse becomes a circle.

    Returns ``(along major, ratio × along minor)``, m: distances there are the anisotropic
    distances in units of the major axis.
    """
    coords = np.asarray(coords, dtype=float)
    theta = np.deg2rad(azimuth)
    s, c = np.sin(theta), np.cos(theta)
    major = coords[:, 0] * s + coords[:, 1] * c
    minor = coords[:, 0] * c - coords[:, 1] * s
    return np.column_stack([major, minor * ratio])


def directional_variograms(
    coords: np.ndarray,
    values2d: np.ndarray,
    *,
    lag_edges: Sequence[float],
    azimuths: Sequence[float] = (0.0, 45.0, 90.0, 135.0),
    tolerance: float = 22.5,
    standardise: bool = True,
) -> list[ExperimentalVariogram]:
    """Pooled experimental variograms in azimuth sectors.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    values2d : ndarray, shape (n, p)
        Values (NaN where missing), pooled as in
        :func:`~seabed.geostats.variogram.pooled_experimental_variogram`.
    lag_edges : sequence of float
        Lag class edges, m.
    azimuths : sequence of float, default (0, 45, 90, 135)
        Sector directions, degrees clockwise from north.
    tolerance : float, default 22.5
        Angular half-width of each sector, degrees (22.5 with four directions: every pair in
        one sector).
    standardise : bool, default True
        Standardise each column first.

    Returns
    -------
    list of ExperimentalVariogram
        One per azimuth (``azimuth`` set).
    """
    return [
        pooled_experimental_variogram(coords, values2d, lag_edges=lag_edges, azimuth=float(a),
                                      tolerance=tolerance, standardise=standardise)
        for a in azimuths
    ]


@dataclass(frozen=True)
class VariogramMap:
    """Semivariance binned by separation vector.

    Attributes
    ----------
    edges : ndarray, shape (2 n + 1,)
        Cell edges of ``dx`` and ``dy`` (the same), m, symmetric about 0.
    gamma : ndarray, shape (2 n, 2 n)
        Semivariance, rows ``dy`` ascending, columns ``dx`` ascending (NaN where empty).
    n_pairs : ndarray of int, shape (2 n, 2 n)
        Pairs per cell (each unordered pair counted in both ``+h`` and ``−h``).
    """

    edges: np.ndarray
    gamma: np.ndarray
    n_pairs: np.ndarray


def variogram_map(
    coords: np.ndarray, values2d: np.ndarray, *, lag: float, n_lags: int, standardise: bool = True
) -> VariogramMap:
    """The variogram map: semivariance of the pairs in ``lag × lag`` cells of ``(dx, dy)``.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    values2d : ndarray, shape (n, p)
        Values; NaN where missing.
    lag : float
        Cell size, m.
    n_lags : int
        Cells on each side of the origin.
    standardise : bool, default True
        Standardise each column first (as the pooled variogram does).

    Returns
    -------
    VariogramMap

    References
    ----------
    Isaaks, E. H. & Srivastava, R. M. (1989). *An Introduction to Applied Geostatistics*.
    Oxford University Press, ch. 7.
    """
    coords = np.asarray(coords, dtype=float)
    z = np.array(values2d, dtype=float, copy=True)
    if not (lag > 0 and n_lags >= 1):
        raise ConfigError(f"variogram map: got lag {lag} m and {n_lags} lags; expected lag > 0 m and >= 1 lag")
    if standardise:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nanmean(z, axis=0)
            std = np.nanstd(z, axis=0)
        z = np.where(std > 0, (z - mean) / np.where(std > 0, std, 1.0), np.nan)
    edges = (np.arange(2 * n_lags + 1) - n_lags) * float(lag)
    i, j = np.triu_indices(coords.shape[0], k=1)
    d = coords[j] - coords[i]
    bx = np.floor(d[:, 0] / lag).astype(np.int64) + n_lags
    by = np.floor(d[:, 1] / lag).astype(np.int64) + n_lags
    size = 2 * n_lags
    sums = np.zeros(size * size)
    counts = np.zeros(size * size)
    for sign_bx, sign_by in ((bx, by), (size - 1 - bx, size - 1 - by)):  # +h and −h
        keep = (sign_bx >= 0) & (sign_bx < size) & (sign_by >= 0) & (sign_by < size)
        cell = sign_by[keep] * size + sign_bx[keep]
        diff = z[i[keep]] - z[j[keep]]
        ok = np.isfinite(diff)
        sums += np.bincount(cell, weights=np.where(ok, diff * diff, 0.0).sum(axis=1), minlength=size * size)
        counts += np.bincount(cell, weights=ok.sum(axis=1).astype(float), minlength=size * size)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.where(counts > 0, 0.5 * sums / counts, np.nan)
    return VariogramMap(edges, gamma.reshape(size, size), counts.reshape(size, size).astype(int))


def fit_anisotropy(
    coords: np.ndarray,
    values2d: np.ndarray,
    *,
    lag_edges: Sequence[float],
    kind: str = "spherical",
    n_directions: int = 12,
    standardise: bool = True,
    max_ratio: float = 10.0,
) -> Anisotropy:
    """Fit the azimuth and ratio of a geometric anisotropy to directional variograms.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    values2d : ndarray, shape (n, p)
        Values; NaN where missing (pooled, standardised).
    lag_edges : sequence of float
        Lag class edges, m.
    kind : str, default "spherical"
        Structure used for the fit (the first of the configured nested structures).
    n_directions : int, default 12
        Sectors of ``180 / n_directions`` degrees (half-width tolerance ``90 / n_directions``),
        so every pair falls in exactly one sector.
    standardise : bool, default True
        Standardise each column first.
    max_ratio : float, default 10
        Largest ratio considered.

    Returns
    -------
    Anisotropy
        ``fitted=True``.

    Notes
    -----
    One model :math:`\\gamma(h, \\theta) = c_0 + c\\,g\\big(h\\sqrt{\\cos^2(\\theta-\\alpha)/a^2 +
    \\rho^2\\sin^2(\\theta-\\alpha)/a^2}\\big)` is fitted to every (sector, lag) point at once
    (weights :math:`\\sqrt{N/h}`, as :func:`~seabed.geostats.variogram.fit_variogram`), from
    starting azimuths 0, 45, 90 and 135°; the best fit gives :math:`\\alpha` and :math:`\\rho`.
    Fitting the ellipse through all directions at once is steadier than reading the range
    off each directional variogram (Isaaks & Srivastava 1989, ch. 16; Deutsch & Journel 1998,
    §II.3).
    """
    edges = np.asarray(lag_edges, dtype=float)
    azimuths = np.arange(n_directions) * 180.0 / n_directions
    parts = directional_variograms(coords, values2d, lag_edges=edges, azimuths=azimuths,
                                   tolerance=90.0 / n_directions, standardise=standardise)
    h, theta, g, w = [], [], [], []
    for az, ev in zip(azimuths, parts, strict=True):
        ok = (ev.n_pairs > 0) & np.isfinite(ev.gamma) & (ev.lag > 0)
        h.append(ev.lag[ok])
        theta.append(np.full(ok.sum(), az))
        g.append(ev.gamma[ok])
        w.append(np.sqrt(ev.n_pairs[ok] / ev.lag[ok]))
    h, theta, g, w = (np.concatenate(a) for a in (h, theta, g, w))
    if h.size < 6:
        raise InputDataError(
            f"variogram anisotropy fit: got {h.size} non-empty (direction, lag) classes; expected at least 6; "
            "fix: declare the anisotropy ({azimuth = ..., ratio = ...}) or set anisotropy = \"none\""
        )
    gmax = float(np.max(g))
    if not gmax > 0:
        raise InputDataError("variogram anisotropy fit: got a semivariance of 0 in every direction (constant "
                             "values); expected values that vary; fix: set anisotropy = \"none\"")
    hmax = float(h.max())

    def model(p: np.ndarray) -> np.ndarray:
        nug, sill, a, ratio, az = p
        t = np.deg2rad(theta - az)
        r = h * np.hypot(np.cos(t), ratio * np.sin(t)) / a
        return nug + sill * _unit_gamma(kind, r)

    def residuals(p: np.ndarray) -> np.ndarray:
        return w * (model(p) - g)

    lo = [0.0, 0.0, 0.05 * float(h.min()), 1.0, -360.0]
    hi = [2 * gmax, 2 * gmax, 4.0 * hmax, float(max_ratio), 360.0]
    best = None
    for az0 in (0.0, 45.0, 90.0, 135.0):
        x0 = [0.3 * float(g[0]), 0.7 * gmax, 0.5 * hmax, 2.0, az0]
        sol = least_squares(residuals, np.clip(x0, np.add(lo, 1e-9), np.subtract(hi, 1e-9)), bounds=(lo, hi),
                            method="trf", x_scale="jac")
        if best is None or sol.cost < best.cost:
            best = sol
    return Anisotropy(float(best.x[4]) % 180.0, float(best.x[3]), fitted=True)


def with_anisotropy(model: VariogramModel, anisotropy: Anisotropy | None) -> VariogramModel:
    """``model`` (fitted in :func:`isotropic_coordinates`) with each range the major range and
    ``range / ratio`` the minor range at ``anisotropy.azimuth``; unchanged for ``None``."""
    if anisotropy is None:
        return model
    return VariogramModel(model.nugget, tuple(
        Structure(s.kind, s.sill, s.range, s.range / anisotropy.ratio, anisotropy.azimuth) for s in model.structures
    ))


def align_search(neighbourhood: Neighbourhood, model: VariogramModel) -> Neighbourhood:
    """The search ellipse of ``neighbourhood`` oriented and shaped like ``model``'s anisotropy.

    With an anisotropic first structure and a circular search (no ``radius_minor``), the
    ellipse gets ``radius_minor = radius / ratio`` at the structure's azimuth, so that the
    neighbours are the nearest in the variogram's metric (Deutsch & Journel 1998, KT3D's
    search ellipsoid); otherwise ``neighbourhood`` is returned unchanged.
    """
    s = model.structures[0] if model.structures else None
    if s is None or s.range_minor is None or s.range_minor == s.range or neighbourhood.radius_minor is not None:
        return neighbourhood
    if not np.isfinite(neighbourhood.radius):
        return neighbourhood
    return replace(neighbourhood, radius_minor=neighbourhood.radius * s.range_minor / s.range, azimuth=s.azimuth)
