"""Benchmark of the conditional simulation (seabed.geostats.simulation, seabed.resource.uncertainty).

Problem: the Takaya et al. (2018) box (21.8–22.25°N, 153.5–154.1167°E) on a 250 m
working grid × 10 one-metre layers × 15 REY elements, conditioned by 25 synthetic cores
(a jittered 5 × 5 lattice, ~10 km spacing; lognormal grades with a peak at ~3 mbsf and a
fixed element mix). Normal-score variogram: nugget 0.1 + spherical 0.9, range 20 km.

Timed: ``prepare_simulation`` once, then ``--n`` realisations each reduced to tonnage
per element, group, class and 3 cut-offs (:func:`run_simulation`: tasks of one tile ×
a batch of realisations on Dask threads, ``--workers``). The report gives the total and
the mean time per realisation (median over ``--repeat`` runs).

Usage::

    python benchmarks/bench_simulation.py               # full size, writes results/simulation.md
    python benchmarks/bench_simulation.py --n 5 --no-report
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import shapely
import xarray as xr

from seabed.compute import ComputeOptions, open_mapper
from seabed.elements import GROUPS
from seabed.geostats.conditioning import DEFAULT_TILE_CELLS
from seabed.geostats.plan_variants import with_spectral_fields
from seabed.geostats.simulation import prepare_simulation
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.resource.blockmodel import build_block_model
from seabed.resource.uncertainty import run_simulation, summarise_realisations
from seabed.working_grid import Layers, WorkingGrid

REPORT = Path(__file__).parent / "results" / "simulation.md"
BOX = shapely.box(153.5, 21.8, 154 + 7 / 60, 22.25)
ELEMENTS = list(GROUPS["REY"])  # 15 elements
MODEL = VariogramModel(0.1, (Structure("spherical", 0.9, 20_000.0),))


def synthetic_cores(grid: WorkingGrid, n_side: int = 5, seed: int = 0) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = grid.bounds
    gx = np.linspace(x0, x1, n_side + 2)[1:-1]
    gy = np.linspace(y0, y1, n_side + 2)[1:-1]
    xx, yy = np.meshgrid(gx, gy)
    x = xx.ravel() + rng.uniform(-2000, 2000, xx.size)
    y = yy.ravel() + rng.uniform(-2000, 2000, yy.size)
    mid = grid.layers.mid
    profile = 600 + 2500 * np.exp(-0.5 * ((mid - 3.0) / 1.2) ** 2)  # ppm REY by depth
    rey = profile[None, :] * rng.lognormal(0, 0.35, size=(x.size, 1)) * rng.lognormal(0, 0.15, size=(x.size, mid.size))
    mix = rng.dirichlet(np.full(len(ELEMENTS), 3.0))
    data = {
        e: (("core", "layer"), rey * mix[k] * rng.lognormal(0, 0.05, size=rey.shape))
        for k, e in enumerate(ELEMENTS)
    }
    return xr.Dataset(data, coords={"x": ("core", x), "y": ("core", y)})


def block_model(grid: WorkingGrid, cores: xr.Dataset) -> xr.Dataset:
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": ELEMENTS}
    mean = np.stack([cores[e].mean("core").values for e in ELEMENTS])
    grade = np.broadcast_to(mean[:, :, None, None], (len(ELEMENTS), grid.layers.n, *grid.shape)).copy()
    est = xr.Dataset({"grade": (("element", "layer", "y", "x"), grade, {"units": "ppm"})}, coords=coords)
    classes = xr.DataArray(np.ones((grid.layers.n, *grid.shape), dtype=np.int8), dims=("layer", "y", "x"))
    bm = build_block_model(est, grid, density="0.55 t/m^3")
    return bm.assign(resource_class=classes)


def run_once(n: int, workers: int, fields: str = "auto") -> dict[str, float]:
    """One timed run; ``fields``: "spectral", "convolution" or "auto" (as the pipeline: spectral
    when the grid fits one task of ``DEFAULT_TILE_CELLS``)."""
    grid = WorkingGrid.covering(BOX, cell_size=250.0, layers=Layers.regular(0, 10, 1))
    cores = synthetic_cores(grid)
    bm = block_model(grid, cores)
    t0 = time.perf_counter()
    plan = prepare_simulation(cores, grid, model=MODEL)
    if fields == "spectral" or (fields == "auto" and grid.shape[0] * grid.shape[1] <= DEFAULT_TILE_CELLS):
        plan = with_spectral_fields(plan)
    t1 = time.perf_counter()
    c1 = time.process_time()
    options = ComputeOptions(scheduler="threads" if workers > 1 else "synchronous", workers=workers)
    with open_mapper(options) as mapper:  # as the pipeline: one BLAS thread per task
        res = run_simulation(plan, bm, n_realisations=n, seed=1, cutoffs=[400.0, 1000.0, 2000.0], mapper=mapper)
    t2 = time.perf_counter()
    c2 = time.process_time()
    summary = summarise_realisations(res, units="kt")
    treo = summary.loc[("total", "TREO")]
    return {
        "cells": grid.shape[0] * grid.shape[1],
        "halo": plan.kernel.halo,
        "fields": "spectral" if plan.spectrum is not None else "convolution",
        "window": (f"{plan.spectrum.torus[0]} × {plan.spectrum.torus[1]} torus" if plan.spectrum is not None
                   else f"halo {plan.kernel.halo} cells"),
        "prepare_s": t1 - t0,
        "realisations_s": t2 - t1,
        "total_s": t2 - t0,
        "per_realisation_s": (t2 - t1) / n,
        "cpu_s": c2 - c1,
        "treo_p10": treo["P10 [kt]"],
        "treo_p50": treo["P50 [kt]"],
        "treo_p90": treo["P90 [kt]"],
        "captured": plan.kernel.captured_variance,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="realisations")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="Dask threads (1: synchronous)")
    parser.add_argument("--fields", choices=("auto", "spectral", "convolution"), default="auto",
                        help="random fields (auto: as the pipeline)")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    runs = [run_once(args.n, args.workers, args.fields) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in runs)
           for k in ("prepare_s", "realisations_s", "total_s", "per_realisation_s", "cpu_s")}
    r0 = runs[0]
    lines = [
        "# Benchmark: conditional simulation",
        "",
        (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores "
        f"(shared with other jobs: load average {os.getloadavg()[0]:.1f} when done); "
        f"Python {platform.python_version()}, numpy {np.__version__}; Dask threads {args.workers}."),
        "",
        (f"Problem: Takaya box at 250 m ({r0['cells']:,} cells; {r0['fields']} fields, {r0['window']}), "
        f"10 layers × 15 elements, 25 cores, {args.n} realisations, "
        "each reduced to tonnage per element/group, class and 3 cut-offs."),
        "",
        f"| step | median of {args.repeat} run(s) [s] |",
        "|---|---|",
        f"| prepare (transforms, correlations, kernel or embedding) | {med['prepare_s']:.2f} |",
        f"| {args.n} realisations + tonnage (tile weights included) | {med['realisations_s']:.1f} |",
        f"| per realisation | {med['per_realisation_s']:.3f} |",
        f"| CPU time of the realisations (both threads; robust to other jobs) | {med['cpu_s']:.1f} |",
        f"| **total** | **{med['total_s']:.1f}** |",
        "",
        (f"Target: under 120 s for 100 realisations. TREO P10/P50/P90 of the synthetic case: "
        f"{r0['treo_p10']:,.0f} / {r0['treo_p50']:,.0f} / {r0['treo_p90']:,.0f} kt; "
        f"kernel variance captured before renormalisation: {r0['captured']:.6f}."),
        "",
        f"Command: `python benchmarks/bench_simulation.py --fields {args.fields}`",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_report:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(text)


if __name__ == "__main__":
    main()
