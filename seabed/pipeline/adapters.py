"""The only code that turns configuration sections into the arguments of the stages.

Every stage is a plain function with explicit arguments; each function here maps one config
section onto them (a dict of keyword arguments or a ready object), so that no stage and no
output module ever reads the config.

Examples
--------
>>> from seabed.config import CutoffSettings, LayerSpec
>>> cutoff_arguments(CutoffSettings())["item"]
'REY'
>>> build_layers(LayerSpec()).n
10
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from seabed.compute import ComputeOptions
from seabed.config import (
    AreaSpec,
    ComputeSpec,
    Config,
    CoresInput,
    CutoffSettings,
    EstimationSettings,
    GridSpec,
    LayerSpec,
    ManualVariogramSettings,
    SimulationSettings,
)
from seabed.errors import ConfigError
from seabed.geostats.anisotropy import Anisotropy
from seabed.geostats.drift import ExternalDrift
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.inputs.areas import eez_circle, load_polygons, study_box
from seabed.results import RunDescription
from seabed.working_grid import Layers, WorkingGrid

__all__ = [
    "build_areas",
    "build_grid",
    "build_layers",
    "compute_options",
    "cores_loader_arguments",
    "cutoff_arguments",
    "describe_run",
    "drift_argument",
    "estimation_arguments",
    "input_paths",
    "island_marker",
    "simulation_neighbourhood",
    "variogram_model",
]


def _metres(q: Any) -> float | None:
    return None if q is None else float(q.to("m").magnitude)


def build_areas(specs: list[AreaSpec]) -> dict[str, BaseGeometry]:
    """Named lon/lat geometries from the ``[[areas]]`` specs (an EEZ circle's radius in m)."""
    out: dict[str, BaseGeometry] = {}
    for spec in specs:
        if spec.kind == "eez":
            out[spec.name] = eez_circle(*spec.center, radius_m=spec.radius.to("m").magnitude, name=spec.name)
        elif spec.kind == "box":
            out[spec.name] = study_box(*spec.bounds)
        else:
            gdf = load_polygons(spec.path, layer=spec.layer)
            out[spec.name] = gdf.geometry.union_all()
    return out


def build_layers(spec: LayerSpec) -> Layers:
    """Regular depth layers (m below the seafloor) from the ``[layers]`` section."""
    return Layers.regular(
        spec.top.to("m").magnitude, spec.bottom.to("m").magnitude, spec.thickness.to("m").magnitude
    )


def build_grid(spec: GridSpec, layers: Layers, extent: BaseGeometry) -> WorkingGrid:
    """The equal-area working grid covering ``extent`` (cell edge in m) from the ``[grid]`` section."""
    cell = spec.cell_size.to("m").magnitude
    return WorkingGrid.covering(extent, cell_size=cell, center=spec.center, layers=layers)


def cores_loader_arguments(spec: CoresInput) -> dict[str, Any]:
    """Keyword arguments of :func:`seabed.inputs.cores.load_cores` from ``[inputs.cores]``.

    All but ``path``, ``grid`` and ``area``, so that ``check`` and ``run`` read the cores the
    same way; the plausibility bounds are in ppm (None when ``"off"``).
    """
    return {
        "units": spec.units,
        "elements": spec.elements,
        "detection_policy": spec.detection_policy,
        "duplicate_policy": spec.duplicate_policy,
        "columns": dict(spec.columns),
        "ignore_columns": tuple(spec.ignore_columns),
        "plausible_max_rey_ppm": spec.plausible_ppm("plausible_max_REY"),
        "plausible_min_rey_ppm": spec.plausible_ppm("plausible_min_REY"),
    }


def variogram_model(settings: ManualVariogramSettings) -> VariogramModel:
    """The :class:`VariogramModel` of a manual variogram section (ranges in m)."""
    return VariogramModel(
        settings.nugget,
        tuple(
            Structure(s.kind, s.sill, _metres(s.range), _metres(s.range_minor), s.azimuth)
            for s in settings.structures
        ),
    )


#: Name of each input grid usable as an external drift among the rasters resampled onto the working grid.
DRIFT_RASTERS = {"bathymetry": "elevation", "crustal_age": "crustal_age", "sediment_thickness": "sediment_thickness"}


def drift_argument(settings: EstimationSettings, rasters: Any = None) -> str | ExternalDrift:
    """The ``drift`` of :func:`~seabed.geostats.estimation.estimate_grades` from ``[estimation] drift``.

    ``rasters`` is the Dataset of input grids on the working grid (:class:`seabed.results.SiteInputs`);
    an external drift reads its grid there (cell centres ``x``, ``y`` in m).
    """
    d = settings.drift
    if isinstance(d, str):
        return d
    name = DRIFT_RASTERS[d.external]
    if rasters is None or name not in rasters:
        raise ConfigError(
            f"estimation.drift: got {{external = \"{d.external}\"}} but no [inputs.{d.external}] grid is loaded; "
            f"expected the grid among the inputs; fix: add [inputs.{d.external}] with its path, or set drift = "
            "\"linear\" or \"none\"")
    da = rasters[name]
    return ExternalDrift(np.asarray(da["x"].values, float), np.asarray(da["y"].values, float),
                         np.asarray(da.transpose("y", "x").values, float), name=d.external)


def estimation_arguments(settings: EstimationSettings, rasters: Any = None) -> dict[str, Any]:
    """Keyword arguments of :func:`~seabed.geostats.estimation.estimate_grades` from ``[estimation]``.

    Returns ``method``, ``variogram`` (a model, or None with ``variogram_fit`` options, lengths
    in m), ``variogram_fit``, ``neighbourhood``, ``block``, ``block_discretisation`` and
    ``idw_power`` and ``drift`` (:func:`drift_argument`; ``rasters`` are the input grids on the
    working grid, needed for an external drift). Cross-validation settings are read by the
    pipeline itself.
    """
    nb = settings.neighbourhood
    neighbourhood = Neighbourhood(
        max_samples=nb.max_samples,
        min_samples=nb.min_samples,
        radius=_metres(nb.radius) or np.inf,
        radius_minor=_metres(nb.radius_minor),
        azimuth=nb.azimuth,
        max_per_octant=nb.max_per_octant,
    )
    v = settings.variogram
    if isinstance(v, ManualVariogramSettings):
        variogram, fit = variogram_model(v), None
    else:
        variogram = None
        fit = {
            "kinds": tuple(v.kinds),
            "lag_spacing": _metres(v.lag_spacing),
            "n_lags": v.n_lags,
            "fit_nugget": v.fit_nugget,
            "fix_sill": v.fix_sill,
            "max_range": _metres(v.max_range),
            **({} if v.anisotropy == "none" else {"anisotropy": v.anisotropy if isinstance(v.anisotropy, str)
                                                  else Anisotropy(v.anisotropy.azimuth, v.anisotropy.ratio)}),
        }
    return {
        "method": settings.method,
        "variogram": variogram,
        "variogram_fit": fit,
        "neighbourhood": neighbourhood,
        "block": settings.block,
        "block_discretisation": settings.block_discretisation,
        "idw_power": settings.idw_power,
        "drift": drift_argument(settings, rasters),
    }


def cutoff_arguments(settings: CutoffSettings) -> dict[str, Any]:
    """Keyword arguments of :func:`~seabed.resource.selectivity.apply_cutoff` and
    :func:`~seabed.resource.selectivity.mining_inventory` from ``[resource.cutoff]``.

    ``cutoff`` is a grade quantity, ``interval`` a (top, bottom) pair of depth quantities (mbsf)
    and ``min_thickness`` a length quantity.
    """
    return {
        "item": settings.item,
        "cutoff": settings.grade,
        "mode": settings.mode,
        "interval": (settings.interval_top, settings.interval_bottom),
        "min_thickness": settings.min_mining_thickness,
    }


def simulation_neighbourhood(settings: SimulationSettings) -> Neighbourhood:
    """The conditioning :class:`Neighbourhood` of the simulation from ``[resource.simulation]``.

    Its ``neighbourhood`` table gives the most and fewest composites; the other fields are those
    of the engine's :data:`~seabed.geostats.simulation.SIMULATION_NEIGHBOURHOOD` (no radius limit),
    so the table's defaults (64 and 1, :mod:`seabed.defaults`) give exactly the engine's default.
    """
    from dataclasses import replace

    from seabed.geostats.simulation import SIMULATION_NEIGHBOURHOOD

    nb = settings.neighbourhood
    return replace(SIMULATION_NEIGHBOURHOOD, max_samples=nb.max_samples, min_samples=nb.min_samples)


def compute_options(spec: ComputeSpec, *, scheduler: str | None = None) -> ComputeOptions:
    """The :class:`~seabed.compute.ComputeOptions` of ``[compute]`` (``scheduler``, e.g. from
    ``--scheduler``, overrides the section's); ``memory_budget`` in bytes."""
    return ComputeOptions(scheduler=scheduler or spec.scheduler, workers=spec.workers,
                          chunk_cells=spec.chunk_cells, memory_budget=spec.memory_bytes)


def input_paths(cfg: Config) -> dict[str, Path]:
    """Every input file the config names, by label, then the config file itself (``"config"``)."""
    paths = {label: Path(p) for label, p in cfg.input_paths().items()}
    if cfg.source_path is not None:
        paths["config"] = Path(cfg.source_path)
    return paths


def island_marker(cfg: Config) -> tuple[str, float, float] | None:
    """``(site, lon, lat)`` of the config's island for the maps, or None for ``site = "other"``."""
    from seabed.inputs.areas import SITES

    return (cfg.site, *SITES[cfg.site]) if cfg.site in SITES else None


def describe_run(cfg: Config) -> RunDescription:
    """The plain values the writers print or name files by (:class:`~seabed.results.RunDescription`):
    lengths in m (mbsf), grades in ppm, density in t/m³."""
    cut = cfg.resource.cutoff
    return RunDescription(
        title=cfg.title,
        site=cfg.site,
        seed=cfg.seed,
        cores_file=cfg.inputs.cores.path.name,
        synthetic_cores=cfg.inputs.cores.synthetic,
        assumptions=tuple(cfg.assumptions),
        extent=cfg.grid.extent,
        estimation_method=cfg.estimation.method,
        cross_validation_scheme=("leave one core out" if cfg.estimation.cross_validation.n_folds is None
                                 else f"spatially blocked {cfg.estimation.cross_validation.n_folds}-fold"),
        density_method=cfg.resource.density.method,
        dry_bulk_density=float(cfg.resource.density.dry_bulk_density.to("t/m^3").magnitude),
        cutoff_item=cut.item,
        cutoff_grade=float(cut.grade.to("ppm").magnitude),
        cutoff_mode=cut.mode,
        interval_top=float(cut.interval_top.to("m").magnitude),
        interval_bottom=float(cut.interval_bottom.to("m").magnitude),
        reference_element=cfg.resource.classification.reference_element,
        mean_uncertainty=cfg.resource.simulation.mean_uncertainty,
        supply_draws=int(cfg.supply.uncertainty.draws),
        variogram_uncertainty=cfg.resource.simulation.variogram_uncertainty,
    )
