"""Length-weighted compositing of core sample intervals onto depth layers.

:func:`composite` turns the interval table of :func:`seabed.inputs.cores.load_cores` into
one grade per core and layer: the composites consumed by variography and kriging.

Examples
--------
>>> import pandas as pd
>>> from seabed.working_grid import Layers
>>> samples = pd.DataFrame({
...     "core_id": ["A", "A"], "longitude": [153.6, 153.6], "latitude": [21.9, 21.9],
...     "x": [0.0, 0.0], "y": [0.0, 0.0],
...     "top_mbsf": [0.0, 0.5], "bottom_mbsf": [0.5, 1.0], "La": [100.0, 300.0]})
>>> ds = composite(samples, Layers.regular(0, 2, 1), elements=["La"])
>>> ds["La"].values.tolist(), ds["coverage"].values.tolist()
([[200.0, nan]], [[1.0, 0.0]])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from seabed.elements import ELEMENTS, GROUPS
from seabed.errors import InputDataError
from seabed.working_grid import Layers, WorkingGrid

__all__ = ["COMPOSITED_PROPERTIES", "composite", "layer_overlaps"]

#: Interval columns composited like grades when present: column -> (data var name, units).
COMPOSITED_PROPERTIES: dict[str, tuple[str, str]] = {
    "dry_bulk_density": ("dry_bulk_density", "t/m^3"),
    "wet_bulk_density": ("wet_bulk_density", "t/m^3"),
}

_COVERAGE_TOLERANCE = 1e-9


def layer_overlaps(top: np.ndarray, bottom: np.ndarray, layers: Layers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (interval, layer) pair that overlaps, and the overlap length.

    Parameters
    ----------
    top, bottom : ndarray
        Interval tops and bottoms, m below seafloor (``top < bottom``).
    layers : Layers
        Depth layers (sorted, non-overlapping).

    Returns
    -------
    interval, layer : ndarray of int
        Indices of the overlapping pairs.
    length : ndarray of float
        Overlap :math:`\\min(b_i, B_j) - \\max(t_i, T_j) > 0`, m.

    Examples
    --------
    >>> i, j, ov = layer_overlaps(np.array([0.5]), np.array([1.7]), Layers.regular(0, 3, 1))
    >>> j.tolist(), ov.round(6).tolist()
    ([0, 1], [0.5, 0.7])
    """
    top = np.asarray(top, dtype=float)
    bottom = np.asarray(bottom, dtype=float)
    first = np.searchsorted(layers.bottom, top, side="right")  # first layer with bottom > top
    stop = np.searchsorted(layers.top, bottom, side="left")  # layers with top < bottom
    counts = np.maximum(stop - first, 0)
    interval = np.repeat(np.arange(top.size), counts)
    offsets = np.cumsum(counts) - counts
    layer = first[interval] + (np.arange(interval.size) - offsets[interval])
    length = np.minimum(bottom[interval], layers.bottom[layer]) - np.maximum(top[interval], layers.top[layer])
    keep = length > 0
    return interval[keep], layer[keep], length[keep]


