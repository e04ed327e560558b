"""Resource uncertainty: tonnage over conditional realisations, and re-graded inventories.

The realisations come from the conditional simulation (:mod:`seabed.geostats.simulation` for
the plan, :mod:`seabed.geostats.conditioning` for the fields); this module reduces each of them
to tonnage — totals, per resource class and above cut-offs (:func:`simulate_resource`) — and
re-grades the mining inventory with the first few for the supply Monte Carlo.
:func:`summarise_realisations` gives P10/P50/P90.

What to count is one :class:`TonnageTally`; what to re-grade is one :class:`InventoryRegrade`.
Each realisation is a pure function of ``(plan, seed, index)``; the tables do not depend on the
scheduler, tile size or batching beyond rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import xarray as xr

from seabed.compute import map_locally
from seabed.elements import ELEMENTS, element_columns
from seabed.errors import ConfigError
from seabed.geostats.conditioning import (
    DEFAULT_TILE_CELLS,
    back_transform_scores,
    conditional_tile_scores,
    dense_weights,
    fields_with_data,
    realisation_rng,
    row_tiles,
    tile_weights,
    unconditional_at_data,
    unweighted_share,
)
from seabed.geostats.plan_variants import simulation_window
from seabed.geostats.simulation import VARIOGRAM_STREAM, SimulationPlan
from seabed.resource.classification import CLASS_NAMES
from seabed.resource.tonnage import DEFAULT_ITEMS, block_tonnes, item_members

__all__ = [
    "InventoryRegrade",
    "SimulationRun",
    "TonnageTally",
    "run_simulation",
    "simulate_resource",
    "simulate_resource_models",
    "summarise_realisations",
]

#: Offset of the realisation index in the seed of its density and thickness factors.
FACTOR_STREAM = 10**9


@dataclass(frozen=True)
class TonnageTally:
    """What the tonnage table of each realisation counts.

    Parameters
    ----------
    items : tuple of str, default DEFAULT_ITEMS
        Groups and oxide groups reported besides each element (``"REY"``, ``"TREO"``...).
    cutoff_item : str, default "REY"
        Item the cut-offs apply to, cell-layer by cell-layer.
    cutoffs : tuple of float, default (400, 1000, 2000)
        Cut-off grades of ``cutoff_item``, ppm; each gives a scope ``"<item> >= <c> ppm"``.
    density_relative_sd, thickness_relative_sd : float, default 0
        Relative standard deviation of a global density / thickness factor drawn per
        realisation (normal, truncated at ±3 sd), dimensionless; 0 switches it off.

    Notes
    -----
    The tonnage is also counted per resource class when the block model carries
    ``resource_class`` codes (:func:`seabed.resource.classification.classify`).

    Examples
    --------
    >>> TonnageTally(cutoff_item="TREO", cutoffs=[500.0]).cutoffs
    (500.0,)
    """

    items: tuple[str, ...] = DEFAULT_ITEMS
    cutoff_item: str = "REY"
    cutoffs: tuple[float, ...] = (400.0, 1000.0, 2000.0)
    density_relative_sd: float = 0.0
    thickness_relative_sd: float = 0.0

    def __post_init__(self) -> None:
        # sequences become tuples (the tally is hashable and cannot change under a run);
        # the values keep their type, so the scopes' labels and comparisons are as given
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "cutoffs", tuple(self.cutoffs))


@dataclass(frozen=True, eq=False)
class InventoryRegrade:
    """The mining inventory to re-grade with the first realisations (for the supply Monte Carlo).

    Parameters
    ----------
    inventory : pandas.DataFrame
        The mining inventory (:func:`seabed.resource.selectivity.mining_inventory`): block
        centres ``x``, ``y`` in m, ``dry_tonnes`` in t, element grades in ppm.
    tonnes : xarray.DataArray
        Its ``(layer, y, x)`` dry tonnes of the mined interval
        (:func:`seabed.resource.selectivity.inventory_tonnes`), t.
    n_realisations : int
        Re-grade the inventory with the first ``n_realisations`` realisations (at most all).
    """

    inventory: pd.DataFrame
    tonnes: xr.DataArray
    n_realisations: int


@dataclass
class TileWork:
    """One simulation task: a tile of grid rows and a batch of realisations.

    Attributes
    ----------
    rows : slice
        Grid rows.
    cells : ndarray of int
        Flat indices (within the tile) of the cells that carry tonnes (the rest is skipped).
    tonnes : ndarray, (layer, cells)
        Dry tonnes counted in the resource, t.
    codes : ndarray of int8, (layer, cells) or None
        Resource class codes.
    inventory_tonnes : ndarray, (layer, cells) or None
        Dry tonnes of the mined interval of the inventory blocks (0 elsewhere), t.
    inventory_cells, inventory_rows : ndarray of int
        Positions in ``cells`` of the inventory blocks in this tile, and their rows in the
        inventory table.
    indices : tuple of int
        Realisations.
    weights : dict or None
        The tile's conditioning weights (:func:`seabed.geostats.conditioning.tile_weights`,
        dense where full) when solved once for all its batches; None: the task solves them.
    """

    rows: slice
    cells: np.ndarray
    tonnes: np.ndarray
    codes: np.ndarray | None
    inventory_tonnes: np.ndarray | None
    inventory_cells: np.ndarray
    inventory_rows: np.ndarray
    indices: tuple[int, ...]
    weights: dict | None = None


def _members(item: str, elements: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """:func:`item_members`, and a simulated variable that is not an element (e.g. a
    composite's TREO oxide sum simulated as one variable) as an item of its own."""
    if item in elements and item not in ELEMENTS:
        return (item,), False
    return item_members(item, elements)


def _oxide_factor(name: str) -> float:
    """Oxide factor of an element; 1 for a variable that is already an oxide grade."""
    return ELEMENTS[name].oxide_factor if name in ELEMENTS else 1.0


def _scopes(cutoff_item: str, cutoffs: Sequence[float], with_classes: bool) -> list[str]:
    classes = list(CLASS_NAMES.values()) if with_classes else []  # Measured first: the tally's scope order
    return ["total", *classes, *[f"{cutoff_item} >= {c:g} ppm" for c in cutoffs]]


def _tile_task(item: tuple[TileWork, tuple[int, ...]], *, plan: SimulationPlan, seed: int, at_data: np.ndarray | None,
               cutoff_item: str, cutoffs: Sequence[float], n_inventories: int) -> dict[str, object]:
    """Sums of one tile for a batch of realisations (see :func:`simulate_resource`).

    ``item`` is the tile's inputs (shared by its batches: scattered once to a cluster) and the
    batch. ``at_data`` None: the tile is the whole grid, and each realisation's data scores come
    from the same field window as the tile's cells.
    """
    work = replace(item[0], indices=tuple(item[1]))
    n_scopes = 1 + (4 if work.codes is not None else 0) + len(cutoffs)
    out = {"indices": work.indices, "mud": np.zeros((len(work.indices), n_scopes)),
           "metal": np.zeros((len(work.indices), n_scopes, len(plan.elements))), "inventories": {},
           "inventory_rows": work.inventory_rows}
    if work.cells.size == 0:
        return out
    weights = work.weights if work.weights is not None else dense_weights(tile_weights(plan, work.rows, work.cells))
    unweighted = unweighted_share(weights) if plan.mean_sd is not None and np.any(plan.mean_sd) else None
    members, is_oxide = _members(cutoff_item, plan.elements)
    idx = [plan.elements.index(m) for m in members]
    factors = np.array([_oxide_factor(m) if is_oxide else 1.0 for m in members])
    from seabed.resource.tally import tally_grades

    t = work.tonnes
    mud, metal, inventories = out["mud"], out["metal"], out["inventories"]
    for k, r in enumerate(work.indices):
        if at_data is None:
            fields, data_r = fields_with_data(plan, work.cells, seed=seed, index=r)
        else:
            fields, data_r = None, at_data[r]
        y = conditional_tile_scores(plan, work.rows, seed=seed, index=r, weights=weights,
                                    at_data=data_r, cells=work.cells, fields=fields, unweighted=unweighted)
        g = back_transform_scores(plan, y)
        mud[k], metal[k] = tally_grades(g, t, codes=work.codes, item_rows=np.array(idx), item_factors=factors,
                                        cutoffs=np.asarray(cutoffs, dtype=float))
        if r < n_inventories and work.inventory_tonnes is not None and work.inventory_cells.size:
            pick = work.inventory_cells
            inventories[r] = np.einsum("eln,ln->en", g[:, :, pick], work.inventory_tonnes[:, pick], dtype=np.float64)
    return out


def _data_task(batch: tuple[int, ...], *, plan: SimulationPlan, seed: int) -> np.ndarray:
    return np.stack([unconditional_at_data(plan, seed=seed, index=r) for r in batch])


@dataclass
class SimulationRun:
    """Result of :func:`simulate_resource`.

    Attributes
    ----------
    tonnage : pandas.DataFrame
        Long table (see :func:`run_simulation`).
    inventory_grades : ndarray (realisation, block, element) or None
        The mining inventory's grades re-graded with each of the first ``n_inventories``
        realisations, ppm; elements in the order of the inventory's element columns
        (:attr:`inventory_elements`), blocks in its row order. Elements not simulated keep
        the inventory's grades. One array, not a table per realisation.
    inventory_elements : list of str
        Element of each column of ``inventory_grades``.
    inventory : pandas.DataFrame or None
        The mining inventory that was re-graded.
    """

    tonnage: pd.DataFrame
    inventory_grades: np.ndarray | None = None
    inventory_elements: list[str] = field(default_factory=list)
    inventory: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def inventories(self) -> list[pd.DataFrame]:
        """The re-graded inventories as tables (one copy of the inventory per realisation)."""
        if self.inventory_grades is None:
            return []
        out = []
        for grades in self.inventory_grades:
            inv = self.inventory.copy()
            inv[self.inventory_elements] = grades
            out.append(inv)
        return out


class _Counted:
    """Tasks drawn lazily from a generator, with their count known (the progress bar shows n of N and an ETA)."""

    def __init__(self, items: Iterator, n: int) -> None:
        self._items, self._n = items, n

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return self._n


def simulate_resource(
    plan: SimulationPlan,
    bm: xr.Dataset,
    *,
    n_realisations: int,
    seed: int,
    tally: TonnageTally = TonnageTally(),
    regrade: InventoryRegrade | None = None,
    mapper: Callable | None = None,
    tile_cells: int = DEFAULT_TILE_CELLS,
) -> SimulationRun:
    """Tonnage (and re-graded mining inventories) of ``n_realisations`` realisations, tile by tile.

    Parameters
    ----------
    plan : SimulationPlan
        From :func:`seabed.geostats.simulation.prepare_simulation` (elements must be in the
        block model).
    bm : xarray.Dataset
        Block model (cell area, thickness, density, ``mineable``; ``resource_class`` codes,
        if present, give per-class scopes); may be read lazily.
    n_realisations : int
        Number of realisations (≥ 1).
    seed : int
        Base seed.
    tally : TonnageTally, default TonnageTally()
        What each realisation's table counts: items, cut-offs, global density and thickness
        uncertainty.
    regrade : InventoryRegrade, optional
        The mining inventory to re-grade with the first realisations; default none.
    mapper : callable, optional
        ``mapper(func, items, **shared)`` (:class:`seabed.compute.Mapper`): every (tile,
        batch of realisations) is one task; default: in this process.
    tile_cells : int, default DEFAULT_TILE_CELLS
        Cells per tile (whole rows): bounds a task's memory at about
        ``plan.bytes_per_cell() × tile_cells + plan.task_bytes()`` bytes; with a memory
        budget, ``ComputeOptions.cells_per_chunk(plan.bytes_per_cell(),
        task_bytes=plan.task_bytes())``.

    Returns
    -------
    SimulationRun

    Notes
    -----
    Memory does not grow with the grid beyond (layer, y, x) maps of tonnes and classes:
    each task simulates one tile (fields on the tile plus its halo, conditioning weights
    of the tile's cells, solved once for the task's realisations) and returns sums. The
    unconditional scores at the data cells are computed first, once per realisation
    (``n_realisations × elements × layers × n_data`` values). Only cells with tonnes are
    conditioned. The table is the same whatever the scheduler, tile size or batching (to
    rounding): every random number is keyed by (seed, realisation, field, lattice cell).
    """
    if n_realisations < 1:
        raise ConfigError(f"simulation.n_realisations: got {n_realisations}; expected >= 1")
    runner = mapper or map_locally
    workers = int(getattr(mapper, "n_workers", 1))
    ny, nx = plan.grid.shape
    tiles = row_tiles(ny, nx, tile_cells) if plan.spectrum is None else [slice(0, ny)]  # spectral: the whole grid
    if plan.spectrum is None and len(tiles) < 2 * workers and ny * nx > DEFAULT_TILE_CELLS:
        # a large grid: parallel tiles (weights solved once each) rather than realisation batches
        tiles = row_tiles(ny, nx, -(-ny * nx // (2 * workers)))
    n_batches = max(1, min(n_realisations, -(-2 * workers // len(tiles)))) if workers > 1 else 1
    batches = [tuple(int(i) for i in b) for b in np.array_split(np.arange(n_realisations), n_batches)]
    (r0, r1), (c0, c1) = simulation_window(plan)
    if len(tiles) == 1 and (plan.spectrum is not None or (r1 - r0) * (c1 - c0) <= 2 * ny * nx):
        # one window per realisation: grid and data
        at_data = None
    else:
        at_data = np.concatenate(list(runner(_data_task, batches, plan=plan, seed=seed)))

    tonnes = block_tonnes(bm).transpose("layer", "y", "x")
    rc = bm.get("resource_class")
    codes = None if rc is None else rc.transpose("layer", "y", "x")
    inv_t = None
    inv_flat = np.empty(0, dtype=np.int64)
    inventory = None if regrade is None else regrade.inventory
    if regrade is not None and regrade.n_realisations > 0:
        inv_t = regrade.tonnes.transpose("layer", "y", "x")
        col = np.round((inventory["x"].to_numpy() - plan.grid.x[0]) / plan.grid.cell_size).astype(np.int64)
        row = np.round((plan.grid.y[0] - inventory["y"].to_numpy()) / plan.grid.cell_size).astype(np.int64)
        inv_flat = row * nx + col

    def block(da: xr.DataArray | None, rows: slice, dtype: type = float) -> np.ndarray | None:
        return None if da is None else np.asarray(da.isel(y=rows).values, dtype=dtype).reshape(plan.n_layers, -1)

    share = getattr(runner, "share", lambda obj: obj)  # a cluster: scattered, not embedded in every task

    def tasks() -> Iterator[tuple[TileWork, tuple[int, ...]]]:  # one wave at a time: maps never whole
        for rows in tiles:
            span = slice(rows.start * nx, rows.stop * nx)
            t, c, it = block(tonnes, rows), block(codes, rows, np.int8), block(inv_t, rows)
            active = t.any(axis=0) if it is None else t.any(axis=0) | it.any(axis=0)
            cells = np.flatnonzero(active)
            in_tile = np.flatnonzero((inv_flat >= span.start) & (inv_flat < span.stop))
            pos = np.searchsorted(cells, inv_flat[in_tile] - span.start)
            # the tile's weights solved here, once, when several batches share them
            weights = dense_weights(tile_weights(plan, rows, cells)) if len(batches) > 1 and cells.size else None
            work = share(TileWork(rows=rows, cells=cells, tonnes=t[:, cells], codes=None if c is None else c[:, cells],
                                  inventory_tonnes=None if it is None else it[:, cells], inventory_cells=pos,
                                  inventory_rows=in_tile, indices=(), weights=weights))  # once per tile, not per batch
            for batch in batches:
                yield work, batch

    with_classes = codes is not None
    scopes = _scopes(tally.cutoff_item, tally.cutoffs, with_classes)
    mud = np.zeros((n_realisations, len(scopes)))
    metal = np.zeros((n_realisations, len(scopes), len(plan.elements)))
    n_inv = min(regrade.n_realisations, n_realisations) if inv_t is not None else 0
    if n_inv:  # the inventory's grades, re-graded in place realisation by realisation
        inv_elements = element_columns(inventory.columns)
        inv_grades = np.repeat(inventory[inv_elements].to_numpy(dtype=float)[None], n_inv, axis=0)
        col_t = inventory["dry_tonnes"].to_numpy(dtype=float)
        simulated = [(k, inv_elements.index(e)) for k, e in enumerate(plan.elements) if e in inv_elements]
    parts = getattr(runner, "imap", runner)(_tile_task, _Counted(tasks(), len(tiles) * len(batches)), plan=plan,
                                            seed=seed, at_data=at_data,
                                            cutoff_item=tally.cutoff_item, cutoffs=list(tally.cutoffs),
                                            n_inventories=n_inv)
    for part in parts:
        idx = list(part["indices"])
        mud[idx] += part["mud"]
        metal[idx] += part["metal"]
        for r, m in part["inventories"].items():  # each block lies in one tile: written once
            rows = part["inventory_rows"]
            for k, j in simulated:
                inv_grades[r, rows, j] = m[k] / col_t[rows]
    tables = [_tonnage_frame(plan, r, mud[r], metal[r], scopes, tally, seed=seed) for r in range(n_realisations)]
    if not n_inv:
        return SimulationRun(pd.concat(tables, ignore_index=True))
    return SimulationRun(pd.concat(tables, ignore_index=True), inv_grades, inv_elements, inventory)


def model_seed(seed: int, k: int) -> int:
    """Seed of the realisations of model ``k`` (:func:`simulate_resource_models`), < 2**63."""
    state = np.random.SeedSequence([int(seed), VARIOGRAM_STREAM + int(k)]).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def simulate_resource_models(plans: Sequence[SimulationPlan], bm: xr.Dataset, *, n_realisations: int, seed: int,
                             regrade: InventoryRegrade | None = None, **kwargs: object) -> SimulationRun:
    """:func:`simulate_resource` with variogram uncertainty: one plan (model) per group of realisations.

    Realisation ``r`` uses ``plans[r % K]`` (round-robin, ``K = len(plans)``); it is realisation
    ``r // K`` of model ``k = r % K`` run under the seed :func:`model_seed` ``(seed, k)``, so the
    models' realisations draw independent noise and the whole is reproducible from ``seed``.
    The other keywords are those of :func:`simulate_resource`.
    """
    if n_realisations < 1:
        raise ConfigError(f"simulation.n_realisations: got {n_realisations}; expected >= 1")
    n_models = max(1, min(len(plans), n_realisations))
    n_inv = 0 if regrade is None else min(regrade.n_realisations, n_realisations)
    tables, grades, inv_run = [], {}, None
    for k in range(n_models):
        members = list(range(k, n_realisations, n_models))
        sub = None if regrade is None else replace(regrade, n_realisations=len(range(k, n_inv, n_models)))
        run = simulate_resource(plans[k], bm, n_realisations=len(members), seed=model_seed(seed, k),
                                regrade=sub, **kwargs)
        table = run.tonnage
        table["realisation"] = np.asarray(members)[table["realisation"].to_numpy()]
        tables.append(table)
        if run.inventory_grades is not None:
            inv_run = run
            grades.update({members[j]: g for j, g in enumerate(run.inventory_grades)})
    tonnage = pd.concat(tables, ignore_index=True).sort_values("realisation", kind="stable", ignore_index=True)
    if not grades:
        return SimulationRun(tonnage)
    return SimulationRun(tonnage, np.stack([grades[r] for r in range(n_inv)]), inv_run.inventory_elements,
                         inv_run.inventory)


def _tonnage_frame(plan: SimulationPlan, index: int, mud: np.ndarray, metal: np.ndarray, scopes: list[str],
                   tally: TonnageTally, *, seed: int) -> pd.DataFrame:
    """The long table of one realisation from its sums per scope (t)."""
    rng = realisation_rng(seed, FACTOR_STREAM + index)
    factor = 1.0
    for sd in (tally.density_relative_sd, tally.thickness_relative_sd):
        if sd > 0:
            factor *= 1.0 + sd * float(np.clip(rng.standard_normal(), -3, 3))
    ox = np.array([_oxide_factor(e) for e in plan.elements])
    rows = []
    for s, scope in enumerate(scopes):
        m = metal[s] * factor
        rows.append((scope, "mud", float(mud[s] * factor), np.nan))
        for k, e in enumerate(plan.elements):
            rows.append((scope, e, float(m[k]), float(m[k] * ox[k])))
        for item in tally.items:
            mem, oxide = _members(item, plan.elements)
            ii = [plan.elements.index(x) for x in mem]
            as_oxide = float((m[ii] * ox[ii]).sum())
            rows.append((scope, item, as_oxide if oxide else float(m[ii].sum()), as_oxide))
    out = pd.DataFrame(rows, columns=["scope", "item", "tonnes", "oxide_tonnes"])
    out.insert(0, "realisation", index)
    return out


def run_simulation(plan: SimulationPlan, bm: xr.Dataset, *, n_realisations: int, seed: int,
                   mapper: Callable | None = None, tile_cells: int = DEFAULT_TILE_CELLS,
                   **tally: object) -> pd.DataFrame:
    """Tonnage of ``n_realisations`` realisations: totals, per class and above each cut-off.

    The short form of :func:`simulate_resource` (same parameters; no inventory is re-graded):
    the fields of :class:`TonnageTally` are given as keywords, e.g.
    ``run_simulation(plan, bm, n_realisations=100, seed=1, items=["TREO"], cutoffs=[500.0])``.

    Returns
    -------
    pandas.DataFrame
        Columns ``realisation``, ``scope`` ("total", a class name, or
        ``"<item> >= <c> ppm"``), ``item`` (``"mud"``, elements, groups), ``tonnes`` (t;
        dry mud for ``"mud"``, oxide tonnes for oxide groups, metal tonnes otherwise) and
        ``oxide_tonnes`` (t, as oxides; NaN for mud).
    """
    return simulate_resource(plan, bm, n_realisations=n_realisations, seed=seed, tally=TonnageTally(**tally),
                             mapper=mapper, tile_cells=tile_cells).tonnage


def summarise_realisations(
    results: pd.DataFrame, *, quantiles: Sequence[float] = (0.1, 0.5, 0.9), units: str = "t"
) -> pd.DataFrame:
    """P10/P50/P90 (and mean) of tonnage per scope and item.

    Returns
    -------
    pandas.DataFrame
        Index ``(scope, item)``; columns ``P10 [t]``, ``P50 [t]``, ``P90 [t]``,
        ``mean [t]`` of ``tonnes`` and ``oxide P10 [t]``... of ``oxide_tonnes`` (P10 is the
        10 % quantile: 90 % of realisations exceed it).
    """
    from seabed.units import Quantity

    f = Quantity(1, "t").to(units).magnitude
    grouped = results.groupby(["scope", "item"], sort=False)
    out = pd.DataFrame({f"P{round(q * 100)} [{units}]": grouped["tonnes"].quantile(q) * f for q in quantiles})
    out[f"mean [{units}]"] = grouped["tonnes"].mean() * f
    if "oxide_tonnes" in results:
        for q in quantiles:
            out[f"oxide P{round(q * 100)} [{units}]"] = grouped["oxide_tonnes"].quantile(q) * f
    out.attrs["n_realisations"] = int(results["realisation"].nunique())
    return out
