"""Benchmark of seabed's kriging engine against PyKrige's C backend.

Problem A: ``--samples`` random samples of a smooth synthetic field, a ``--grid`` ×
``--grid`` cell grid, ``--k`` nearest neighbours, one variable, estimate + variance.
PyKrige (``OrdinaryKriging.execute(..., backend="C", n_closest_points=k)``) runs in the
same process on the same data; when the grid is large it runs on a random subset of
``--pykrige-cells`` cells and its time is scaled to the whole grid (said in the report).

Problem B: the same geometry with ``--variables`` variables (15 elements × 10 layers)
sharing one standardised variogram, run in a subprocess so that its peak resident
memory (``ru_maxrss``) is measured on its own.

Usage::

    python benchmarks/bench_kriging.py                 # full size (1000 × 1000), writes the report
    python benchmarks/bench_kriging.py --grid 200 --no-report
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

from seabed.geostats.kriging import Kriging, Neighbourhood
from seabed.geostats.variogram import Structure, VariogramModel

EXTENT = 100_000.0  # m
RANGE = 30_000.0  # m, practical range of the spherical model
NUGGET = 0.05
REPORT = Path(__file__).parent / "results" / "kriging.md"

NOTES = """## Reading the figures

- PyKrige's time on the large grid is measured on a random subset of cells and scaled
  linearly to the whole grid; its time for B is A's time × the number of variables
  (PyKrige solves every variable separately), not a measured run.
- The machine is shared with other jobs, so single runs vary by ±15 %; medians are given.
- The gain on problem A comes from deduplicating neighbour sets: on the 1000 × 1000 grid
  about 12 cells share each distinct 32-sample set, so ~12× fewer systems are factorised.
  On the 200 × 200 grid (500 m cells, ~2.2 km sample spacing) only ~1.4 cells share a
  set, so there is little to deduplicate and seabed (numpy-batched LAPACK) is slower than
  PyKrige's compiled loop. The ≥ 3× target for A is met with 2 threads; on one thread it is
  borderline (2.8-3.4× across runs).
- Problem B costs little more than A because the weights are solved once and applied to all
  150 variables with one sparse (cells × samples) matrix product per chunk; most of the extra
  time is writing the two (10⁶ × 150) float64 outputs (2.4 GB), which also dominate the
  peak memory.
