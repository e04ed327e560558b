"""Cut-off grades, grade-tonnage curves and the mining inventory.

Two ways to apply a cut-off (``mode``):

- ``"block"``: each cell-layer whose grade of the cut-off item reaches the cut-off;
- ``"interval"``: each cell whose tonnage-weighted mean grade over the mined interval
  (``interval = (top, bottom)`` m below seafloor) reaches the cut-off, provided at least
  ``min_thickness`` of mineable mud lies in the interval; the whole interval is then mined
  (a bulk mining method cannot pick single layers).

Examples
--------
>>> selection_label("interval", (0.0, 5.0))
'0-5 mbsf'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pint
import xarray as xr

from seabed.errors import ConfigError
from seabed.resource.classification import CLASS_NAMES
from seabed.resource.tonnage import block_tonnes, item_grade, item_members, row_blocks
from seabed.units import parse_quantity

__all__ = [
    "apply_cutoff",
    "grade_tonnage",
    "interval_grade",
    "inventory_tonnes",
    "mining_inventory",
    "selection_label",
]


def _ppm(value: pint.Quantity | str | float, field: str = "cutoff") -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)  # already ppm (internal calls)
    return float(parse_quantity(value, "[]", field=field).to("ppm").magnitude)


def _metres(value: pint.Quantity | str | float, field: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float(parse_quantity(value, "[length]", field=field).to("m").magnitude)


def selection_label(mode: str, interval: tuple[float, float] | None) -> str:
    """Short label of a selection scope (``"per block"`` or ``"0-5 mbsf"``)."""
    if mode == "block" or interval is None:
        return "per block"
    return f"{interval[0]:g}-{interval[1]:g} mbsf"


def _interval(interval: Sequence[pint.Quantity | str | float]) -> tuple[float, float]:
    a = _metres(interval[0], "cutoff.interval_top")
    b = _metres(interval[1], "cutoff.interval_bottom")
    if not 0 <= a < b:
        raise ConfigError(
            f"cutoff interval: got {a:g}-{b:g} m; expected 0 <= top < bottom (mbsf); fix the interval"
        )
    return a, b


def interval_grade(
    bm: xr.Dataset,
    item: str,
    interval: Sequence[pint.Quantity | str | float],
    *,
    grade: xr.DataArray | None = None,
) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Tonnage-weighted mean grade of an item over a mined interval, per cell.

    Parameters
    ----------
    bm : xarray.Dataset
        Block model.
    item : str
        Element, metal group or oxide group.
    interval : (top, bottom)
        Mined interval, m below seafloor (numbers) or lengths with units.
    grade : xarray.DataArray, optional
        Grades to use instead of ``bm.grade`` (ppm).

    Returns
    -------
    (mean_grade, dry_tonnes, mineable_thickness) : DataArrays (y, x)
        Mean grade (ppm; NaN where nothing is mineable), dry tonnes in the interval (t)
        and thickness of mineable mud in the interval (m).

    Notes
    -----
    mean = Σ_l T_l g_l / Σ_l T_l, T_l the dry tonnes of layer l inside the interval.
    """
    a, b = _interval(interval)
    t = block_tonnes(bm, depth_from=a, depth_to=b)
    g = item_grade(bm, item, grade=grade).fillna(0.0)
    total = t.sum("layer")
    mean = (t * g).sum("layer") / total.where(total > 0)  # NaN where nothing (no 0/0, lazy-safe)
    top = bm["layer_top"]
    h = (np.minimum(top + bm["thickness"], b) - np.maximum(top, a)).clip(min=0.0)
    thick = h.where(bm["mineable"], 0.0).sum("layer")
    return mean.rename(f"{item}_mean_grade"), total.rename("dry_tonnes"), thick.rename("mineable_thickness")


