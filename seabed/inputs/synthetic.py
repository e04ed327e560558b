"""SYNTHETIC core assays for demonstrations and tests (not real data).

Real per-sample REY assays of the Minamitorishima cores are not public, and none exist for
Okinotorishima. This module makes interval tables in the schema of
:func:`seabed.inputs.cores.load_cores` that reproduce published *summary* statistics, so the
pipeline can be run end to end. Every file it writes starts with ``#`` lines saying
"SYNTHETIC", the seed, the calibration targets and their sources. Never report these numbers
as a resource.

Model (per core :math:`c`, sample interval :math:`[t, b)`, m below seafloor)
-------------------------------------------------------------------------------
.. math::

    \\mathrm{REY} = \\big(g^{bg}_c + k\\,A_c\\,\\overline{\\phi}_c(t, b)\\big)\\,\\varepsilon,
    \\qquad \\overline{\\phi}_c(t,b) = \\frac{1}{b-t}\\int_t^b
    e^{-(z - z_c)^2 / 2\\sigma^2}\\,dz

- background :math:`g^{bg}_c = g^{bg} e^{s_{bg} G_1}` (pelagic clay, ~350 ppm);
- REY-rich layer amplitude :math:`A_c = e^{s_A G_2 + T(\\lambda, \\varphi)}` with an optional
  regional trend :math:`T`; peak depth :math:`z_c` in ``peak_depth_m`` driven by :math:`G_3`;
- :math:`G_{1,2,3}` are independent standard Gaussian random fields at the core sites with
  exponential covariance :math:`e^{-3h/r}` (practical range :math:`r`), simulated exactly
  by Cholesky factorisation;
- :math:`\\varepsilon` is mean-one log-normal sample noise;
- :math:`k` is solved so that the length-weighted mean REY over the calibration depth range
  of all cores equals the target exactly (the model is linear in :math:`k`).

Total REY is split into elements with a fixed pattern (:func:`rey_pattern`) perturbed by
small per-sample log-normal noise and renormalised, so totals are unchanged.

Run ``python -m seabed.inputs.synthetic --grids grids --out data/cores`` to regenerate the
shipped files ``minamitorishima_demo.csv``, ``okinotorishima_demo.csv`` and
``minamitorishima_eez_survey.csv`` from their fixed seeds.

References
----------
Takaya, Y. et al. (2018) The tremendous potential of deep-sea mud as a source of rare-earth
elements. Sci. Rep. 8, 5763. doi:10.1038/s41598-018-23948-5
Iijima, K. et al. (2016) Discovery of extremely REY-rich mud in the western North Pacific
Ocean. Geochem. J. 50, 557-573. doi:10.2343/geochemj.2.0431
Kato, Y. et al. (2011) Deep-sea mud in the Pacific Ocean as a potential resource for
rare-earth elements. Nat. Geosci. 4, 535-539. doi:10.1038/ngeo1185
Taylor, S. R. & McLennan, S. M. (1985) The Continental Crust: its Composition and Evolution.
Blackwell (PAAS values).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely
import xarray as xr
from scipy.interpolate import RegularGridInterpolator
from scipy.special import ndtr
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from seabed.elements import GROUPS
from seabed.errors import InputDataError
from seabed.working_grid import laea_crs

__all__ = [
    "DEMOS",
    "PAAS",
    "PATTERN_PAAS_NORMALISED",
    "CoringPlan",
    "DemoSpec",
    "SedimentModel",
    "build_demo",
    "calibration_summary",
    "generate_survey",
    "main",
    "minamitorishima_eez_trend",
    "rey_pattern",
    "sample_sites",
    "simulate_gaussian_field",
    "water_depth_at",
    "write_cores_csv",
    "write_demo_files",
]

#: Post-Archean Australian Shale, ppm (Taylor & McLennan 1985), the usual normaliser.
PAAS: dict[str, float] = {
    "La": 38.2, "Ce": 79.6, "Pr": 8.83, "Nd": 33.9, "Sm": 5.55, "Eu": 1.08, "Gd": 4.66,
    "Tb": 0.774, "Dy": 4.68, "Ho": 0.991, "Er": 2.85, "Tm": 0.405, "Yb": 2.82, "Lu": 0.433,
    "Y": 27.0,
}

#: PAAS-normalised enrichment of Minamitorishima REY-rich mud (ASSUMPTION): the shape of the
#: published patterns (Kato et al. 2011; Iijima et al. 2016) - flat to rising from La to the
#: heavy REE, a strong negative Ce anomaly (Ce/Ce* ~ 0.14) and a positive Y anomaly, making Y
#: the largest single element. The exact values are chosen here, not taken from a table.
PATTERN_PAAS_NORMALISED: dict[str, float] = {
    "La": 30.0, "Ce": 4.0, "Pr": 28.0, "Nd": 30.0, "Sm": 34.0, "Eu": 40.0, "Gd": 45.0,
    "Tb": 46.0, "Dy": 48.0, "Ho": 52.0, "Er": 50.0, "Tm": 48.0, "Yb": 44.0, "Lu": 46.0,
    "Y": 60.0,
}

_REY_ORDER: tuple[str, ...] = (*GROUPS["REE"], "Y")
_HREY = frozenset(GROUPS["HREY"])


def rey_pattern(hrey_share: float = 0.44) -> dict[str, float]:
    """Fraction of total REY carried by each element (sums to 1).

    Parameters
    ----------
    hrey_share : float, default 0.44
        Share of Y + heavy REE (Gd-Lu) in total REY (Takaya et al. 2018: ~44 %).

    Returns
    -------
    dict of str to float
        Element symbol -> mass fraction of total REY, La ... Lu, Y.

    Notes
    -----
    Start from :data:`PATTERN_PAAS_NORMALISED` × :data:`PAAS`, then scale the Y + HREE
    and the LREE groups separately so that Y + HREE is exactly ``hrey_share``.

    Examples
    --------
    >>> p = rey_pattern()
    >>> round(sum(p.values()), 12), round(sum(p[e] for e in ("Y", *GROUPS["HREE"])), 12)
    (1.0, 0.44)
    >>> max(p, key=p.get)
    'Y'
    """
    if not 0.0 < hrey_share < 1.0:
        raise ValueError(f"hrey_share: got {hrey_share}; expected a fraction in (0, 1)")
    raw = {e: PATTERN_PAAS_NORMALISED[e] * PAAS[e] for e in _REY_ORDER}
    heavy = sum(v for e, v in raw.items() if e in _HREY)
    light = sum(v for e, v in raw.items() if e not in _HREY)
    return {e: (hrey_share * v / heavy if e in _HREY else (1 - hrey_share) * v / light) for e, v in raw.items()}


@dataclass(frozen=True)
class SedimentModel:
    """Grade, density and spatial-structure parameters of a synthetic deposit.

    Attributes
    ----------
    mean_rey_ppm : float
        Calibration target: length-weighted mean total REY over ``calibration_depth_m``
        of all cores, ppm.
    calibration_depth_m : tuple of float
        Depth range (top, bottom) of the calibration, m below seafloor.
    background_ppm : float
        Median background (pelagic clay) total REY, ppm.
    background_log_sd : float
        Log-standard deviation of the background between cores.
    amplitude_log_sd : float
        Log-standard deviation of the REY-rich layer amplitude between cores.
    peak_depth_m : tuple of float
        Range of the depth of the REY-rich peak, m below seafloor.
    peak_sigma_m : float
        Gaussian half-width (standard deviation) of the REY-rich layer, m.
    range_m : float
        Practical range of the exponential covariance of the random fields, m.
    sample_log_sd : float
        Log-standard deviation of the sample-to-sample noise.
    element_log_sd : float
        Log-standard deviation of element proportions between samples.
    hrey_share : float
        Share of Y + HREE in total REY.
    sc_ppm : tuple of float
        Mean and standard deviation of Sc, ppm (clipped to mean ± 2 sd).
    dry_density_t_m3 : tuple of float
        Dry bulk density at the seafloor (t/m³), gradient (t/m³ per m) and noise sd;
        clipped to ``dry_density_bounds``.
    dry_density_bounds : tuple of float
        Bounds of dry bulk density, t/m³.
    """

    mean_rey_ppm: float = 964.0
    calibration_depth_m: tuple[float, float] = (0.0, 10.0)
    background_ppm: float = 350.0
    background_log_sd: float = 0.15
    amplitude_log_sd: float = 0.6
    peak_depth_m: tuple[float, float] = (2.5, 4.5)
    peak_sigma_m: float = 1.1
    range_m: float = 25_000.0
    sample_log_sd: float = 0.08
    element_log_sd: float = 0.03
    hrey_share: float = 0.44
    sc_ppm: tuple[float, float] = (25.0, 2.5)
    dry_density_t_m3: tuple[float, float, float] = (0.505, 0.005, 0.008)
    dry_density_bounds: tuple[float, float] = (0.50, 0.56)


@dataclass(frozen=True)
class CoringPlan:
    """How the synthetic cores were taken and sampled.

    Attributes
    ----------
    core_length_m : tuple of float
        Range of recovered core length, m.
    n_short : int
        Number of cores shorter than the calibration depth (partial coverage).
    short_length_m : tuple of float
        Range of the length of short cores, m.
    sample_length_m : tuple of float
        Range of sample interval lengths, m (equal bounds give regular samples).
    gap_probability : float
        Probability that a sample is missing (a gap in the table).
    n_lost_sections : int
        Number of cores with a lost section of ``lost_section_m`` (a gap long enough to
        leave a 1 m layer under-sampled).
    lost_section_m : tuple of float
        Range of the length of lost sections, m.
    layout : {"jittered", "random"}
        Site layout: a jittered square grid (survey-like) or uniform random.
    min_water_depth_m : float or None
        Reject sites shallower than this (seamounts), m; needs bathymetry.
    """

    core_length_m: tuple[float, float] = (10.5, 13.0)
    n_short: int = 3
    short_length_m: tuple[float, float] = (5.5, 9.0)
    sample_length_m: tuple[float, float] = (0.3, 0.5)
    gap_probability: float = 0.02
    n_lost_sections: int = 1
    lost_section_m: tuple[float, float] = (1.2, 1.6)
    layout: str = "jittered"
    min_water_depth_m: float | None = None


# ----------------------------------------------------------------------- building blocks


def _region_polygon(region: BaseGeometry | Sequence[float]) -> BaseGeometry:
    if isinstance(region, BaseGeometry):
        return region
    west, east, south, north = (float(v) for v in region)
    if not (west < east and south < north):
        raise ValueError(f"region: got (W, E, S, N) = {tuple(region)}; expected W < E and S < N")
    return box(west, south, east, north)


def simulate_gaussian_field(xy: np.ndarray, *, range_m: float, rng: np.random.Generator) -> np.ndarray:
    """Standard Gaussian random field at points, exponential covariance.

    Parameters
    ----------
    xy : ndarray, shape (n, 2)
        Point coordinates, m (projected).
    range_m : float
        Practical range :math:`r` (95 % decorrelation), m.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    ndarray, shape (n,)
        One realisation with :math:`C(h) = \\exp(-3h/r)`, unit variance.

    Notes
    -----
    Exact simulation :math:`G = L z` with :math:`C = L L^T` (Cholesky) and
    :math:`z \\sim N(0, I)`; a 1e-10 diagonal jitter keeps :math:`C` positive definite
    for coincident points. Cost O(n³): fine for a few thousand cores.
    """
    xy = np.asarray(xy, dtype=float)
    h = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    cov = np.exp(-3.0 * h / range_m) + 1e-10 * np.eye(len(xy))
    return np.linalg.cholesky(cov) @ rng.standard_normal(len(xy))


def water_depth_at(bathymetry: xr.DataArray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Water depth (m, positive down) at points, bilinear in the elevation grid.

    Parameters
    ----------
    bathymetry : xarray.DataArray
        Elevation, m (negative below sea level), dims ``(y, x)`` with ``x`` = longitude and
        ``y`` = latitude in degrees (as returned by :func:`seabed.inputs.grids.load_grid`).
    lon, lat : ndarray
        Points, degrees.

    Returns
    -------
    ndarray
        :math:`-\\,\\mathrm{elevation}`, m; NaN outside the grid.
    """
    xs = bathymetry["x"].to_numpy()
    ys = bathymetry["y"].to_numpy()
    values = bathymetry.transpose("y", "x").to_numpy().astype(float)
    if ys[0] > ys[-1]:
        ys, values = ys[::-1], values[::-1]
    if xs[0] > xs[-1]:
        xs, values = xs[::-1], values[:, ::-1]
    interp = RegularGridInterpolator((ys, xs), values, method="linear", bounds_error=False, fill_value=np.nan)
    return -interp(np.column_stack([np.asarray(lat, float), np.asarray(lon, float)]))


