"""Benchmark of whole-EEZ runs: chunked estimation and realisations as Dask tasks.

Problem: ``configs/minamitorishima_eez.toml`` — the 200-nm Minamitorishima EEZ (~430,000 km²)
on 1 km cells × 10 one-metre layers, conditioned by the shipped SYNTHETIC 600-core survey.

Cases (each measured in a fresh subprocess, so that its peak resident memory, ``ru_maxrss``,
is its own; times are wall-clock of the measured call only, inputs loaded beforehand):

``estimate``
    15 REY elements × 10 layers, ordinary block kriging (4 × 4 points), 32 neighbours within
    200 km, with kriging variance, the variogram fitted to the pooled composites;
    :func:`estimate_grades` with a :class:`seabed.compute.Mapper` (Dask threads, 2 workers,
    100,000 cells per task).
``estimate-cluster``
    The same on a ``dask.distributed.LocalCluster`` of 2 single-threaded workers
    (``processes=False``) started by the benchmark.
``estimate-fraction``
    The same on concentric geodesic circles of 1/4 and 1/2 of the EEZ area (own grid).
``estimate-cores``
    500 / 2,000 / 10,000 synthetic cores (uniform random positions in the EEZ, lognormal
    grades, no missing values: one sample set) on the whole EEZ.
``simulate``
    Conditional simulation of TREO (the oxide sum of the 15 REY elements, per core and layer,
    simulated as ONE variable with its own normal-score transform; 10 layers) over the whole
    EEZ; ``prepare_simulation`` once, then ``--realisations`` realisations as Dask tasks
    (threads, 2 workers), each reduced to contained TREO tonnes (total and ≥ 1,000 ppm).

The "Notes" section at the end of ``results/scaling.md`` (run-to-run spread, the whole
``seabed run`` figure measured with ``/usr/bin/time -v``) is written by hand after a run.

Usage::

    python benchmarks/bench_scale.py                 # all cases, writes results/scaling.md
    python benchmarks/bench_scale.py --case estimate --no-report
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "minamitorishima_eez.toml"
REPORT = Path(__file__).parent / "results" / "scaling.md"
EEZ_RADIUS_M = 370_400.0


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _site(fraction: float = 1.0):
    from seabed.config import load_config
    from seabed.inputs.areas import eez_circle
    from seabed.pipeline import prepare_site
    from seabed.pipeline.adapters import build_grid, build_layers

    cfg = load_config(CONFIG)
    site = prepare_site(cfg)
    area = site.areas["eez"]
    if fraction < 1.0:
        area = eez_circle(153.98, 24.29, radius_m=EEZ_RADIUS_M * np.sqrt(fraction))
        site.grid = build_grid(cfg.grid, build_layers(cfg.layers), area)
    return cfg, site, area


def _estimation_inputs(cfg, site, n_cores: int | None = None):
    from seabed.elements import GROUPS
    from seabed.geostats.estimation import fit_pooled_variogram
    from seabed.pipeline.adapters import estimation_arguments

    elements = list(GROUPS["REY"])
    comps = site.composites
    if n_cores is not None:
        comps = _random_composites(site, elements, n_cores)
    kwargs = estimation_arguments(cfg.estimation)
    fit = kwargs.pop("variogram_fit")
    kwargs["variogram"], _ = fit_pooled_variogram(site.composites, elements, **fit)
    return comps, elements, kwargs


def _random_composites(site, elements, n_cores: int) -> xr.Dataset:
    """Uniform random cores in the EEZ with lognormal grades (timing only)."""
    from shapely import contains_xy

    rng = np.random.default_rng(n_cores)
    grid = site.grid
    eez = site.areas["eez"]
    lon, lat = [], []
    while len(lon) < n_cores:
        lo = rng.uniform(150.2, 157.8, 4 * n_cores)
        la = rng.uniform(20.9, 27.7, 4 * n_cores)
        ok = contains_xy(eez, lo, la)
        lon.extend(lo[ok])
        lat.extend(la[ok])
    x, y = grid.from_lonlat(np.array(lon[:n_cores]), np.array(lat[:n_cores]))
    n_layers = grid.layers.n
    base = rng.lognormal(np.log(60.0), 0.6, (n_cores, n_layers))
    data = {e: (("core", "layer"), base * rng.lognormal(0.0, 0.1, (n_cores, n_layers)) * (1 + k % 5))
            for k, e in enumerate(elements)}
    return xr.Dataset(data, coords={"x": ("core", x), "y": ("core", y),
                                    "layer_top": ("layer", grid.layers.top)})


def _estimate(site, area, comps, elements, kwargs, mapper) -> dict:
    import tempfile

    from seabed.geostats.estimation import estimate_grades

    mask = site.grid.mask(area)
    with tempfile.TemporaryDirectory() as tmp:  # the pipeline's path: cubes into a store, read lazily
        t0 = time.perf_counter()
        ds = estimate_grades(comps, site.grid, elements=elements, mask=mask, mapper=mapper, task_cells=100_000,
                             store=Path(tmp) / "estimates.nc", **kwargs)
        seconds = time.perf_counter() - t0
        estimated = int((ds["reason"] == 0).sum())
    return {"seconds": seconds, "cells": int(mask.sum()), "cores": int(comps.sizes["core"]),
            "variables": len(elements) * site.grid.layers.n, "estimated": estimated}


def _bounded(cell_km: float, realisations: int) -> dict:
    """The whole EEZ at ``cell_km``: estimation into a store, resource tables, TREO simulation,
    all with a 1 GiB memory budget (peak memory should not follow the number of cells)."""
    import tempfile

    from seabed.compute import ComputeOptions, open_mapper
    from seabed.geostats.estimation import bytes_per_cell, estimate_grades
    from seabed.pipeline.adapters import build_grid, build_layers
    from seabed.resource import selectivity, tonnage
    from seabed.resource.blockmodel import build_block_model
    from seabed.units import Quantity

    cfg, site, area = _site()
    spec = cfg.grid.model_copy(update={"cell_size": Quantity(cell_km, "km")})
    site.grid = build_grid(spec, build_layers(cfg.layers), area)
    comps, elements, kwargs = _estimation_inputs(cfg, site)
    options = ComputeOptions(scheduler="threads", workers=2, memory_budget=2**30)
    mask = site.grid.mask(area)
    out: dict = {"cells": int(mask.sum()), "cell_km": cell_km}
    with tempfile.TemporaryDirectory() as tmp, open_mapper(options) as mapper:
        t0 = time.perf_counter()
        est = estimate_grades(comps, site.grid, elements=elements, mask=mask, mapper=mapper,
                              task_cells=options.cells_per_chunk(bytes_per_cell(len(elements) * site.grid.layers.n)),
                              store=Path(tmp) / "estimates.nc", **kwargs)
        out["estimate_s"] = time.perf_counter() - t0
        out["estimate_peak_gib"] = _peak_gib()
        t0 = time.perf_counter()
        bm = build_block_model(est, site.grid, density="0.55 t/m^3")
        table = tonnage.tonnage_table(bm, items=["TREO"])
        selectivity.grade_tonnage(bm, item="REY", report=("TREO",))
        selectivity.mining_inventory(bm)
        out["tables_s"] = time.perf_counter() - t0
        out["treo_mt"] = float(table.loc[("total", "TREO"), "oxide [t]"]) / 1e6
        out["tables_peak_gib"] = _peak_gib()
    if realisations > 0:
        sim = _simulate(realisations, grid=site.grid, budget=options.memory_budget)
        out.update({f"sim_{k}": v for k, v in sim.items()})
    return out


def run_case(case: str, arg: float | None, realisations: int) -> dict:
    """One measurement, in this process."""
    from seabed.compute import ComputeOptions, open_mapper

    if case == "estimate-fraction":
        cfg, site, area = _site(arg)
        comps, elements, kwargs = _estimation_inputs(cfg, site)
        with open_mapper(ComputeOptions(scheduler="threads", workers=2)) as mapper:
            out = _estimate(site, area, comps, elements, kwargs, mapper)
    elif case == "estimate-cores":
        cfg, site, area = _site()
        comps, elements, kwargs = _estimation_inputs(cfg, site, n_cores=int(arg))
        with open_mapper(ComputeOptions(scheduler="threads", workers=2)) as mapper:
            out = _estimate(site, area, comps, elements, kwargs, mapper)
    elif case == "estimate":
        cfg, site, area = _site()
        comps, elements, kwargs = _estimation_inputs(cfg, site)
        with open_mapper(ComputeOptions(scheduler="threads", workers=2)) as mapper:
            out = _estimate(site, area, comps, elements, kwargs, mapper)
    elif case == "estimate-cluster":
        from distributed import Client, LocalCluster

        cfg, site, area = _site()
        comps, elements, kwargs = _estimation_inputs(cfg, site)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster) as client, \
                open_mapper(ComputeOptions(), client=client) as mapper:
            out = _estimate(site, area, comps, elements, kwargs, mapper)
    elif case == "simulate":
        out = _simulate(realisations)
    elif case == "bounded":
        out = _bounded(arg, realisations)
    else:
        raise SystemExit(f"unknown case {case!r}")
    out["peak_gib"] = _peak_gib()
    return out


def _treo_composites(site) -> xr.Dataset:
    from seabed.elements import ELEMENTS, GROUPS

    treo = sum(site.composites[e] * ELEMENTS[e].oxide_factor for e in GROUPS["REY"])
    return xr.Dataset({"TREO": treo}, coords={k: site.composites.coords[k] for k in ("x", "y")})


def _simulate(n: int, grid=None, budget: float = 2 * 2**30) -> dict:
    import dask.array as da

    from seabed.compute import ComputeOptions, open_mapper
    from seabed.geostats.estimation import fit_pooled_variogram
    from seabed.geostats.simulation import prepare_simulation
    from seabed.resource.blockmodel import build_block_model
    from seabed.resource.uncertainty import TonnageTally, simulate_resource

    cfg, site, area = _site()
    comp = _treo_composites(site)
    model, _ = fit_pooled_variogram(comp, ["TREO"], max_range=cfg.estimation.variogram.max_range.to("m").magnitude)
    grid = site.grid if grid is None else grid
    mask = grid.mask(area)
    # a lazy grade cube, as the pipeline's (read from its store): the block model is built in
    # row blocks and never holds a (layer, y, x) array whole
    flat = da.from_array(np.where(mask, 1.0, np.nan), chunks=(64, -1))
    grade = da.broadcast_to(flat[None, None], (1, grid.layers.n, *grid.shape), chunks=(1, -1, 64, -1))
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": ["TREO"]}
    bm = build_block_model(xr.Dataset({"grade": (("element", "layer", "y", "x"), grade, {"units": "ppm"})},
                                      coords=coords), grid, density="0.55 t/m^3")
    options = ComputeOptions(scheduler="threads", workers=2, memory_budget=budget)
    with open_mapper(options) as mapper:
        t0 = time.perf_counter()
        plan = prepare_simulation(comp, grid, model=model, elements=["TREO"])
        prepare = time.perf_counter() - t0
        tile_cells = options.cells_per_chunk(plan.bytes_per_cell(), task_bytes=plan.task_bytes())
        t0 = time.perf_counter()
        run = simulate_resource(plan, bm, n_realisations=n, seed=cfg.resource.simulation.seed, mapper=mapper,
                                tally=TonnageTally(items=(), cutoff_item="TREO", cutoffs=(1000.0,)),
                                tile_cells=tile_cells)
        seconds = time.perf_counter() - t0
    t = run.tonnage
    total = t[(t["scope"] == "total") & (t["item"] == "TREO")]["tonnes"].to_numpy() / 1e6
    return {"seconds": seconds, "prepare_seconds": prepare, "realisations": n, "per_realisation": seconds / n,
            "halo": plan.kernel.halo, "range_km": model.structures[0].range / 1e3, "tile_cells": tile_cells,
            "patterns": len(plan.patterns), "treo_mt_p10_p50_p90": np.percentile(total, [10, 50, 90]).tolist()}


def measure(case: str, arg: float | None = None, *, repeat: int = 1, realisations: int = 100) -> dict:
    """Median over ``repeat`` fresh subprocesses of one case."""
    runs = []
    for _ in range(repeat):
        cmd = [sys.executable, __file__, "--one", case, "--realisations", str(realisations)]
        if arg is not None:
            cmd += ["--arg", str(arg)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(case, arg, runs[-1], flush=True)
    return _median_of(runs)


def _median_of(runs: list[dict]) -> dict:
    best = dict(runs[0])
    for key in ("seconds", "peak_gib"):
        if key in best:
            best[key] = statistics.median(r[key] for r in runs)
    best["runs"] = [r.get("seconds") for r in runs]
    best["repeats"] = len(runs)
    return best


def write_report(res: dict, path: Path) -> None:
    est, clu, sim = res["estimate"], res["estimate-cluster"], res["simulate"]
    lines = [
        "# Scaling: whole-EEZ estimation and simulation",
        "",
        (f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"generated by `benchmarks/bench_scale.py` (median of {est['repeats']} runs for estimation; "
        "each case in a fresh process; peak memory = that process's `ru_maxrss`)."),
        "",
        ("Problem: `configs/minamitorishima_eez.toml` (200-nm EEZ, 1 km cells, 10 layers, SYNTHETIC "
        "600-core survey). Estimation: 15 REY elements × 10 layers, ordinary block kriging 4×4, 32 "
        "neighbours within 200 km, with variance; 100,000 cells per task."),
        "",
        "| case | cells | cores | time [s] | peak memory [GiB] | target |",
        "|---|---:|---:|---:|---:|---|",
        (f"| whole EEZ, Dask threads ×2 | {est['cells']:,} | {est['cores']} | {est['seconds']:.1f} | "
        f"{est['peak_gib']:.2f} | < 60 s, < 4 GiB |"),
        (f"| whole EEZ, LocalCluster 2 workers | {clu['cells']:,} | {clu['cores']} | {clu['seconds']:.1f} | "
        f"{clu['peak_gib']:.2f} | ≤ 1.5 × threads = {1.5 * est['seconds']:.1f} s |"),
        "",
        "## Scaling in cells (600 cores)",
        "",
        "| EEZ fraction | cells | time [s] | s per 100k cells | peak memory [GiB] |",
        "|---|---:|---:|---:|---:|",
    ]
    for frac, r in res["fractions"]:
        lines.append(f"| {frac:g} | {r['cells']:,} | {r['seconds']:.1f} | {1e5 * r['seconds'] / r['cells']:.2f} | "
                     f"{r['peak_gib']:.2f} |")
    lines += [
        "",
        "## Scaling in cores (whole EEZ; random positions and lognormal grades, no missing values)",
        "",
        "| cores | cells | time [s] | peak memory [GiB] |",
        "|---:|---:|---:|---:|",
    ]
    for n, r in res["cores"]:
        lines.append(f"| {int(n):,} | {r['cells']:,} | {r['seconds']:.1f} | {r['peak_gib']:.2f} |")
    lines += [
        "",
        "## Realisations (TREO, whole EEZ)",
        "",
        (f"TREO (oxide sum of the 15 REY elements) simulated as one variable × 10 layers, tile by tile "
        f"({sim['tile_cells']:,} cells per tile, from a 2 GiB budget), convolution kernel halo "
        f"{sim['halo']} cells (variogram range {sim['range_km']:.0f} km); {sim['patterns']} sample patterns, "
        "conditioning weights solved per tile for all realisations of a task."),
        "",
        "| realisations | prepare [s] | total [s] | per realisation [s] | peak memory [GiB] | TREO P10/P50/P90 [Mt] |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {sim['realisations']} | {sim['prepare_seconds']:.1f} | {sim['seconds']:.1f} | "
        f"{sim['per_realisation']:.2f} | {sim['peak_gib']:.2f} | "
        + " / ".join(f"{v:,.0f}" for v in sim["treo_mt_p10_p50_p90"]) + " |",
        "",
        "## Memory against grid size (whole EEZ at 1 km and 0.5 km, 1 GiB budget)",
        "",
        ("Estimation (15 REY × 10 layers) into the scratch store, then the block model read lazily, "
        "tonnage table, grade-tonnage curve and mining inventory streamed over row blocks, then 10 TREO "
        "realisations tile by tile; every stage under `memory_budget = \"1 GiB\"` (2 workers). Peak = the "
        "process's resident memory after each stage."),
        "",
        ("| cells | cell [km] | estimation [s] | peak after estimation [GiB] | tables [s] | peak after tables [GiB] "
         "| 10 realisations [s] | peak after simulation [GiB] |"),
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c, r in res.get("bounded", []):
        lines.append(f"| {r['cells']:,} | {c:g} | {r['estimate_s']:.1f} | {r['estimate_peak_gib']:.2f} | "
                     f"{r['tables_s']:.1f} | {r['tables_peak_gib']:.2f} | {r.get('sim_seconds', float('nan')):.1f} | "
                     f"{r['peak_gib']:.2f} |")
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--arg", type=float, help=argparse.SUPPRESS)
    p.add_argument("--case", help="run only this case and print it")
    p.add_argument("--repeat", type=int, default=3, help="runs of the whole-EEZ estimation cases (median)")
    p.add_argument("--repeat-scaling", type=int, default=1, help="runs of the fraction and core-count cases")
    p.add_argument("--realisations", type=int, default=100)
    p.add_argument("--no-report", action="store_true")
    p.add_argument("--only", nargs="+", help="re-measure these result groups only; the others are read from "
                   "results/scaling.json (estimate, estimate-cluster, fractions, cores, simulate, bounded)")
    args = p.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one, args.arg, args.realisations)))
        return
    if args.case:
        print(measure(args.case, args.arg, repeat=args.repeat, realisations=args.realisations))
        return
    plan = {
        "estimate": lambda: measure("estimate", repeat=args.repeat),
        "estimate-cluster": lambda: measure("estimate-cluster", repeat=args.repeat),
        "fractions": lambda: [(f, measure("estimate-fraction", f, repeat=args.repeat_scaling)) for f in (0.25, 0.5)],
        "cores": lambda: [(n, measure("estimate-cores", n, repeat=args.repeat_scaling)) for n in (500, 2000, 10000)],
        "simulate": lambda: measure("simulate", realisations=args.realisations),
        "bounded": lambda: [(c, measure("bounded", c, realisations=10)) for c in (1.0, 0.5)],
    }
    saved = REPORT.with_suffix(".json")
    res = json.loads(saved.read_text()) if args.only and saved.exists() else {}
    for name, run in plan.items():
        if not args.only or name in args.only:
            res[name] = run()
    saved.write_text(json.dumps(res, indent=1))
    res["fractions"] = [*res["fractions"], (1.0, res["estimate"])]
    if not args.no_report:
        write_report(res, REPORT)
        print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
