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
from seabed.outputs.rasters import write_cog
from seabed.outputs.rundir import RunDirectory

if TYPE_CHECKING:
    from seabed.results import EstimationResult, ResourceResult, RunDescription, SiteData

__all__ = ["SUPPLY_TABLES", "write_run_outputs", "write_supply_outputs"]


def _save(rundir: RunDirectory, name: str, fig: Figure | Any) -> None:
    fig = fig if isinstance(fig, Figure) else fig.figure
    rundir.write_with(name, lambda p: fig.savefig(p, dpi=120))
    if hasattr(fig, "clf"):
        fig.clf()


def _csv(rundir: RunDirectory, name: str, df: pd.DataFrame, *, index: bool = True) -> None:
    rundir.write_with(name, lambda p: df.to_csv(p, index=index))


def _netcdf_ready(bm: xr.Dataset, attrs: dict[str, Any]) -> xr.Dataset:
    out = bm.copy()
    if "spatial_ref" in out.data_vars:
        out = out.set_coords("spatial_ref")
    crs = out.rio.crs
    if crs is not None:  # CF grid mapping on every gridded variable (QGIS, GDAL, rioxarray)
        out = out.rio.write_crs(crs)
        for name in out.data_vars:
            if {"y", "x"} <= set(out[name].dims):
                out[name].attrs["grid_mapping"] = "spatial_ref"
    for name in list(out.data_vars):
        if out[name].dtype == bool:
            out[name] = out[name].astype("int8")
            out[name].attrs.setdefault("flag_values", "0 1")
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


def write_rasters(rundir: RunDirectory, bm: xr.Dataset, res: ResourceResult, run: RunDescription, *, folder: str,
                  dst_crs: str | None) -> list[str]:
    """COG GeoTIFFs of grades, interval grade, oxide t/km², kriging quality, class and mask."""
    names: list[str] = []

    def cog(name: str, da: xr.DataArray, desc: list[str], units: str, *, categorical: bool = False) -> None:
        da = da.rio.write_crs(bm.rio.crs) if da.rio.crs is None else da
        rundir.write_with(f"{folder}/{name}", lambda p: write_cog(
            da, p, descriptions=desc, units=units, dst_crs=dst_crs, categorical=categorical))
        names.append(f"{folder}/{name}")

    mineable = bm["mineable"]
    for group, g in res.group_grades.items():
        cog(f"grade_{group}_by_layer.tif", g, _layer_descriptions(bm, f"{group} grade", "ppm"), "ppm")
    item, top, bottom = run.cutoff_item, run.interval_top, run.interval_bottom
    cog(f"grade_{item}_{top:g}-{bottom:g}mbsf.tif", res.interval_grade,
        [f"{item} mean grade {top:g}-{bottom:g} mbsf (ppm)"], "ppm")
    cog("TREO_t_per_km2.tif", res.treo_per_km2,
        [f"TREO, mineable, {bm.layer_top.values[0]:g}-{bm.layer_bottom.values[-1]:g} mbsf (t/km2)"], "t/km2")
    if "slope_of_regression" in bm:
        cog("slope_of_regression.tif", bm["slope_of_regression"], _layer_descriptions(bm, "slope of regression", "1"), "1")
    ref = run.reference_element
    if "kriging_variance" in bm and ref in bm.element.values:
        sd = np.sqrt(bm["kriging_variance"].sel(element=ref))
        cog(f"kriging_std_{ref}.tif", sd, _layer_descriptions(bm, f"{ref} kriging standard deviation", "ppm"), "ppm")
    cls = bm["resource_class"].astype("float32").where(bm["reason"] == 0)
    cog("resource_class.tif", cls, _layer_descriptions(bm, "class 3=Measured 2=Indicated 1=Inferred 0=none", "1"), "1",
        categorical=True)
    cog("mineable_mask.tif", mineable.astype("float32"), _layer_descriptions(bm, "mineable 1=yes", "1"), "1",
        categorical=True)
    return names


def _classified_areas(bm: xr.Dataset, grid) -> Any:
    """Polygons of the dominant resource class over the layers (cells by class), EPSG:4326."""
    import geopandas as gpd
    from rasterio.features import shapes
    from shapely.geometry import shape

    cls = bm["resource_class"].where(bm["mineable"]).max("layer").fillna(-1).astype("int16").values
    labels = {3: "Measured", 2: "Indicated", 1: "Inferred", 0: "Unclassified"}
    geoms, values = [], []
    for geom, value in shapes(cls, mask=cls >= 0, transform=grid.transform):
        geoms.append(shape(geom))
        values.append(int(value))
    gdf = gpd.GeoDataFrame({"class_code": values, "class": [labels.get(v, "?") for v in values]},
                           geometry=geoms, crs=grid.crs.to_wkt())
    gdf = gdf.dissolve(by="class", as_index=False)
    gdf["area_km2"] = gdf.geometry.area / 1e6
    return gdf.to_crs("EPSG:4326")