def composite(
    intervals: pd.DataFrame,
    layers: Layers,
    *,
    elements: Sequence[str] | None = None,
    min_coverage: float = 0.5,
    grid: WorkingGrid | None = None,
) -> xr.Dataset:
    """Length-weighted composites of sample intervals over depth layers, per core.

    Parameters
    ----------
    intervals : pandas.DataFrame
        Validated interval table (:func:`seabed.inputs.cores.load_cores`): ``core_id``,
        ``longitude``, ``latitude`` (degrees), ``top_mbsf``, ``bottom_mbsf`` (m below
        seafloor), element columns (ppm), optional ``x``, ``y`` (m, working CRS),
        ``water_depth_m`` (m), ``dry_bulk_density``, ``wet_bulk_density`` (t/m³).
        Not modified.
    layers : Layers
        Depth layers, m below seafloor.
    elements : sequence of str, optional
        Element columns to composite. Default: ``intervals.attrs["elements"]`` if set, else
        every column named after a known element.
    min_coverage : float, default 0.5
        Smallest sampled fraction of a layer (0-1) for its composite to be reported; below
        it the grade is NaN (the layer counts as not sampled). Inclusive.
    grid : WorkingGrid, optional
        Working grid used to compute ``x``, ``y`` from longitude/latitude. Without it the
        table must have ``x`` and ``y`` columns.

    Returns
    -------
    xarray.Dataset
        Dims ``("core", "layer")``. Data vars: one per element (float ppm, NaN where the
        layer is not sufficiently sampled), ``coverage`` (fraction of the layer covered by
        samples), ``dry_bulk_density``/``wet_bulk_density`` (t/m³) when present,
        ``water_depth`` (core; m, positive down) when present. Coords ``core_id``, ``x``,
        ``y`` (m), ``longitude``, ``latitude`` (degrees) on ``core``; ``layer``,
        ``layer_top``, ``layer_bottom`` (mbsf) on ``layer``. Cores keep the order of first
        appearance in ``intervals``.

    Raises
    ------
    InputDataError
        Missing columns, unknown element, no ``x``/``y`` and no ``grid``, or
        ``min_coverage`` outside [0, 1].

    Notes
    -----
    For core :math:`c`, layer :math:`[T_j, B_j)` and samples :math:`i` of that core with
    grade :math:`g_i` over :math:`[t_i, b_i)`, the overlap is
    :math:`\\ell_{ij} = \\max(0, \\min(b_i, B_j) - \\max(t_i, T_j))` and

    .. math::

        \\bar g_{cj} = \\frac{\\sum_i g_i \\ell_{ij}}{\\sum_i \\ell_{ij}}, \\qquad
        \\mathrm{coverage}_{cj} = \\frac{|\\bigcup_i [t_i, b_i) \\cap [T_j, B_j)|}{B_j - T_j}.

    Grades are weighted by length only (not by length × density): the dry density of the
    mud varies by a few per cent within a layer. Samples with a NaN for an element (not
    analysed, or dropped below detection) are left out of that element's sums, and its
    layer grade is NaN when the element's own sampled length is below ``min_coverage``.
    ``coverage`` counts overlapping samples (e.g. merged duplicate cores) once; their grades
    are averaged. Gaps between samples reduce coverage but do not bias the grade: the
    composite is the mean of what was sampled.
    """
    if not 0.0 <= min_coverage <= 1.0:
        raise InputDataError(f"min_coverage: got {min_coverage!r}; expected a fraction in [0, 1]")
    required = ["core_id", "longitude", "latitude", "top_mbsf", "bottom_mbsf"]
    missing = [c for c in required if c not in intervals.columns]
    if missing:
        raise InputDataError(
            f"intervals: missing column(s) {missing}; expected a table from seabed.inputs.cores.load_cores"
        )
    symbols = _resolve_elements(intervals, elements)

    codes, core_ids = pd.factorize(intervals["core_id"].astype(str))
    n_core, n_layer = core_ids.size, layers.n
    per_core = pd.DataFrame({"code": codes}).join(intervals[["longitude", "latitude"]].reset_index(drop=True))
    first = per_core.groupby("code", sort=True).first()
    lon = first["longitude"].to_numpy(dtype=float)
    lat = first["latitude"].to_numpy(dtype=float)
    x, y = _core_xy(intervals, codes, lon, lat, grid)

    top = intervals["top_mbsf"].to_numpy(dtype=float)
    bottom = intervals["bottom_mbsf"].to_numpy(dtype=float)
    idx, lay, length = layer_overlaps(top, bottom, layers)
    flat = codes[idx] * n_layer + lay
    thickness = np.broadcast_to(layers.thickness, (n_core, n_layer))

    def weighted_mean(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = values[idx]
        ok = np.isfinite(v)
        den = np.bincount(flat[ok], weights=length[ok], minlength=n_core * n_layer).reshape(n_core, n_layer)
        num = np.bincount(flat[ok], weights=(v * length)[ok], minlength=n_core * n_layer).reshape(n_core, n_layer)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = num / den
        enough = den / thickness >= min_coverage - _COVERAGE_TOLERANCE
        return np.where(enough & (den > 0), mean, np.nan), den / thickness

    dims = ("core", "layer")
    data_vars: dict[str, tuple] = {}
    for sym in symbols:
        grade, _ = weighted_mean(intervals[sym].to_numpy(dtype=float))
        data_vars[sym] = (dims, grade, {"units": "ppm", "long_name": f"{ELEMENTS[sym].name} grade",
                                        "comment": "mass fraction, dry basis; length-weighted composite"})
    data_vars["coverage"] = (dims, _coverage(codes, top, bottom, layers, n_core),
                             {"units": "1", "long_name": "fraction of the layer covered by samples"})
    for col, (name, units) in COMPOSITED_PROPERTIES.items():
        if col in intervals.columns:
            value, _ = weighted_mean(intervals[col].to_numpy(dtype=float))
            data_vars[name] = (dims, value, {"units": units, "long_name": name.replace("_", " ")})
    if "water_depth_m" in intervals.columns:
        depth = pd.Series(intervals["water_depth_m"].to_numpy(dtype=float)).groupby(codes).mean()
        data_vars["water_depth"] = ("core", depth.reindex(range(n_core)).to_numpy(),
                                    {"units": "m", "positive": "down", "long_name": "water depth"})

    coords = {
        "core_id": ("core", np.asarray(core_ids, dtype=str), {"long_name": "core identifier"}),
        "x": ("core", x, {"units": "m", "standard_name": "projection_x_coordinate"}),
        "y": ("core", y, {"units": "m", "standard_name": "projection_y_coordinate"}),
        "longitude": ("core", lon, {"units": "degrees_east", "standard_name": "longitude"}),
        "latitude": ("core", lat, {"units": "degrees_north", "standard_name": "latitude"}),
        **layers.coords(),
    }
    attrs = {
        "title": "core composites",
        "compositing": "length-weighted mean over sampled overlap",
        "min_coverage": float(min_coverage),
        "elements": ",".join(symbols),
    }
    crs = grid.crs.to_wkt() if grid is not None else intervals.attrs.get("crs")
    if crs:
        attrs["crs_wkt"] = crs
    if intervals.attrs.get("source"):
        attrs["source"] = str(intervals.attrs["source"])
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _resolve_elements(intervals: pd.DataFrame, elements: Sequence[str] | None) -> list[str]:
    if elements is None:
        elements = intervals.attrs.get("elements") or [
            s for s in (*GROUPS["REE"], "Y", "Sc") if s in intervals.columns
        ]
    symbols = list(elements)
    if not symbols:
        raise InputDataError("composite: no element columns; expected at least one element symbol column (ppm)")
    unknown = [s for s in symbols if s not in ELEMENTS]
    absent = [s for s in symbols if s not in intervals.columns]
    if unknown or absent:
        raise InputDataError(
            f"composite: element(s) {unknown + absent} are unknown or not columns of the table; "
            f"expected symbols among {list(ELEMENTS)} present in the table; fix the element list"
        )
    return symbols


def _core_xy(
    intervals: pd.DataFrame, codes: np.ndarray, lon: np.ndarray, lat: np.ndarray, grid: WorkingGrid | None
) -> tuple[np.ndarray, np.ndarray]:
    if grid is not None:
        x, y = grid.from_lonlat(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if {"x", "y"} <= set(intervals.columns):
        first = pd.DataFrame({"x": intervals["x"].to_numpy(float), "y": intervals["y"].to_numpy(float)}).groupby(codes).first()
        return first["x"].to_numpy(), first["y"].to_numpy()
    raise InputDataError(
        "composite: the interval table has no x/y columns and no grid was given; expected working-CRS "
        "coordinates; fix: pass grid=WorkingGrid or load the cores with crs_grid="
    )


def _coverage(codes: np.ndarray, top: np.ndarray, bottom: np.ndarray, layers: Layers, n_core: int) -> np.ndarray:
    """Fraction of each (core, layer) covered by the union of the core's intervals."""
    order = np.lexsort((top, codes))
    c, t, b = codes[order], top[order], bottom[order]
    # running maximum of bottoms within each core; a new block starts where a top passes it
    run = pd.Series(b).groupby(c).cummax().to_numpy()
    prev = np.r_[-np.inf, run[:-1]]
    new_core = np.r_[True, c[1:] != c[:-1]]
    start = new_core | (t > prev)
    block = np.cumsum(start) - 1
    blocks = pd.DataFrame({"c": c, "t": t, "b": b, "k": block}).groupby("k").agg(c=("c", "first"), t=("t", "min"), b=("b", "max"))
    i, j, length = layer_overlaps(blocks["t"].to_numpy(), blocks["b"].to_numpy(), layers)
    flat = blocks["c"].to_numpy()[i] * layers.n + j
    covered = np.bincount(flat, weights=length, minlength=n_core * layers.n).reshape(n_core, layers.n)
    return np.clip(covered / layers.thickness, 0.0, 1.0)
