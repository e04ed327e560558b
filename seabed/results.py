"""The typed results of the pipeline's stages: what each stage hands to the next and to the outputs.

They sit below :mod:`seabed.outputs` and :mod:`seabed.pipeline`: the stages
(:mod:`seabed.pipeline.stages`) build them, the writers (:mod:`seabed.outputs`) only read them,
so outputs never import the pipeline. Each is a plain dataclass of xarray, pandas and numpy
objects; none holds the configuration. :class:`RunDescription` carries the few plain values of
the configuration that the writers print or name files by (built by
:func:`seabed.pipeline.adapters.describe_run`, the only place that reads them from the config).

inputs → :class:`SiteInputs` → composites → :class:`SiteData` → estimation →
:class:`EstimationResult` → resource → :class:`ResourceResult` → supply → :class:`RunResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typing only: importing this module stays cheap
    import numpy as np
    import pandas as pd
    import xarray as xr
    from shapely.geometry.base import BaseGeometry

    from seabed.working_grid import WorkingGrid

__all__ = ["EstimationResult", "ResourceResult", "RunDescription", "RunResult", "SiteData", "SiteInputs"]


@dataclass(frozen=True)
class RunDescription:
    """What the writers say about a run besides its results: plain values, no config objects.

    Built from the configuration by :func:`seabed.pipeline.adapters.describe_run`; the outputs
    (summary, block model attributes, raster and figure names) read these and nothing else of it.

    Attributes
    ----------
    title, site : str
        The run's title and site name (``site`` as configured, e.g. ``"minamitorishima"``).
    seed : int
        Seed of every random draw in the run.
    cores_file : str
        File name (no directory) of the core assay table.
    synthetic_cores : bool
        The core table is synthetic (reports say so).
    assumptions : tuple of str
        Statements reported verbatim.
    extent : str
        Name of the area the working grid covers (a key of ``SiteData.areas``).
    estimation_method : str
        Estimation method, e.g. ``"ordinary_kriging"``.
    cross_validation_scheme : str
        How the cross-validation holds data out (``"leave one core out"`` or
        ``"spatially blocked k-fold"`` with k).
    density_method : str
        How dry bulk density is set (``"constant"``, ``"per_layer"``, ...).
    dry_bulk_density : float
        The configured dry bulk density, t/m³.
    cutoff_item : str
        Item the cut-off applies to (element, metal or oxide group).
    cutoff_grade : float
        Cut-off grade, ppm.
    cutoff_mode : str
        Cut-off mode (``"block"``, ``"interval"``, ...).
    interval_top, interval_bottom : float
        The cut-off's mined interval, m below the seafloor (mbsf).
    reference_element : str
        Element whose kriging standard deviation is mapped (classification reference).
    mean_uncertainty : bool
        The simulation includes the uncertainty of the global mean grade.
    supply_draws : int
        Monte Carlo draws of the supply stage.
    variogram_uncertainty : bool
        The simulation draws its variogram per group of realisations (model uncertainty).
    """

    title: str
    site: str
    seed: int
    cores_file: str
    synthetic_cores: bool
    assumptions: tuple[str, ...]
    extent: str
    estimation_method: str
    cross_validation_scheme: str
    density_method: str
    dry_bulk_density: float
    cutoff_item: str
    cutoff_grade: float
    cutoff_mode: str
    interval_top: float
    interval_bottom: float
    reference_element: str
    mean_uncertainty: bool
    supply_draws: int
    variogram_uncertainty: bool = False


@dataclass
class SiteInputs:
    """Every input the config names, read and validated, before compositing (``load_inputs``).

    Attributes
    ----------
    areas : dict of str to shapely geometry
        Named lon/lat polygons (EPSG:4326 degrees).
    grid : WorkingGrid
        The equal-area working grid (metres) with its depth layers (mbsf).
    source_grids : dict of str to xarray.DataArray
        Input grids as loaded (lon/lat); ``elevation`` in m (negative below sea level).
    rasters : xarray.Dataset
        Input grids resampled onto the working grid, (y, x), with the grid's CRS.
    intervals : pandas.DataFrame
        Validated core interval table (depths in mbsf, grades in ppm).
    domain : numpy.ndarray of float
        (y, x) fraction of each cell's area inside the extent area, 0…1
        (:meth:`WorkingGrid.area_fraction`); cells with any part inside are estimated.
    masks : dict of str to xarray.DataArray
        The ``[resource.masks]`` masks on the grid in the order applied: polygon masks the
        fraction of each cell kept (0…1), raster masks ``True`` = kept.
    mask_table : pandas.DataFrame
        Area each mask removes from the domain, km² (:func:`seabed.resource.masks.mask_table`).
    cost : RunCost
        Rough memory, disk and time of the run (:class:`seabed.pipeline.inputs.RunCost`).
    """

    areas: dict[str, BaseGeometry]
    grid: WorkingGrid
    source_grids: dict[str, xr.DataArray]
    rasters: xr.Dataset
    intervals: pd.DataFrame
    domain: np.ndarray
    masks: dict[str, xr.DataArray]
    mask_table: pd.DataFrame
    cost: Any


@dataclass
class SiteData(SiteInputs):
    """Everything loaded and validated for one run, before estimation: the :class:`SiteInputs`
    and their composites.

    Attributes
    ----------
    composites : xarray.Dataset
        Length-weighted composites on the working layers, dims (core, layer), grades in ppm.
    elements : list of str
        The elements estimated (element symbols, e.g. ``"Nd"``).
    """

    composites: xr.Dataset
    elements: list[str]


@dataclass
class EstimationResult:
    """Grades and diagnostics on the grid, the variogram, and cross-validation.

    Attributes
    ----------
    estimates : xarray.Dataset
        ``grade`` and ``kriging_variance`` (element, layer, y, x) in ppm and ppm², and the
        per-cell diagnostics (``reason``, ``n_samples``, ``slope_of_regression``); the cubes may
        be Dask-backed (read lazily from a store).
    variogram : VariogramModel or None
        The (pooled, standardised) variogram model used; ranges in m. ``None`` for baselines.
    experimental : object or None
        The experimental variogram it was fitted to, when fitted.
    cross_validation : object or None
        Leave-one-core-out (or k-fold) cross-validation result, when enabled.
    elements : list of str
        The elements estimated.
    variography : object or None
        Directional variograms and the variogram map (:class:`seabed.geostats.variography.Variography`),
        when the variogram was fitted.
    neighbourhood : object or None
        The search used (:class:`seabed.geostats.neighbourhood.Neighbourhood`; its ellipse follows a
        fitted anisotropy).
    core_totals : dict or None
        Cross-validation of each core's total REY and TREO over the layers (ppm), by scheme:
        ``{"interval_mbsf": [top, bottom], SCHEME: {"REY": metrics, "TREO": metrics}}`` with the
        metrics of :func:`seabed.geostats.validation.aggregate_metrics`.
    declustering : object or None
        Cell-declustering weights of the cores (:class:`seabed.geostats.declustering.Declustering`,
        searched on each core's mean total REY), used for the simple-kriging mean.
    """

    estimates: xr.Dataset
    variogram: Any | None
    experimental: Any | None
    cross_validation: Any | None
    elements: list[str]
    variography: Any | None = None
    neighbourhood: Any | None = None
    core_totals: dict | None = None
    declustering: Any | None = None


@dataclass
class ResourceResult:
    """Block model and every resource table.

    Attributes
    ----------
    block_model : xarray.Dataset
        Grades (ppm), density (t/m³), thickness (m), ``mineable``, ``resource_class`` on
        (element, layer, y, x) / (layer, y, x).
    masks : dict of str to xarray.DataArray
        The masks applied, by name.
    mask_table : pandas.DataFrame
        Area removed and remaining per mask (km²).
    tonnage, tonnage_by_layer, tonnage_by_depth, tonnage_by_polygon : pandas.DataFrame
        Tonnage tables of the mineable cells (dry mud Mt, grade ppm, metal and oxide t).
    grade_tonnage : pandas.DataFrame
        Grade-tonnage curve of the cut-off item.
    class_tonnage : pandas.DataFrame
        Tonnage by resource class.
    inventory : pandas.DataFrame
        The mining inventory (one row per mineable block: dry tonnes, grades in ppm).
    treo_per_km2 : xarray.DataArray
        Contained TREO of the mineable cells over all layers, t/km², (y, x); NaN off the
        mineable area (Sc excluded, as in TREO).
    interval_grade : xarray.DataArray
        Tonnage-weighted mean grade of the cut-off item over the cut-off interval, ppm, (y, x);
        NaN where nothing is mineable (in memory).
    group_grades : dict of str to xarray.DataArray
        Grade of each element group of the per-layer rasters (``"REY"``, ``"HREY"``,
        ``"magnet"``), ppm, (layer, y, x); NaN where no estimate was made. Lazy (Dask) when the
        grades are.
    simulation : pandas.DataFrame or None
        Tonnage per realisation (kt), when simulated.
    simulation_summary : pandas.DataFrame or None
        P10/P50/P90 of the simulated tonnages (kt).
    inventory_realisations : numpy.ndarray or None
        (realisation, block, element) grades of the inventory blocks, ppm.
    """

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
    treo_per_km2: xr.DataArray
    interval_grade: xr.DataArray
    group_grades: dict[str, xr.DataArray]
    simulation: pd.DataFrame | None
    simulation_summary: pd.DataFrame | None
    inventory_realisations: np.ndarray | None


@dataclass
class RunResult:
    """What a run produced (the objects as well as the files).

    Attributes
    ----------
    out_dir : Path
        The published output directory.
    outputs : list of str
        The files written, relative to ``out_dir``.
    summary : dict
        The content of ``summary.json``.
    site, estimation, resource : SiteData, EstimationResult, ResourceResult or None
        The stages' results (``None`` for ``run_supply``).
    supply : SupplyResult or None
        The supply projection (``None`` for ``seabed estimate``).
    headlines : list of str
        One-line headline results, as the CLI prints them.
    """

    out_dir: Path
    outputs: list[str]
    summary: dict
    site: SiteData | None
    estimation: EstimationResult | None
    resource: ResourceResult | None
    supply: Any | None
    headlines: list[str]
