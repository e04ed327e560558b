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
            out[spec.name] = eez_circle(*spec.center, radius_m=radius, name=spec.name)
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
    return WorkingGrid.covering(extent, cell_size=cell, center=spec.center, layers=layers)


def load_inputs(cfg: Config) -> tuple[dict, WorkingGrid, dict[str, xr.DataArray], xr.Dataset, pd.DataFrame]:
    """Areas, working grid, source grids, grids resampled onto it, and the validated core intervals.

    Everything the config names is read and validated here; nothing is estimated.
    """
    areas = build_areas(cfg.areas)
    grid = build_grid(cfg.grid, build_layers(cfg.layers), areas[cfg.grid.extent])
    source_grids: dict[str, xr.DataArray] = {}
    rasters = {}
    for key in ("bathymetry", "sediment_thickness", "crustal_age"):
        spec = getattr(cfg.inputs, key)
        if spec is None:
            continue
        da = load_grid(spec.path, spec.variable, units=spec.units, elevation=key == "bathymetry")
        name = "elevation" if key == "bathymetry" else key
        source_grids[name] = da
        rasters[name] = resample_to_grid(da, grid, name=name, area=areas[cfg.grid.extent])
    cores_cfg = cfg.inputs.cores
    intervals = load_cores(cores_cfg.path, grid=grid, area=areas[cfg.grid.extent], **cores_cfg.loader_kwargs())
    rasters = grid.attach_crs(xr.Dataset(rasters))
    check_cores_for_estimation(cfg, intervals)
    estimate_run_cost(cfg, grid, areas, n_elements=len(intervals.attrs.get("elements", [])) or 16).require()
    check_mineable_area(cfg, grid, areas, rasters)
    return areas, grid, source_grids, rasters, intervals


@dataclass
class RunCost:
    """Rough memory, disk and time a run will need, from the grid and config alone.

    The constants are the measured ones of docs/scaling.md and docs/performance.md (2 cores):
    ~150 B per bounding-box cell of (y, x) maps held by the driver; the mining inventory
    (~(elements + 12) × 8 B per block) and its re-graded copies for the supply Monte Carlo
    (``supply_realisations × elements × 4`` B per block); estimation ~7e-7 s per cell and
    variable (whole EEZ: 48 s for 431k cells × 160 variables); simulation ~9e-6 s per cell
    and realisation (whole EEZ: ~6.5 min for 100); ~40 s for everything else. Tasks are
    bounded by ``[compute] memory_budget`` and are not counted in the memory.
    """

    cells: int
    memory_bytes: float
    disk_bytes: float
    seconds: float
    physical_memory: float
    source: str = "config"

    def describe(self) -> str:
        return (f"~{self.cells:,} cells; needs ~{_size(self.memory_bytes)} memory beside the tasks, "
                f"~{_size(self.disk_bytes)} disk, ~{_duration(self.seconds)} on 2 cores")

    def warnings(self) -> list[str]:
        out = []
        if self.seconds > 3600:
            out.append(f"this run will take long: {self.describe()}")
        elif self.disk_bytes > 10 * 2**30:
            out.append(f"this run writes large outputs: {self.describe()}")
        return out

    def require(self) -> RunCost:
        """Refuse a run whose driver would need more memory than the machine has."""
        if self.memory_bytes > 0.9 * self.physical_memory:
            raise ConfigError(
                f"{self.source}: grid.cell_size: the run {self.describe()}, but this machine has "
                f"{_size(self.physical_memory)}; expected at most 90 % of it; fix: use larger cells, "
                "fewer [resource.simulation] supply_realisations, or a smaller extent")
        return self


def _size(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.0f} MiB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _physical_memory() -> float:
    try:
        import os

        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX
        return float("inf")


def estimate_run_cost(cfg: Config, grid: WorkingGrid, areas: dict, *, n_elements: int) -> RunCost:
    """Rough memory, disk and time of a run on ``grid`` (see :class:`RunCost`)."""
    bbox = grid.shape[0] * grid.shape[1]
    cells = int(grid.mask(areas[cfg.grid.extent]).sum())
    n_var = n_elements * grid.layers.n
    sim = cfg.resource.simulation
    n_sup = min(sim.supply_realisations, sim.n_realisations)
    memory = 150.0 * bbox + cells * ((n_elements + 12) * 8.0 + n_sup * n_elements * 4.0)
    disk = bbox * grid.layers.n * (2 * n_elements + 4) * 4.0 * 1.5  # cubes and their GeoTIFFs
    seconds = 40.0 + cells * n_var * 7e-7 + cells * sim.n_realisations * 9e-6
    return RunCost(cells, memory, disk, seconds, _physical_memory(), str(cfg.source_path or "config"))


