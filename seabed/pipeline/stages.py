"""The stages after the inputs: estimation, resource and supply, each from the config and the
previous stage's result to a typed result (:mod:`seabed.results`).

Engines are imported inside the stage that runs them, so that ``import seabed.pipeline`` does
not load kriging, simulation and supply until a stage runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seabed.config import Config
from seabed.elements import GROUPS
from seabed.pipeline.adapters import (
    compute_options,
    cutoff_arguments,
    estimation_arguments,
    simulation_neighbourhood,
)
from seabed.results import EstimationResult, ResourceResult, SiteData

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["GROUP_GRADES", "estimate_stage", "group_grades", "resource_stage", "supply_stage"]

#: Bytes of lazily read block-model cubes the resource stage holds in memory without a
#: ``[compute] memory_budget`` (with one: a quarter of it).
HELD_CUBES_BYTES = 2**30

#: Element groups whose grade per layer the resource stage hands to the writers (``grade_<group>_by_layer.tif``).
GROUP_GRADES = ("REY", "HREY", "magnet")


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

    kwargs = estimation_arguments(cfg.estimation, site.rasters)
    elements = [e for e in site.elements if e in GROUPS["REY"] or e == "Sc"]
    experimental = directional = None
    if kwargs["method"] in ("ordinary_kriging", "simple_kriging"):
        from seabed.geostats.anisotropy import align_search
        from seabed.geostats.variography import variography

        fit_kw = kwargs["variogram_fit"] or {}
        fitted, experimental = fit_pooled_variogram(site.composites, elements, drift=kwargs["drift"], **fit_kw)
        if kwargs["variogram"] is None:
            kwargs["variogram"] = fitted
            if "anisotropy" in fit_kw:  # the search ellipse follows the fitted (or declared) anisotropy
                kwargs["neighbourhood"] = align_search(kwargs["neighbourhood"], fitted)
        directional = variography(site.composites, elements, model=kwargs["variogram"], drift=kwargs["drift"],
                                  **fit_kw)
    kwargs.pop("variogram_fit")
    declustering = _declustering(site, elements, sample_table)
    if kwargs["method"] == "simple_kriging":  # the known mean is the declustered mean
        kwargs["sample_weights"] = declustering.weights
    mask = site.domain
    if mapper is None:
        estimates = estimate_grades(site.composites, site.grid, elements=elements, mask=mask,
                                    chunk_size=cfg.compute.chunk_cells, **kwargs)
    else:
        cells = compute_options(cfg.compute).cells_per_chunk(bytes_per_cell(len(elements) * site.grid.layers.n),
                                                      n_workers=mapper.n_workers)
        estimates = estimate_grades(site.composites, site.grid, elements=elements, mask=mask,
                                    mapper=mapper, task_cells=cells, store=store, **kwargs)
    cv = core_totals = None
    if cfg.estimation.cross_validation.enabled:
        cv = _cross_validate(cfg, site, elements, kwargs, sample_table)
        core_totals = _core_totals(cfg, site, elements, kwargs, sample_table, cv)
    return EstimationResult(estimates, kwargs["variogram"], experimental, cv, elements, directional,
                            kwargs["neighbourhood"], core_totals, declustering)


def _declustering(site: SiteData, elements: list[str], sample_table) -> Any:
    """Cell-declustering weights of the cores, searched on each core's mean total REY over its layers."""
    from seabed.geostats.declustering import cell_declustering

    coords, values, _ = sample_table(site.composites, elements)
    n_layers = site.grid.layers.n
    rey = [i for i, e in enumerate(elements) if e in GROUPS["REY"]]
    by_layer = values.reshape(values.shape[0], len(elements), n_layers)[:, rey, :].sum(axis=1)  # NaN if any missing
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(by_layer)
        total = np.where(finite.any(axis=1), np.where(finite, by_layer, 0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1),
                         np.nan)
    return cell_declustering(coords, total)


def _core_weights(site: SiteData, declustering: Any | None) -> np.ndarray | None:
    """The declustering weight of every composite core, for the simulation's normal-score transforms
    (cores without coordinates, which no estimate uses, weigh 0); None without declustering."""
    if declustering is None:
        return None
    x, y = site.composites["x"].values, site.composites["y"].values
    keep = np.isfinite(x) & np.isfinite(y)
    weights = np.zeros(keep.size)
    weights[keep] = declustering.weights
    return weights


