"""The one place that sees the whole configuration and wires the stages together.

config → inputs (areas, working grid, grids, cores) → composites → estimation → block model →
resource → supply → outputs. Every stage is a plain function with explicit arguments in its
own module; this module only maps config sections onto those arguments.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from shapely.geometry.base import BaseGeometry

from seabed.compositing import composite
from seabed.config import AreaSpec, Config, GridSpec, LayerSpec
from seabed.elements import GROUPS
from seabed.errors import ConfigError
from seabed.inputs.areas import eez_circle, geodesic_area, load_polygons, study_box
from seabed.inputs.cores import load_cores
from seabed.inputs.grids import load_grid, resample_to_grid
from seabed.working_grid import Layers, WorkingGrid

__all__ = ["SiteData", "build_areas", "build_grid", "prepare_site", "summarise_inputs"]

log = logging.getLogger(__name__)


@dataclass
class SiteData:
    """Everything loaded and validated for one run, before estimation.

    Attributes
    ----------
    areas : dict of str to shapely geometry
        Named lon/lat polygons.
    grid : WorkingGrid
    source_grids : dict of str to xarray.DataArray
        Input grids as loaded (lon/lat).
    rasters : xarray.Dataset
        Input grids resampled onto the working grid, (y, x).
    intervals : pandas.DataFrame
        Validated core interval table (grades in ppm).
    composites : xarray.Dataset
        Length-weighted composites on the working layers, dims (core, layer).
    elements : list of str
    """

    areas: dict[str, BaseGeometry]
    grid: WorkingGrid
    source_grids: dict[str, xr.DataArray]
    rasters: xr.Dataset
    intervals: pd.DataFrame
    composites: xr.Dataset
    elements: list[str]


def build_areas(specs: list[AreaSpec]) -> dict[str, BaseGeometry]:
    """Named lon/lat geometries from the ``[[areas]]`` specs."""
    out: dict[str, BaseGeometry] = {}
    for spec in specs:
        if spec.kind == "eez":
            radius = spec.radius.to("m").magnitude if spec.radius is not None else 370_400.0
            out[spec.name] = eez_circle(*spec.center, radius_m=radius)
        elif spec.kind == "box":
            out[spec.name] = study_box(*spec.bounds)
        else:
            gdf = load_polygons(spec.path, layer=spec.layer)
            out[spec.name] = gdf.geometry.union_all()
    return out


def build_layers(spec: LayerSpec) -> Layers:
    """Regular depth layers from the ``[layers]`` section."""
    return Layers.regular(
        spec.top.to("m").magnitude, spec.bottom.to("m").magnitude, spec.thickness.to("m").magnitude
    )


def build_grid(spec: GridSpec, layers: Layers, extent: BaseGeometry) -> WorkingGrid:
    """The equal-area working grid covering ``extent``."""
    cell = spec.cell_size.to("m").magnitude
    grid = WorkingGrid.covering(extent, cell_size=cell, center=spec.center, layers=layers)
    n = grid.shape[0] * grid.shape[1]
    if n > 50_000_000:
        raise ConfigError(
            f"grid.cell_size: got {spec.cell_size:~} giving {n:,} cells; expected at most 50,000,000; fix: use larger cells"
        )
    return grid


def prepare_site(cfg: Config) -> SiteData:
    """Load, validate and composite every input named in the config."""
    areas = build_areas(cfg.areas)
    layers = build_layers(cfg.layers)
    grid = build_grid(cfg.grid, layers, areas[cfg.grid.extent])
    source_grids: dict[str, xr.DataArray] = {}
    rasters = {}
    for key in ("bathymetry", "sediment_thickness", "crustal_age"):
        spec = getattr(cfg.inputs, key)
        if spec is None:
            continue
        da = load_grid(spec.path, spec.variable, units=spec.units)
        name = "elevation" if key == "bathymetry" else key
        source_grids[name] = da
        rasters[name] = resample_to_grid(da, grid, name=name)
    raster_ds = grid.attach_crs(xr.Dataset(rasters))
    cores_cfg = cfg.inputs.cores
    intervals = load_cores(
        cores_cfg.path,
        units=cores_cfg.units,
        elements=cores_cfg.elements,
        grid=grid,
        area=areas[cfg.grid.extent],
        detection_policy=cores_cfg.detection_policy,
        duplicate_policy=cores_cfg.duplicate_policy,
    )
    elements = [e for e in intervals.attrs.get("elements", []) if cores_cfg.elements is None or e in cores_cfg.elements]
    comps = composite(intervals, layers, elements=elements, min_coverage=cores_cfg.min_coverage, grid=grid)
    return SiteData(areas, grid, source_grids, raster_ds, intervals, comps, elements)


def summarise_inputs(cfg: Config, site: SiteData) -> dict:
    """A JSON-ready summary of the inputs: cores, layers, areas (km²), water depths."""
    grid, comps = site.grid, site.composites
    core_ids = site.intervals["core_id"].unique()
    extent = site.areas[cfg.grid.extent]
    in_extent = grid.mask(extent)
    elev = site.rasters["elevation"].values
    depth_cells = -elev[in_extent & np.isfinite(elev)]
    rey = [e for e in GROUPS["REY"] if e in site.elements]
    rey_total = sum(comps[e] for e in rey) if rey else None
    thickness = xr.DataArray(grid.layers.thickness, dims="layer")
    summary = {
        "title": cfg.title,
        "site": cfg.site,
        "synthetic_cores": cfg.inputs.cores.synthetic,
        "cores": {
            "file": cfg.inputs.cores.path.name,
            "n_cores": len(core_ids),
            "n_intervals": len(site.intervals),
            "elements": site.elements,
            "grade_units": "ppm",
            "max_depth_mbsf": float(site.intervals["bottom_mbsf"].max()),
        },
        "layers": {
            "n": grid.layers.n,
            "top_mbsf": grid.layers.top.tolist(),
            "bottom_mbsf": grid.layers.bottom.tolist(),
            "composites_per_layer": [int(v) for v in comps["coverage"].notnull().sum("core").values]
            if rey_total is None else [int(v) for v in rey_total.notnull().sum("core").values],
        },
        "areas_km2": {name: geodesic_area(g) / 1e6 for name, g in site.areas.items()},
        "grid": {
            "crs_wkt": grid.crs.to_wkt(),
            "cell_size_m": grid.cell_size,
            "shape_yx": list(grid.shape),
            "cells_in_extent": int(in_extent.sum()),
            "extent_area_km2_from_cells": float(in_extent.sum() * grid.cell_area / 1e6),
        },
        "water_depth_m": {
            "grid_min": float(depth_cells.min()) if depth_cells.size else None,
            "grid_max": float(depth_cells.max()) if depth_cells.size else None,
        },
    }
    if "water_depth_m" in site.intervals:
        wd = site.intervals.groupby("core_id")["water_depth_m"].first()
        summary["water_depth_m"].update(cores_min=float(wd.min()), cores_max=float(wd.max()))
    if rey_total is not None:
        weights = thickness * comps["coverage"].where(rey_total.notnull())
        mean = float((rey_total * weights).sum() / weights.sum())
        summary["cores"]["mean_REY_ppm_composites"] = mean
        summary["cores"]["max_layer_REY_ppm"] = float(rey_total.max())
    if "sediment_thickness" in site.rasters:
        st = site.rasters["sediment_thickness"].values[in_extent]
        st = st[np.isfinite(st)]
        if st.size:
            summary["sediment_thickness_m"] = {"min": float(st.min()), "max": float(st.max())}
    return summary


def _island(cfg: Config) -> tuple[str, float, float] | None:
    from seabed.inputs.areas import SITES

    return (cfg.site, *SITES[cfg.site]) if cfg.site in SITES else None


def input_hashes(cfg: Config) -> dict[str, str]:
    """SHA-256 of every input file (and of the config itself)."""
    import hashlib

    out = {}
    paths = dict(cfg.input_paths())
    if cfg.source_path is not None:
        paths["config"] = cfg.source_path
    for label, path in paths.items():
        p = Path(path)
        out[label] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "missing"
    return out


def check_inputs(cfg: Config) -> str:
    """Validate every input the config names (files exist, parse, cover the area); compute nothing.

    Returns a one-line description of what was checked.
    """
    areas = build_areas(cfg.areas)
    layers = build_layers(cfg.layers)
    grid = build_grid(cfg.grid, layers, areas[cfg.grid.extent])
    n_grids = 0
    for key in ("bathymetry", "sediment_thickness", "crustal_age"):
        spec = getattr(cfg.inputs, key)
        if spec is not None:
            resample_to_grid(load_grid(spec.path, spec.variable, units=spec.units), grid)
            n_grids += 1
    cores = cfg.inputs.cores
    intervals = load_cores(cores.path, units=cores.units, elements=cores.elements, grid=grid,
                           area=areas[cfg.grid.extent], detection_policy=cores.detection_policy,
                           duplicate_policy=cores.duplicate_policy)
    return (f"{len(areas)} areas, grid {grid.shape[1]}x{grid.shape[0]} cells of {grid.cell_size:g} m, "
            f"{layers.n} layers, {n_grids} grids, {intervals['core_id'].nunique()} cores / {len(intervals)} intervals")


@dataclass
class RunResult:
    """What :func:`run` produced."""

    out_dir: Path
    outputs: list[str]
    summary: dict
    site: SiteData
    headlines: list[str]


def run(cfg: Config, *, out: str | Path, overwrite: bool = False, command: list[str] | None = None) -> RunResult:
    """Run the pipeline on a validated config and write every output atomically into ``out``.

    Parameters
    ----------
    cfg : Config
        Validated configuration (:func:`seabed.config.load_config`).
    out : str or Path
        Output directory; must not exist unless ``overwrite``.
    overwrite : bool, default False
        Replace an existing output directory.
    command : list of str, optional
        The command line, recorded in the manifest.
    """
    import matplotlib.pyplot as plt

    from seabed.outputs.manifest import build_manifest, utc_now
    from seabed.outputs.maps import plot_site_map
    from seabed.outputs.rundir import RunDirectory

    started = utc_now()
    with RunDirectory(out, overwrite=overwrite) as rundir:
        site = prepare_site(cfg)
        summary = {"inputs": summarise_inputs(cfg, site)}
        fig = plot_site_map(
            site.source_grids["elevation"], site.intervals, site.areas,
            title=cfg.title, zoom=site.areas[cfg.grid.extent], island=_island(cfg),
        )
        rundir.write_with("map_cores.png", lambda p: fig.savefig(p, dpi=130))
        plt.close(fig)
        rundir.write_json("inputs_summary.json", summary["inputs"])
        rundir.write_json("summary.json", summary)
        manifest = build_manifest(
            config=cfg.model_dump(mode="json"),
            config_path=str(cfg.source_path) if cfg.source_path else None,
            inputs=input_hashes(cfg),
            seed=cfg.seed,
            started=started,
            outputs_dir=rundir.staging,
            outputs=list(rundir.files),
            command=command or [],
        )
        rundir.write_json("manifest.json", manifest)
        out_dir = rundir.commit()
    s = summary["inputs"]
    headlines = [
        f"{s['cores']['n_cores']} cores, {s['cores']['n_intervals']} intervals"
        + (" (SYNTHETIC demo data)" if s["synthetic_cores"] else ""),
        f"grid {s['grid']['shape_yx'][1]} x {s['grid']['shape_yx'][0]} cells of {s['grid']['cell_size_m']:g} m, "
        f"{s['layers']['n']} layers",
    ]
    return RunResult(out_dir, list(rundir.files), summary, site, headlines)
