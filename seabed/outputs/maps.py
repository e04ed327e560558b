"""Map figures: cores over bathymetry with area outlines, and gridded fields on the working grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure
from shapely.geometry.base import BaseGeometry

from seabed.plotting import add_graticule, add_scale_bar, class_colormap, class_legend, watermark
from seabed.working_grid import WorkingGrid

__all__ = ["plot_class_map", "plot_grid_field", "plot_site_map"]

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
    synthetic: bool = False,
) -> Figure:
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
    synthetic : bool, default False
        The cores are synthetic: the figure carries the SYNTHETIC watermark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ncols = 2 if zoom is not None else 1
    fig = Figure(figsize=(6.2 * ncols, 5.6), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)
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
            ax.set_xlim(float(bathymetry.x.min()), float(bathymetry.x.max()))
            ax.set_ylim(float(bathymetry.y.min()), float(bathymetry.y.max()))
            ax.set_title("Site, EEZ and areas")
            ax.legend(loc="lower left", fontsize=7, framealpha=0.8)
        ax.grid(color="0.3", lw=0.4, ls=":")
        lat = float(np.mean(ax.get_ylim()))
        add_scale_bar(ax, units_per_km=1.0 / (111.32 * np.cos(np.deg2rad(lat))))
    fig.colorbar(mesh, ax=axes[0].tolist(), label="Water depth (km)", shrink=0.8)
    if title:
        fig.suptitle(title, fontsize=11)
    return watermark(fig, synthetic)


def _grid_axes(grid: WorkingGrid, figsize=(6.4, 5.2)):
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    return fig, ax


def _finish_map(ax, grid: WorkingGrid, cores_xy: np.ndarray | None, title: str) -> None:
    """Core positions, equal aspect, graticule, scale bar and title of a working-grid map (km axes)."""
    if cores_xy is not None and len(cores_xy):
        ax.scatter(cores_xy[:, 0] / 1000, cores_xy[:, 1] / 1000, s=12, c="w", edgecolors="k", linewidths=0.5,
                   zorder=4, label="cores")
    half = grid.cell_size / 2000
    ax.set_xlim(float(grid.x.min()) / 1000 - half, float(grid.x.max()) / 1000 + half)
    ax.set_ylim(float(grid.y.min()) / 1000 - half, float(grid.y.max()) / 1000 + half)
    ax.set_aspect("equal")
    add_graticule(ax, grid.crs, scale=1e-3)
    add_scale_bar(ax, units_per_km=1.0)
    ax.set_title(title, wrap=True)


def plot_grid_field(
    field: xr.DataArray,
    grid: WorkingGrid,
    *,
    title: str,
    label: str,
    cores_xy: np.ndarray | None = None,
    cmap: str = "viridis",
    synthetic: bool = False,
) -> Figure:
    """A (y, x) field on the working grid with a lon/lat graticule, a scale bar and optional cores.

    ``cores_xy`` are projected (m) positions; ``synthetic`` stamps the SYNTHETIC watermark.
    """
    fig, ax = _grid_axes(grid)
    mesh = ax.pcolormesh(grid.x / 1000, grid.y / 1000, field.values, cmap=cmap, shading="nearest")
    _finish_map(ax, grid, cores_xy, title)
    fig.colorbar(mesh, ax=ax, label=label, shrink=0.85)
    return watermark(fig, synthetic)


def plot_class_map(
    classes: xr.DataArray,
    grid: WorkingGrid,
    *,
    title: str,
    cores_xy: np.ndarray | None = None,
    synthetic: bool = False,
) -> Figure:
    """Resource classes (0 none, 1 Inferred, 2 Indicated, 3 Measured; NaN not mineable) in discrete
    colours with a legend of class names, with graticule, scale bar and optional cores."""
    fig, ax = _grid_axes(grid, figsize=(7.4, 5.2))
    cmap, norm = class_colormap()
    values = np.asarray(classes.values, dtype=float)
    ax.pcolormesh(grid.x / 1000, grid.y / 1000, np.ma.masked_invalid(values), cmap=cmap, norm=norm,
                  shading="nearest")
    _finish_map(ax, grid, cores_xy, title)
    present = sorted({int(v) for v in np.unique(values[np.isfinite(values)])})
    class_legend(ax, present or None,
                 title="resource class\n(blank: not mineable)" if np.isnan(values).any() else "resource class")
    return watermark(fig, synthetic)