# Fewest cores a pooled variogram is fitted to: n cores give n(n - 1)/2 pairs per layer, and a
# model with a nugget, a sill and a range needs pairs in at least three lag classes.
MIN_CORES_FOR_VARIOGRAM_FIT = 5


def check_cores_for_estimation(cfg: Config, intervals: pd.DataFrame) -> None:
    """Refuse a core table the configured estimation cannot use (before any estimation).

    Raises
    ------
    ConfigError
        Fewer cores than ``[estimation.neighbourhood] min_samples`` (no cell could be estimated),
        or too few cores to fit a variogram when kriging with a fitted one.
    """
    from seabed.geostats.settings import ManualVariogramSettings

    n_cores = int(intervals["core_id"].nunique())
    source = cfg.source_path or "config"
    cores = cfg.inputs.cores.path.name
    est = cfg.estimation
    if est.method != "nearest" and est.neighbourhood.min_samples > n_cores:
        raise ConfigError(
            f"{source}: estimation.neighbourhood.min_samples: got {est.neighbourhood.min_samples} but {cores} has "
            f"{n_cores} core(s), so no cell could be estimated; expected at most {n_cores}; "
            "fix: lower min_samples or add cores")
    fitted = not isinstance(est.variogram, ManualVariogramSettings)
    if est.method in ("ordinary_kriging", "simple_kriging") and fitted and n_cores < MIN_CORES_FOR_VARIOGRAM_FIT:
        raise ConfigError(
            f"{source}: estimation.variogram: {cores} has {n_cores} core(s); expected at least "
            f"{MIN_CORES_FOR_VARIOGRAM_FIT} to fit a variogram; fix: add cores, declare the variogram "
            "([estimation.variogram] kind/range/sill/nugget), or use method = \"idw\"")


def check_mineable_area(cfg: Config, grid: WorkingGrid, areas: dict, rasters: xr.Dataset) -> None:
    """Refuse masks that leave no mineable cell in the extent, naming the mask that emptied it."""
    from seabed.resource import masks

    mask_set = _build_mask_set(cfg, grid, areas, rasters)
    table = masks.mask_table(mask_set, grid, domain=grid.mask(areas[cfg.grid.extent]))
    if table.loc["total", "remaining [km^2]"] > 0:
        return
    culprit = next((name for name in table.index[:-1] if table.loc[name, "remaining [km^2]"] == 0), "total")
    described = mask_set[culprit].attrs.get("description", culprit) if culprit in mask_set else culprit
    alone = table.loc[culprit, "removed alone [km^2]"] if culprit in table.index else float("nan")
    raise ConfigError(
        f"{cfg.source_path or 'config'}: resource.masks: the mineable area is 0 km2: after the masks above it, "
        f"mask {culprit!r} ({described}) removes every remaining cell of extent {cfg.grid.extent!r} "
        f"(alone it removes {alone:,.0f} km2); expected some mineable area; fix: widen that mask's limits "
        "(see the mask table in docs/config.md) or check the input grid's units and sign")


def _build_mask_set(cfg: Config, grid: WorkingGrid, areas: dict, rasters: xr.Dataset) -> dict:
    from seabed.resource import masks

    rs = cfg.resource
    include_names = rs.masks.include if rs.masks.include is not None else [cfg.grid.extent]
    return masks.build_masks(
        grid, settings=rs.masks, rasters={k: rasters[k] for k in rasters.data_vars},
        include={n: areas[n] for n in include_names},
        exclude={n: areas[n] for n in rs.masks.exclude},
    )


def prepare_site(cfg: Config) -> SiteData:
    """Load, validate and composite every input named in the config."""
    areas, grid, source_grids, rasters, intervals = load_inputs(cfg)
    cores_cfg = cfg.inputs.cores
    elements = [e for e in intervals.attrs.get("elements", []) if cores_cfg.elements is None or e in cores_cfg.elements]
    comps = composite(intervals, grid.layers, elements=elements, min_coverage=cores_cfg.min_coverage, grid=grid)
    return SiteData(areas, grid, source_grids, rasters, intervals, comps, elements)


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
            "composites_per_layer": [int(v) for v in (rey_total if rey_total is not None else comps["coverage"]).notnull().sum("core").values],
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
    detection = site.intervals.attrs.get("detection")
    if detection:
        summary["cores"]["below_detection"] = detection
    warnings = input_warnings(site)
    if warnings:
        summary["warnings"] = warnings
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


