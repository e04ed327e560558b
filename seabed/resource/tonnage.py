"""Dry mud, element and oxide tonnages from the block model.

Items
-----
An *item* is an element symbol (``"Nd"``), a metal group of :data:`seabed.elements.GROUPS`
(``"REY"``, ``"HREE"``, ``"magnet"``...; grade = sum of member grades) or an oxide group of
:data:`seabed.config.resource.OXIDE_GROUPS` (``"TREO"``, ``"HREO"`` (Y₂O₃ + heavy REE
oxides), ``"LREO"``, ``"MREO"`` (Pr, Nd, Tb, Dy oxides); grade = sum of oxide grades).

Notes
-----
For a cell-layer of area A (m²), mud thickness h (m), dry bulk density ρ (t/m³) and
grade g (ppm): dry tonnes T = A h ρ; element tonnes = T g 10⁻⁶; oxide tonnes = element
tonnes × oxide factor (from atomic weights, :mod:`seabed.elements`). Only ``mineable``
cell-layers count unless another selection is given.

Examples
--------
>>> from seabed.units import Quantity
>>> q = Quantity(2500, "km^2") * Quantity(10, "m") * Quantity(0.55, "t/m^3") * Quantity(964, "ppm")
>>> round(q.to("Mt").magnitude, 2)
13.26
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pint
import xarray as xr
from shapely.geometry.base import BaseGeometry

from seabed.config.resource import OXIDE_GROUPS, known_items
from seabed.elements import ELEMENTS, GROUPS
from seabed.errors import ConfigError
from seabed.units import Quantity
from seabed.working_grid import WorkingGrid

__all__ = [
    "DEFAULT_ITEMS",
    "block_tonnes",
    "compute_tonnage",
    "contained",
    "hold_in_memory",
    "item_grade",
    "item_members",
    "row_blocks",
    "tonnage_by_depth",
    "tonnage_by_polygon",
    "tonnage_table",
    "treo_per_km2",
]

#: Items reported by default: total REY, the four oxide sums and each element.
DEFAULT_ITEMS: tuple[str, ...] = ("REY", "TREO", "HREO", "LREO", "MREO")


def hold_in_memory(bm: xr.Dataset, max_bytes: float) -> xr.Dataset:
    """The block model with its lazily read cubes loaded (``"grade"`` first, then the others in
    order) as long as together they stay under ``max_bytes`` (bytes); lazy coordinates (such as
    ``layer_top``) are always loaded.

    Every table of the resource stage is one pass over the block model; on a lazily read (NetCDF)
    cube each pass reads and decodes it again. Held in memory, the passes are numpy reductions of
    the same values (tables equal to rounding of the summation order).

    Examples
    --------
    >>> import dask.array as da
    >>> bm = xr.Dataset({"grade": (("x",), da.ones(4, chunks=2)), "v": (("x",), da.ones(4, chunks=2))})
    >>> sorted(k for k, v in hold_in_memory(bm, 40).data_vars.items() if v.chunks is None)
    ['grade']
    """
    lazy = sorted((k for k, v in bm.data_vars.items() if v.chunks is not None), key=lambda k: k != "grade")
    held, used = {}, 0
    for name in lazy:
        if used + bm[name].nbytes <= max_bytes:
            held[name] = bm[name].compute()
            used += bm[name].nbytes
    coords = {k: c.compute() for k, c in bm.coords.items() if c.chunks is not None}  # e.g. layer_top: tiny
    return bm.assign(held).assign_coords(coords)


def item_members(item: str, available: Sequence[str] | None = None) -> tuple[tuple[str, ...], bool]:
    """Member elements of an item and whether its grade is an oxide grade.

    Parameters
    ----------
    item : str
        Element symbol, metal group or oxide group name.
    available : sequence of str, optional
        Elements present in the block model; members not present are dropped.

    Returns
    -------
    (members, is_oxide) : tuple of str, bool
    """
    if item in OXIDE_GROUPS:
        members, oxide = OXIDE_GROUPS[item], True
    elif item in GROUPS:
        members, oxide = GROUPS[item], False
    elif item in ELEMENTS:
        members, oxide = (item,), False
    else:
        raise ConfigError(f"item: got {item!r}; expected one of {', '.join(known_items())}")
    if available is not None:
        have = set(available)
        members = tuple(m for m in members if m in have)
        if not members:
            raise ConfigError(
                f"item {item!r}: none of its elements are in the block model (have {sorted(have)}); "
                "fix: choose another item or estimate its elements"
            )
    return members, oxide


def _elements(bm: xr.Dataset) -> list[str]:
    return [str(e) for e in bm["element"].values]


def _oxide_factors(elements: Sequence[str]) -> np.ndarray:
    return np.array([ELEMENTS[e].oxide_factor for e in elements])


def item_grade(bm: xr.Dataset, item: str, *, grade: xr.DataArray | None = None) -> xr.DataArray:
    """Grade of an item per cell-layer, ppm (oxide ppm for oxide groups).

    Parameters
    ----------
    bm : xarray.Dataset
        Block model with ``grade`` (element, layer, y, x) in ppm.
    item : str
        Element, metal group or oxide group.
    grade : xarray.DataArray, optional
        Grades to use instead of ``bm.grade`` (e.g. a simulated realisation), ppm.
    """
    g = bm["grade"] if grade is None else grade
    members, oxide = item_members(item, _elements(bm))
    sel = g.sel(element=list(members))
    if oxide:
        sel = sel * xr.DataArray(_oxide_factors(members), dims="element", coords={"element": sel["element"]})
    out = sel.sum("element", skipna=False)
    out.attrs = {"units": "ppm", "long_name": f"{item} grade" + (" (as oxides)" if oxide else "")}
    return out.rename(f"{item}_grade")


def _thickness_between(bm: xr.Dataset, depth_from: float | None, depth_to: float | None) -> xr.DataArray:
    """Thickness of mud (m) of each cell-layer lying between two depths (mbsf)."""
    h = bm["thickness"]
    if depth_to is None and depth_from is None:
        return h
    top = bm["layer_top"]
    upper = top if depth_from is None else np.maximum(top, depth_from)
    lower = top + h if depth_to is None else np.minimum(top + h, depth_to)
    return (lower - upper).clip(min=0.0)


def _as_selection(where: xr.DataArray | np.ndarray) -> xr.DataArray:
    if isinstance(where, xr.DataArray):
        return where.astype(bool)
    arr = np.asarray(where, dtype=bool)
    dims = {3: ("layer", "y", "x"), 2: ("y", "x"), 1: ("layer",)}.get(arr.ndim)
    if dims is None:
        raise ConfigError(f"where: got an array of shape {arr.shape}; expected (layer, y, x) or (y, x)")
    return xr.DataArray(arr, dims=dims)


def block_tonnes(
    bm: xr.Dataset,
    *,
    where: xr.DataArray | np.ndarray | None = None,
    depth_from: float | None = None,
    depth_to: float | None = None,
) -> xr.DataArray:
    """Dry tonnes per cell-layer (t), zero outside ``mineable`` (and ``where``).

    Parameters
    ----------
    bm : xarray.Dataset
        Block model.
    where : array_like of bool, optional
        Extra selection, broadcastable to ``(layer, y, x)``.
    depth_from, depth_to : float, optional
        Count only mud between these depths, m below seafloor.
    """
    h = _thickness_between(bm, depth_from, depth_to)
    t = bm["cell_area"] * h * bm["dry_bulk_density"]
    sel = bm["mineable"]
    if where is not None:
        sel = sel & _as_selection(where)
    out = xr.where(sel, t, 0.0).transpose("layer", "y", "x")
    out.attrs = {"units": "t", "long_name": "dry mud tonnes"}
    return out.rename("dry_tonnes")


def compute_tonnage(
    bm: xr.Dataset,
    *,
    where: xr.DataArray | np.ndarray | None = None,
    grade: xr.DataArray | None = None,
) -> xr.Dataset:
    """Dry, element and oxide tonnes per cell-layer.

    Returns
    -------
    xarray.Dataset
        ``dry_tonnes`` (layer, y, x), ``metal_tonnes`` and ``oxide_tonnes``
        (element, layer, y, x), all in t; zero where not counted.
    """
    t = block_tonnes(bm, where=where)
    g = bm["grade"] if grade is None else grade
    metal = (t * g.fillna(0.0) * 1e-6).transpose("element", "layer", "y", "x")
    factors = xr.DataArray(_oxide_factors(_elements(bm)), dims="element", coords={"element": bm["element"]})
    oxide = metal * factors
    metal.attrs = {"units": "t", "long_name": "contained element"}
    oxide.attrs = {"units": "t", "long_name": "contained oxide"}
    return xr.Dataset({"dry_tonnes": t, "metal_tonnes": metal, "oxide_tonnes": oxide})


def row_blocks(bm: xr.Dataset | xr.DataArray) -> list[slice]:
    """Blocks of grid rows to stream a block model through, one per Dask chunk of ``y``.

    A block model held in memory is one block (all rows); one read lazily from a store
    (:func:`seabed.geostats.estimation.estimate_grades` with ``store``) gives one block per
    chunk of rows, so sums over the grid hold one chunk of ``grade`` at a time.
    """
    da = bm["grade"] if isinstance(bm, xr.Dataset) else bm
    ny = da.sizes["y"]
    if da.chunks is None:
        return [slice(0, ny)]
    out, start = [], 0
    for size in da.chunksizes["y"]:
        out.append(slice(start, start + size))
        start += size
    return out


def layer_metal(tonnes: xr.DataArray, grade: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """Element tonnes per layer, streamed over row blocks.

    Parameters
    ----------
    tonnes : xarray.DataArray
        Dry tonnes per cell-layer ``(layer, y, x)``, t (zero where not counted).
    grade : xarray.DataArray
        Grades ``(element, layer, y, x)``, ppm (NaN counts as 0); may be Dask-backed.

    Returns
    -------
    (metal, dry) : ndarray (element, layer), ndarray (layer,)
        Contained element tonnes and dry tonnes per layer, t.

    Notes
    -----
    metal[e, l] = 10⁻⁶ Σ_cells g[e, l] T[l], accumulated one row block (:func:`row_blocks`)
    at a time, so a lazily read grade cube is never held whole.
    """
    n_el, n_l = grade.sizes["element"], grade.sizes["layer"]
    metal = np.zeros((n_el, n_l))
    dry = np.zeros(n_l)
    for rows in row_blocks(grade):
        t = np.asarray(tonnes.isel(y=rows).transpose("layer", "y", "x").values, dtype=float)
        g = np.asarray(grade.isel(y=rows).transpose("element", "layer", "y", "x").values)
        for k in range(n_l):
            gk = g[:, k].reshape(n_el, -1)
            tk = t[k].ravel()
            metal[:, k] += np.where(np.isfinite(gk), gk, 0.0) @ tk * 1e-6
            dry[k] += tk.sum()
    return metal, dry


def _item_sums(elements: Sequence[str], metal_l: np.ndarray, dry_l: np.ndarray, items: Iterable[str],
               *, layers: slice | int | None = None) -> dict[str, tuple[float, float, float]]:
    sel = slice(None) if layers is None else layers
    metal = np.atleast_2d(metal_l.T[sel]).sum(axis=0)  # per element, t
    total = float(np.sum(dry_l[sel]))
    factors = _oxide_factors(elements)
    idx = {e: i for i, e in enumerate(elements)}
    out = {}
    for item in items:
        members, _ = item_members(item, elements)
        m = float(sum(metal[idx[e]] for e in members))
        o = float(sum(metal[idx[e]] * factors[idx[e]] for e in members))
        out[item] = (total, m, o)
    return out


def _rows(scope: str, sums: Mapping[str, tuple[float, float, float]], elements: Sequence[str],
          mud_units: str, metal_units: str) -> list[dict]:
    mud_f = Quantity(1, "t").to(mud_units).magnitude
    met_f = Quantity(1, "t").to(metal_units).magnitude
    rows = []
    for item, (dry, metal, oxide) in sums.items():
        _, is_oxide = item_members(item, elements)
        grade = (oxide if is_oxide else metal) / dry * 1e6 if dry > 0 else np.nan
        rows.append({
            "scope": scope,
            "item": item,
            f"dry mud [{mud_units}]": dry * mud_f,
            "grade [ppm]": grade,
            f"metal [{metal_units}]": metal * met_f,
            f"oxide [{metal_units}]": oxide * met_f,
        })
    return rows


def _resolve_items(bm: xr.Dataset, items: Iterable[str] | None) -> list[str]:
    elements = _elements(bm)
    if items is None:
        return [i for i in DEFAULT_ITEMS if _has_any(i, elements)] + elements
    return list(items)


def _has_any(item: str, elements: Sequence[str]) -> bool:
    members, _ = item_members(item)
    return any(m in elements for m in members)


def tonnage_table(
    bm: xr.Dataset,
    *,
    items: Iterable[str] | None = None,
    by_layer: bool = False,
    where: xr.DataArray | np.ndarray | None = None,
    mud_units: str = "Mt",
    metal_units: str = "t",
) -> pd.DataFrame:
    """Tonnage and grade per item, in total or per layer.

    Parameters
    ----------
    bm : xarray.Dataset
        Block model.
    items : iterable of str, optional
        Items to report; default REY, TREO, HREO, LREO, MREO and every element.
    by_layer : bool, default False
        One block of rows per layer (scope = layer label) plus the total.
    where : array_like of bool, optional
        Extra selection of cell-layers (e.g. above cut-off, one resource class).
    mud_units, metal_units : str
        Units of the dry-mud and the metal/oxide columns (t, kt, Mt).

    Returns
    -------
    pandas.DataFrame
        Index ``(scope, item)``; columns ``dry mud [Mt]``, ``grade [ppm]`` (oxide ppm for
        oxide groups), ``metal [t]``, ``oxide [t]``.
    """
    items = _resolve_items(bm, items)
    elements = _elements(bm)
    metal_l, dry_l = layer_metal(block_tonnes(bm, where=where), bm["grade"])
    rows: list[dict] = []
    if by_layer:
        labels = [f"{a:g}-{b:g} mbsf" for a, b in zip(bm["layer_top"].values, bm["layer_bottom"].values, strict=True)]
        for k, label in enumerate(labels):
            rows += _rows(label, _item_sums(elements, metal_l, dry_l, items, layers=k), elements, mud_units,
                          metal_units)
    rows += _rows("total", _item_sums(elements, metal_l, dry_l, items), elements, mud_units, metal_units)
    return pd.DataFrame(rows).set_index(["scope", "item"])


def contained(
    bm: xr.Dataset,
    item: str,
    *,
    oxide: bool | None = None,
    where: xr.DataArray | np.ndarray | None = None,
) -> pint.Quantity:
    """Contained tonnage of an item as a pint quantity (t).

    Parameters
    ----------
    item : str
        Element, group or oxide group, or ``"mud"`` for dry mud tonnes.
    oxide : bool, optional
        Report as oxide; default True for oxide groups, False otherwise.
    """
    t = block_tonnes(bm, where=where)
    if item == "mud":
        return Quantity(float(t.sum()), "t")
    _, is_oxide = item_members(item, _elements(bm))
    oxide = is_oxide if oxide is None else oxide
    _, metal, ox = _item_sums(_elements(bm), *layer_metal(t, bm["grade"]), [item])[item]
    return Quantity(ox if oxide else metal, "t")


def tonnage_by_depth(
    bm: xr.Dataset,
    depths: Iterable[float] | None = None,
    *,
    items: Iterable[str] = DEFAULT_ITEMS,
    where: xr.DataArray | np.ndarray | None = None,
    mud_units: str = "Mt",
    metal_units: str = "kt",
) -> pd.DataFrame:
    """Cumulative tonnage from the seabed to each depth ("0–x mbsf" table).

    Parameters
    ----------
    depths : iterable of float, optional
        Target depths, m below seafloor; default every layer bottom.
    items : iterable of str
        Items to report (one grade and one tonnage column each).

    Returns
    -------
    pandas.DataFrame
        Index ``"0-x mbsf"``; columns ``dry mud [Mt]`` and, per item, ``<item> [ppm]`` and
        ``<item> [kt]`` (oxide tonnes for oxide groups, metal tonnes otherwise).

    Notes
    -----
    A layer cut by the target depth counts in proportion to the part of its mud above
    that depth (grades are constant within a layer).
    """
    depths = list(bm["layer_bottom"].values) if depths is None else list(depths)
    items = list(items)
    elements = _elements(bm)
    mud_f = Quantity(1, "t").to(mud_units).magnitude
    met_f = Quantity(1, "t").to(metal_units).magnitude
    top0 = float(bm["layer_top"].values[0])
    rows = []
    for d in depths:
        metal_l, dry_l = layer_metal(block_tonnes(bm, where=where, depth_to=float(d)), bm["grade"])
        sums = _item_sums(elements, metal_l, dry_l, items)
        dry = float(dry_l.sum())
        row: dict[str, object] = {"interval": f"{top0:g}-{d:g} mbsf", f"dry mud [{mud_units}]": dry * mud_f}
        for item, (_, metal, oxide) in sums.items():
            _, is_ox = item_members(item, elements)
            value = oxide if is_ox else metal
            row[f"{item} [ppm]"] = value / dry * 1e6 if dry > 0 else np.nan
            row[f"{item} [{metal_units}]"] = value * met_f
        rows.append(row)
    return pd.DataFrame(rows).set_index("interval")


def tonnage_by_polygon(
    bm: xr.Dataset,
    grid: WorkingGrid,
    polygons: Mapping[str, BaseGeometry],
    *,
    items: Iterable[str] = DEFAULT_ITEMS,
    where: xr.DataArray | np.ndarray | None = None,
    mud_units: str = "Mt",
    metal_units: str = "kt",
) -> pd.DataFrame:
    """Tonnage inside each lon/lat polygon: a cut cell counts by the share of its counted area
    (``cell_area``) inside the polygon, ``min(f, k) / k`` for a polygon fraction ``f``
    (:meth:`WorkingGrid.area_fraction`) and mineable fraction ``k`` (exact for nested areas).

    Returns
    -------
    pandas.DataFrame
        Index = polygon name; columns ``area [km^2]`` (mineable footprint over the layers),
        ``dry mud [Mt]``, and per item ``<item> [ppm]`` and ``<item> [kt]``.
    """
    items = list(items)
    elements = _elements(bm)
    mud_f = Quantity(1, "t").to(mud_units).magnitude
    met_f = Quantity(1, "t").to(metal_units).magnitude
    rows = []
    kept = np.asarray(bm["mineable_fraction"].values) if "mineable_fraction" in bm else np.ones(grid.shape)
    for name, geom in polygons.items():
        fraction = grid.area_fraction(geom)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = xr.DataArray(np.where(kept > 0, np.minimum(fraction, kept) / kept, 0.0), dims=("y", "x"))
        inside = share > 0
        sel = inside if where is None else inside & where
        t = block_tonnes(bm, where=sel) * share
        metal_l, dry_l = layer_metal(t, bm["grade"])
        dry = float(dry_l.sum())
        footprint = float((bm["cell_area"] * share * (t.sum("layer") > 0)).sum()) / 1e6
        row: dict[str, object] = {"polygon": name, "area [km^2]": footprint, f"dry mud [{mud_units}]": dry * mud_f}
        for item, (_, metal, oxide) in _item_sums(elements, metal_l, dry_l, items).items():
            _, is_ox = item_members(item, elements)
            value = oxide if is_ox else metal
            row[f"{item} [ppm]"] = value / dry * 1e6 if dry > 0 else np.nan
            row[f"{item} [{metal_units}]"] = value * met_f
        rows.append(row)
    return pd.DataFrame(rows).set_index("polygon")


def treo_per_km2(bm: xr.Dataset) -> xr.DataArray:
    """Contained TREO of the mineable cells over all layers, t/km², (y, x); NaN off the mineable area.

    TREO leaves Sc out. The cell area is the block model's ``cell_area_m2`` attribute (m²), else
    the square of the x spacing. Computed in memory
    by the resource stage, so that the writers only write it.
    """
    mineable = bm["mineable"]
    ox = compute_tonnage(bm, where=mineable)["oxide_tonnes"]
    treo = ox.sel(element=[e for e in ox.element.values if e != "Sc"]).sum(("element", "layer"))
    per_km2 = (treo / (float(bm.attrs.get("cell_area_m2", 0)) or (abs(float(bm.x[1] - bm.x[0])) ** 2)) * 1e6)
    return per_km2.where(mineable.any("layer")).compute()