def apply_cutoff(
    bm: xr.Dataset,
    *,
    item: str = "REY",
    cutoff: pint.Quantity | str | float = "400 ppm",
    mode: str = "block",
    interval: Sequence[pint.Quantity | str | float] | None = None,
    min_thickness: pint.Quantity | str | float = 0.0,
    grade: xr.DataArray | None = None,
) -> xr.DataArray:
    """Cell-layers selected by a cut-off.

    Parameters
    ----------
    bm : xarray.Dataset
        Block model.
    item : str, default "REY"
        Element, metal group or oxide group (``"TREO"`` compares oxide ppm).
    cutoff : pint.Quantity or str, default "400 ppm"
        Cut-off grade (a float is read as ppm).
    mode : {"block", "interval"}, default "block"
        Per cell-layer, or on the mean over ``interval``.
    interval : (top, bottom), optional
        Mined interval for ``mode="interval"``, m below seafloor; default all layers.
    min_thickness : pint.Quantity, str or float, default 0
        Minimum mineable thickness in the interval (m).
    grade : xarray.DataArray, optional
        Grades to use instead of ``bm.grade`` (ppm).

    Returns
    -------
    xarray.DataArray
        Boolean ``(layer, y, x)``; always within ``mineable``. In interval mode, layers
        partly inside the interval are selected, and tonnages must then be counted with
        ``block_tonnes(bm, depth_from=top, depth_to=bottom, where=selection)``.
    """
    c = _ppm(cutoff)
    if mode == "block":
        g = item_grade(bm, item, grade=grade)
        sel = bm["mineable"] & (g >= c)
    elif mode == "interval":
        a, b = _default_interval(bm, interval)
        mean, _, thick = interval_grade(bm, item, (a, b), grade=grade)
        column = (mean >= c) & (thick >= _metres(min_thickness, "cutoff.min_mining_thickness"))
        top = bm["layer_top"]
        in_interval = (np.minimum(top + bm["thickness"], b) - np.maximum(top, a)) > 0
        sel = bm["mineable"] & in_interval & column
    else:
        raise ConfigError(f"cutoff.mode: got {mode!r}; expected 'block' or 'interval'")
    sel = sel.transpose("layer", "y", "x")
    sel.attrs = {"long_name": f"{item} >= {c:g} ppm ({selection_label(mode, interval and _interval(interval))})"}
    return sel.rename("selected")


def _default_interval(bm: xr.Dataset, interval: Sequence | None) -> tuple[float, float]:
    if interval is None:
        return float(bm["layer_top"].values[0]), float(bm["layer_bottom"].values[-1])
    return _interval(interval)


def grade_tonnage(
    bm: xr.Dataset,
    *,
    item: str = "REY",
    cutoffs: Iterable[pint.Quantity | str | float] | None = None,
    mode: str = "block",
    interval: Sequence[pint.Quantity | str | float] | None = None,
    min_thickness: pint.Quantity | str | float = 0.0,
    report: Iterable[str] = ("TREO",),
    where: xr.DataArray | None = None,
    grade: xr.DataArray | None = None,
) -> pd.DataFrame:
    """Grade-tonnage curve: tonnes, mean grade and contained metal above each cut-off.

    Parameters
    ----------
    item : str, default "REY"
        Item the cut-off applies to.
    cutoffs : iterable, optional
        Cut-off grades (ppm numbers or quantities); default 0–5,000 ppm (14 values).
    mode, interval, min_thickness
        See :func:`apply_cutoff`.
    report : iterable of str, default ("TREO",)
        Further items whose mean grade and contained tonnes are reported.
    where : xarray.DataArray, optional
        Extra selection (e.g. one resource class).
    grade : xarray.DataArray, optional
        Grades to use instead of ``bm.grade``.

    Returns
    -------
    pandas.DataFrame
        One row per cut-off; columns ``cutoff [ppm]``, ``dry mud [Mt]``,
        ``<item> [ppm]`` (mean above cut-off), ``<item> [t]`` (contained; oxide tonnes for
        oxide groups) and the same two columns for each ``report`` item.

    Notes
    -----
    Tonnes above cut-off are non-increasing and the mean grade of the cut-off item
    non-decreasing in the cut-off; at cut-off 0 (block mode) the totals are recovered.
    """
    if cutoffs is None:
        cutoffs = [0, 100, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 4000, 5000]
    values = sorted(_ppm(c) for c in cutoffs)
    items = [item, *[r for r in report if r != item]]
    elements = [str(e) for e in bm["element"].values]
    depth = _default_interval(bm, interval) if mode == "interval" else (None, None)
    # item grades (layer, y, x): in memory, or lazy (block by block) for a block model read lazily
    raw = {i: item_grade(bm, i, grade=grade) for i in items}
    g_items = {i: raw[i].fillna(0.0) for i in items}
    if mode == "interval":
        mean, _, thick = interval_grade(bm, item, depth, grade=grade)
        sel_grade = mean.fillna(-np.inf)
        min_h = _metres(min_thickness, "cutoff.min_mining_thickness")
    rows = []
    for c in values:
        if mode == "interval":
            column = (sel_grade >= c) & (thick >= min_h)
            sel = bm["mineable"] & column
        else:
            sel = bm["mineable"] & (raw[item] >= c)  # apply_cutoff(mode="block") on the loaded grade
        if where is not None:
            sel = sel & where
        t = block_tonnes(bm, where=sel, depth_from=depth[0], depth_to=depth[1])
        dry = float(t.sum())
        row: dict[str, float] = {"cutoff [ppm]": c, "dry mud [Mt]": dry / 1e6}
        for i in items:
            item_members(i, elements)
            contained = float((t * g_items[i]).sum()) * 1e-6
            row[f"{i} [ppm]"] = contained / dry * 1e6 if dry > 0 else np.nan
            row[f"{i} [t]"] = contained
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs = {"item": item, "mode": mode, "scope": selection_label(mode, depth if mode == "interval" else None)}
    return out