def input_warnings(site: SiteData) -> list[str]:
    """Every warning the loaders recorded on the inputs they accepted (grids, cores), one line each."""
    out: list[str] = []
    for name in site.rasters.data_vars:  # the resampled grids carry their loader's warnings too
        out += [str(w) for w in site.rasters[name].attrs.get("warnings", [])]
    out += [str(w) for w in site.intervals.attrs.get("warnings", [])]
    return out


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


def protected_paths(cfg: Config) -> list[Path]:
    """The config and every input it names: an output directory may never hold one of them."""
    paths = [Path(p) for p in cfg.input_paths().values()]
    return [*paths, *([cfg.source_path] if cfg.source_path is not None else [])]


def validate_crs(crs: str, *, field: str = "--crs") -> str:
    """``crs`` if pyproj understands it (e.g. ``"EPSG:4326"``), else a one-line :class:`ConfigError`."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(crs)
    except CRSError:
        raise ConfigError(f"{field}: got {crs!r}, not a coordinate reference system; expected e.g. 'EPSG:4326' "
                          "or a WKT/PROJ string; fix: pass a valid CRS") from None
    return crs


def check_inputs(cfg: Config) -> str:
    """Validate every input the config names (files exist, parse, cover the area); compute nothing.

    Returns a one-line description of what was checked.
    """
    areas, grid, source_grids, rasters, intervals = load_inputs(cfg)
    cost = estimate_run_cost(cfg, grid, areas, n_elements=len(intervals.attrs.get("elements", [])) or 16)
    for line in cost.warnings():
        log.warning(line)
    n_warn = sum(len(r.attrs.get("warnings", [])) for r in rasters.data_vars.values()) + len(
        intervals.attrs.get("warnings", []))
    n_sub = (intervals.attrs.get("detection") or {}).get("n_substituted", 0)
    notes = (f"; {n_warn} input warning(s) (above)" if n_warn else "") + (
        f"; {n_sub} below-detection value(s) substituted" if n_sub else "")
    return (f"{len(areas)} areas, grid {grid.shape[1]}x{grid.shape[0]} cells of {grid.cell_size:g} m, "
            f"{grid.layers.n} layers, {len(source_grids)} grids, {intervals['core_id'].nunique()} cores / "
            f"{len(intervals)} intervals; {cost.describe()}{notes}")


@dataclass
class EstimationResult:
    """Grades and diagnostics on the grid, the variogram, and cross-validation."""

    estimates: xr.Dataset
    variogram: object | None
    experimental: object | None
    cross_validation: object | None
    elements: list[str]


def estimate_stage(cfg: Config, site: SiteData, *, mapper=None, store: Path | None = None) -> EstimationResult:
    """Variography, kriging (or a baseline) of every element × layer, and cross-validation.

    ``mapper`` (a :class:`seabed.compute.Mapper`) runs the estimation as spatial row-block
    tasks of ``[compute]`` size; ``None`` estimates in one call. With ``store`` (a NetCDF
    path) the grade and variance cubes are written there block by block and read lazily.
    """
    from seabed.geostats.estimation import (
        bytes_per_cell,
        estimate_grades,
        fit_pooled_variogram,
        sample_table,
    )
    from seabed.geostats.settings import estimation_kwargs

    kwargs = estimation_kwargs(cfg.estimation)
    elements = [e for e in site.elements if e in GROUPS["REY"] or e == "Sc"]
    experimental = None
    if kwargs["method"] in ("ordinary_kriging", "simple_kriging"):
        fitted, experimental = fit_pooled_variogram(site.composites, elements, **(kwargs["variogram_fit"] or {}))
        if kwargs["variogram"] is None:
            kwargs["variogram"] = fitted
    kwargs.pop("variogram_fit")
    mask = site.grid.mask(site.areas[cfg.grid.extent])
    if mapper is None:
        estimates = estimate_grades(site.composites, site.grid, elements=elements, mask=mask,
                                    chunk_size=cfg.compute.chunk_cells, **kwargs)
    else:
        cells = cfg.compute.options().cells_per_chunk(bytes_per_cell(len(elements) * site.grid.layers.n),
                                                      n_workers=mapper.n_workers)
        estimates = estimate_grades(site.composites, site.grid, elements=elements, mask=mask,
                                    mapper=mapper, task_cells=cells, store=store, **kwargs)
    cv = None
    if cfg.estimation.cross_validation.enabled:
        cv = _cross_validate(cfg, site, elements, kwargs, sample_table)
    return EstimationResult(estimates, kwargs["variogram"], experimental, cv, elements)


def _cross_validate(cfg: Config, site: SiteData, elements: list[str], kwargs: dict, sample_table) -> object:
    from seabed.geostats.baselines import InverseDistance, NearestNeighbour
    from seabed.geostats.kriging import Kriging
    from seabed.geostats.validation import cross_validate

    coords, values, keep = sample_table(site.composites, elements)
    n_layers = site.grid.layers.n
    names = [f"{e}|{lyr}" for e in elements for lyr in range(n_layers)]
    method = kwargs["method"]
    if method in ("ordinary_kriging", "simple_kriging"):
        sills = np.nanvar(values, axis=0)
        estimator = Kriging(kwargs["variogram"], kind="ordinary" if method == "ordinary_kriging" else "simple",
                            mean=np.nanmean(values, axis=0) if method == "simple_kriging" else None,
                            neighbourhood=kwargs["neighbourhood"], variable_sills=np.where(np.isfinite(sills), sills, 0.0))
    elif method == "idw":
        estimator = InverseDistance(power=kwargs["idw_power"], neighbourhood=kwargs["neighbourhood"])
    else:
        estimator = NearestNeighbour(radius=kwargs["neighbourhood"].radius)
    cvs = cfg.estimation.cross_validation
    groups = np.asarray(site.composites["core_id"].values)[keep] if cvs.n_folds is None else None
    return cross_validate(coords, values, estimator=estimator, groups=groups, n_folds=cvs.n_folds,
                          seed=cvs.seed, variable_names=names)


@dataclass
class ResourceResult:
    """Block model and every resource table."""

    block_model: xr.Dataset
    masks: dict
    mask_table: pd.DataFrame
    tonnage: pd.DataFrame
    tonnage_by_layer: pd.DataFrame
    tonnage_by_depth: pd.DataFrame
    tonnage_by_polygon: pd.DataFrame
    grade_tonnage: pd.DataFrame
    class_tonnage: pd.DataFrame
    inventory: pd.DataFrame
    simulation: pd.DataFrame | None
    simulation_summary: pd.DataFrame | None
    inventory_realisations: np.ndarray | None  # (realisation, block, element) grades, ppm


def resource_stage(cfg: Config, site: SiteData, est: EstimationResult, *, mapper=None) -> ResourceResult:
    """Block model, masks, tonnages, cut-offs, classification and simulated uncertainty.

    With a ``mapper`` (:class:`seabed.compute.Mapper`) the simulation runs as tasks of one tile
    of grid rows × a batch of realisations, each returning sums (tonnage per scope and, for
    the first ``supply_realisations``, the re-graded inventory blocks of its tile).
    """
    from seabed.resource import classification, masks, selectivity, simulation, tonnage
    from seabed.resource.blockmodel import build_block_model
    from seabed.resource.density import density_field

    rs = cfg.resource
    grid = site.grid
    mask_set = _build_mask_set(cfg, grid, site.areas, site.rasters)
    domain = grid.mask(site.areas[cfg.grid.extent])
    table_masks = masks.mask_table(mask_set, grid, domain=domain)
    density = density_field(grid, settings=rs.density)
    bm = build_block_model(est.estimates, grid, density=density, masks=mask_set,
                           rasters={k: site.rasters[k] for k in site.rasters.data_vars},
                           clip_layers_to_sediment=rs.masks.clip_layers_to_sediment)
    classes = classification.classify(bm, rs.classification)
    bm = bm.assign(resource_class=classes["resource_class"], limiting_criterion=classes["limiting_criterion"])
    mineable = bm["mineable"]
    cut = selectivity.cutoff_from_settings(rs.cutoff)
    result = {
        "tonnage": tonnage.tonnage_table(bm, where=mineable),
        "tonnage_by_layer": tonnage.tonnage_table(bm, by_layer=True, where=mineable, items=["REY", "TREO", "HREO", "MREO"]),
        "tonnage_by_depth": tonnage.tonnage_by_depth(bm, where=mineable),
        "tonnage_by_polygon": tonnage.tonnage_by_polygon(bm, grid, site.areas, where=mineable),
        "grade_tonnage": selectivity.grade_tonnage(
            bm, item=rs.cutoff.item, cutoffs=rs.cutoff.curve, mode=rs.cutoff.mode, interval=cut["interval"],
            min_thickness=cut["min_thickness"], report=("TREO", "MREO"), where=mineable),
        "class_tonnage": classification.class_tonnage(bm, bm["resource_class"], items=("REY", "TREO"),
                                                      where=mineable, rules=rs.classification),
        "inventory": selectivity.mining_inventory(bm, resource_class=bm["resource_class"], **cut),
    }
    sims = summary = None
    realisations = None
    if rs.simulation.n_realisations > 0 and est.variogram is not None:
        plan = simulation.prepare_simulation(site.composites, grid, model=est.variogram, elements=est.elements,
                                             vertical_correlation=rs.simulation.vertical_correlation,
                                             mean_uncertainty=rs.simulation.mean_uncertainty)
        n_sup = min(rs.simulation.supply_realisations, rs.simulation.n_realisations)
        tile_cells = cfg.compute.options().cells_per_chunk(plan.bytes_per_cell(), task_bytes=plan.task_bytes(),
                                                           n_workers=getattr(mapper, "n_workers", 1))
        run = simulation.simulate_resource(
            plan, bm, n_realisations=rs.simulation.n_realisations, seed=rs.simulation.seed, mapper=mapper,
            cutoff_item=rs.cutoff.item, cutoffs=[q.to("ppm").magnitude for q in rs.simulation.cutoffs],
            resource_class=bm["resource_class"], density_relative_sd=rs.simulation.density_relative_sd,
            thickness_relative_sd=rs.simulation.thickness_relative_sd, inventory=result["inventory"],
            inventory_tonnes=selectivity.inventory_tonnes(bm, **cut) if n_sup else None, n_inventories=n_sup,
            tile_cells=tile_cells)
        sims = run.tonnage
        summary = simulation.summarise_realisations(sims, units="kt")
        realisations = run.inventory_grades
    return ResourceResult(bm, mask_set, table_masks, simulation=sims, simulation_summary=summary,
                          inventory_realisations=realisations, **result)


def supply_stage(cfg: Config, res: ResourceResult):
    """Project supply, import offsets and economics from the mining inventory."""
    from seabed.supply.model import project_supply

    return project_supply(res.inventory, cfg.supply, seed=cfg.seed,
                          realisations=res.inventory_realisations)


@dataclass
class RunResult:
    """What :func:`run` produced (the objects as well as the files)."""

    out_dir: Path
    outputs: list[str]
    summary: dict
    site: SiteData
    estimation: EstimationResult | None
    resource: ResourceResult | None
    supply: object | None
    headlines: list[str]


def run(
    cfg: Config,
    *,
    out: str | Path,
    overwrite: bool = False,
    command: list[str] | None = None,
    supply: bool = True,
    reproject_to: str | None = None,
    scheduler: str | None = None,
    client=None,
    progress: bool | None = False,
) -> RunResult:
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
    supply : bool, default True
        Run the supply stage (``False``: inputs → grades → resource only, ``seabed estimate``).
    reproject_to : str, optional
        Also write the GeoTIFFs reprojected to this CRS (e.g. ``"EPSG:4326"``).
    scheduler : str, optional
        Overrides ``[compute] scheduler`` ("synchronous", "threads", "processes" or
        ``tcp://host:port``; ``seabed run --scheduler``).
    client : distributed.Client, optional
        Run on this connected Dask client instead (not closed here).
    progress : bool or None, default False
        Show a stage progress bar on stderr (``None``: only when stderr is a terminal; the CLI's
        default).
    """
    from seabed.compute import open_mapper
    from seabed.outputs.bundle import write_run_outputs
    from seabed.outputs.manifest import build_manifest, utc_now
    from seabed.outputs.maps import plot_site_map
    from seabed.outputs.report import REPORT_TABLES, render_run_report
    from seabed.outputs.rundir import RunDirectory
    from seabed.outputs.summary import build_summary
    from seabed.progress import StageProgress

    started = utc_now()
    if reproject_to is not None:
        reproject_to = validate_crs(reproject_to)
    options = cfg.compute.options(scheduler=scheduler)
    stages = ["inputs", "estimation", "resource", *(["supply"] if supply else []), "outputs"]
    with (RunDirectory(out, overwrite=overwrite, protect=protected_paths(cfg)) as rundir,
          open_mapper(options, client=client) as mapper,
          StageProgress(stages, enabled=progress) as bar):
        log.info("computing with %r", mapper)
        with bar.stage("inputs"):
            site = prepare_site(cfg)
            inputs_summary = summarise_inputs(cfg, site)
            fig = plot_site_map(site.source_grids["elevation"], site.intervals, site.areas,
                                title=cfg.title, zoom=site.areas[cfg.grid.extent], island=_island(cfg))
            rundir.write_with("figures/map_cores.png", lambda p: fig.savefig(p, dpi=120))
        with bar.stage("estimation"):
            est = estimate_stage(cfg, site, mapper=mapper, store=rundir.scratch / "estimates.nc")
        with bar.stage("resource"):
            res = resource_stage(cfg, site, est, mapper=mapper)
        sup = None
        if supply:
            with bar.stage("supply"):
                sup = supply_stage(cfg, res)
        with bar.stage("outputs"):
            write_run_outputs(rundir, cfg, site, est, res, sup, reproject_to=reproject_to)
            summary = build_summary(cfg, site, est, res, sup, inputs_summary)
            rundir.write_json("summary.json", summary)
            figures = {Path(f).stem: rundir.staging / f for f in rundir.files if f.startswith("figures/")}
            tables = {name: getattr(res, attr) for name, (attr, _) in REPORT_TABLES.items()}
            report = render_run_report(summary, figures=figures, tables=tables)
            rundir.write_with("report.html", report.write)
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
        if rundir.notes:
            manifest["recovered_before_run"] = rundir.notes
        rundir.write_json("manifest.json", manifest)
        out_dir = rundir.commit()
    _read_cubes_from(out_dir / "block_model.nc", est, res)
    return RunResult(out_dir, list(rundir.files), summary, site, est, res, sup, _headlines(summary))


