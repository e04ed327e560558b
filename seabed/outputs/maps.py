"""Map figures: cores over bathymetry with area outlines, and gridded fields on the working grid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from shapely.geometry.base import BaseGeometry

from seabed.working_grid import WorkingGrid

__all__ = ["plot_grid_field", "plot_site_map"]

_AREA_STYLES = ("-", "--", ":", "-.")


def _outline(ax, geom: BaseGeometry, *, label: str, style: str, color: str = "k") -> None:
    polys = getattr(geom, "geoms", [geom])
    for i, poly in enumerate(polys):
        x, y = poly.exterior.xy
        ax.plot(x, y, style, color=color, lw=1.2, label=label if i == 0 else None)


def plot_site_map(
    bathymetry: xr.DataArray,
    cores: pd.DataFrame,
    areas: dict[str, BaseGeometry],
    *,
    title: str = "",
    zoom: BaseGeometry | None = None,
    island: tuple[str, float, float] | None = None,
) -> plt.Figure:
    """Cores over bathymetry with area outlines (EEZ, study box, ...), in longitude/latitude.

    Parameters
    ----------
    bathymetry : xarray.DataArray
        Elevation (m, negative below sea level), dims (y, x) in degrees (from ``load_grid``).
    cores : pandas.DataFrame
        Interval table with ``core_id``, ``longitude``, ``latitude``.
    areas : dict of str to shapely geometry
        Named lon/lat polygons to outline.
    title : str
        Figure title.
    zoom : shapely geometry, optional
        If given, a second panel zooms on this area's bounds (e.g. the study box).
    island : (name, lon, lat), optional
        Marks the island.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ncols = 2 if zoom is not None else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.2 * ncols, 5.6), squeeze=False, layout="constrained")
    depth_km = -bathymetry / 1000.0
    positions = cores.groupby("core_id", sort=False)[["longitude", "latitude"]].first()
    for k, ax in enumerate(axes[0]):
        mesh = ax.pcolormesh(bathymetry.x, bathymetry.y, depth_km, cmap="Blues", shading="nearest")
        levels = np.arange(1, 8)
        ax.contour(bathymetry.x, bathymetry.y, depth_km, levels=levels, colors="0.35", linewidths=0.4)
        for i, (name, geom) in enumerate(areas.items()):
            _outline(ax, geom, label=name, style=_AREA_STYLES[i % len(_AREA_STYLES)],
                     color=("k", "crimson", "darkorange", "purple")[i % 4])
        ax.scatter(positions.longitude, positions.latitude, s=14, c="gold", edgecolors="k",
                   linewidths=0.5, zorder=5, label=f"cores (n={len(positions)})")
        if island is not None:
            ax.plot(island[1], island[2], marker="*", ms=12, color="red", mec="k", ls="none", zorder=6,
                    label=island[0].capitalize())
        ax.set_xlabel("Longitude (°E)")
        ax.set_ylabel("Latitude (°N)")
        ax.set_aspect(1.0 / np.cos(np.deg2rad(float(bathymetry.y.mean()))))
        if k == 1 and zoom is not None:
            w, s, e, n = zoom.bounds
            pad = 0.1 * max(e - w, n - s)
            ax.set_xlim(w - pad, e + pad)
            ax.set_ylim(s - pad, n + pad)
            ax.set_title("Zoom on the study area")
        else:
            ax.set_title("Site, EEZ and areas")
            ax.legend(loc="lower left", fontsize=7, framealpha=0.8)
    fig.colorbar(mesh, ax=axes[0].tolist(), label="Water depth (km)", shrink=0.8)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def plot_grid_field(
    field: xr.DataArray,
    grid: WorkingGrid,
    *,
    title: str,
    label: str,
    cores_xy: np.ndarray | None = None,
    cmap: str = "viridis",
) -> plt.Figure:
    """A (y, x) field on the working grid, in projected km, with optional core positions."""
    fig, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
    mesh = ax.pcolormesh(grid.x / 1000, grid.y / 1000, field.values, cmap=cmap, shading="nearest")
    if cores_xy is not None and len(cores_xy):
        ax.scatter(cores_xy[:, 0] / 1000, cores_xy[:, 1] / 1000, s=12, c="w", edgecolors="k", linewidths=0.5)
    ax.set_aspect("equal")
    ax.set_xlabel("Easting (km, LAEA)")
    ax.set_ylabel("Northing (km, LAEA)")
    ax.set_title(title)
    fig.colorbar(mesh, ax=ax, label=label)
    return fig
