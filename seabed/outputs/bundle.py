"""Write every output of a run into its (staging) run directory.

The pipeline calls :func:`write_run_outputs` once with the results of each stage. Files:

- ``block_model.nc``: the block model (CF NetCDF, units, CRS, provenance);
- ``rasters/*.tif`` (and ``rasters_<crs>/*.tif`` when reprojection is asked): COG GeoTIFFs;
- ``seabed.gpkg``: cores, composites, areas and classified areas;
- ``tables/*.csv``: every resource and supply table;
- ``figures/*.png``: maps, variogram, cross-validation, grade-tonnage, depth profile, uncertainty,
  supply, offset probability, tornado, cash flow;
- ``summary.json`` (headline numbers with units) and ``report.html`` (built from the summary).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from seabed.elements import element_columns
from seabed.outputs.rasters import write_class_vrt, write_cog
from seabed.outputs.rundir import RunDirectory

if TYPE_CHECKING:
    from seabed.results import EstimationResult, ResourceResult, RunDescription, SiteData

__all__ = ["SUPPLY_TABLES", "csv_table", "write_run_outputs", "write_supply_outputs"]


#: Resolution of every PNG figure, dots per inch.
FIGURE_DPI = 120


def _save(rundir: RunDirectory, name: str, fig: Figure | Any, *, synthetic: bool = False) -> None:
    """Save a figure (or the figure of axes) as PNG, tight around its artists (no clipped labels),
    with the SYNTHETIC watermark when ``synthetic`` (if the plot function did not stamp it)."""
    from seabed.plotting import render_tight_pixels, watermark, write_png

    fig = fig if isinstance(fig, Figure) else fig.figure
    watermark(fig, synthetic)
    pixels = render_tight_pixels(fig, dpi=FIGURE_DPI, pad_inches=0.08)
    # the PNG encoding (zlib, ~40 % of a figure's time) overlaps with drawing the next figure
    rundir.write_in_background(name, lambda p: write_png(p, pixels, dpi=FIGURE_DPI))


#: Unit suffixes of the engines' column names and how a CSV header writes them (``name [unit]``).
_SUFFIX_UNITS = (("_USD_per_kg_TREO", "USD/kg TREO"), ("_USD_per_kg", "USD/kg"), ("_USD_per_t", "USD/t"),
                 ("_t_per_year", "t/year"), ("_per_year", "1/year"), ("_USD", "USD"), ("_Mt", "Mt"),
                 ("_t", "t"))
#: Units of columns whose name does not carry them, per table (``*``: any table).
_COLUMN_UNITS: dict[str, dict[str, str]] = {
    "*": {"share_of_demand": "fraction", "share_of_imports": "fraction", "share_of_china_imports": "fraction",
          "share_of_shortfall": "fraction"},
    "mining_inventory": {"x": "m", "y": "m", "interval_top": "mbsf", "interval_bottom": "mbsf", "thickness": "m",
                         "dry_tonnes": "t"},
    "supply_cash_flow": {c: "USD" for c in ("revenue", "royalty", "opex", "capex", "sustaining_capex", "closure",
                                            "working_capital", "depreciation", "tax",
                                            "net_cash_flow", "discounted_cash_flow", "cumulative_cash_flow")},
    "supply_coverage": {c: "fraction" for c in ("deterministic", "p10", "p50", "p90")},
    "supply_gates": {"duration_median": "year", "duration_sd": "year", "end_year": "decimal year",
                     "p10_end_year": "decimal year", "p90_end_year": "decimal year"},
    "cross_validation_metrics": {"mean_error": "ppm", "rmse": "ppm"},
}
#: Tables whose columns are elements (or TREO, magnet) and hold one unit.
_ELEMENT_UNITS = {"supply_head_grade": "ppm", "supply_production": "t", "mining_inventory": "ppm",
                  "supply_offset_probability": "probability", "supply_offset_probability_by_year": "probability"}
#: Units of the metrics of ``supply_monte_carlo`` and ``supply_scenarios`` (rows).
_METRIC_UNITS = {"npv": "USD", "npv_public": "USD", "first_production_year": "decimal year", "irr": "1/year",
                 "payback_year": "year", "unit_cost": "USD/kg TREO",
                 "break_even_multiple": "1", "first_offset_year": "year", "first_offset_year_0.5": "year"}


def _split_unit(name: str) -> tuple[str, str | None]:
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], unit
    return name, None


def _split_metric(metric: str) -> tuple[str, str, str]:
    """``offset_year_0.5_Nd`` → (``first_offset_year_0.5``, ``Nd``, ``year``); ``npv_USD`` → (``npv``, ``""``,
    ``USD``): one thing per column."""
    m = metric.removeprefix("first_")
    for base in ("offset_year_0.5_", "offset_year_"):
        if m.startswith(base):
            name = "first_" + base[:-1]
            return name, m[len(base):], _METRIC_UNITS[name]
    name, unit = _split_unit(metric)
    return name, "", unit or _METRIC_UNITS.get(name, "1")


def csv_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The table as its CSV shows it (see docs/outputs.md): index levels as columns, one thing per
    column (``La|0`` → element, layer; metric rows → metric, item, unit), every unit in its header as
    ``name [unit]``, and ±inf ("never", e.g. no sustained offset within the horizon) as an empty cell."""
    out = df.copy() if isinstance(df.index, pd.RangeIndex) else df.reset_index()
    if name == "cross_validation_metrics" and "variable" in out:
        parts = out["variable"].astype(str).str.split("|", n=1, expand=True)
        out.insert(0, "element", parts[0])
        out.insert(1, "layer", pd.to_numeric(parts[1]) if parts.shape[1] > 1 else pd.NA)
        out = out.drop(columns="variable")
    if name in ("supply_monte_carlo", "supply_scenarios") and "metric" in out:
        split = [_split_metric(str(m)) for m in out["metric"]]
        out["metric"] = [s[0] for s in split]
        out.insert(1, "item", [s[1] for s in split])
        out.insert(2, "unit", [s[2] for s in split])
    if name == "supply_monte_carlo" and "mean" in out:  # for offset years the mean is a probability
        is_year = out["metric"].str.startswith("first_offset_year")
        out["probability of an offset within the horizon"] = out["mean"].where(is_year)
        out["mean"] = out["mean"].where(~is_year)
    if name == "supply_tornado":
        out = out.rename(columns={"unit": "parameter unit"})
        split = [_split_metric(str(m)) for m in out["metric"]]
        out["metric"] = [s[0] for s in split]
        out.insert(1, "item", [s[1] for s in split])
        out.insert(2, "metric unit", [s[2] for s in split])
    if name == "supply_bands" and "variable" in out:
        split = [_split_unit(str(v)) for v in out["variable"]]
        out["variable"] = [s[0] for s in split]
        out.insert(out.columns.get_loc("variable") + 1, "unit", [s[1] or "fraction" for s in split])
    known = {**_COLUMN_UNITS["*"], **_COLUMN_UNITS.get(name, {})}
    elements = set(element_columns(out.columns)) | {"TREO", "magnet"}
    renames = {}
    for col in out.columns:
        c = str(col)
        if "[" in c:
            continue
        if c in known:
            renames[col] = f"{c} [{known[c]}]"
        elif name in _ELEMENT_UNITS and c in elements:
            renames[col] = f"{c} [{_ELEMENT_UNITS[name]}]"
        elif name not in ("supply_monte_carlo", "supply_scenarios", "supply_tornado"):
            base, unit = _split_unit(c)
            if unit:
                renames[col] = f"{base} [{unit}]"
    out = out.rename(columns=renames)
    num = out.select_dtypes("number").columns
    out[num] = out[num].replace([np.inf, -np.inf], np.nan)
    return out