def _read_cubes_from(path: Path, est: EstimationResult, res: ResourceResult) -> None:
    """Point the lazily read grade and variance cubes at the published block model.

    During the run they are read from the scratch store, which the commit removes; the
    block model written to the run directory holds the same values.
    """
    if est.estimates["grade"].chunks is None:
        return
    chunks = {"y": est.estimates["grade"].chunksizes["y"]}
    final = xr.open_dataset(path, chunks=chunks, cache=False, mask_and_scale=False)
    for name, da in est.estimates.data_vars.items():  # the cubes and the per-layer diagnostics
        if da.chunks is not None and name in final:
            data = final[name].transpose(*da.dims).data.astype(da.dtype, copy=False)
            est.estimates[name] = da.copy(data=data)
            if name in res.block_model:
                res.block_model[name] = res.block_model[name].copy(data=data)


def _headlines(summary: dict) -> list[str]:
    from seabed.outputs.report import format_quantity as fq

    inp, res = summary["inputs"], summary["resource"]
    lines = [f"WARNING: {w}" for w in [*inp.get("warnings", []), *res.get("warnings", [])]]
    lines += [
        f"{inp['cores']['n_cores']} cores, {inp['cores']['n_intervals']} intervals"
        + (" (SYNTHETIC demo data: results illustrate the method)" if summary["synthetic_cores"] else ""),
        (f"mineable {fq(res['mineable_area'])}: {fq(res['dry_mud'])} dry mud at {fq(res['mean_REY_grade'])} REY, "
        f"TREO {fq(res['oxides'].get('TREO'))}, of which {fq(res['TREO_classified'])} classified"),
    ]
    if "above_cutoff" in res:
        a = res["above_cutoff"]
        lines.append(f"above the {fq(a['cutoff'])} {a['item']} cut-off ({a['mode']}): {fq(a['dry_mud'])} dry mud at "
                     f"{fq(a['grade'])}, TREO {fq(a['TREO'])}")
    if "uncertainty" in res:
        u = res["uncertainty"]
        lines.append(f"TREO P10/P50/P90: {fq(u['TREO_P10'])} / {fq(u['TREO_P50'])} / {fq(u['TREO_P90'])}")
    sup = summary.get("supply")
    if sup:
        lines.append(f"first year supply offsets {sup.get('offset_item')} imports from China: "
                     f"{sup.get('first_offset_year') or 'not within the horizon'}; NPV {fq(sup.get('npv'))}")
    return lines