def _column_metal(grade: np.ndarray, tonnes: np.ndarray, iy: np.ndarray, ix: np.ndarray) -> np.ndarray:
    """Σ over layers of grade × tonnes at cells ``(iy, ix)`` of one block, (element, n) in ppm·t.

    ``grade`` (element, layer, y, x) ppm (NaN counts as 0) and ``tonnes`` (layer, y, x) t.
    """
    g = grade[:, :, iy, ix]
    return (np.where(np.isfinite(g), g, 0.0) * tonnes[:, iy, ix]).sum(axis=1)


def _inventory_selection(bm: xr.Dataset, *, item: str, cutoff: pint.Quantity | str | float,
                         interval: tuple[float, float], min_thickness: pint.Quantity | str | float,
                         ) -> tuple[xr.DataArray, xr.DataArray]:
    a, b = interval
    sel = apply_cutoff(bm, item=item, cutoff=cutoff, mode="interval", interval=(a, b), min_thickness=min_thickness)
    return block_tonnes(bm, where=sel, depth_from=a, depth_to=b), sel


def inventory_tonnes(
    bm: xr.Dataset,
    *,
    item: str = "REY",
    cutoff: pint.Quantity | str | float = "400 ppm",
    interval: Sequence[pint.Quantity | str | float] = ("0 m", "10 m"),
    min_thickness: pint.Quantity | str | float = "2 m",
    **_: object,
) -> xr.DataArray:
    """Dry tonnes (t) per cell-layer of the blocks of :func:`mining_inventory`, (layer, y, x).

    The same selection as :func:`mining_inventory` with the same arguments (further keywords,
    such as ``resource_class``, are accepted and ignored); zero outside the inventory.
    """
    return _inventory_selection(bm, item=item, cutoff=cutoff, interval=_interval(interval),
                                min_thickness=min_thickness)[0]


