"""Inputs of a run: read and validate everything the config names, refuse what cannot work.

``load_inputs`` reads the areas, the working grid, the grids and the cores; the cross-checks
(``check_cores_for_estimation``, ``check_mineable_area``, :class:`RunCost`) refuse, before any
estimation, a run whose answer would be empty or which the machine cannot hold;
``check_inputs`` is ``seabed check``. Engines (kriging, simulation, masks) are imported inside
the functions that use them, so that ``import seabed.pipeline`` stays light.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from seabed.compositing import composite
from seabed.config import Config, ManualVariogramSettings
from seabed.errors import ConfigError, InputDataError
from seabed.inputs.cores import load_cores
from seabed.inputs.grids import load_grid, resample_to_grid
from seabed.pipeline.adapters import (
    build_areas,
    build_grid,
    build_layers,
    cores_loader_arguments,
    drift_argument,
)
from seabed.results import SiteData, SiteInputs
from seabed.working_grid import WorkingGrid

__all__ = [
    "MIN_CORES_FOR_VARIOGRAM_FIT",
    "RunCost",
    "build_mask_set",
    "check_cores_for_estimation",
    "check_input_files",
    "check_inputs",
    "check_mineable_area",
    "estimate_run_cost",
    "load_inputs",
    "prepare_site",
    "protected_paths",
    "validate_crs",
]

log = logging.getLogger(__name__)


def load_inputs(cfg: Config) -> SiteInputs:
    """Areas, working grid, source grids, grids resampled onto it, and the validated core intervals.

    Everything the config names is read and validated here; nothing is estimated.

    Raises
    ------
    ConfigError, InputDataError
        An input that cannot be read or used, or a run that would come out empty or not fit
        in memory (see :func:`check_cores_for_estimation`, :func:`check_mineable_area`,
        :meth:`RunCost.require`).
    """
    check_input_files(cfg)
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
    intervals = load_cores(cores_cfg.path, grid=grid, area=areas[cfg.grid.extent], **cores_loader_arguments(cores_cfg))
    rasters = grid.attach_crs(xr.Dataset(rasters))
    drift_argument(cfg.estimation, rasters)  # an external drift needs its grid among the inputs
    check_cores_for_estimation(cfg, intervals)
    domain = grid.area_fraction(areas[cfg.grid.extent])  # cells with any part in the extent are estimated
    cost = estimate_run_cost(cfg, grid, domain, n_elements=len(intervals.attrs.get("elements", [])) or 16).require()
    mask_set, table = check_mineable_area(cfg, grid, areas, rasters, domain=domain)
    return SiteInputs(areas, grid, source_grids, rasters, intervals, domain, mask_set, table, cost)


def check_input_files(cfg: Config) -> None:
    """Refuse a missing input file, saying that a config's paths are relative to the config's folder.

    A config copied elsewhere keeps its relative paths (``../grids/...``), which then point
    nowhere: the message names the key, the resolved path and the folder they are relative to.
    """
    for label, path in cfg.input_paths().items():
        path = Path(path)
        if path.exists():
            continue
        key = f"areas.{label.split(':', 1)[1]}.path" if label.startswith("area:") else f"inputs.{label}.path"
        if cfg.source_path is not None:
            folder = Path(cfg.source_path).parent
            where = (f"relative paths in a config are read from the config file's folder, {folder}; fix: correct the "
                     f"path (relative to {folder}, or absolute), or start a project with `seabed init DIR`")
        else:
            where = "fix: correct the path"
        raise InputDataError(f"{cfg.source_path or 'config'}: {key}: file not found: {path}; {where}")


def prepare_site(cfg: Config) -> SiteData:
    """Load, validate and composite every input named in the config."""
    inputs = load_inputs(cfg)
    intervals, grid = inputs.intervals, inputs.grid
    cores_cfg = cfg.inputs.cores
    elements = [e for e in intervals.attrs.get("elements", []) if cores_cfg.elements is None or e in cores_cfg.elements]
    comps = composite(intervals, grid.layers, elements=elements, min_coverage=cores_cfg.min_coverage, grid=grid)
    return SiteData(**{f.name: getattr(inputs, f.name) for f in fields(inputs)}, composites=comps, elements=elements)


def check_inputs(cfg: Config) -> str:
    """Validate every input the config names (files exist, parse, cover the area); compute nothing.

    Returns a one-line description of what was checked.
    """
    inputs = load_inputs(cfg)
    areas, grid, intervals, cost = inputs.areas, inputs.grid, inputs.intervals, inputs.cost
    for line in cost.warnings():
        log.warning(line)
    n_warn = sum(len(r.attrs.get("warnings", [])) for r in inputs.rasters.data_vars.values()) + len(
        intervals.attrs.get("warnings", []))
    n_sub = (intervals.attrs.get("detection") or {}).get("n_substituted", 0)
    notes = (f"; {n_warn} input warning(s) (above)" if n_warn else "") + (
        f"; {n_sub} below-detection value(s) substituted" if n_sub else "")
    return (f"{len(areas)} areas, grid {grid.shape[1]}x{grid.shape[0]} cells of {grid.cell_size:g} m, "
            f"{grid.layers.n} layers, {len(inputs.source_grids)} grids, {intervals['core_id'].nunique()} cores / "
            f"{len(intervals)} intervals; {cost.describe()}{notes}")


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

    Attributes
    ----------
    cells : int
        Working-grid cells in the extent.
    memory_bytes, disk_bytes : float
        Driver memory and output size, bytes.
    seconds : float
        Run time on 2 cores, s.
    physical_memory : float
        This machine's memory, bytes.
    source : str
        The config file named in messages.
    """

    cells: int
    memory_bytes: float
    disk_bytes: float
    seconds: float
    physical_memory: float
    source: str = "config"

    def describe(self) -> str:
        """One line: cells, memory, disk and time."""
        return (f"~{self.cells:,} cells; needs ~{_size(self.memory_bytes)} memory beside the tasks, "
                f"~{_size(self.disk_bytes)} disk, ~{_duration(self.seconds)} on 2 cores")

    def warnings(self) -> list[str]:
        """A warning for a run over an hour or writing over 10 GiB."""
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
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX
        return float("inf")