def load_saved_resource(run_dir: str | Path) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The mining inventory (and realisation grades, if saved) of an earlier run's output directory."""
    from seabed.errors import InputDataError

    run_dir = Path(run_dir)
    path = run_dir / "tables" / "mining_inventory.csv"
    if not path.is_file():
        raise InputDataError(f"{path}: not found; expected the output directory of `seabed estimate` or "
                             "`seabed run`; fix: point --resource at such a directory")
    inventory = pd.read_csv(path)
    npz = run_dir / "tables" / "mining_inventory_realisations.npz"
    grades = None
    if npz.is_file():
        with np.load(npz) as data:
            grades = data["grades_ppm"]
    return inventory, grades


def run_supply(cfg: Config, *, resource_dir: str | Path, out: str | Path, overwrite: bool = False,
               command: list[str] | None = None) -> RunResult:
    """The supply stage alone, on the saved resource of an earlier run (``seabed supply``)."""
    from seabed.outputs.bundle import write_supply_outputs
    from seabed.outputs.manifest import build_manifest, file_sha256, utc_now
    from seabed.outputs.rundir import RunDirectory, to_jsonable
    from seabed.supply.model import project_supply

    started = utc_now()
    inventory, grades = load_saved_resource(resource_dir)
    with RunDirectory(out, overwrite=overwrite, protect=[*protected_paths(cfg), Path(resource_dir)]) as rundir:
        sup = project_supply(inventory, cfg.supply, seed=cfg.seed, realisations=grades)
        write_supply_outputs(rundir, sup)
        summary = {"title": cfg.title, "resource_from": str(Path(resource_dir).resolve()),
                   "supply": {k: to_jsonable(v) for k, v in sup.summary.items()}}
        rundir.write_json("summary.json", summary)
        inputs = input_hashes(cfg)
        inputs["resource:mining_inventory.csv"] = file_sha256(Path(resource_dir) / "tables" / "mining_inventory.csv")
        manifest = build_manifest(config=cfg.model_dump(mode="json"),
                                  config_path=str(cfg.source_path) if cfg.source_path else None, inputs=inputs,
                                  seed=cfg.seed, started=started, outputs_dir=rundir.staging,
                                  outputs=list(rundir.files), command=command or [])
        rundir.write_json("manifest.json", manifest)
        out_dir = rundir.commit()
    from seabed.outputs.report import format_quantity

    headline = f"NPV {format_quantity(summary['supply'].get('npv'))}; first offset year of {summary['supply'].get('offset_item')}: " \
               f"{summary['supply'].get('first_offset_year') or 'not within the horizon'}"
    return RunResult(out_dir, list(rundir.files), summary, None, None, None, sup, [headline])