def sample_sites(
    n: int,
    region: BaseGeometry,
    *,
    rng: np.random.Generator,
    layout: str = "jittered",
    accept: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` core sites inside a lon/lat region.

    Parameters
    ----------
    n : int
        Number of sites.
    region : shapely geometry
        Region in longitude/latitude degrees.
    rng : numpy.random.Generator
        Random source.
    layout : {"jittered", "random"}
        Jittered square grid (one site per cell, jitter ±40 % of the spacing) or uniform
        random (both in an equal-area projection centred on the region).
    accept : callable, optional
        ``accept(lon, lat) -> bool array``: extra condition on sites (e.g. water depth).

    Returns
    -------
    lon, lat : ndarray
        Degrees, in the order generated (south-west to north-east for ``"jittered"``).
    """
    c = region.centroid
    fwd = pyproj.Transformer.from_crs("EPSG:4326", laea_crs(c.x, c.y), always_xy=True)
    inv = pyproj.Transformer.from_crs(laea_crs(c.x, c.y), "EPSG:4326", always_xy=True)
    poly = shapely.transform(shapely.segmentize(region, 0.05), fwd.transform, interleaved=False)
    xmin, ymin, xmax, ymax = poly.bounds

    def ok(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        keep = shapely.contains_xy(poly, x, y)
        if accept is not None and keep.any():
            lon, lat = inv.transform(x, y)
            keep &= np.asarray(accept(np.asarray(lon), np.asarray(lat)), dtype=bool)
        return keep

    if layout == "random":
        xs: list[np.ndarray] = []
        ys: list[np.ndarray] = []
        have = 0
        while have < n:
            x = rng.uniform(xmin, xmax, 4 * n)
            y = rng.uniform(ymin, ymax, 4 * n)
            k = ok(x, y)
            xs.append(x[k])
            ys.append(y[k])
            have += int(k.sum())
        x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    elif layout == "jittered":
        spacing = np.sqrt(poly.area / n)
        for _ in range(200):
            gx = np.arange(xmin + spacing / 2, xmax, spacing)
            gy = np.arange(ymin + spacing / 2, ymax, spacing)
            xx, yy = np.meshgrid(gx, gy)
            x = xx.ravel() + rng.uniform(-0.4, 0.4, xx.size) * spacing
            y = yy.ravel() + rng.uniform(-0.4, 0.4, yy.size) * spacing
            k = ok(x, y)
            if k.sum() >= n:
                break
            spacing *= 0.97
        else:  # pragma: no cover - only for absurd accept() conditions
            raise ValueError(f"sample_sites: cannot place {n} sites in the region")
        x, y = x[k], y[k]
        if x.size > n:
            keep = np.sort(rng.choice(x.size, n, replace=False))
            x, y = x[keep], y[keep]
    else:
        raise ValueError(f"layout: got {layout!r}; expected 'jittered' or 'random'")
    lon, lat = inv.transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def _sample_intervals(
    length: float, sample_range: tuple[float, float], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous intervals from 0 to ``length`` m, lengths drawn from ``sample_range``."""
    lo, hi = sample_range
    edges = [0.0]
    while edges[-1] < length:
        step = hi if lo == hi else rng.uniform(lo, hi)
        edges.append(min(edges[-1] + step, length))
    if lo < hi and len(edges) > 2 and edges[-1] - edges[-2] < lo / 2:  # share a sliver with the sample above
        edges[-2] = 0.5 * (edges[-3] + edges[-1])
    e = np.round(np.asarray(edges), 2)
    keep = np.r_[True, np.diff(e) > 0]
    e = e[keep]
    return e[:-1], e[1:]


def _mean_gaussian(top: np.ndarray, bottom: np.ndarray, centre: np.ndarray, sigma: float) -> np.ndarray:
    """Mean of exp(-(z - centre)² / 2σ²) over [top, bottom)."""
    integral = sigma * np.sqrt(2 * np.pi) * (ndtr((bottom - centre) / sigma) - ndtr((top - centre) / sigma))
    return integral / (bottom - top)


def _depth_weights(top: np.ndarray, bottom: np.ndarray, depth: tuple[float, float]) -> np.ndarray:
    return np.clip(np.minimum(bottom, depth[1]) - np.maximum(top, depth[0]), 0.0, None)


def generate_survey(
    n_cores: int,
    region: BaseGeometry | Sequence[float],
    seed: int,
    *,
    bathymetry: xr.DataArray | None = None,
    model: SedimentModel | None = None,
    coring: CoringPlan | None = None,
    trend: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    id_prefix: str = "SYN",
) -> pd.DataFrame:
    """A SYNTHETIC core assay table over a region, calibrated to a mean grade.

    Parameters
    ----------
    n_cores : int
        Number of cores.
    region : shapely geometry or (west, east, south, north)
        Region in longitude/latitude degrees.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed and arguments give the
        same table.
    bathymetry : xarray.DataArray, optional
        Elevation grid (m, negative below sea level; dims ``(y, x)`` in degrees). Gives
        ``water_depth_m`` and enables ``coring.min_water_depth_m``.
    model : SedimentModel, optional
        Grade, density and spatial parameters (default: Minamitorishima-like).
    coring : CoringPlan, optional
        Core lengths, sampling and layout.
    trend : callable, optional
        ``trend(lon, lat) -> ndarray``: regional trend added to the log-amplitude of the
        REY-rich layer (e.g. :func:`minamitorishima_eez_trend`).
    id_prefix : str, default "SYN"
        Core ids are ``f"{id_prefix}-{i:02d}"`` (or 03d for 100+ cores).

    Returns
    -------
    pandas.DataFrame
        One row per sample in the :func:`seabed.inputs.cores.load_cores` schema: ``core_id``,
        ``longitude``, ``latitude``, ``water_depth_m`` (if bathymetry), ``top_mbsf``,
        ``bottom_mbsf``, ``dry_bulk_density`` (t/m³), La ... Lu, Y, Sc (ppm).
        ``attrs["seed"]`` and ``attrs["calibration"]`` record how it was made.

    Raises
    ------
    ValueError
        Parameters that cannot be calibrated (target below the background mean).
    """
    model = model or SedimentModel()
    coring = coring or CoringPlan()
    rng = np.random.default_rng(seed)
    poly = _region_polygon(region)

    accept = None
    if coring.min_water_depth_m is not None:
        if bathymetry is None:
            raise ValueError("coring.min_water_depth_m needs a bathymetry grid")
        min_depth = coring.min_water_depth_m

        def accept(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
            return water_depth_at(bathymetry, lon, lat) >= min_depth

    lon, lat = sample_sites(n_cores, poly, rng=rng, layout=coring.layout, accept=accept)
    c = poly.centroid
    x, y = pyproj.Transformer.from_crs("EPSG:4326", laea_crs(c.x, c.y), always_xy=True).transform(lon, lat)
    xy = np.column_stack([x, y])
    g_bg, g_amp, g_peak = (simulate_gaussian_field(xy, range_m=model.range_m, rng=rng) for _ in range(3))

    background = model.background_ppm * np.exp(model.background_log_sd * g_bg)
    log_amp = model.amplitude_log_sd * g_amp + (trend(lon, lat) if trend is not None else 0.0)
    amplitude = np.exp(log_amp)
    z_lo, z_hi = model.peak_depth_m
    peak_depth = z_lo + (z_hi - z_lo) * ndtr(g_peak)

    lengths = rng.uniform(*coring.core_length_m, n_cores)
    short = rng.choice(n_cores, size=min(coring.n_short, n_cores), replace=False)
    lengths[short] = rng.uniform(*coring.short_length_m, short.size)
    lengths = np.round(lengths, 2)
    lost = rng.choice(np.setdiff1d(np.arange(n_cores), short), size=coring.n_lost_sections, replace=False)

    rows = []
    for i in range(n_cores):
        top, bottom = _sample_intervals(lengths[i], coring.sample_length_m, rng)
        keep = rng.random(top.size) >= coring.gap_probability
        keep[0] = True
        if i in lost:
            start = rng.uniform(4.0, min(8.0, lengths[i] - 2.0))
            size = rng.uniform(*coring.lost_section_m)
            keep &= ~((bottom > start) & (top < start + size))
        rows.append(pd.DataFrame({"core": i, "top_mbsf": top[keep], "bottom_mbsf": bottom[keep]}))
    table = pd.concat(rows, ignore_index=True)
    core = table["core"].to_numpy()
    top = table["top_mbsf"].to_numpy()
    bottom = table["bottom_mbsf"].to_numpy()

    noise = np.exp(model.sample_log_sd * rng.standard_normal(top.size) - model.sample_log_sd**2 / 2)
    bg_part = background[core] * noise
    peak_part = amplitude[core] * _mean_gaussian(top, bottom, peak_depth[core], model.peak_sigma_m) * noise
    w = _depth_weights(top, bottom, model.calibration_depth_m)
    bg_mean = np.sum(bg_part * w) / np.sum(w)
    peak_mean = np.sum(peak_part * w) / np.sum(w)
    if model.mean_rey_ppm <= bg_mean:
        raise ValueError(
            f"mean_rey_ppm {model.mean_rey_ppm} is not above the background mean {bg_mean:.0f} ppm; "
            "lower background_ppm"
        )
    k = (model.mean_rey_ppm - bg_mean) / peak_mean
    rey = bg_part + k * peak_part

    base = rey_pattern(model.hrey_share)
    shares = np.array([base[e] for e in _REY_ORDER])[None, :] * np.exp(
        model.element_log_sd * rng.standard_normal((top.size, len(_REY_ORDER)))
    )
    shares /= shares.sum(axis=1, keepdims=True)
    grades = rey[:, None] * shares

    sc_mean, sc_sd = model.sc_ppm
    sc = np.clip(rng.normal(sc_mean, sc_sd, top.size), sc_mean - 2 * sc_sd, sc_mean + 2 * sc_sd)
    rho0, grad, rho_sd = model.dry_density_t_m3
    rho = np.clip(rho0 + grad * 0.5 * (top + bottom) + rng.normal(0, rho_sd, top.size), *model.dry_density_bounds)

    width = 3 if n_cores >= 100 else 2
    ids = np.array([f"{id_prefix}-{i + 1:0{width}d}" for i in range(n_cores)])
    out = pd.DataFrame({"core_id": ids[core], "longitude": np.round(lon[core], 5), "latitude": np.round(lat[core], 5)})
    if bathymetry is not None:
        out["water_depth_m"] = np.round(water_depth_at(bathymetry, lon, lat), 0)[core]
    out["top_mbsf"] = top
    out["bottom_mbsf"] = bottom
    out["dry_bulk_density"] = np.round(rho, 3)
    for j, e in enumerate(_REY_ORDER):
        out[e] = np.round(grades[:, j], 2)
    out["Sc"] = np.round(sc, 2)
    out.attrs = {"seed": seed, "calibration": {"mean_rey_ppm": model.mean_rey_ppm,
                                                 "depth_m": model.calibration_depth_m,
                                                 "hrey_share": model.hrey_share, "k": float(k)}}
    return out


def calibration_summary(intervals: pd.DataFrame, *, depth: tuple[float, float] = (0.0, 10.0),
                        layer_thickness: float = 1.0, min_coverage: float = 0.5) -> dict[str, float]:
    """Statistics the synthetic files are calibrated against.

    Parameters
    ----------
    intervals : pandas.DataFrame
        Interval table with ``core_id``, ``top_mbsf``, ``bottom_mbsf`` and REY columns, ppm.
    depth : tuple of float, default (0, 10)
        Depth range, m below seafloor.
    layer_thickness : float, default 1
        Layer thickness for the maximum layer grade, m.
    min_coverage : float, default 0.5
        Coverage rule of the layer composites (see :func:`seabed.compositing.composite`).

    Returns
    -------
    dict
        ``mean_rey_ppm`` (length-weighted over ``depth``, all cores), ``hrey_share`` (Y + HREE
        over REY, length-weighted), ``max_layer_rey_ppm`` (largest layer composite),
        ``n_cores``, ``n_samples``.
    """
    from seabed.compositing import layer_overlaps
    from seabed.working_grid import Layers

    rey = intervals[list(_REY_ORDER)].sum(axis=1, min_count=len(_REY_ORDER)).to_numpy()
    hrey = intervals[list(GROUPS["HREY"])].sum(axis=1).to_numpy()
    top = intervals["top_mbsf"].to_numpy(float)
    bottom = intervals["bottom_mbsf"].to_numpy(float)
    w = _depth_weights(top, bottom, depth)
    layers = Layers.regular(depth[0], depth[1], layer_thickness)
    codes = pd.factorize(intervals["core_id"])[0]
    i, j, ov = layer_overlaps(top, bottom, layers)
    flat = codes[i] * layers.n + j
    size = (codes.max() + 1) * layers.n
    den = np.bincount(flat, weights=ov, minlength=size)
    num = np.bincount(flat, weights=ov * rey[i], minlength=size)
    ok = den >= min_coverage * layer_thickness - 1e-9
    return {
        "mean_rey_ppm": float(np.sum(rey * w) / np.sum(w)),
        "hrey_share": float(np.sum(hrey * w) / np.sum(rey * w)),
        "max_layer_rey_ppm": float(np.max(num[ok] / den[ok])),
        "n_cores": int(codes.max() + 1),
        "n_samples": len(intervals),
    }


def minamitorishima_eez_trend(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """ASSUMED regional log-amplitude trend of the REY-rich layer over the Minamitorishima EEZ.

    Grades rise towards the south, where the richest known mud lies (Takaya et al. 2018
    box ~250 km south; the 2026 Chikyu site ~150 km south-east), and drop near the island
    (volcanic and carbonate debris off the atoll):
    :math:`T = -0.25\\,(y + 250)/100 - \\exp(-(d/80)^2)`, with :math:`y` the northing and
    :math:`d` the distance from the island, km. An illustration, not a published map.
    """
    island = (153.98, 24.29)
    t = pyproj.Transformer.from_crs("EPSG:4326", laea_crs(*island), always_xy=True)
    x, y = t.transform(np.asarray(lon, float), np.asarray(lat, float))
    x_km, y_km = np.asarray(x) / 1e3, np.asarray(y) / 1e3
    return -0.25 * (y_km + 250.0) / 100.0 - np.exp(-((np.hypot(x_km, y_km) / 80.0) ** 2))


# ------------------------------------------------------------------------ shipped demos


@dataclass(frozen=True)
class DemoSpec:
    """A shipped synthetic file: how to generate it and what its header says."""

    filename: str
    site: str
    n_cores: int
    region: Callable[[], BaseGeometry]
    seed: int
    model: SedimentModel
    coring: CoringPlan
    id_prefix: str
    description: tuple[str, ...]
    trend: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    targets: dict[str, float] = field(default_factory=dict)


def _takaya_box() -> BaseGeometry:
    return box(153.5, 21.8, 154 + 7 / 60, 22.25)


def _okinotorishima_basin() -> BaseGeometry:
    # West Philippine Basin west of the Kyushu-Palau Ridge, ~60-150 km WSW of the island,
    # water depth 5,500-5,900 m, crust ~60-70 Myr (grids/okinotorishima_*.nc)
    return box(134.6, 19.9, 135.6, 20.9)


def _minamitorishima_eez() -> BaseGeometry:
    from seabed.inputs.areas import eez_circle

    return eez_circle(153.98, 24.29)


_PATTERN_NOTE = (
    "Element pattern: PAAS-normalised shape of Minamitorishima REY-rich mud (strong negative Ce anomaly, "
    "Y the largest element) after Kato et al. 2011 Nat. Geosci. 4:535 and Iijima et al. 2016 Geochem. J. "
    "50:557; the exact proportions are an ASSUMPTION (seabed.inputs.synthetic.PATTERN_PAAS_NORMALISED)"
)
_UNITS_NOTE = (
    "Units: element columns ppm (mg/kg, dry mass fraction); top_mbsf/bottom_mbsf m below seafloor; "
    "water_depth_m m positive down (ETOPO1, bilinear); dry_bulk_density t/m^3 (0.50-0.56, DOMAIN.md)"
)

DEMOS: dict[str, DemoSpec] = {
    "minamitorishima_demo": DemoSpec(
        filename="minamitorishima_demo.csv",
        site="minamitorishima",
        n_cores=25,
        region=_takaya_box,
        seed=5763,
        model=SedimentModel(),
        coring=CoringPlan(),
        id_prefix="SYN-MT",
        description=(
            ("Site: Minamitorishima, Takaya et al. (2018) study box 21.80-22.25 N, 153.50-154.1167 E; "
            "25 piston cores, 0.3-0.5 m samples (Takaya: 677 analyses in 25 cores)"),
            ("Calibration targets: mean total REY 964 ppm over 0-10 mbsf (length-weighted over all cores) and "
            "Y+HREE (Gd-Lu) = 44 % of REY [Takaya et al. 2018, Sci. Rep. 8:5763, doi:10.1038/s41598-018-23948-5]; "
            "richest layers at 2-6 mbsf, best 1-m layers 5,000-8,000 ppm [Iijima et al. 2016, Geochem. J. 50:557]"),
            ("Spatial model: log-amplitude of the REY-rich layer is a Gaussian random field (exponential "
            "covariance, practical range 25 km); 3 cores shorter than 10 m, ~2 % missing samples, 1 lost section"),
        ),
        targets={"mean_rey_ppm": 964.0, "hrey_share": 0.44},
    ),
    "okinotorishima_demo": DemoSpec(
        filename="okinotorishima_demo.csv",
        site="okinotorishima",
        n_cores=15,
        region=_okinotorishima_basin,
        seed=2026,
        model=SedimentModel(mean_rey_ppm=350.0, background_ppm=230.0, amplitude_log_sd=0.5,
                            hrey_share=0.42),
        coring=CoringPlan(core_length_m=(9.0, 12.0), n_short=2, min_water_depth_m=4000.0),
        id_prefix="SYN-OK",
        description=(
            ("ILLUSTRATIVE ONLY: no public REY assays exist for Okinotorishima; the grade level is an ASSUMPTION "
            "(lower than Minamitorishima: younger crust, see grids/okinotorishima_crustal_age.nc)"),
            ("Site: West Philippine Basin 19.9-20.9 N, 134.6-135.6 E, inside the claimed 200-nm EEZ around "
            "20.42 N, 136.09 E (disputed under UNCLOS Art. 121(3)); 15 cores, water depth > 4,000 m"),
            "Calibration targets (assumed): mean total REY 350 ppm over 0-10 mbsf, Y+HREE 42 % of REY",
        ),
        targets={"mean_rey_ppm": 350.0, "hrey_share": 0.42},
    ),
    "minamitorishima_eez_survey": DemoSpec(
        filename="minamitorishima_eez_survey.csv",
        site="minamitorishima",
        n_cores=600,
        region=_minamitorishima_eez,
        seed=24290,
        model=SedimentModel(mean_rey_ppm=650.0),
        coring=CoringPlan(core_length_m=(10.0, 12.0), n_short=30, short_length_m=(4.0, 9.0),
                          sample_length_m=(1.0, 1.0), gap_probability=0.01, n_lost_sections=10,
                          min_water_depth_m=4500.0),
        trend=minamitorishima_eez_trend,
        id_prefix="SYN-EEZ",
        description=(
            ("Site: the whole Minamitorishima EEZ (200-nm geodesic circle around 24.29 N, 153.98 E); 600 cores on "
            "a jittered grid (~27 km spacing), sites shallower than 4,500 m (seamounts) excluded; 1 m samples"),
            ("Calibration target (ASSUMED): mean total REY 650 ppm over 0-10 mbsf over the EEZ, with an assumed "
            "trend: richer to the south (Takaya et al. 2018 box) and poorer near the island "
            "(seabed.inputs.synthetic.minamitorishima_eez_trend); Y+HREE 44 % of REY"),
            "Spatial model: Gaussian random field, exponential covariance, practical range 25 km, on top of the trend",
        ),
        targets={"mean_rey_ppm": 650.0, "hrey_share": 0.44},
    ),
}


def build_demo(name: str, *, grids_dir: str | Path) -> pd.DataFrame:
    """Generate one shipped demo table (see :data:`DEMOS`) in memory.

    Parameters
    ----------
    name : str
        Key of :data:`DEMOS`.
    grids_dir : str or Path
        Folder with ``<site>_bathymetry.nc`` (variable ``elevation``, m).
    """
    from seabed.inputs.grids import load_grid

    spec = DEMOS[name]
    path = Path(grids_dir) / f"{spec.site}_bathymetry.nc"
    if not path.is_file():
        raise InputDataError(f"{path}: bathymetry grid not found; expected {spec.site}_bathymetry.nc; fix --grids")
    bathymetry = load_grid(path, "elevation")
    return generate_survey(
        spec.n_cores, spec.region(), spec.seed, bathymetry=bathymetry, model=spec.model,
        coring=spec.coring, trend=spec.trend, id_prefix=spec.id_prefix,
    )


def write_cores_csv(table: pd.DataFrame, path: str | Path, *, header: Sequence[str]) -> Path:
    """Write an interval table as CSV preceded by ``#`` header lines.

    Parameters
    ----------
    table : pandas.DataFrame
        Interval table.
    path : str or Path
        Output file (parent folders are created).
    header : sequence of str
        Header lines, written as ``# <line>``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = table.to_csv(index=False, lineterminator="\n", float_format="%.10g")
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(f"# {line}\n" for line in header)
        fh.write(body)
    return path


def write_demo_files(out_dir: str | Path, *, grids_dir: str | Path, names: Sequence[str] | None = None) -> list[Path]:
    """Regenerate the shipped SYNTHETIC demo CSV files.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (``data/cores``).
    grids_dir : str or Path
        Folder with the bathymetry grids (``grids``).
    names : sequence of str, optional
        Subset of :data:`DEMOS` keys; default all.

    Returns
    -------
    list of Path
        Files written.
    """
    written = []
    for name in names or list(DEMOS):
        spec = DEMOS[name]
        table = build_demo(name, grids_dir=grids_dir)
        s = calibration_summary(table)
        header = [
            f"SYNTHETIC data generated by seabed.inputs.synthetic (seed {spec.seed}) — not real assays",
            *spec.description,
            (f"Achieved: mean REY {s['mean_rey_ppm']:.1f} ppm (0-10 mbsf), Y+HREE {100 * s['hrey_share']:.1f} %, "
            f"max 1-m layer composite {s['max_layer_rey_ppm']:.0f} ppm; {s['n_cores']} cores, {s['n_samples']} samples"),
            _PATTERN_NOTE,
            _UNITS_NOTE,
            f"Regenerate: python -m seabed.inputs.synthetic --grids grids --out data/cores --only {name}",
        ]
        written.append(write_cores_csv(table, Path(out_dir) / spec.filename, header=header))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m seabed.inputs.synthetic [--grids DIR] [--out DIR] [--only NAME ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m seabed.inputs.synthetic",
        description="Regenerate the SYNTHETIC demo core tables (data/cores/*.csv) from fixed seeds.",
    )
    parser.add_argument("--grids", default="grids", help="folder with <site>_bathymetry.nc (default: grids)")
    parser.add_argument("--out", default="data/cores", help="output folder (default: data/cores)")
    parser.add_argument("--only", nargs="+", choices=sorted(DEMOS), help="generate only these files")
    args = parser.parse_args(argv)
    try:
        paths = write_demo_files(args.out, grids_dir=args.grids, names=args.only)
    except InputDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
