"""The block model: grades, their diagnostics and everything needed for tonnage.

One :class:`xarray.Dataset` on the working grid (dims ``element``, ``layer``,
``y``, ``x``) with CF attributes and the working CRS. Variables:

========================  ======================  =========  =====================================
name                      dims                    units      meaning
========================  ======================  =========  =====================================
grade                     element, layer, y, x    ppm        estimated grade (dry basis)
kriging_variance          element, layer, y, x    ppm^2      kriging variance (if estimated)
slope_of_regression, ...  layer, y, x             various    estimation diagnostics (copied)
mineable_fraction         y, x                    1          fraction of the cell's area all masks keep
cell_area                 y, x                    m^2        area counted: cell_size² × mineable_fraction
layer_thickness           layer                   m          nominal layer thickness
thickness                 layer, y, x             m          thickness of mud in the layer
dry_bulk_density          layer, y, x             t/m^3      dry bulk density
mask_<name>               y, x                    1          each mask (fraction kept, or True = kept)
mineable                  layer, y, x             1          any area kept, mud present, grade known
elevation, ...            y, x                    m          input rasters (if given)
========================  ======================  =========  =====================================

``cell_area`` is the one place where area enters a tonnage: every tonnage of seabed (totals,
classes, cut-offs, the mining inventory, the simulation) is ``cell_area × thickness ×
dry_bulk_density`` of the ``mineable`` cell-layers, so a cell cut by the study area's boundary
counts by the fraction of its area inside (docs/conventions.md, "Area accounting").
"""

from __future__ import annotations

from collections.abc import Mapping

import dask.array as da
import numpy as np
import pint
import xarray as xr

from seabed.errors import InputDataError
from seabed.geostats.kriging_result import (
    DIAGNOSTICS,  # the diagnostics copied from the estimation result
)
from seabed.resource.masks import combine_masks
from seabed.units import parse_quantity
from seabed.working_grid import WorkingGrid

__all__ = ["DIAGNOSTICS", "build_block_model"]



def _check_alignment(estimates: xr.Dataset, grid: WorkingGrid) -> None:
    if "grade" not in estimates:
        raise InputDataError(
            f"estimates: no 'grade' variable (got {list(estimates.data_vars)}); expected the "
            "estimation result with grade (element, layer, y, x) in ppm"
        )
    for axis in ("x", "y"):
        have = np.asarray(estimates[axis].values, dtype=float)
        want = getattr(grid, axis)
        if have.shape != want.shape or not np.allclose(have, want, atol=1e-6 * grid.cell_size):
            raise InputDataError(
                f"estimates: coordinate {axis!r} ({have.size} values) differs from the working grid "
                f"({want.size} values); fix: estimate on the same WorkingGrid"
            )
    if estimates.sizes.get("layer") != grid.layers.n:
        raise InputDataError(
            f"estimates: got {estimates.sizes.get('layer')} layers; expected {grid.layers.n} "
            "(the grid's layers)"
        )


def _grade_factor(units: str | None) -> float:
    if units is None:
        raise InputDataError("estimates.grade: no attrs['units']; expected 'ppm'")
    return float(parse_quantity(f"1 {units}", "[]", field="estimates.grade units").to("ppm").magnitude)


def _scaled(values: xr.DataArray, factor: float) -> object:
    """``values``' data as float times ``factor`` (a Dask array stays lazy; no copy when 1)."""
    data = values.data.astype(float, copy=False) if values.chunks is not None else \
        np.asarray(values.values, dtype=float)
    return data if factor == 1.0 else data * factor


def _density_array(
    density: xr.DataArray | pint.Quantity | str | float, grid: WorkingGrid, rows: tuple[int, ...] | None = None
) -> np.ndarray:
    """Dry bulk density (layer, y, x), t/m³; a Dask array in row blocks ``rows`` when given
    (values are then made block by block, never as one (layer, y, x) array)."""
    shape = (grid.layers.n, *grid.shape)
    if isinstance(density, xr.DataArray):
        units = density.attrs.get("units")
        if units is None:
            raise InputDataError("dry_bulk_density: no attrs['units']; expected e.g. 't/m^3'")
        factor = parse_quantity(f"1 {units}", "[mass]/[length]**3", field="dry_bulk_density units")
        dims = [d for d in ("layer", "y", "x") if d in density.dims]
        arr = density.transpose(*dims).data
        if dims == ["layer"]:
            arr = np.asarray(arr)[:, None, None]
        try:
            np.broadcast_shapes(arr.shape, shape)
        except ValueError:
            raise InputDataError(
                f"dry_bulk_density: got shape {arr.shape}; expected {shape} (layer, y, x)"
            ) from None
        scale = factor.to("t/m^3").magnitude
    else:
        q = parse_quantity(density, "[mass]/[length]**3", field="dry_bulk_density")
        arr, scale = np.float64(q.to("t/m^3").magnitude), 1.0
    if rows is None:
        return np.broadcast_to(np.asarray(arr, dtype=float) * scale, shape).astype(float)
    return _row_blocks(arr, shape, rows).astype(float) * scale