def rebuild_report(run_dir: str | Path) -> Path:
    """Re-render ``report.html`` of a run directory from its ``summary.json``, figures and tables."""
    import json

    from seabed.errors import InputDataError
    from seabed.outputs.report import REPORT_TABLES, render_run_report

    run_dir = Path(run_dir)
    path = run_dir / "summary.json"
    if not path.is_file():
        raise InputDataError(f"{path}: not found; expected the output directory of `seabed run`")
    summary = json.loads(path.read_text(encoding="utf-8"))
    if "resource" not in summary:
        raise InputDataError(f"{path}: no resource section; expected a `seabed run` or `seabed estimate` output")
    figures = {p.stem: p for p in sorted((run_dir / "figures").glob("*.png"))}
    tables = {}
    for name, (_, index_levels) in REPORT_TABLES.items():
        p = run_dir / "tables" / f"{name}.csv"
        if p.is_file():
            tables[name] = pd.read_csv(p, index_col=list(range(index_levels)) or None)
    out = render_run_report(summary, figures=figures, tables=tables).write(run_dir / "report.html")
    manifest = run_dir / "manifest.json"
    if manifest.is_file():  # keep the manifest's output hashes true
        from seabed.outputs.manifest import file_sha256
        from seabed.outputs.rundir import to_jsonable

        m = json.loads(manifest.read_text(encoding="utf-8"))
        m.setdefault("outputs", {})["report.html"] = file_sha256(out)
        tmp = manifest.with_name("manifest.json.tmp")
        tmp.write_text(json.dumps(to_jsonable(m), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(manifest)
    return out
