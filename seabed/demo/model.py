"""SYNTHETIC core assays for demonstrations and tests (not real data).

Real per-sample REY assays of the Minamitorishima cores are not public, and none exist for
Okinotorishima. This module (the generator of the demo-data tool :mod:`seabed.demo`) makes
interval tables in the schema of :func:`seabed.inputs.cores.load_cores` that reproduce published
*summary* statistics, so the pipeline can be run end to end. Every file written from them starts
with ``#`` lines saying "SYNTHETIC", the seed, the calibration targets and their sources. Never
report these numbers as a resource.

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

Where the cores are taken is in :mod:`seabed.demo.sites`; the shipped demo files and how to
regenerate them (``python -m seabed.demo``) in :mod:`seabed.demo.catalogue`.

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import xarray as xr
from scipy.special import ndtr
from shapely.geometry.base import BaseGeometry

from seabed.demo.sites import region_polygon, sample_sites, simulate_gaussian_field, water_depth_at
from seabed.elements import GROUPS
from seabed.working_grid import laea_crs

__all__ = [
    "PAAS",
    "PATTERN_PAAS_NORMALISED",
    "CoringPlan",
    "SedimentModel",
    "calibration_summary",
    "generate_survey",
    "rey_pattern",
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
    poly = region_polygon(region)

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