def _row_blocks(arr: object, shape: tuple[int, ...], rows: tuple[int, ...]) -> da.Array:
    """``arr`` (NumPy or Dask, broadcastable to ``shape`` (layer, y, x)) as a Dask array in
    row blocks ``rows``: a small or broadcast array is expanded one block at a time."""
    if not isinstance(arr, da.Array):  # a broadcast view: back to its distinct values
        arr = np.asarray(arr)
        arr = arr[tuple(slice(0, 1) if step == 0 else slice(None) for step in arr.strides)]
    if np.ndim(arr) >= 2 and np.shape(arr)[-2] == shape[1]:
        lead = (-1,) * (np.ndim(arr) - 2)
        arr = arr.rechunk(lead + (rows, -1)) if isinstance(arr, da.Array) else \
            da.from_array(arr, chunks=lead + (rows, -1), name=False)  # name=False: no hashing of the values
    else:  # a constant or one value per layer
        arr = da.from_array(arr, chunks=-1, name=False)
    return da.broadcast_to(arr, shape, chunks=((shape[0],), rows, (shape[2],)))


def _thickness(grid: WorkingGrid, sediment: xr.DataArray | None, clip: bool,
               rows: tuple[int, ...] | None = None) -> np.ndarray:
    """Thickness of mud in each layer (layer, y, x), m; a Dask array in row blocks ``rows``
    when given."""
    top = grid.layers.top[:, None, None]
    bottom = grid.layers.bottom[:, None, None]
    shape = (grid.layers.n, *grid.shape)
    if sediment is None or not clip:
        nominal = (bottom - top).astype(float)
        return np.broadcast_to(nominal, shape).copy() if rows is None else _row_blocks(nominal, shape, rows)
    units = sediment.attrs.get("units", "m")
    factor = parse_quantity(f"1 {units}", "[length]", field="sediment_thickness units").to("m").magnitude
    sed = np.asarray(sediment.transpose("y", "x").values, dtype=float)[None] * factor
    sed = np.where(np.isfinite(sed), sed, 0.0)
    if rows is not None:
        sed = da.from_array(sed, chunks=(1, rows, -1), name=False)
    return (np.minimum(bottom, sed) - top).clip(0.0, None)