def _csv(rundir: RunDirectory, name: str, df: pd.DataFrame) -> None:
    table = csv_table(Path(name).stem, df)
    rundir.write_with(name, lambda p: table.to_csv(p, index=False))


def _lonlat(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """2-D longitude and latitude (degrees) of the cell centres of ``ds`` (a coordinate transform)."""
    import pyproj

    xx, yy = np.meshgrid(ds["x"].values, ds["y"].values)
    lon, lat = pyproj.Transformer.from_crs(ds.rio.crs, "EPSG:4326", always_xy=True).transform(xx, yy)
    return np.asarray(lon), np.asarray(lat)


def _netcdf_ready(bm: xr.Dataset, attrs: dict[str, Any]) -> xr.Dataset:
    """The block model as CF-1.8 wants it: a named CRS in ``spatial_ref`` (the grid mapping of
    every gridded variable and listed in its ``coordinates``, so that plain ``xr.open_dataset``
    gives rioxarray its CRS), 2-D ``lat``/``lon`` auxiliary coordinates, integer flags with
    ``flag_values`` of the variable's type and ``flag_meanings``, and no bool, list or dict
    attribute."""
    from seabed.outputs.rasters import named_crs

    out = bm.copy()
    if "spatial_ref" in out.data_vars:
        out = out.set_coords("spatial_ref")
    crs = out.rio.crs
    gridded = [n for n in out.data_vars if {"y", "x"} <= set(out[n].dims)]
    if crs is not None:  # CF grid mapping on every gridded variable (QGIS, GDAL, rioxarray)
        out = out.rio.write_crs(named_crs(crs).to_wkt())
        lon, lat = _lonlat(out)
        out = out.assign_coords(
            lat=(("y", "x"), lat, {"units": "degrees_north", "standard_name": "latitude", "long_name": "latitude"}),
            lon=(("y", "x"), lon, {"units": "degrees_east", "standard_name": "longitude", "long_name": "longitude"}))
        for name in gridded:
            out[name].attrs["grid_mapping"] = "spatial_ref"
    for name in list(out.data_vars):
        if out[name].dtype == bool:
            out[name] = out[name].astype("int8")
            out[name].attrs.setdefault("flag_values", [0, 1])
        a = out[name].attrs
        if "flag_values" in a:
            values = a["flag_values"]
            values = values.split() if isinstance(values, str) else values
            a["flag_values"] = np.asarray([int(v) for v in np.ravel(values)], dtype=out[name].dtype)
    for name in gridded:  # spatial_ref and the auxiliary coordinates, named on the variable (CF 5, 5.6)
        coords = [c for c in out.coords if c not in out[name].dims and set(out[c].dims) <= set(out[name].dims)]
        out[name].attrs["coordinates"] = " ".join(sorted(coords))
    for obj in [out, *out.data_vars.values(), *out.coords.values()]:
        for k, v in list(obj.attrs.items()):
            if isinstance(v, list | tuple):
                obj.attrs[k] = np.asarray(v) if all(isinstance(x, int | float) for x in v) else ", ".join(map(str, v))
            elif isinstance(v, bool):
                obj.attrs[k] = int(v)
            elif v is None or isinstance(v, dict):
                obj.attrs[k] = str(v)
    out.attrs.update(attrs)
    return out


def _append_block_by_block(nc: Any, name: str, var: xr.Variable, encoding: dict[str, Any]) -> None:
    """Create ``name`` in the open netCDF4 dataset ``nc`` from the CF-encoded, Dask-backed ``var``
    and write it one Dask block at a time, in C order of the blocks."""
    attrs = dict(var.attrs)
    fill = attrs.pop("_FillValue", None)
    out = nc.createVariable(name, var.dtype, var.dims, fill_value=fill, **encoding)
    out.set_auto_maskandscale(False)
    for k, v in attrs.items():
        out.setncattr(k, v)
    data = var.data
    starts = [np.concatenate([[0], np.cumsum(c)]) for c in data.chunks]
    for index in np.ndindex(*data.numblocks):
        where = tuple(slice(int(s[i]), int(s[i + 1])) for s, i in zip(starts, index, strict=True))
        out[where] = np.asarray(data.blocks[index].compute(scheduler="synchronous"))


def write_block_model(bm: xr.Dataset, path: Path, *, attrs: dict[str, Any]) -> Path:
    """Write the block model as CF NetCDF (compressed); ``attrs`` become global attributes.

    Notes
    -----
    The file is byte-stable: the same block model writes the same bytes. HDF5 places each
    (compressed) chunk where it is first written, so the order of the writes is the layout, and a
    Dask scheduler writes the blocks of lazily read variables in an order that varies from run to
    run (with the threads that finish first, and even with the synchronous scheduler, with
    Python's string hashing). So xarray writes the coordinates (read into memory: they are small)
    and the in-memory variables in one pass, then each Dask-backed variable is appended, CF-encoded
    by xarray, one block at a time in a fixed order (one block in memory at a time). The NetCDF
    library does not record object modification times, and no attribute holds a date.
    """
    import netCDF4

    ds = _netcdf_ready(bm, attrs)
    ds = ds.assign_coords({c: ds[c].compute() for c in ds.coords if ds[c].chunks is not None})  # small
    enc = {v: {"zlib": True, "complevel": 4} for v in ds.data_vars if ds[v].ndim >= 2}
    lazy = [v for v in ds.data_vars if ds[v].chunks is not None]
    ds.drop_vars(lazy).to_netcdf(path, encoding={v: e for v, e in enc.items() if v not in lazy})
    if not lazy:
        return path
    # the "coordinates" attributes the whole dataset would have had in one pass
    variables, global_attrs = xr.conventions.encode_dataset_coordinates(ds)
    with netCDF4.Dataset(path, "a") as nc:
        if "coordinates" in global_attrs:
            nc.setncattr("coordinates", global_attrs["coordinates"])
        elif "coordinates" in nc.ncattrs():  # added by the first pass, which lacked the variables
            nc.delncattr("coordinates")
        for name in lazy:
            var = variables[name].copy(deep=False)
            if name in enc:  # as to_netcdf(encoding=enc) does: the given encoding replaces the variable's
                var.encoding = {}
            _append_block_by_block(nc, name, xr.conventions.encode_cf_variable(var, name=name), enc.get(name, {}))
    return path


def _layer_descriptions(bm: xr.Dataset, what: str, units: str) -> list[str]:
    return [f"{what} {t:g}-{b:g} mbsf ({units})" for t, b in zip(bm.layer_top.values, bm.layer_bottom.values, strict=True)]


#: Classes of ``resource_class.tif`` (code: name, RGBA); nodata = not estimated.
RESOURCE_CLASSES = {0: ("Unclassified", (189, 189, 189, 255)), 1: ("Inferred", (253, 174, 97, 255)),
                    2: ("Indicated", (166, 217, 106, 255)), 3: ("Measured", (26, 150, 65, 255))}
#: Classes of ``mineable_mask.tif``.
MINEABLE_CLASSES = {0: ("excluded", (224, 224, 224, 255)), 1: ("mineable", (33, 102, 172, 255))}


def raster_tags(run: RunDescription) -> dict[str, str]:
    """Dataset metadata of every raster of a run: the synthetic flag and its caveat."""
    tags = {"synthetic_cores": "yes" if run.synthetic_cores else "no", "title": run.title}
    if run.synthetic_cores:
        tags["caveat"] = "SYNTHETIC core assays: for demonstration only, not a resource estimate"
    return tags


def write_rasters(rundir: RunDirectory, bm: xr.Dataset, res: ResourceResult, run: RunDescription, *, folder: str,
                  dst_crs: str | None, background: bool = False) -> list[str]:
    """COG GeoTIFFs of grades, interval grade, oxide t/km², kriging quality, class and mask
    (``background``: written on the run directory's writer thread, see :func:`_in_memory`)."""
    names: list[str] = []
    tags = raster_tags(run)
    write = rundir.write_in_background if background else rundir.write_with

    def cog(name: str, da: xr.DataArray, desc: list[str], units: str, long_name: str,
            categories: dict[int, Any] | None = None) -> None:
        da = da.rio.write_crs(bm.rio.crs) if da.rio.crs is None else da
        write(f"{folder}/{name}", lambda p: write_cog(
            da, p, descriptions=desc, units=units, dst_crs=dst_crs, categories=categories, long_name=long_name,
            tags=tags))
        names.append(f"{folder}/{name}")

    mineable = bm["mineable"]
    for group, g in res.group_grades.items():
        cog(f"grade_{group}_by_layer.tif", g, _layer_descriptions(bm, f"{group} grade", "ppm"), "ppm",
            f"{group} grade by layer (dry basis)")
    item, top, bottom = run.cutoff_item, run.interval_top, run.interval_bottom
    cog(f"grade_{item}_{top:g}-{bottom:g}mbsf.tif", res.interval_grade,
        [f"{item} mean grade {top:g}-{bottom:g} mbsf (ppm)"], "ppm",
        f"{item} mean grade over the mined interval {top:g}-{bottom:g} mbsf (dry basis)")
    span = f"{bm.layer_top.values[0]:g}-{bm.layer_bottom.values[-1]:g} mbsf"
    cog("TREO_t_per_km2.tif", res.treo_per_km2, [f"TREO, mineable, {span} (t/km2)"], "t/km2",
        f"contained TREO per unit area, mineable cells, {span}")
    if "slope_of_regression" in bm:
        cog("slope_of_regression.tif", bm["slope_of_regression"], _layer_descriptions(bm, "slope of regression", "1"),
            "1", "slope of regression of true on estimated grade")
    ref = run.reference_element
    if "kriging_variance" in bm and ref in bm.element.values:
        sd = np.sqrt(bm["kriging_variance"].sel(element=ref))
        cog(f"kriging_std_{ref}.tif", sd, _layer_descriptions(bm, f"{ref} kriging standard deviation", "ppm"), "ppm",
            f"{ref} kriging standard deviation")
    cls = bm["resource_class"].astype("float32").where(bm["reason"] == 0)
    cog("resource_class.tif", cls, _layer_descriptions(bm, "resource class", "class"), "class",
        "resource class (0 Unclassified, 1 Inferred, 2 Indicated, 3 Measured; nodata not estimated)",
        categories=RESOURCE_CLASSES)
    best = bm["resource_class"].where(bm["mineable"]).max("layer")  # as classified_areas and map_class
    span = f"{bm.layer_top.values[0]:g}-{bm.layer_bottom.values[-1]:g} mbsf"
    cog("resource_class_best.tif", best, [f"best resource class over the mineable layers {span} (class)"], "class",
        f"best resource class over the mineable layers {span} (nodata: no mineable layer)", categories=RESOURCE_CLASSES)
    cog("mineable_mask.tif", mineable.astype("float32"), _layer_descriptions(bm, "mineable", "class"), "class",
        "cell-layer counted in the resource (1 mineable, 0 excluded)", categories=MINEABLE_CLASSES)
    if "mineable_fraction" in bm:
        cog("mineable_fraction.tif", bm["mineable_fraction"].astype("float32"),
            ["fraction of the cell's area kept by all masks (1)"], "1",
            "fraction of each cell's area counted in the resource (area masks cut boundary cells; "
            "tonnage = cell area x fraction x thickness x density)")
    # a multi-band GeoTIFF cannot keep a colour table: a VRT beside each per-layer class stack can
    for stack, classes in (("resource_class", RESOURCE_CLASSES), ("mineable_mask", MINEABLE_CLASSES)):
        write(f"{folder}/{stack}.vrt",  # after the .tif: the writer thread keeps the order
              lambda p, stack=stack, classes=classes: write_class_vrt(p.with_name(f"{stack}.tif"), p, classes))
        names.append(f"{folder}/{stack}.vrt")
    return names


def _classified_areas(bm: xr.Dataset, grid) -> Any:
    """Polygons of the best resource class over the mineable cell-layers of each cell (cells by
    class), EPSG:4326; the columns say which layers and interval they describe."""
    import geopandas as gpd
    from rasterio.features import shapes
    from shapely.geometry import shape

    cls = bm["resource_class"].where(bm["mineable"]).max("layer").fillna(-1).astype("int16").values
    labels = {code: name for code, (name, _) in RESOURCE_CLASSES.items()}
    geoms, values = [], []
    for geom, value in shapes(cls, mask=cls >= 0, transform=grid.transform):
        geoms.append(shape(geom))
        values.append(int(value))
    gdf = gpd.GeoDataFrame({"class_code": values, "class": [labels.get(v, "?") for v in values]},
                           geometry=geoms, crs=grid.crs.to_wkt())
    gdf = gdf.dissolve(by="class", as_index=False)
    # the area counted (cell area x mineable fraction), not the whole cells the polygons outline
    counted = np.asarray(bm["cell_area"].values, dtype=float)
    gdf["area_km2"] = [float(counted[cls == code].sum()) / 1e6 for code in gdf["class_code"]]
    gdf["top_mbsf"] = float(bm.layer_top.values[0])
    gdf["bottom_mbsf"] = float(bm.layer_bottom.values[-1])
    gdf["n_layers"] = int(bm.sizes["layer"])
    gdf["rule"] = "best class over the mineable layers of each cell"
    return gdf.to_crs("EPSG:4326")


def _gpkg_metadata(run: RunDescription, bm: xr.Dataset) -> dict[str, dict[str, str]]:
    """Layer metadata of ``seabed.gpkg``: units of the fields and the synthetic flag."""
    common = {k: v for k, v in raster_tags(run).items() if k != "title"}
    span = f"{bm.layer_top.values[0]:g}-{bm.layer_bottom.values[-1]:g} mbsf"
    return {
        "cores": {**common, "units": "longitude, latitude: degrees; top_mbsf, bottom_mbsf: m below seafloor; "
                  "water_depth_m: m; REY_ppm, TREO_ppm: ppm dry mass (thickness-weighted mean of the core's "
                  "composited layers); composited_m: m"},
        "composites": {**common, "units": "element columns: ppm dry mass; layer_top, layer_bottom: m below "
                       "seafloor; coverage: fraction of the layer sampled"},
        "areas": {**common, "units": "area_km2: km2 (geodesic)"},
        "classified_areas": {**common, "units": "area_km2: km2 counted (cells x their mineable fraction; "
                             "the polygons outline whole cells)",
                             "describes": f"best resource class over the mineable layers {span} of each cell "
                             f"({int(bm.sizes['layer'])} layers)"},
    }


#: SupplyResult tables written as ``tables/supply_<name>.csv``.
SUPPLY_TABLES = ("mining", "head_grade", "production", "demand", "offset", "offset_years", "cash_flow", "bands",
                 "offset_probability", "offset_probability_by_year", "coverage", "monte_carlo", "tornado", "scenarios",
                 "separation", "alternatives", "gates")


def write_supply_outputs(rundir: RunDirectory, sup: Any, *, synthetic: bool = False) -> None:
    """The supply stage's CSV tables and figures (for ``seabed run`` and ``seabed supply``);
    ``synthetic``: the resource comes from synthetic cores (figures carry the watermark). Every
    file is written when it returns."""
    from seabed.supply.plot import (
        plot_alternatives,
        plot_cash_flow,
        plot_offset_probability,
        plot_scenarios,
        plot_supply_vs_imports,
        plot_tornado,
    )

    for name in SUPPLY_TABLES:
        df = getattr(sup, name)
        if df is not None and len(df):
            _csv(rundir, f"tables/supply_{name}.csv", df)
    for name, plot in (("supply_vs_imports", plot_supply_vs_imports), ("offset_probability", plot_offset_probability),
                       ("tornado", plot_tornado), ("cash_flow", plot_cash_flow), ("alternatives", plot_alternatives)):
        _save(rundir, f"figures/{name}.png", plot(sup, synthetic=synthetic), synthetic=synthetic)
    if getattr(sup, "scenarios", None) is not None and sup.scenarios.shape[1] > 1:  # two or more scenarios
        _save(rundir, "figures/scenarios.png", plot_scenarios(sup, synthetic=synthetic), synthetic=synthetic)
    from seabed.supply.plot import plot_offset_timeline  # the answer box's picture (report)
    _save(rundir, "figures/offset_timeline.png", plot_offset_timeline(sup, synthetic=synthetic), synthetic=synthetic)
    rundir.wait()


def _in_memory(bm: xr.Dataset, res: ResourceResult) -> bool:
    """Whether every array the output files are written from is in memory (no lazily read,
    Dask-backed block model cube or group grade): then a writer thread may write them while the
    main thread draws the figures."""
    arrays = [*bm.data_vars.values(), *bm.coords.values(), *res.group_grades.values(), res.interval_grade,
              res.treo_per_km2]
    return not any(getattr(a, "chunks", None) is not None for a in arrays)


def write_run_outputs(
    rundir: RunDirectory,
    run: RunDescription,
    site: SiteData,
    est: EstimationResult,
    res: ResourceResult,
    sup: Any,
    *,
    reproject_to: str | None = None,
) -> None:
    """Write every file of a full run (see module docstring); every file is written when it returns."""
    from seabed.geostats.plot import plot_cross_validation, plot_variogram
    from seabed.outputs.maps import plot_class_map, plot_grid_field
    from seabed.outputs.vectors import areas_frame, composites_frame, cores_frame, write_geopackage
    from seabed.resource.plot import plot_depth_profile, plot_grade_tonnage, plot_tonnage_range

    bm = res.block_model
    grid = site.grid
    from seabed.outputs.manifest import seabed_version

    attrs = {
        "Conventions": "CF-1.8",
        "title": run.title,
        "institution": "seabed (open-source)",
        "source": f"seabed {seabed_version()}",
        "synthetic_cores": int(run.synthetic_cores),
        **({"caveat": raster_tags(run)["caveat"]} if run.synthetic_cores else {}),
        "comment": " ".join(run.assumptions) or "",
        "seed": run.seed,
    }
    # Files whose writing is C code that releases the GIL (HDF5 and zlib, GDAL) go to the writer
    # thread and overlap with the figures, unless they would read lazily loaded NetCDF data
    # (the NetCDF library is not thread-safe: only the main thread reads it then).
    background = _in_memory(bm, res)
    write = rundir.write_in_background if background else rundir.write_with
    write("block_model.nc", lambda p: write_block_model(bm, p, attrs=attrs))
    write_rasters(rundir, bm, res, run, folder="rasters", dst_crs=None, background=background)
    if reproject_to:
        tag = reproject_to.lower().replace(":", "")
        write_rasters(rundir, bm, res, run, folder=f"rasters_{tag}", dst_crs=reproject_to, background=background)

    from seabed.inputs.areas import geodesic_area

    layers = {
        "cores": cores_frame(site.intervals, site.composites, site.elements),
        "composites": composites_frame(site.composites, site.elements),
        "areas": areas_frame(site.areas, {n: geodesic_area(g) / 1e6 for n, g in site.areas.items()}),
        "classified_areas": _classified_areas(bm, grid),
    }
    gpkg_metadata = _gpkg_metadata(run, bm)
    write("seabed.gpkg", lambda p: write_geopackage(p, layers, gpkg_metadata))

    tables = {
        "tonnage": res.tonnage, "tonnage_by_layer": res.tonnage_by_layer, "tonnage_by_depth": res.tonnage_by_depth,
        "tonnage_by_polygon": res.tonnage_by_polygon, "grade_tonnage": res.grade_tonnage,
        "class_tonnage": res.class_tonnage, "mask_areas": res.mask_table, "mining_inventory": res.inventory,
    }
    if res.simulation_summary is not None:
        tables["simulation_summary"] = res.simulation_summary
    if est.cross_validation is not None:
        tables["cross_validation_metrics"] = est.cross_validation.metrics
    if res.inventory_realisations is not None:
        # float32 (7 significant digits, far finer than any grade estimate) and uncompressed: smaller than
        # compressed float64 (23 vs 30 MB on the default run) and written in ~0.1 s instead of ~4 s
        write("tables/mining_inventory_realisations.npz", lambda p: np.savez(
            p, grades_ppm=np.asarray(res.inventory_realisations, dtype=np.float32),
            elements=np.array(element_columns(res.inventory.columns))))
    for name, df in tables.items():
        if df is not None and len(df):
            _csv(rundir, f"tables/{name}.csv", df)

    # Figures
    item, top, bottom = run.cutoff_item, run.interval_top, run.interval_bottom
    xy = np.column_stack([site.composites["x"].values, site.composites["y"].values])
    syn = bool(run.synthetic_cores)
    _save(rundir, "figures/map_grade.png", plot_grid_field(
        res.interval_grade, grid, title=f"{item} mean grade {top:g}-{bottom:g} mbsf (kriged)", label=f"{item} (ppm)",
        cores_xy=xy, synthetic=syn), synthetic=syn)
    _save(rundir, "figures/map_class.png", plot_class_map(
        bm["resource_class"].where(bm["mineable"]).max("layer"), grid,
        title="Best resource class over the layers (mineable cells)", cores_xy=xy, synthetic=syn), synthetic=syn)
    if est.experimental is not None:
        ax = plot_variogram(est.experimental, est.variogram, synthetic=syn)
        aniso = est.variogram is not None and not est.variogram.isotropic
        drift = est.estimates.attrs.get("drift")
        ax.set_title("Pooled standardised variogram (all elements and layers"
                     + (f"; residuals from the {drift} trend)" if drift else ")") + (
            "\nlags along the major axis after rescaling the minor axis by the anisotropy ratio" if aniso else ""))
        _save(rundir, "figures/variogram.png", ax, synthetic=syn)
    if getattr(est, "variography", None) is not None:
        from seabed.geostats.plot import plot_directional_variograms, plot_variogram_map

        ax = plot_directional_variograms(est.variography.directional, est.variogram, synthetic=syn)
        ax.set_title("Directional variograms (±22.5° sectors; lines: the model in each direction)")
        _save(rundir, "figures/variogram_directions.png", ax, synthetic=syn)
        ax = plot_variogram_map(est.variography.vmap, est.variogram, synthetic=syn)
        ax.set_title("Variogram map (pooled standardised composites)")
        _save(rundir, "figures/variogram_map.png", ax, synthetic=syn)
    if est.cross_validation is not None:
        _save(rundir, "figures/cross_validation.png", plot_cross_validation(
            est.cross_validation.predictions, standardise=True, synthetic=syn), synthetic=syn)
    from seabed.outputs.profiles import plot_core_profiles

    _save(rundir, "figures/core_profiles.png", plot_core_profiles(
        site.intervals, max_depth=float(site.grid.layers.bottom[-1]) + 2.0, synthetic=syn), synthetic=syn)
    _save(rundir, "figures/grade_tonnage.png", plot_grade_tonnage(
        res.grade_tonnage, title=f"Grade-tonnage, cut-off on {item}", synthetic=syn), synthetic=syn)
    _save(rundir, "figures/depth_profile.png", plot_depth_profile(res.tonnage_by_layer, item="REY", units="auto", synthetic=syn),
          synthetic=syn)
    if res.simulation_summary is not None:
        n_real = res.simulation_summary.attrs.get("n_realisations")
        _save(rundir, "figures/tonnage_uncertainty.png", plot_tonnage_range(
            res.simulation_summary, title=f"Contained tonnage, P10-P90 of {n_real} realisations", display_units="auto",
            synthetic=syn),
            synthetic=syn)
    if sup is not None:
        write_supply_outputs(rundir, sup, synthetic=syn)
    rundir.wait()
