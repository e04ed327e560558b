"""Masks saying where mud can be mined, and the area each removes.

A mask is a boolean ``(y, x)`` DataArray on the working grid, ``True`` where a
cell is *kept*. Rasters with NaN count as not kept (unknown ground is not mined).

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
    """Cells whose centre is inside (``inside=True``) or outside a lon/lat polygon.

    Use ``inside=True`` for the study box, EEZ and licence blocks, ``inside=False``
    for exclusion zones.
    """
    within = grid.mask(geometry)
    keep = within if inside else ~within
    template = grid.empty(name, units="1", layered=False)
    verb = "inside" if inside else "outside"
    return _mask_like(template, keep, name, f"{verb} polygon {name!r}")


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
        Keep cells inside each (study box, EEZ, licence blocks).
    exclude : mapping of name -> lon/lat geometry, optional
        Remove cells inside each (exclusion zones).

    Returns
    -------
    dict of str -> xarray.DataArray
        Boolean ``(y, x)`` masks, ``True`` = kept.
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
    """Logical AND of all masks (all ``True`` when there are none), dims ``(y, x)``."""
    keep = np.ones(grid.shape, dtype=bool)
    for m in masks.values():
        keep &= np.asarray(m.values, dtype=bool)
    template = grid.empty("mask", units="1", layered=False)
    return _mask_like(template, keep, "all", "all masks combined")


def mask_table(
    masks: Mapping[str, xr.DataArray],
    grid: WorkingGrid,
    *,
    domain: xr.DataArray | np.ndarray | None = None,
) -> pd.DataFrame:
    """Area removed by each mask, km².

    Parameters
    ----------
    masks : mapping of name -> DataArray
        Boolean ``(y, x)`` masks, ``True`` = kept, in the order applied.
    grid : WorkingGrid
        The working grid (cell area).
    domain : array_like of bool, optional
        Cells counted at all (e.g. the study box); default the whole grid.

    Returns
    -------
    pandas.DataFrame
        Index = mask name; columns ``removed alone [km^2]`` (cells of the domain the mask
        removes by itself), ``removed in sequence [km^2]`` (cells it removes after the
        masks above it) and ``remaining [km^2]``; a last row ``total``.
    """
    cell_km2 = grid.cell_area / 1e6
    dom = np.ones(grid.shape, dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    remaining = dom.copy()
    rows = []
    for name, m in masks.items():
        keep = np.asarray(m.values, dtype=bool)
        alone = np.count_nonzero(dom & ~keep)
        seq = np.count_nonzero(remaining & ~keep)
        remaining &= keep
        rows.append(
            {
                "mask": name,
                "removed alone [km^2]": alone * cell_km2,
                "removed in sequence [km^2]": seq * cell_km2,
                "remaining [km^2]": np.count_nonzero(remaining) * cell_km2,
            }
        )
    rows.append(
        {
            "mask": "total",
            "removed alone [km^2]": np.count_nonzero(dom & ~remaining) * cell_km2,
            "removed in sequence [km^2]": np.count_nonzero(dom & ~remaining) * cell_km2,
            "remaining [km^2]": np.count_nonzero(remaining) * cell_km2,
        }
    )
    return pd.DataFrame(rows).set_index("mask")