def build_block_model(
    estimates: xr.Dataset,
    grid: WorkingGrid,
    *,
    density: xr.DataArray | pint.Quantity | str,
    masks: Mapping[str, xr.DataArray] | None = None,
    rasters: Mapping[str, xr.DataArray] | None = None,
    clip_layers_to_sediment: bool = True,
) -> xr.Dataset:
    """Assemble the block model from the estimates, density, masks and rasters.

    Parameters
    ----------
    estimates : xarray.Dataset
        Estimation result on ``grid``: ``grade`` (element, layer, y, x) with units (ppm),
        optional ``kriging_variance`` (ppm²) and the diagnostics in :data:`DIAGNOSTICS`.
    grid : WorkingGrid
        The working grid (cell size, layers, CRS).
    density : xarray.DataArray, pint.Quantity or str
        Dry bulk density: a ``(layer, y, x)``, ``(layer,)`` or ``(y, x)`` DataArray with
        units, or a constant such as ``"0.55 t/m^3"``.
    masks : mapping of name -> DataArray, optional
        ``(y, x)`` masks in the order applied: polygon fractions and boolean rasters (see
        :func:`seabed.resource.masks.build_masks`); combined by
        :func:`seabed.resource.masks.combine_masks` into ``mineable_fraction``.
    rasters : mapping of name -> DataArray, optional
        ``(y, x)`` rasters stored alongside (``elevation``, ``sediment_thickness`` in m).
    clip_layers_to_sediment : bool, default True
        If a ``sediment_thickness`` raster is given, layers (or parts) below the base
        of the sediment get zero thickness.

    Returns
    -------
    xarray.Dataset
        The block model (see the module docstring), with the working CRS.

    Notes
    -----
    ``mineable`` = ``mineable_fraction > 0`` ∧ thickness > 0 ∧ every element's grade is
    finite ∧ ``reason == 0`` (when given). The dry tonnage of a cell-layer is
    ``cell_area × thickness × dry_bulk_density``, with ``cell_area = cell_size² ×
    mineable_fraction``: a cell half inside the study area counts half its area.
    """
    _check_alignment(estimates, grid)
    masks = dict(masks or {})
    rasters = dict(rasters or {})
    coords = dict(grid.coords()) | grid.layers.coords()
    elements = [str(e) for e in estimates["element"].values]
    coords["element"] = ("element", np.asarray(elements, dtype=str), {"long_name": "element symbol"})
    grade = estimates["grade"].transpose("element", "layer", "y", "x")
    factor = _grade_factor(grade.attrs.get("units"))
    dims4 = ("element", "layer", "y", "x")
    dims3 = ("layer", "y", "x")
    # .data keeps a lazily read (Dask) grade cube lazy: it is streamed, never held whole
    data_vars: dict[str, tuple] = {
        "grade": (dims4, _scaled(grade, factor), {"units": "ppm", "long_name": "grade (mass fraction, dry basis)"}),
    }
    if "kriging_variance" in estimates:
        kv = estimates["kriging_variance"].transpose(*dims4)
        data_vars["kriging_variance"] = (dims4, _scaled(kv, factor**2),
                                         {"units": "ppm^2", "long_name": "kriging variance"})
    for name in DIAGNOSTICS:
        if name in estimates:
            diagnostic = estimates[name].transpose(*dims3)
            data_vars[name] = (dims3, diagnostic.data, dict(diagnostic.attrs))  # stays lazy when read from a store
    # a lazily read grade cube: the (layer, y, x) inputs are made in its row blocks too, so
    # that no (layer, y, x) array is ever held whole
    rows = tuple(grade.chunksizes["y"]) if grade.chunks is not None else None
    thickness = _thickness(grid, rasters.get("sediment_thickness"), clip_layers_to_sediment, rows)
    for name, m in masks.items():
        if m.shape != grid.shape:
            raise InputDataError(f"mask {name!r}: got shape {m.shape}; expected {grid.shape} (y, x)")
    fraction = combine_masks(masks, grid).values
    data_vars["mineable_fraction"] = (("y", "x"), fraction, {
        "units": "1", "long_name": "fraction of the cell's area kept by all masks", "valid_range": "0 1"})
    data_vars["cell_area"] = (("y", "x"), fraction * grid.cell_area, {
        "units": "m^2", "long_name": "area of the cell counted in the resource",
        "description": f"cell area ({grid.cell_area:g} m^2, equal-area CRS) x mineable_fraction"})
    data_vars["layer_thickness"] = ("layer", grid.layers.thickness,
                                    {"units": "m", "long_name": "nominal layer thickness"})
    data_vars["thickness"] = (dims3, thickness,
                              {"units": "m", "long_name": "thickness of mud in the layer"})
    data_vars["dry_bulk_density"] = (dims3, _density_array(density, grid, rows),
                                     {"units": "t/m^3", "long_name": "dry bulk density"})
    for name, raster in rasters.items():
        data_vars[name] = (("y", "x"), np.asarray(raster.transpose("y", "x").values), dict(raster.attrs))
    for name, m in masks.items():
        if "area_role" in m.attrs:  # a polygon: the fraction of the cell kept
            data_vars[f"mask_{name}"] = (("y", "x"), np.asarray(m.values, dtype=float), {
                "long_name": m.attrs.get("long_name", name), "units": "1", "area_role": m.attrs["area_role"]})
        else:
            data_vars[f"mask_{name}"] = (("y", "x"), np.asarray(m.values, dtype=bool), {
                "long_name": m.attrs.get("long_name", name), "flag_meanings": "removed kept"})
    keep = fraction > 0
    known = np.isfinite(grade).all("element").data  # lazy with a lazy grade cube
    if "reason" in estimates:
        known = known & (estimates["reason"].transpose(*dims3) == 0).data
    mineable = keep[None] & (thickness > 0) & known & np.isfinite(data_vars["dry_bulk_density"][1])
    data_vars["mineable"] = (dims3, mineable, {
        "long_name": "cell-layer counted in the resource",
        "description": "all masks kept, mud present, grade estimated",
        "flag_meanings": "excluded mineable",
    })
    ds = xr.Dataset(data_vars, coords=coords)
    if grade.chunks is not None:
        # a block model read lazily: every gridded variable in the same row blocks, so that
        # derived maps (tonnes, item grades, selections) are computed block by block too
        ds = ds.chunk({"y": grade.chunksizes["y"]})
    ds.attrs = {
        "title": "seabed block model",
        "Conventions": "CF-1.10",
        "cell_size_m": grid.cell_size,
        "cell_area_m2": grid.cell_area,
        "masks": ",".join(masks),
    }
    return grid.attach_crs(ds)