#: SupplyResult tables written as ``tables/supply_<name>.csv``.
SUPPLY_TABLES = ("mining", "head_grade", "production", "demand", "offset", "offset_years", "cash_flow", "bands",
                 "offset_probability", "offset_probability_by_year", "coverage", "monte_carlo", "tornado", "scenarios",
                 "separation")


def write_supply_outputs(rundir: RunDirectory, sup: Any) -> None:
    """The supply stage's CSV tables and figures (for ``seabed run`` and ``seabed supply``)."""
    from seabed.supply.plot import (
        plot_cash_flow,
        plot_offset_probability,
        plot_supply_vs_imports,
        plot_tornado,
    )

    for name in SUPPLY_TABLES:
        df = getattr(sup, name)
        if df is not None and len(df):
            _csv(rundir, f"tables/supply_{name}.csv", df, index=not isinstance(df.index, pd.RangeIndex))
    for name, plot in (("supply_vs_imports", plot_supply_vs_imports), ("offset_probability", plot_offset_probability),
                       ("tornado", plot_tornado), ("cash_flow", plot_cash_flow)):
        _save(rundir, f"figures/{name}.png", plot(sup))


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
    """Write every file of a full run (see module docstring)."""
    from seabed.geostats.plot import plot_cross_validation, plot_variogram
    from seabed.outputs.maps import plot_grid_field
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
        "comment": " ".join(run.assumptions) or "",
        "seed": run.seed,
    }
    rundir.write_with("block_model.nc", lambda p: write_block_model(bm, p, attrs=attrs))
    write_rasters(rundir, bm, res, run, folder="rasters", dst_crs=None)
    if reproject_to:
        tag = reproject_to.lower().replace(":", "")
        write_rasters(rundir, bm, res, run, folder=f"rasters_{tag}", dst_crs=reproject_to)

    from seabed.inputs.areas import geodesic_area

    layers = {
        "cores": cores_frame(site.intervals),
        "composites": composites_frame(site.composites, site.elements),
        "areas": areas_frame(site.areas, {n: geodesic_area(g) / 1e6 for n, g in site.areas.items()}),
        "classified_areas": _classified_areas(bm, grid),
    }
    rundir.write_with("seabed.gpkg", lambda p: write_geopackage(p, layers))

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
        rundir.write_with("tables/mining_inventory_realisations.npz", lambda p: np.savez_compressed(
            p, grades_ppm=res.inventory_realisations, elements=np.array(element_columns(res.inventory.columns))))
    for name, df in tables.items():
        if df is not None and len(df):
            _csv(rundir, f"tables/{name}.csv", df, index=not isinstance(df.index, pd.RangeIndex))

    # Figures
    item, top, bottom = run.cutoff_item, run.interval_top, run.interval_bottom
    xy = np.column_stack([site.composites["x"].values, site.composites["y"].values])
    _save(rundir, "figures/map_grade.png", plot_grid_field(
        res.interval_grade, grid, title=f"{item} mean grade {top:g}-{bottom:g} mbsf (kriged)", label=f"{item} (ppm)", cores_xy=xy))
    _save(rundir, "figures/map_class.png", plot_grid_field(
        bm["resource_class"].where(bm["mineable"]).max("layer"), grid, cmap="RdYlGn",
        title="Best resource class over the layers (3 Measured, 2 Indicated, 1 Inferred)", label="class", cores_xy=xy))
    if est.experimental is not None:
        ax = plot_variogram(est.experimental, est.variogram)
        ax.set_title("Pooled standardised variogram (all elements and layers)")
        _save(rundir, "figures/variogram.png", ax)
    if est.cross_validation is not None:
        _save(rundir, "figures/cross_validation.png", plot_cross_validation(est.cross_validation.predictions))
    from seabed.outputs.profiles import plot_core_profiles

    _save(rundir, "figures/core_profiles.png", plot_core_profiles(
        site.intervals, max_depth=float(site.grid.layers.bottom[-1]) + 2.0))
    _save(rundir, "figures/grade_tonnage.png", plot_grade_tonnage(res.grade_tonnage, title=f"Grade-tonnage, cut-off on {item}"))
    _save(rundir, "figures/depth_profile.png", plot_depth_profile(res.tonnage_by_layer, item="REY"))
    if res.simulation_summary is not None:
        _save(rundir, "figures/tonnage_uncertainty.png", plot_tonnage_range(
            res.simulation_summary, title=f"Contained oxide, P10-P90 of {res.simulation_summary.attrs.get('n_realisations')} realisations"))
    if sup is not None:
        write_supply_outputs(rundir, sup)