def _core_totals(cfg: Config, site: SiteData, elements: list[str], kwargs: dict, sample_table, cv) -> dict:
    """Cross-validation of each core's total REY and TREO over the layers (0-10 mbsf by default), under the
    configured scheme and the other one (leave one core out ↔ spatially blocked 10-fold, REY elements only)."""
    from seabed.geostats.validation import (
        aggregate_metrics,
        aggregate_predictions,
        core_total_coefficients,
    )

    layers = site.grid.layers
    thickness = np.asarray(layers.bottom, float) - np.asarray(layers.top, float)
    rey = [e for e in elements if e in GROUPS["REY"]]
    n_cores = int(np.isfinite(site.composites["x"].values).sum())
    configured = cfg.estimation.cross_validation.n_folds
    other = min(10, n_cores) if configured is None else None
    schemes = {"configured": cv, "other": _cross_validate(cfg, site, rey, kwargs, sample_table, n_folds=other)}
    names = {"configured": _scheme(configured), "other": _scheme(other)}
    out: dict[str, Any] = {"interval_mbsf": [float(layers.top[0]), float(layers.bottom[-1])]}
    for key, result in schemes.items():
        out[names[key]] = {item: aggregate_metrics(aggregate_predictions(
            result.predictions, core_total_coefficients(rey, thickness, item))) for item in ("REY", "TREO")}
    return out


def _scheme(n_folds: int | None) -> str:
    return "leave one core out" if n_folds is None else f"spatially blocked {n_folds}-fold"


def _cross_validate(cfg: Config, site: SiteData, elements: list[str], kwargs: dict, sample_table,
                    n_folds: int | None | str = "configured") -> Any:
    from seabed.geostats.baselines import InverseDistance, NearestNeighbour
    from seabed.geostats.kriging import Kriging
    from seabed.geostats.validation import cross_validate

    coords, values, keep = sample_table(site.composites, elements)
    n_layers = site.grid.layers.n
    names = [f"{e}|{lyr}" for e in elements for lyr in range(n_layers)]
    method = kwargs["method"]
    if method in ("ordinary_kriging", "simple_kriging"):
        from seabed.geostats.declustering import declustered_mean
        from seabed.geostats.variography import variable_sills

        estimator = Kriging(kwargs["variogram"], kind="ordinary" if method == "ordinary_kriging" else "simple",
                            mean=declustered_mean(values, _declustering(site, elements, sample_table).weights)
                            if method == "simple_kriging" else None,
                            neighbourhood=kwargs["neighbourhood"], drift=kwargs["drift"],
                            variable_sills=variable_sills(coords, values, kwargs["drift"]))
    elif method == "idw":
        estimator = InverseDistance(power=kwargs["idw_power"], neighbourhood=kwargs["neighbourhood"])
    else:
        estimator = NearestNeighbour(radius=kwargs["neighbourhood"].radius)
    cvs = cfg.estimation.cross_validation
    n_folds = cvs.n_folds if n_folds == "configured" else n_folds
    groups = np.asarray(site.composites["core_id"].values)[keep] if n_folds is None else None
    return cross_validate(coords, values, estimator=estimator, groups=groups, n_folds=n_folds,
                          seed=cvs.seed, variable_names=names)