"""


def make_problem(n_samples: int, grid: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples of a smooth field and the grid's cell centres (row-major, north-up)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, EXTENT, (n_samples, 2))
    z = (
        np.sin(xy[:, 0] / 15_000.0)
        + np.cos(xy[:, 1] / 20_000.0)
        + 0.3 * np.sin((xy[:, 0] + xy[:, 1]) / 7_000.0)
        + 0.05 * rng.normal(size=n_samples)
    )
    centres = (np.arange(grid) + 0.5) * EXTENT / grid
    xx, yy = np.meshgrid(centres, centres[::-1])
    return xy, z, np.column_stack([xx.ravel(), yy.ravel()])


def model() -> VariogramModel:
    return VariogramModel(NUGGET, (Structure("spherical", 1.0 - NUGGET, RANGE),))


def many_variables(z: np.ndarray, p: int) -> np.ndarray:
    """``p`` variables: affine transforms of the field plus a variable-specific pattern."""
    j = np.arange(p)
    return z[:, None] * (1.0 + 0.1 * j) + 100.0 + 10.0 * j


def time_ours(xy, values, targets, k, repeats, n_jobs, sills=None) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeats):
        result = None  # free the previous result before the next run
        t0 = time.perf_counter()
        est = Kriging(model(), neighbourhood=Neighbourhood(max_samples=k, min_samples=4, radius=np.inf),
                      variable_sills=sills)
        result = est.fit(xy, values).predict(targets, n_jobs=n_jobs)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def time_pykrige(xy, z, targets, k, repeats) -> tuple[float, np.ndarray, np.ndarray]:
    from pykrige.ok import OrdinaryKriging

    ok = OrdinaryKriging(
        xy[:, 0], xy[:, 1], z, variogram_model="spherical",
        variogram_parameters={"psill": 1.0 - NUGGET, "range": RANGE, "nugget": NUGGET},
    )
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        zp, sp = ok.execute("points", targets[:, 0], targets[:, 1], backend="C", n_closest_points=k)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), np.asarray(zp), np.asarray(sp)


def child_b(args: argparse.Namespace) -> None:
    """Problem B in this process; prints JSON with times and peak memory."""
    xy, z, targets = make_problem(args.samples, args.grid)
    values = many_variables(z, args.variables)
    sills = np.var(values, axis=0)
    out = {}
    for n_jobs in (1, 2):
        t, result = time_ours(xy, values, targets, args.k, args.repeats, n_jobs, sills)
        out[f"time_{n_jobs}"] = t
        del result
    out["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pykrige
    import scipy

    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}); "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"PyKrige {pykrige.__version__}"
    )


def run(args: argparse.Namespace) -> str:
    xy, z, targets = make_problem(args.samples, args.grid)
    m = targets.shape[0]
    lines = [f"### {args.grid} × {args.grid} grid ({m:,} cells), {args.samples:,} samples, k = {args.k}", ""]

    t1, res = time_ours(xy, z, targets, args.k, args.repeats, 1)
    t2, res2 = time_ours(xy, z, targets, args.k, args.repeats, 2)
    assert np.array_equal(res.estimate, res2.estimate, equal_nan=True)
    del res2

    rng = np.random.default_rng(1)
    if m <= args.pykrige_cells:
        subset = np.arange(m)
    else:
        subset = np.sort(rng.choice(m, args.pykrige_cells, replace=False))
    tp_sub, zp, sp = time_pykrige(xy, z, targets[subset], args.k, args.repeats)
    tp = tp_sub * m / subset.size
    err_est = float(np.max(np.abs(res.estimate[subset] - zp)) / np.max(np.abs(zp)))
    err_var = float(np.max(np.abs(res.variance[subset] - sp)) / np.max(np.abs(sp)))
    del res
    scaled = "" if subset.size == m else f" (timed on {subset.size:,} random cells, scaled ×{m / subset.size:.0f})"

    lines += [
        f"| problem | engine | time (s, median of {args.repeats}) | speed-up vs PyKrige |",
        "| --- | --- | ---: | ---: |",
        f"| A: 1 variable | PyKrige C backend, n_closest_points={args.k}{scaled} | {tp:.2f} | 1.0 |",
        f"| A: 1 variable | seabed, 1 thread | {t1:.2f} | {tp / t1:.1f} |",
        f"| A: 1 variable | seabed, 2 threads | {t2:.2f} | {tp / t2:.1f} |",
    ]
    b = None
    if args.variables > 0:
        cmd = [sys.executable, __file__, "--child-b", "--samples", str(args.samples), "--grid",
               str(args.grid), "--k", str(args.k), "--variables", str(args.variables),
               "--repeats", str(args.repeats)]
        b = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        tp_b = tp * args.variables
        lines += [
            f"| B: {args.variables} variables | PyKrige, once per variable (A's time × {args.variables}, extrapolated) | {tp_b:.1f} | 1.0 |",
            f"| B: {args.variables} variables | seabed, 1 thread | {b['time_1']:.2f} | {tp_b / b['time_1']:.0f} |",
            f"| B: {args.variables} variables | seabed, 2 threads | {b['time_2']:.2f} | {tp_b / b['time_2']:.0f} |",
        ]
    lines += [
        "",
        (
            f"- Agreement with PyKrige on the compared cells: max |Δ estimate| / max |estimate| "
            f"= {err_est:.1e}, max |Δ variance| / max variance = {err_var:.1e}."
        ),
    ]
    if b is not None:
        lines += [
            f"- B / A time ratio: {b['time_1'] / t1:.2f} (1 thread), {b['time_2'] / t2:.2f} (2 threads).",
            (
                "- Peak resident memory of the B subprocess (ru_maxrss, includes Python, numpy and "
                f"the (m, {args.variables}) float64 estimate and variance outputs): "
                f"{b['maxrss_kib'] / 2**20:.2f} GiB."
            ),
        ]
    print("\n".join(lines), flush=True)
    if err_est > 1e-8 or err_var > 1e-8:
        raise SystemExit(f"disagreement with PyKrige: {err_est:.1e}, {err_var:.1e}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--grid", type=int, default=1000, help="cells per side")
    parser.add_argument("--small-grid", type=int, default=200, help="also run this size (0: skip)")
    parser.add_argument("--k", type=int, default=32)
    parser.add_argument("--variables", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pykrige-cells", type=int, default=50_000)
    parser.add_argument("--no-report", action="store_true", help="print only")
    parser.add_argument("--child-b", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_b:
        child_b(args)
        return
    sections = [run(args)]
    if args.small_grid:
        small = argparse.Namespace(**{**vars(args), "grid": args.small_grid})
        sections.append(run(small))
    if not args.no_report:
        text = "\n".join(
            [
                "# Kriging benchmark",
                "",
                (
                    "Generated by `python benchmarks/bench_kriging.py` "
                    f"(`{' '.join(sys.argv[1:]) or 'defaults'}`)."
                ),
                "",
                f"Machine: {machine()}. The machine is shared (2 cores); times are wall-clock.",
                "",
                (
                    "Ordinary point kriging, spherical model (nugget 0.05, sill 1, practical range "
                    "30 km) on a 100 km × 100 km square, estimate and variance. seabed deduplicates "
                    "neighbour sets, solves each distinct kriging system once for all cells sharing "
                    "it, and applies one set of weights to every variable (intrinsic correlation)."
                ),
                "",
                *[s + "\n" for s in sections],
                NOTES,
            ]
        )
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(text)
        print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