def estimate_run_cost(cfg: Config, grid: WorkingGrid, domain: np.ndarray, *, n_elements: int) -> RunCost:
    """Rough memory, disk and time of a run on ``grid`` whose extent covers the ``domain`` cells
    ((y, x) fraction of each cell in the extent, or bool; cells with any part count; see
    :class:`RunCost`)."""
    bbox = grid.shape[0] * grid.shape[1]
    cells = int(np.count_nonzero(domain))
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


def check_mineable_area(cfg: Config, grid: WorkingGrid, areas: dict, rasters: xr.Dataset, *,
                        domain: np.ndarray) -> tuple[dict, pd.DataFrame]:
    """The masks and their area table; refuse masks that leave no mineable area of the ``domain``
    (the fraction of each cell in the extent), naming the mask that emptied it."""
    from seabed.resource import masks

    mask_set = build_mask_set(cfg, grid, areas, rasters)
    table = masks.mask_table(mask_set, grid, domain=domain)
    if table.loc["total", "remaining [km^2]"] > 0:
        return mask_set, table
    culprit = next((name for name in table.index[:-1] if table.loc[name, "remaining [km^2]"] == 0), "total")
    described = mask_set[culprit].attrs.get("long_name", culprit) if culprit in mask_set else culprit
    alone = table.loc[culprit, "removed alone [km^2]"] if culprit in table.index else float("nan")
    raise ConfigError(
        f"{cfg.source_path or 'config'}: resource.masks: the mineable area is 0 km2: after the masks above it, "
        f"mask {culprit!r} ({described}) removes every remaining cell of extent {cfg.grid.extent!r} "
        f"(alone it removes {alone:,.0f} km2); expected some mineable area; fix: widen that mask's limits "
        "(see the mask table in docs/config.md) or check the input grid's units and sign")


def build_mask_set(cfg: Config, grid: WorkingGrid, areas: dict, rasters: xr.Dataset) -> dict:
    """The masks of ``[resource.masks]`` on ``grid``, by name (see :func:`seabed.resource.masks.build_masks`)."""
    from seabed.resource import masks

    rs = cfg.resource
    include_names = rs.masks.include if rs.masks.include is not None else [cfg.grid.extent]
    return masks.build_masks(
        grid, settings=rs.masks, rasters={k: rasters[k] for k in rasters.data_vars},
        include={n: areas[n] for n in include_names},
        exclude={n: areas[n] for n in rs.masks.exclude},
    )


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
