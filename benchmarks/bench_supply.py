"""Benchmark of the supply model: 10,000 Monte Carlo draws × 40 years × 16 elements.

Targets (median of 3 runs, project machine, 2 cores): under 10 s for the whole ``project_supply``
call; under 5 s for the import-offset answer alone (:func:`seabed.supply.offset.offset_answer`:
coverage, sustained offset, P(offset by year), percentiles and weakest link over 10,000 draws ×
40 years × 16 elements). Writes ``benchmarks/results/supply.md``.

Run: ``python benchmarks/bench_supply.py [--draws N] [--runs K]``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from seabed.config.supply import SupplySettings
from seabed.supply.model import project_supply
from seabed.supply.offset import offset_answer

ELEMENTS = ["Sc", "Y", "La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu"]
SPLIT = [0.004, 0.25, 0.2, 0.1, 0.045, 0.17, 0.035, 0.008, 0.04, 0.006, 0.035, 0.008, 0.022, 0.003, 0.02, 0.003]
PARAMS = {
    "plan.start_delay": {"dist": "uniform", "low": "0 year", "high": "5 year"},
    "plan.availability": {"dist": "triangular", "low": "0.6", "mode": "0.8", "high": "0.9"},
    "plan.years_to_nameplate": {"dist": "triangular", "low": "1 year", "mode": "2.5 year", "high": "5 year"},
    "processing.leach_recovery": {"dist": "triangular", "low": "0.6", "mode": "0.75", "high": "0.85"},
    "processing.beneficiation_recovery": {"dist": "uniform", "low": "0.7", "high": "0.9"},
    "demand.growth_rate": {"dist": "normal", "mean": "1 percent/year", "sd": "1 percent/year"},
    "economics.price_multiplier": {"dist": "lognormal", "median": "1", "sigma": "0.4"},
    "economics.capex_multiplier": {"dist": "triangular", "low": "0.8", "mode": "1", "high": "1.6"},
}


def build(blocks: int, realisations: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    rey = rng.lognormal(np.log(2500), 0.5, blocks)
    grades = rey[:, None] * np.array(SPLIT)[None, :]
    inv = pd.DataFrame(grades, columns=ELEMENTS)
    inv.insert(0, "dry_tonnes", np.full(blocks, 2e5))
    real = grades[None] * rng.lognormal(0.0, 0.2, (realisations, blocks, 1))
    return inv, real


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--blocks", type=int, default=5_000)
    ap.add_argument("--realisations", type=int, default=50)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "supply.md")
    args = ap.parse_args()
    inv, real = build(args.blocks, args.realisations)
    settings = SupplySettings(start_year=2026, end_year=2065, uncertainty={"draws": args.draws, "parameters": PARAMS})
    times = []
    for i in range(args.runs):
        t0 = time.perf_counter()
        result = project_supply(inv, settings, seed=i, realisations=real)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    years = len(settings.years)
    rng = np.random.default_rng(1)
    shape = (args.draws, years, len(ELEMENTS))
    supply = rng.lognormal(0.0, 0.6, shape) * np.linspace(0, 1.5, years)[None, :, None]
    china = np.ones(shape)
    offset_times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        offset_answer(np.arange(2026, 2026 + years), ELEMENTS, supply[0], china[0], draws=(supply, china))
        offset_times.append(time.perf_counter() - t0)
    omed = statistics.median(offset_times)
    lines = [
        "# Supply model benchmark",
        "",
        (f"`project_supply` with {args.draws:,} Monte Carlo draws × {years} years × {len(ELEMENTS)} elements, "
        f"{args.blocks:,} blocks, {args.realisations} resource realisations, {len(PARAMS)} uncertain parameters, "
        "tornado and deterministic tables included."),
        "",
        "| runs | median (s) | min (s) | max (s) | target (s) |",
        "| --- | --- | --- | --- | --- |",
        f"| {args.runs} | {med:.2f} | {min(times):.2f} | {max(times):.2f} | 10 |",
        "",
        (f"Import-offset answer alone (`offset_answer`: coverage, sustained offset, P(offset by year), "
         f"P10/P50/P90 of the first sustained-offset year, weakest link) on {args.draws:,} draws × {years} years "
         f"× {len(ELEMENTS)} elements:"),
        "",
        "| runs | median (s) | min (s) | max (s) | target (s) |",
        "| --- | --- | --- | --- | --- |",
        f"| {args.runs} | {omed:.2f} | {min(offset_times):.2f} | {max(offset_times):.2f} | 5 |",
        "",
        (f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"numpy {np.__version__}. Result: P50 NPV {result.monte_carlo.loc['npv', 'p50'] / 1e9:.2f} bn "
        f"{settings.economics.currency}."),
        "",
        f"Command: `python benchmarks/bench_supply.py --draws {args.draws} --runs {args.runs}`",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
