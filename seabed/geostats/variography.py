"""Variography of the composites: the sample table and the pooled standardised variogram.

:func:`fit_pooled_variogram` fits one standardised variogram shared by all elements and layers
(intrinsic correlation); with a drift, to the residuals from each variable's trend.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import xarray as xr

from seabed.elements import ELEMENTS
from seabed.errors import ConfigError, InputDataError
from seabed.geostats.anisotropy import (
    Anisotropy,
    VariogramMap,
    directional_variograms,
    fit_anisotropy,
    isotropic_coordinates,
    variogram_map,
    with_anisotropy,
)
from seabed.geostats.drift import ExternalDrift, trend_residuals
from seabed.geostats.variogram import (
    ExperimentalVariogram,
    VariogramModel,
    fit_variogram,
    pooled_experimental_variogram,
)

__all__ = ["Variography", "element_list", "fit_pooled_variogram", "sample_table", "variable_sills", "variography"]


def element_list(composites: xr.Dataset, elements: Sequence[str] | None) -> list[str]:
    if elements is None:
        elements = [s for s in ELEMENTS if s in composites.data_vars]
    elements = list(elements)
    missing = [e for e in elements if e not in composites.data_vars]
    if missing or not elements:
        raise InputDataError(
            f"composites: elements {missing or elements} not found among data variables "
            f"{sorted(map(str, composites.data_vars))}; expected one variable per element symbol"
        )
    return elements


def sample_table(
    composites: xr.Dataset, elements: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Core coordinates and the (core, element × layer) value table.

    Returns
    -------
    coords : ndarray, shape (n_cores, 2)
        ``(x, y)`` of the cores with finite coordinates, m.
    values : ndarray, shape (n_cores, n_elements * n_layers)
        Grades, ppm; column ``e * n_layers + l`` is element ``e``, layer ``l``.
    keep : ndarray of bool, shape (n_cores_in,)
        Which cores of ``composites`` were used.
    """
    for name in ("x", "y"):
        if name not in composites.coords and name not in composites.data_vars:
            raise InputDataError(
                f"composites: coordinate {name!r} missing; expected core x, y in metres of the "
                "working CRS"
            )
    x = np.asarray(composites["x"].values, dtype=float)
    y = np.asarray(composites["y"].values, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    stack = np.stack(
        [composites[e].transpose("core", "layer").values.astype(float) for e in elements], axis=1
    )  # (core, element, layer)
    values = stack.reshape(stack.shape[0], -1)[keep]
    return np.column_stack([x[keep], y[keep]]), values, keep


def variable_sills(
    coords: np.ndarray, values: np.ndarray, drift: str | ExternalDrift | None = None
) -> np.ndarray:
    """Each variable's sill: its variance, or with a drift the variance of its OLS residuals.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    values : ndarray, shape (n, p)
        Values (e.g. ppm); NaN where missing.
    drift : str or ExternalDrift, optional
        The kriging drift (see :func:`~seabed.geostats.drift.trend_residuals`).

    Returns
    -------
    ndarray, shape (p,)
        Population variance of each column (of its residuals with a drift), squared units of
        the values; 0 for a column with no sample.
    """
    z = values if drift in (None, "none") else trend_residuals(coords, values, drift)
    with warnings.catch_warnings():  # all-NaN columns (element not analysed)
        warnings.simplefilter("ignore", RuntimeWarning)
        sills = np.nanvar(z, axis=0)
    return np.where(np.isfinite(sills), sills, 0.0)


def _default_lags(coords: np.ndarray, lag_spacing: float | None, n_lags: int | None) -> np.ndarray:
    from scipy.spatial.distance import pdist, squareform

    uniq = np.unique(coords, axis=0)
    if uniq.shape[0] < 3:
        raise InputDataError(
            f"variogram: got {uniq.shape[0]} distinct core locations; expected at least 3 to fit a "
            "variogram; fix: give a manual variogram in [estimation.variogram]"
        )
    d = squareform(pdist(uniq))
    if lag_spacing is None:
        np.fill_diagonal(d, np.inf)
        lag_spacing = float(np.median(d.min(axis=1)))
        np.fill_diagonal(d, 0.0)
    if not lag_spacing > 0:
        raise ConfigError(f"variogram lag_spacing: got {lag_spacing} m; expected > 0 m")
    if n_lags is None:
        n_lags = max(4, int(0.5 * d.max() / lag_spacing))
    return np.arange(n_lags + 1) * lag_spacing


def fit_pooled_variogram(
    composites: xr.Dataset,
    elements: Sequence[str] | None = None,
    *,
    lag_spacing: float | None = None,
    n_lags: int | None = None,
    kinds: Sequence[str] = ("spherical",),
    fit_nugget: bool = True,
    fix_sill: bool = True,
    max_range: float | None = None,
    drift: str | ExternalDrift | None = None,
    anisotropy: str | Anisotropy | None = None,
) -> tuple[VariogramModel, ExperimentalVariogram]:
    """Fit one standardised variogram pooled over all elements and layers.

    Parameters
    ----------
    composites : xarray.Dataset
        Composites (see module docstring).
    elements : sequence of str, optional
        Element symbols; default every element present.
    lag_spacing : float, optional
        Lag class width, m; default the median distance from a core to its nearest core.
    n_lags : int, optional
        Number of lag classes; default enough to reach half the largest core separation.
    kinds : sequence of str, default ("spherical",)
        Nested structures (see :func:`~seabed.geostats.variogram.fit_variogram`).
    fit_nugget : bool, default True
        Fit a nugget.
    fix_sill : bool, default True
        Fix the total sill at 1 (the variance of standardised values).
    max_range : float, optional
        Upper bound on the fitted practical ranges, m (default: twice the largest lag).
    drift : {"none", "linear", "quadratic"} or ExternalDrift, optional
        With a drift, the experimental variogram is that of the residuals from an OLS trend
        fitted to each element × layer (:func:`~seabed.geostats.drift.trend_residuals`), so
        that a regional trend is not fitted as a very long range.
    anisotropy : {"none", "fit"} or Anisotropy, optional
        ``"fit"``: fit the azimuth and ratio of a geometric anisotropy to 12 directional
        variograms (:func:`~seabed.geostats.anisotropy.fit_anisotropy`, first structure kind);
        an :class:`~seabed.geostats.anisotropy.Anisotropy`: declared. The nested model is then
        fitted to the omnidirectional variogram of the samples in
        :func:`~seabed.geostats.anisotropy.isotropic_coordinates` (lags in major-axis metres),
        and every structure gets ``range_minor = range / ratio`` at the azimuth.

    Returns
    -------
    model : VariogramModel
        Standardised model (dimensionless, sill 1 when ``fix_sill``).
    experimental : ExperimentalVariogram
        The pooled experimental variogram it was fitted to.

    Notes
    -----
    Residual variography (drift set): the OLS residuals are standardised and pooled like the
    grades. Their variogram underestimates the true residual variogram, more at long lags
    (Matheron 1971; Cressie 1993 §3.4.3; Chilès & Delfiner 2012 §6.1), so the fitted sill
    and range are biased low; the weights fit the short lags, where the bias is small.
    """
    elements = element_list(composites, elements)
    coords, values, _ = sample_table(composites, elements)
    edges = _default_lags(coords, lag_spacing, n_lags)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanmax(values, axis=0) - np.nanmin(values, axis=0)
    if not np.any(spread > 0):
        raise InputDataError(
            f"variogram fit of {', '.join(elements)}: got a constant value in every element and layer; "
            "expected grades that vary between cores; fix: check the assay table or give a manual variogram"
        )
    if drift not in (None, "none"):
        values = trend_residuals(coords, values, drift)
    aniso = None
    if isinstance(anisotropy, Anisotropy):
        aniso = anisotropy
    elif anisotropy == "fit":
        aniso = fit_anisotropy(coords, values, lag_edges=edges, kind=kinds[0])
    elif anisotropy not in (None, "none"):
        raise ConfigError(f"variogram anisotropy: got {anisotropy!r}; expected 'none', 'fit' or an Anisotropy")
    if aniso is not None:
        coords = isotropic_coordinates(coords, azimuth=aniso.azimuth, ratio=aniso.ratio)
    experimental = pooled_experimental_variogram(coords, values, lag_edges=edges)
    model = fit_variogram(
        experimental, kinds=kinds, fit_nugget=fit_nugget, sill=1.0 if fix_sill else None, max_range=max_range,
        name=f"the pooled standardised {', '.join(elements)}",
    )
    return with_anisotropy(model, aniso), experimental


class Variography(NamedTuple):
    """Directional variograms and the variogram map of the pooled standardised composites (or
    their residuals from the drift), for the figures; lags in m."""

    directional: list[ExperimentalVariogram]
    vmap: VariogramMap


def variography(
    composites: xr.Dataset,
    elements: Sequence[str] | None = None,
    *,
    model: VariogramModel | None = None,
    lag_spacing: float | None = None,
    n_lags: int | None = None,
    drift: str | ExternalDrift | None = None,
    **_: object,
) -> Variography:
    """Directional variograms along the model's major and minor axes (and the diagonals, ±22.5°
    sectors; Isaaks & Srivastava 1989, ch. 7) and the variogram map, of the same values and lags
    as :func:`fit_pooled_variogram` (extra keyword arguments of it are accepted and ignored)."""
    elements = element_list(composites, elements)
    coords, values, _ = sample_table(composites, elements)
    edges = _default_lags(coords, lag_spacing, n_lags)
    if drift not in (None, "none"):
        values = trend_residuals(coords, values, drift)
    major = model.structures[0].azimuth if model is not None and model.structures else 0.0
    azimuths = [(major + k * 45.0) % 180.0 for k in range(4)]
    directional = directional_variograms(coords, values, lag_edges=edges, azimuths=azimuths)
    n_map = max(4, min(25, edges.size - 1))
    return Variography(directional, variogram_map(coords, values, lag=float(edges[1] - edges[0]), n_lags=n_map))
