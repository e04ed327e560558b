"""Grade estimation on the working grid: every element × layer in one pass.

:func:`estimate_grades` takes the composites (dims ``core × layer``, one data variable
per element, ppm) and returns a block model of grades with kriging diagnostics on the
:class:`~seabed.working_grid.WorkingGrid`. :func:`fit_pooled_variogram` fits the
standardised variogram shared by all elements and layers.

Design
------
Each (element, layer) pair is one variable. With kriging, all variables share one
*standardised* variogram (intrinsic correlation): variable ``v`` has the variogram
``var_v × γ_std`` where ``var_v`` is its variance among the composites, so the kriging
weights are the same for all variables observed at the same cores and are solved once.
Variables are grouped by their pattern of missing composites (typically one group per
layer: a short core misses the deep layers of every element).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from seabed.compute import map_locally, split_rows
from seabed.errors import ConfigError, InputDataError
from seabed.geostats.baselines import InverseDistance, NearestNeighbour
from seabed.geostats.declustering import declustered_mean
from seabed.geostats.drift import ExternalDrift, drift_name
from seabed.geostats.estimation_cube import LAYERED, CubeWriter
from seabed.geostats.kriging import Kriging
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.variogram import VariogramModel
from seabed.geostats.variography import (
    element_list,
    fit_pooled_variogram,
    sample_table,
    variable_sills,
)
from seabed.working_grid import WorkingGrid

__all__ = ["METHODS", "REASON_FLAGS", "bytes_per_cell", "estimate_grades", "fit_pooled_variogram", "sample_table"]

#: Estimation methods accepted by :func:`estimate_grades`.
METHODS = ("ordinary_kriging", "simple_kriging", "idw", "nearest")

#: ``reason`` flag values and meanings (CF ``flag_values`` / ``flag_meanings``).
REASON_FLAGS = {0: "estimated", 1: "too_few_samples", 2: "outside_mask"}


def _layer_representatives(group_of_variable: np.ndarray, n_elements: int, n_layers: int) -> list[int]:
    """For each layer, the variable whose sample set is shared by most elements of that layer."""
    reps = []
    for layer in range(n_layers):
        cols = np.arange(n_elements) * n_layers + layer
        groups = np.asarray(group_of_variable)[cols]
        _, first, counts = np.unique(groups, return_index=True, return_counts=True)
        best = np.lexsort((first, -counts))[0]  # most elements, then first element order
        reps.append(int(cols[first[best]]))
    return reps


#: Cells per task when a mapper is given and neither ``task_cells`` nor ``chunk_size`` is.
DEFAULT_TASK_CELLS = 250_000

def bytes_per_cell(n_variables: int) -> int:
    """Memory per target cell of an estimation task and its returned result, bytes.

    ``8 × 8 × n_variables + 64``: estimate and variance in float64 while the task computes
    them (×2 for the kriging temporaries), and again in the returned result, which waits in
    a wave of ``2 × workers`` results (:meth:`seabed.compute.Mapper.imap`) until it is
    written: with ``chunk_cells = budget / (workers × bytes_per_cell)`` the tasks running
    and the results waiting fit in the budget together. Plus the per-cell diagnostics.
    """
    return 8 * 8 * int(n_variables) + 64


def _estimate_rows(
    rows: slice, *, estimator: Any, x: np.ndarray, y: np.ndarray, mask: np.ndarray, options: Mapping[str, Any]
) -> dict[str, Any]:
    """One task: estimate the masked cells of grid rows ``rows`` (a pure function of its inputs).

    Kriging here uses the samples of the fitted estimator wherever they are (the search is
    over all samples), so a block of target rows needs no halo of neighbouring cells.
    """
    xx, yy = np.meshgrid(x, y[rows])
    keep = mask[rows].ravel()
    targets = np.column_stack([xx.ravel()[keep], yy.ravel()[keep]])
    if targets.shape[0] == 0:
        p = estimator.n_variables_
        groups = np.zeros(p, dtype=np.intp)
        for gi, g in enumerate(getattr(estimator, "groups_", [])):
            groups[g.columns] = gi
        n_g = int(groups.max()) + 1 if p else 1
        return {"estimate": np.empty((0, p)), "variance": np.empty((0, p)), "group_of_variable": groups,
                "n_clipped": np.zeros(p, dtype=np.int64),
                "diagnostics": {name: np.empty((0, n_g), dtype=spec[1]) for name, spec in LAYERED.items()}}
    result = estimator.predict(targets, **{k: v for k, v in options.items() if v is not None})
    estimate = np.asarray(result.estimate).reshape(targets.shape[0], -1)
    variance = np.asarray(result.variance).reshape(targets.shape[0], -1)
    return {
        "estimate": estimate,
        "variance": variance,
        "group_of_variable": np.asarray(result.group_of_variable),
        "n_clipped": np.asarray(result.n_clipped, dtype=np.int64),
        "diagnostics": {name: result.group_diagnostics[name] for name in LAYERED},
    }


def estimate_grades(
    composites: xr.Dataset,
    grid: WorkingGrid,
    *,
    elements: Sequence[str] | None = None,
    method: str = "ordinary_kriging",
    variogram: VariogramModel | None = None,
    variogram_fit: Mapping[str, Any] | None = None,
    neighbourhood: Neighbourhood | None = None,
    block: bool = True,
    block_discretisation: int = 4,
    idw_power: float = 2.0,
    mask: np.ndarray | None = None,
    chunk_size: int | None = None,
    n_jobs: int = 1,
    mapper: Callable | None = None,
    task_cells: int | None = None,
    store: str | Path | None = None,
    drift: str | ExternalDrift = "none",
    sample_weights: np.ndarray | None = None,
) -> xr.Dataset:
    """Estimate the grade of every element in every layer and cell of the grid.

    Parameters
    ----------
    composites : xarray.Dataset
        Composites, dims ``(core, layer)``, one data variable per element (ppm), coords
        ``x``, ``y`` (core, m in the working CRS); its layers must match ``grid.layers``.
    grid : WorkingGrid
        Target grid (cells of ``grid.cell_size`` m, layers).
    elements : sequence of str, optional
        Element symbols to estimate; default every element present.
    method : {"ordinary_kriging", "simple_kriging", "idw", "nearest"}
        Estimator. Simple kriging uses each variable's mean over the composites
        (not declustered) as the known mean.
    variogram : VariogramModel, optional
        Standardised variogram (dimensionless, sill ≈ 1); ``None`` fits it with
        :func:`fit_pooled_variogram` (kriging only).
    variogram_fit : mapping, optional
        Keyword arguments of :func:`fit_pooled_variogram` when ``variogram`` is None.
    neighbourhood : Neighbourhood, optional
        Search; default ``Neighbourhood()`` (16 samples, at least 3, within 60 km:
        the ``[estimation.neighbourhood]`` defaults of :mod:`seabed.defaults`).
    block : bool, default True
        Block kriging of whole cells (``grid.cell_size`` square); point kriging otherwise.
    block_discretisation : int, default 4
        Points per block side.
    idw_power : float, default 2.0
        Exponent for ``method="idw"``.
    mask : ndarray of bool, shape (ny, nx), optional
        Estimate only these cells (others get NaN and reason 2).
    chunk_size : int, optional
        Cells per batch inside one kriging call (memory bound); without a mapper.
    n_jobs : int, default 1
        Threads inside one kriging call; without a mapper.
    mapper : callable, optional
        ``map``-like ``mapper(func, items, **shared)`` (a :class:`seabed.compute.Mapper`):
        the masked cells are split into blocks of whole grid rows of about ``task_cells``
        cells, each estimated as one independent task; ``None`` estimates every cell in one
        call (batched by ``chunk_size``, ``n_jobs`` threads).
    task_cells : int, optional
        Cells per task with a mapper; default ``chunk_size``, else 250,000.
    store : str or Path, optional
        NetCDF file (created, overwritten) that receives ``grade`` and ``kriging_variance``
        block by block as the tasks finish; the returned Dataset then reads them lazily
        (Dask, one chunk per ``task_cells`` cells of whole rows), so the caller never holds
        the element × layer × cell arrays whole. The file must outlive the Dataset.
    drift : {"none", "linear", "quadratic"} or ExternalDrift, default "none"
        Trend of the mean (ordinary kriging only): universal kriging or kriging with an
        external drift (:class:`~seabed.geostats.kriging.Kriging`); each variable's sill is
        then the variance of its OLS residuals and a fitted variogram is that of the residuals.
    sample_weights : ndarray, shape (n_cores,), optional
        Declustering weights of the cores with finite x, y (:mod:`seabed.geostats.declustering`);
        simple kriging then uses each variable's declustered mean as its known mean.

    Returns
    -------
    xarray.Dataset
        ``grade`` (element, layer, y, x) ppm; ``kriging_variance`` (element, layer, y, x)
        ppm²; per (layer, y, x): ``slope_of_regression``, ``kriging_efficiency``,
        ``n_samples``, ``nearest_distance`` (m), ``negative_weight_sum``, ``reason``
        (0 estimated, 1 too few samples, 2 outside mask); CF attributes and the CRS.

    Notes
    -----
    Negative estimates (possible with negative kriging weights) are set to 0 ppm; their
    number per element is stored in ``grade.attrs["n_negative_clipped"]`` (a list in
    element order) and in total in the Dataset attrs.

    The (layer, y, x) diagnostics belong to one sample set per layer: the set shared by
    the most elements of that layer (ties: the first element in ``elements``). Elements
    of that layer with other sample sets (e.g. an element not analysed in some cores)
    have their own weights; their ``kriging_variance`` is still their own.

    Chunking does not change the result: every cell is kriged from the samples found by
    the global search of the fitted estimator, so a block of rows needs no halo of cells;
    only the grouping of identical neighbour sets (solved once per group) differs, which
    changes the numbers by floating-point rounding at most (tests hold them to 1e-10).
    Memory per task is about ``bytes_per_cell(n_variables) × task_cells``; without
    ``store`` the assembled output (two float64 arrays of element × layer × cells) lives
    with the caller, with ``store`` it lives on disk and the caller holds a few blocks.
    """
    if method not in METHODS:
        raise ConfigError(f"estimation.method: got {method!r}; expected one of {', '.join(METHODS)}")
    elements = element_list(composites, elements)
    n_layers = grid.layers.n
    if composites.sizes.get("layer") != n_layers:
        raise InputDataError(
            f"composites: got {composites.sizes.get('layer')} layers; expected {n_layers} "
            "(the grid's layers); fix: composite onto the same layers"
        )
    if "layer_top" in composites.coords and not np.allclose(
        composites["layer_top"].values, grid.layers.top
    ):
        raise InputDataError(
            f"composites: layer tops {composites['layer_top'].values.tolist()} mbsf differ from the "
            f"grid's {grid.layers.top.tolist()}; fix: composite onto the grid's layers"
        )
    ny, nx = grid.shape
    if mask is None:
        mask = np.ones((ny, nx), dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (ny, nx):
        raise InputDataError(f"estimation mask: got shape {mask.shape}; expected {(ny, nx)}")
    coords, values, _ = sample_table(composites, elements)
    if coords.shape[0] == 0:
        raise InputDataError("composites: no core with finite x, y; expected at least one")
    nb = neighbourhood if neighbourhood is not None else Neighbourhood()
    if drift not in (None, "none") and method != "ordinary_kriging":
        raise ConfigError(f"estimation drift: got {drift_name(drift)!r} with method {method!r}; expected a drift "
                          "only with ordinary kriging; fix: drift = \"none\" or method = \"ordinary_kriging\"")
    with warnings.catch_warnings():  # all-NaN columns (element not analysed): NaN, handled below
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(values, axis=0) if sample_weights is None else declustered_mean(values, sample_weights)
    sills = variable_sills(coords, values, drift)
    means = np.where(np.isfinite(means), means, 0.0)

    fitted_from = "given"
    if method in ("ordinary_kriging", "simple_kriging"):
        if variogram is None:
            variogram, _ = fit_pooled_variogram(composites, elements, drift=drift, **dict(variogram_fit or {}))
            fitted_from = "fitted to the pooled standardised experimental variogram"
        estimator: Any = Kriging(
            variogram,
            kind="ordinary" if method == "ordinary_kriging" else "simple",
            mean=means if method == "simple_kriging" else None,
            neighbourhood=nb,
            block_size=grid.cell_size if block else None,
            block_discretisation=block_discretisation,
            variable_sills=sills,
            negative_estimates="clip",
            drift=drift,
        )
    elif method == "idw":
        estimator = InverseDistance(power=idw_power, neighbourhood=nb)
    else:
        estimator = NearestNeighbour(radius=nb.radius)

    estimator.fit(coords, values)
    n_el = len(elements)
    p = n_el * n_layers
    options: dict[str, Any] = {}
    if isinstance(estimator, Kriging):
        options = {"chunk_size": chunk_size, "n_jobs": n_jobs} if mapper is None else {}
    if mapper is None:  # one task: the whole grid, batched inside predict
        blocks = [slice(0, ny)]
        runner: Callable = map_locally
    else:
        per_task = int(task_cells or chunk_size or DEFAULT_TASK_CELLS)
        workers = int(getattr(mapper, "n_workers", 1))
        if workers > 1:  # a small grid still gives every worker work: at least two tasks each
            per_task = min(per_task, max(1, -(-int(mask.sum()) // (2 * workers))))
        blocks = split_rows(ny, mask.sum(axis=1), per_task)
        runner = mapper
    cube = CubeWriter((n_el, n_layers, ny, nx), store=store,
                       chunk_rows=max(1, int(task_cells or chunk_size or DEFAULT_TASK_CELLS) // max(nx, 1)))
    clipped_by_variable = np.zeros(p, dtype=np.int64)
    reps: list[int] | None = None
    parts = getattr(runner, "imap", runner)(_estimate_rows, blocks, estimator=estimator, x=grid.x, y=grid.y, mask=mask, options=options)
    with cube:
        for rows, part in zip(blocks, parts, strict=True):
            local = np.flatnonzero(mask[rows].ravel())
            if reps is None:
                reps = _layer_representatives(part["group_of_variable"], n_el, n_layers)
            layer_sets = part["group_of_variable"][reps]
            cube.write(rows, local, part["estimate"], part["variance"],
                       {name: arr[:, layer_sets] for name, arr in part["diagnostics"].items()})
            clipped_by_variable += part["n_clipped"]
    arrays = cube.arrays()
    grade, kvar = arrays["grade"], arrays["kriging_variance"]

    clipped = clipped_by_variable.reshape(n_el, n_layers).sum(axis=1)
    coords_xr = dict(grid.coords()) | grid.layers.coords()
    coords_xr["element"] = ("element", np.asarray(elements, dtype=str), {"long_name": "element symbol"})
    dims4 = ("element", "layer", "y", "x")
    dims3 = ("layer", "y", "x")
    ds = xr.Dataset(
        {
            "grade": (
                dims4,
                grade,
                {
                    "units": "ppm",
                    "long_name": "estimated element grade (mass fraction, dry basis)",
                    "n_negative_clipped": clipped.tolist(),
                },
            ),
            "kriging_variance": (
                dims4,
                kvar,
                {"units": "ppm^2", "long_name": "kriging (estimation) variance of the grade"},
            ),
            **{
                name: (dims3, arrays[name], {"units": units, "long_name": long_name})
                for name, (_, _, units, long_name) in LAYERED.items()
            },
        },
        coords=coords_xr,
        attrs={
            "estimation_method": method,
            "variogram": repr(variogram) if variogram is not None else "none",
            "variogram_source": fitted_from if variogram is not None else "none",
            "neighbourhood": repr(nb),
            "support": f"block {grid.cell_size:g} m, {block_discretisation}x{block_discretisation} points"
            if block and method.endswith("kriging")
            else "point",
            "negative_estimates": "set to 0 ppm; counts in grade.attrs['n_negative_clipped']",
            "n_negative_clipped": int(clipped.sum()),
            "diagnostics_sample_set": "per layer, the sample set shared by most elements",
        },
    )
    if drift not in (None, "none"):  # absent without a drift: default outputs unchanged
        ds.attrs["drift"] = drift_name(drift)
    ds["reason"].attrs.update(flag_values=np.array(list(REASON_FLAGS), dtype=np.int8),
                              flag_meanings=" ".join(REASON_FLAGS.values()))
    if method not in ("ordinary_kriging", "simple_kriging"):
        for name in ("slope_of_regression", "kriging_efficiency"):
            ds[name].attrs["comment"] = "not defined for this method (NaN)"
    # attach the CRS to the small variables only (rioxarray deep-copies the Dataset, twice),
    # then add the two large (element, layer, y, x) arrays without copying them
    big = {name: ds[name] for name in ("grade", "kriging_variance")}
    out = grid.attach_crs(ds.drop_vars(list(big)))
    for name, da in big.items():
        da.encoding["grid_mapping"] = out["reason"].encoding.get("grid_mapping", "spatial_ref")
        out[name] = da
    return out[["grade", "kriging_variance", *[v for v in out.data_vars if v not in big]]]
