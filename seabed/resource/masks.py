"""Masks saying where mud can be mined, and the area each removes.

A mask is a ``(y, x)`` DataArray on the working grid saying how much of each cell is *kept*.
A raster mask (water depth, slope, sediment thickness) is boolean, ``True`` where the cell is
kept: rasters are per cell, and a NaN counts as not kept (unknown ground is not mined). A
polygon mask (study box, EEZ, licence, exclusion zone) is the **fraction** of each cell's area
it keeps, 0…1 (:meth:`~seabed.working_grid.WorkingGrid.area_fraction`), with
``attrs["area_role"]`` ``"include"`` or ``"exclude"``. Masks combine in order
(:func:`combine_masks`): an include polygon caps the kept fraction (``min``), an exclusion
subtracts the fraction it covers, a raster mask keeps or removes the cell. This is exact
wherever, within a cell, the include polygons are nested and each exclusion lies inside them
(or only one boundary crosses the cell); elsewhere it is off by less than that cell's area.

Examples
--------
>>> import numpy as np, xarray as xr
>>> z = xr.DataArray(np.array([[-5600.0, -3000.0]]), dims=("y", "x"),
...                  coords={"y": [0.0], "x": [0.0, 1000.0]})
>>> water_depth_mask(z, min_depth="4000 m", max_depth="6500 m").values.tolist()
[[True, False]]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pint
import xarray as xr
from shapely.geometry.base import BaseGeometry

from seabed.config.resource import MaskSettings
from seabed.errors import InputDataError
from seabed.units import parse_quantity
from seabed.working_grid import WorkingGrid

__all__ = [
    "apply_mask",
    "build_masks",
    "combine_masks",
    "mask_table",
    "polygon_mask",
    "seafloor_slope",
    "sediment_thickness_mask",
    "slope_mask",
    "water_depth_mask",
]


def _metres(value: pint.Quantity | str | None, field: str) -> float | None:
    if value is None:
        return None
    return float(parse_quantity(value, "[length]", field=field).to("m").magnitude)


def _as_metres(raster: xr.DataArray, name: str) -> np.ndarray:
    units = raster.attrs.get("units", "m")
    factor = parse_quantity(f"1 {units}", "[length]", field=f"{name} units").to("m").magnitude
    return np.asarray(raster.values, dtype=float) * factor


def _mask_like(raster: xr.DataArray, keep: np.ndarray, name: str, description: str) -> xr.DataArray:
    out = xr.DataArray(keep, dims=raster.dims, coords=raster.coords, name=f"mask_{name}")
    out.attrs = {"long_name": description, "flag_values": "0 1", "flag_meanings": "removed kept"}
    return out


def seafloor_slope(elevation: xr.DataArray) -> xr.DataArray:
    """Seafloor slope in degrees from bathymetry on the working grid.

    Parameters
    ----------
    elevation : xarray.DataArray
        Seafloor elevation ``(y, x)`` (m, negative below sea level) with projected ``x``,
        ``y`` coordinates in metres (the working grid).

    Returns
    -------
    xarray.DataArray
        Slope, degrees from horizontal, same grid.

    Notes
    -----
    Centred differences (``numpy.gradient``, one-sided at the edges) with the cell
    spacing in metres: slope = atan(√((∂z/∂x)² + (∂z/∂y)²)). The bathymetry is
    resampled from a ~0.1° (~11 km) source grid, so the slope is that of a smoothed
    seafloor: local slopes (seamount flanks, scarps) are underestimated and a slope mask
    is only a first screen.
    """
    if set(elevation.dims) != {"y", "x"}:
        raise InputDataError(f"elevation: got dims {elevation.dims}; expected ('y', 'x')")
    z = _as_metres(elevation.transpose("y", "x"), "elevation")
    y = np.asarray(elevation["y"].values, dtype=float)
    x = np.asarray(elevation["x"].values, dtype=float)
    if y.size < 2 or x.size < 2:
        raise InputDataError(f"elevation: got shape {z.shape}; expected at least 2 x 2 cells for a slope")
    dzdy, dzdx = np.gradient(z, y, x)
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    out = xr.DataArray(slope, dims=("y", "x"), coords={"y": elevation["y"], "x": elevation["x"]}, name="slope")
    out.attrs = {"units": "degree", "long_name": "seafloor slope (from gridded bathymetry)"}
    return out


def water_depth_mask(
    elevation: xr.DataArray,
    *,
    min_depth: pint.Quantity | str | None = None,
    max_depth: pint.Quantity | str | None = None,
) -> xr.DataArray:
    """Cells whose water depth lies in the operable window ``[min_depth, max_depth]``.

    Parameters
    ----------
    elevation : xarray.DataArray
        Seafloor elevation ``(y, x)``, m, negative below sea level.
    min_depth, max_depth : pint.Quantity or str, optional
        Operable water depth window (positive down), e.g. ``"4000 m"``, ``"6.5 km"``.
    """
    depth = -_as_metres(elevation, "elevation")
    keep = np.isfinite(depth)
    lo, hi = _metres(min_depth, "min_water_depth"), _metres(max_depth, "max_water_depth")
    with np.errstate(invalid="ignore"):
        if lo is not None:
            keep &= depth >= lo
        if hi is not None:
            keep &= depth <= hi
    return _mask_like(elevation, keep, "water_depth", f"water depth within [{lo}, {hi}] m")


def slope_mask(slope: xr.DataArray, *, max_slope: float) -> xr.DataArray:
    """Cells whose slope (degrees) is at most ``max_slope`` degrees."""
    s = np.asarray(slope.values, dtype=float)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(s) & (s <= max_slope)
    return _mask_like(slope, keep, "slope", f"seafloor slope <= {max_slope:g} degrees")


def sediment_thickness_mask(
    sediment_thickness: xr.DataArray, *, min_thickness: pint.Quantity | str
) -> xr.DataArray:
    """Cells whose sediment is at least ``min_thickness`` thick (e.g. ``"5 m"``)."""
    t = _as_metres(sediment_thickness, "sediment_thickness")
    lo = _metres(min_thickness, "min_sediment_thickness")
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(t) & (t >= lo)
    return _mask_like(sediment_thickness, keep, "sediment_thickness", f"sediment thickness >= {lo:g} m")


def polygon_mask(
    grid: WorkingGrid, geometry: BaseGeometry, *, name: str, inside: bool = True
) -> xr.DataArray:
    """Fraction of each cell's area kept by a lon/lat polygon, ``(y, x)`` float in [0, 1].

    Use ``inside=True`` for the study box, EEZ and licence blocks (the fraction of the cell
    inside the polygon), ``inside=False`` for exclusion zones (the fraction outside). The
    fraction is exact on the equal-area grid (:meth:`WorkingGrid.area_fraction`);
    ``attrs["area_role"]`` is ``"include"`` or ``"exclude"`` (see :func:`combine_masks`).
    """
    within = grid.area_fraction(geometry)
    keep = within if inside else 1.0 - within
    verb = "inside" if inside else "outside"
    out = xr.DataArray(keep, dims=("y", "x"), coords={"y": grid.y, "x": grid.x}, name=f"mask_{name}")
    out.attrs = {"long_name": f"fraction of the cell's area {verb} polygon {name!r}", "units": "1",
                 "valid_range": "0 1", "area_role": "include" if inside else "exclude"}
    return out


def apply_mask(kept: np.ndarray, mask: xr.DataArray) -> np.ndarray:
    """The fraction of each cell still kept after ``mask``, from the fraction ``kept`` before it.

    An include polygon caps it (``min(kept, f)``: exact when the areas are nested within the
    cell), an exclusion subtracts the fraction ``e`` it covers (``max(kept - e, 0)``: exact when
    the exclusion lies inside what is kept), and a raster mask (or any other) multiplies.
    """
    values = np.asarray(mask.values, dtype=float)
    role = mask.attrs.get("area_role")
    if role == "include":
        return np.minimum(kept, values)
    if role == "exclude":
        return np.maximum(kept - (1.0 - values), 0.0)
    return kept * values


def build_masks(
    grid: WorkingGrid,
    *,
    settings: MaskSettings | None = None,
    rasters: Mapping[str, xr.DataArray] | None = None,
    include: Mapping[str, BaseGeometry] | None = None,
    exclude: Mapping[str, BaseGeometry] | None = None,
) -> dict[str, xr.DataArray]:
    """All masks for a run, in the order they are applied.

    Parameters
    ----------
    grid : WorkingGrid
        The working grid.
    settings : MaskSettings, optional
        Water-depth window, maximum slope (degrees), minimum sediment thickness.
    rasters : mapping, optional
        ``elevation`` (m) and ``sediment_thickness`` (m) on the grid, dims ``(y, x)``;
        masks whose raster is missing are skipped.
    include : mapping of name -> lon/lat geometry, optional
        Keep the part of each cell inside each (study box, EEZ, licence blocks).
    exclude : mapping of name -> lon/lat geometry, optional
        Remove the part of each cell inside each (exclusion zones).

    Returns
    -------
    dict of str -> xarray.DataArray
        ``(y, x)`` masks: polygon masks are the fraction of each cell kept (float 0…1),
        raster masks are boolean (``True`` = kept).
    """
    s = settings or MaskSettings()
    rasters = rasters or {}
    masks: dict[str, xr.DataArray] = {}
    for name, geom in (include or {}).items():
        masks[name] = polygon_mask(grid, geom, name=name, inside=True)
    elevation = rasters.get("elevation")
    if elevation is not None:
        if s.min_water_depth is not None or s.max_water_depth is not None:
            masks["water_depth"] = water_depth_mask(
                elevation, min_depth=s.min_water_depth, max_depth=s.max_water_depth
            )
        if s.max_slope is not None:
            masks["slope"] = slope_mask(seafloor_slope(elevation), max_slope=s.max_slope)
    thickness = rasters.get("sediment_thickness")
    if thickness is not None and s.min_sediment_thickness is not None:
        masks["sediment_thickness"] = sediment_thickness_mask(
            thickness, min_thickness=s.min_sediment_thickness
        )
    for name, geom in (exclude or {}).items():
        masks[name] = polygon_mask(grid, geom, name=name, inside=False)
    return {k: _on_grid(v, grid, k) for k, v in masks.items()}


def _on_grid(mask: xr.DataArray, grid: WorkingGrid, name: str) -> xr.DataArray:
    if mask.shape != grid.shape:
        raise InputDataError(
            f"mask {name!r}: got shape {mask.shape}; expected {grid.shape} (y, x) of the working grid; "
            "fix: resample the raster to the grid"
        )
    return mask.assign_coords(x=grid.x, y=grid.y)


def combine_masks(masks: Mapping[str, xr.DataArray], grid: WorkingGrid) -> xr.DataArray:
    """The fraction of each cell's area kept by all masks, in order (:func:`apply_mask`), ``(y, x)``
    float in [0, 1] (1 everywhere when there are none)."""
    keep = np.ones(grid.shape)
    for m in masks.values():
        keep = apply_mask(keep, m)
    out = xr.DataArray(keep, dims=("y", "x"), coords={"y": grid.y, "x": grid.x}, name="mineable_fraction")
    out.attrs = {"long_name": "fraction of the cell's area kept by all masks", "units": "1", "valid_range": "0 1"}
    return out


def mask_table(
    masks: Mapping[str, xr.DataArray],
    grid: WorkingGrid,
    *,
    domain: xr.DataArray | np.ndarray | None = None,
) -> pd.DataFrame:
    """Area removed by each mask, km², counting cut cells by the fraction of their area.

    Parameters
    ----------
    masks : mapping of name -> DataArray
        ``(y, x)`` masks in the order applied: boolean rasters and polygon fractions
        (see the module docstring).
    grid : WorkingGrid
        The working grid (cell area).
    domain : array_like, optional
        Fraction of each cell counted at all, 0…1 (e.g. the extent's
        :meth:`~seabed.working_grid.WorkingGrid.area_fraction`; a boolean array counts whole
        cells); default the whole grid.

    Returns
    -------
    pandas.DataFrame
        Index = mask name; columns ``removed alone [km^2]`` (area of the domain the mask
        removes by itself), ``removed in sequence [km^2]`` (area it removes after the masks
        above it) and ``remaining [km^2]``; a last row ``total``.
    """
    cell_km2 = grid.cell_area / 1e6
    dom = np.ones(grid.shape) if domain is None else np.asarray(domain, dtype=float)
    remaining = dom.copy()
    rows = []
    for name, m in masks.items():
        after = apply_mask(remaining, m)
        rows.append(
            {
                "mask": name,
                "removed alone [km^2]": float((dom - apply_mask(dom, m)).sum()) * cell_km2,
                "removed in sequence [km^2]": float((remaining - after).sum()) * cell_km2,
                "remaining [km^2]": float(after.sum()) * cell_km2,
            }
        )
        remaining = after
    removed = float((dom - remaining).sum()) * cell_km2
    rows.append(
        {
            "mask": "total",
            "removed alone [km^2]": removed,
            "removed in sequence [km^2]": removed,
            "remaining [km^2]": float(remaining.sum()) * cell_km2,
        }
    )
    return pd.DataFrame(rows).set_index("mask")
