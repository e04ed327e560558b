"""Where the SYNTHETIC cores are taken: sites in a region, water depth, spatial random fields.

Building blocks of the demo-data generator (:func:`seabed.demo.model.generate_survey`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyproj
import shapely
import xarray as xr
from scipy.interpolate import RegularGridInterpolator
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from seabed.working_grid import laea_crs

__all__ = ["region_polygon", "sample_sites", "simulate_gaussian_field", "water_depth_at"]


def region_polygon(region: BaseGeometry | Sequence[float]) -> BaseGeometry:
    """A region as a lon/lat polygon: a shapely geometry as given, or a (W, E, S, N) box, degrees.

    Examples
    --------
    >>> region_polygon((135.0, 135.5, 20.0, 20.5)).bounds
    (135.0, 20.0, 135.5, 20.5)
    """
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