def mining_inventory(
    bm: xr.Dataset,
    *,
    item: str = "REY",
    cutoff: pint.Quantity | str | float = "400 ppm",
    interval: Sequence[pint.Quantity | str | float] = ("0 m", "10 m"),
    min_thickness: pint.Quantity | str | float = "2 m",
    resource_class: xr.DataArray | None = None,
    mode: str = "interval",
    grade: xr.DataArray | None = None,
) -> pd.DataFrame:
    """Mineable blocks (cell × mined interval) for the supply model.

    Parameters
    ----------
    bm : xarray.Dataset
        Block model.
    item, cutoff, min_thickness
        Cut-off applied to the mean grade over the interval (see :func:`apply_cutoff`).
    interval : (top, bottom), default ("0 m", "10 m")
        Mined interval below seafloor.
    resource_class : xarray.DataArray, optional
        ``(layer, y, x)`` class codes; default ``bm.resource_class`` if present. A block
        takes the lowest class among its layers (conservative).
    mode : {"interval"}
        Only interval mining is supported for the inventory.
    grade : xarray.DataArray, optional
        Grades (element, layer, y, x), ppm, reported for the selected blocks instead of
        ``bm.grade`` (e.g. a simulated realisation); the blocks themselves are always selected
        on ``bm.grade``, so inventories of different realisations have the same rows.

    Returns
    -------
    pandas.DataFrame
        One row per block: ``x``, ``y`` (m, working CRS), ``interval_top``,
        ``interval_bottom`` (mbsf), ``thickness`` (m of mineable mud), ``dry_tonnes`` (t),
        ``resource_class`` (name) and one column per element (tonnage-weighted grade, ppm).
        ``attrs["units"]`` maps columns to units.
    """
    if mode != "interval":
        raise ConfigError(f"mining_inventory mode: got {mode!r}; expected 'interval'")
    a, b = _interval(interval)
    t, sel = _inventory_selection(bm, item=item, cutoff=cutoff, interval=(a, b), min_thickness=min_thickness)
    elements = [str(e) for e in bm["element"].values]
    g_all = bm["grade"] if grade is None else grade
    rc = resource_class if resource_class is not None else bm.get("resource_class")
    top = bm["layer_top"].values[:, None]
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("iy", "ix", "col_t", "metal", "thickness", "codes")}
    for rows in row_blocks(g_all):  # one block of rows at a time (a lazily read block model)
        tv = t.isel(y=rows).transpose("layer", "y", "x").values
        tonnes = tv.sum(axis=0)
        iy, ix = np.nonzero(tonnes > 0)
        parts["iy"].append(iy + rows.start)
        parts["ix"].append(ix)
        parts["col_t"].append(tonnes[iy, ix])
        g = g_all.isel(y=rows).transpose("element", "layer", "y", "x").values
        parts["metal"].append(_column_metal(g, tv, iy, ix))
        h = np.clip(np.minimum(top + bm["thickness"].isel(y=rows).transpose("layer", "y", "x").values[:, iy, ix], b)
                    - np.maximum(top, a), 0, None)
        parts["thickness"].append((h * sel.isel(y=rows).transpose("layer", "y", "x").values[:, iy, ix]).sum(axis=0))
        if rc is not None:
            rcb = rc.isel(y=rows).transpose("layer", "y", "x").values[:, iy, ix]
            parts["codes"].append(np.where(tv[:, iy, ix] > 0, rcb, 99).min(axis=0))
    iy, ix = np.concatenate(parts["iy"]), np.concatenate(parts["ix"])
    col_t = np.concatenate(parts["col_t"])
    metal = np.concatenate(parts["metal"], axis=1)
    thickness = np.concatenate(parts["thickness"])
    grades = {e: metal[k] / col_t for k, e in enumerate(elements)}
    if rc is not None:
        classes = [CLASS_NAMES.get(int(c), "Unclassified") for c in np.concatenate(parts["codes"])]
    else:
        classes = ["Unclassified"] * iy.size
    out = pd.DataFrame({
        "x": bm["x"].values[ix],
        "y": bm["y"].values[iy],
        "interval_top": a,
        "interval_bottom": b,
        "thickness": thickness,
        "dry_tonnes": col_t,
        "resource_class": pd.Categorical(classes, categories=[CLASS_NAMES[c] for c in (3, 2, 1, 0)]),
        **grades,
    })
    out.attrs["units"] = {
        "x": "m", "y": "m", "interval_top": "mbsf", "interval_bottom": "mbsf", "thickness": "m",
        "dry_tonnes": "t", **{e: "ppm" for e in elements},
    }
    out.attrs["cutoff"] = f"{item} >= {_ppm(cutoff):g} ppm over {a:g}-{b:g} mbsf"
    return out