def resource_stage(cfg: Config, site: SiteData, est: EstimationResult, *, mapper=None) -> ResourceResult:
    """Block model, masks, tonnages, cut-offs, classification and simulated uncertainty.

    With a ``mapper`` (:class:`seabed.compute.Mapper`) the simulation runs as tasks of one tile
    of grid rows × a batch of realisations, each returning sums (tonnage per scope and, for
    the first ``supply_realisations``, the re-graded inventory blocks of its tile).
    """
    from seabed.geostats.plan_variants import perturbed_plans, with_spectral_fields
    from seabed.geostats.simulation import prepare_simulation
    from seabed.resource import classification, selectivity, tonnage
    from seabed.resource.blockmodel import build_block_model
    from seabed.resource.density import density_field
    from seabed.resource.uncertainty import (
        InventoryRegrade,
        TonnageTally,
        simulate_resource,
        simulate_resource_models,
        summarise_realisations,
    )

    rs = cfg.resource
    grid = site.grid
    mask_set, table_masks = site.masks, site.mask_table  # built and checked with the inputs
    density = density_field(grid, settings=rs.density)
    bm = build_block_model(est.estimates, grid, density=density, masks=mask_set,
                           rasters={k: site.rasters[k] for k in site.rasters.data_vars},
                           clip_layers_to_sediment=rs.masks.clip_layers_to_sediment)
    budget = compute_options(cfg.compute).memory_budget
    lazy = bm
    bm = tonnage.hold_in_memory(bm, budget / 4 if budget else HELD_CUBES_BYTES)  # the tables: ~25 passes
    classes = classification.classify(bm, rs.classification)
    bm = bm.assign(resource_class=classes["resource_class"], limiting_criterion=classes["limiting_criterion"])
    mineable = bm["mineable"]
    cut = cutoff_arguments(rs.cutoff)
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
        "treo_per_km2": tonnage.treo_per_km2(bm),
        "interval_grade": selectivity.interval_grade(
            bm, rs.cutoff.item, tuple(q.to("m").magnitude for q in cut["interval"]))[0].compute(),
        "group_grades": group_grades(bm),
    }
    if budget:  # memory is bounded: the cubes go back to their lazy reads before the simulation
        bm = bm.assign({k: v for k, v in lazy.data_vars.items() if v.chunks is not None})
    sims = summary = None
    realisations = None
    if rs.simulation.n_realisations > 0 and est.variogram is not None:
        plan = prepare_simulation(site.composites, grid, model=est.variogram, elements=est.elements,
                                  vertical_correlation=rs.simulation.vertical_correlation,
                                  mean_uncertainty=rs.simulation.mean_uncertainty,
                                  neighbourhood=simulation_neighbourhood(rs.simulation),
                                  core_weights=_core_weights(site, est.declustering))
        n_sup = min(rs.simulation.supply_realisations, rs.simulation.n_realisations)
        plans = [plan]
        if rs.simulation.variogram_uncertainty:  # one model per group of realisations (round-robin)
            plans = perturbed_plans(plan, n_models=min(rs.simulation.variogram_models, rs.simulation.n_realisations),
                                    range_relative_sd=rs.simulation.variogram_range_relative_sd,
                                    nugget_sd=rs.simulation.variogram_nugget_sd, seed=rs.simulation.seed)
        tile_cells = compute_options(cfg.compute).cells_per_chunk(
            plan.bytes_per_cell(), task_bytes=max(p.task_bytes() for p in plans),
            n_workers=getattr(mapper, "n_workers", 1))
        if grid.shape[0] * grid.shape[1] <= tile_cells:  # the grid fits one task: exact fields, fewer FFTs
            plans = [with_spectral_fields(p) for p in plans]
            plan = plans[0]
        tally = TonnageTally(cutoff_item=rs.cutoff.item, cutoffs=[q.to("ppm").magnitude for q in rs.simulation.cutoffs],
                             density_relative_sd=rs.simulation.density_relative_sd,
                             thickness_relative_sd=rs.simulation.thickness_relative_sd)
        regrade = (InventoryRegrade(result["inventory"], selectivity.inventory_tonnes(bm, **cut), n_sup)
                   if n_sup else None)
        opts = {"n_realisations": rs.simulation.n_realisations, "seed": rs.simulation.seed, "tally": tally,
                "regrade": regrade, "mapper": mapper, "tile_cells": tile_cells}
        if rs.simulation.variogram_uncertainty:
            run = simulate_resource_models(plans, bm, **opts)
        else:
            run = simulate_resource(plan, bm, **opts)
        sims = run.tonnage
        summary = summarise_realisations(sims, units="kt")
        summary.attrs["fields"] = ("spectral (circulant embedding on the window of the grid and the cores)"
                                   if plan.spectrum is not None else "kernel convolution, tile by tile")
        realisations = run.inventory_grades
    return ResourceResult(bm, mask_set, table_masks, simulation=sims, simulation_summary=summary,
                          inventory_realisations=realisations, **result)


def group_grades(bm: xr.Dataset) -> dict[str, xr.DataArray]:
    """Grade of each group of :data:`GROUP_GRADES` per cell-layer, ppm, (layer, y, x); NaN where no
    estimate was made (``reason`` ≠ 0). Lazy when the block model's grades are (bounded memory)."""
    from seabed.resource.tonnage import item_grade

    return {g: item_grade(bm, g).where(bm["reason"] == 0).transpose("layer", "y", "x") for g in GROUP_GRADES}


def supply_stage(cfg: Config, res: ResourceResult):
    """Project supply, import offsets and economics from the mining inventory."""
    from seabed.supply.model import project_supply

    return project_supply(res.inventory, cfg.supply, seed=cfg.seed,
                          realisations=res.inventory_realisations)
