"""Benchmark of whole runs: wall time, time per stage and peak memory of ``seabed run``.

Cases (``--cases``, default all):

- ``default``: ``make run``'s job, ``seabed run configs/minamitorishima.toml`` (Dask threads);
- ``default-cluster``: the same on a 2-worker ``distributed.LocalCluster`` started here
  (``--scheduler tcp://…``; one thread per worker);
- ``default-warm-cluster``: the same cluster's second run, after a first one (untimed) has
  imported seabed and loaded its kernels on the workers, as a long-lived cluster would have;
- ``simulation``: 100 realisations of the Takaya box at 250 m × 10 layers × 15 elements
  (:func:`bench_simulation.run_once`, Dask threads ×2);
- ``eez``: ``seabed run configs/minamitorishima_eez.toml`` (whole EEZ, 431k cells, 600 cores);
- ``eez-cluster``: the same on the 2-worker ``LocalCluster``;
- ``eez-estimate``: ``seabed estimate`` of the whole EEZ (every stage but supply).

Each repeat runs in a fresh process; its peak memory is that process's ``ru_maxrss`` (the
``seabed run`` subprocess for the run cases; for the cluster cases the client process only —
the workers' memory is not included). Stage times are the CLI's own (``stage k/n … done in``,
on stdout).
Medians over ``--repeat`` runs.

Usage::

    python benchmarks/bench_runs.py                       # every case, writes results/runs.md
    python benchmarks/bench_runs.py --cases default --repeat 3 --no-report
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORT = HERE / "results" / "runs.md"
STORE = HERE / "results" / "runs.json"  # every case's last measurement: the report shows them all
CONFIGS = {"default": "configs/minamitorishima.toml", "eez": "configs/minamitorishima_eez.toml"}
CASES = ("default", "default-cluster", "default-warm-cluster", "simulation", "eez", "eez-cluster", "eez-estimate")
#: Goals of issue 18: wall time [s] and peak memory [GiB] (None: no memory goal).
GOALS = {"default": (15.0, None), "simulation": (30.0, None), "eez": (90.0, 2.0)}
STAGE = re.compile(r"stage \d+/\d+ (\w+) done in ([\d.]+) s")


def _seabed_run(config: str, out: Path, scheduler: str | None, command: str = "run") -> dict:
    """One ``seabed run`` (or ``estimate``) in a subprocess: wall time, stage times, peak memory."""
    cmd = [sys.executable, "-m", "seabed", command, config, "--out", str(out), "--overwrite"]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # a warm-up run may have come first
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    stages = {m.group(1): float(m.group(2)) for m in STAGE.finditer(proc.stdout)}  # the CLI's stage lines
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = use.ru_utime + use.ru_stime - before.ru_utime - before.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "stages": stages, "peak_bytes": use.ru_maxrss * 1024,
            "warnings": _warnings(proc.stderr + proc.stdout)}


def _warnings(stderr: str) -> list[str]:
    return sorted({ln.strip()[:120] for ln in stderr.splitlines() if "Sending large graph" in ln or "Warning" in ln})


def child(case: str) -> dict:
    """Run one repeat of ``case`` in this (fresh) process."""
    if case == "simulation":
        sys.path.insert(0, str(HERE))
        from bench_simulation import run_once

        t0 = time.perf_counter()
        r = run_once(100, 2)
        wall = time.perf_counter() - t0
        use = resource.getrusage(resource.RUSAGE_SELF)
        return {"wall_s": wall, "cpu_s": use.ru_utime + use.ru_stime,
                "stages": {"prepare": r["prepare_s"], "realisations": r["realisations_s"]},
                "peak_bytes": use.ru_maxrss * 1024, "warnings": []}
    config = CONFIGS[case.split("-")[0]]
    with tempfile.TemporaryDirectory(prefix="bench_runs_") as tmp:
        if case.endswith("-estimate"):  # inputs, estimation, resource and outputs: no supply stage
            return _seabed_run(config, Path(tmp) / "run", None, command="estimate")
        if case.endswith("-cluster"):
            from distributed import Client, LocalCluster

            with (LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
                  Client(cluster)):
                if case.endswith("-warm-cluster"):  # a first run imports seabed and its kernels on the workers
                    _seabed_run(config, Path(tmp) / "warm-up", cluster.scheduler_address)
                return _seabed_run(config, Path(tmp) / "run", cluster.scheduler_address)
        return _seabed_run(config, Path(tmp) / "run", None)


def measure(case: str, repeat: int) -> list[dict]:
    runs = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, __file__, "--child", case], cwd=ROOT, capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"case {case} failed:\n{proc.stderr[-3000:]}")
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  {case}: {runs[-1]['wall_s']:.1f} s, {runs[-1]['peak_bytes'] / 2**30:.2f} GiB", flush=True)
    return runs


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def report(results: dict[str, list[dict]]) -> str:
    gib = 2**30
    lines = [
        "# Whole runs",
        "",
        (f"Generated by `python benchmarks/bench_runs.py` on {platform.machine()}, {os.cpu_count()} cores "
        f"(Python {platform.python_version()}); median of the fresh processes of each case (cases measured "
        "separately are kept in `results/runs.json`; `--cases` re-measures some). The machine "
        "was shared with other jobs while measuring, so wall times vary by ±30 % or more; CPU = user + system "
        "time of the process (for the cluster cases the client's only)."),
        "",
        "| case | runs | wall [s] | CPU [s] | peak memory [GiB] | goal (wall, memory) | stages [s] |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    names = {"default": "`make run` (default config, threads ×2)",
             "default-cluster": "`make run` on a 2-worker LocalCluster started for the run",
             "default-warm-cluster": "the same, the cluster's second run (workers have imported seabed)",
             "simulation": "100 realisations, Takaya box 250 m × 10 layers × 15 elements",
             "eez": "whole EEZ (`minamitorishima_eez.toml`), threads ×2",
             "eez-cluster": "whole EEZ on a 2-worker LocalCluster",
             "eez-estimate": "whole EEZ without the supply stage (`seabed estimate`), threads ×2"}
    for case in CASES:
        if case not in results:
            continue
        runs = results[case]
        wall = _median(runs, "wall_s")
        peak = _median(runs, "peak_bytes") / gib
        base = case.removesuffix("-cluster").removesuffix("-warm")
        if case.endswith("-cluster") and base in results:
            ratio = wall / _median(results[base], "wall_s")
            goal = f"≤ 1.3 × threads: {ratio:.2f} × {'✓' if ratio <= 1.3 else '✗'}"
            peak_s = f"{peak:.2f} (client only)"
        elif base in GOALS:
            t_goal, m_goal = GOALS[base]
            ok = wall <= t_goal and (m_goal is None or peak <= m_goal)
            goal = f"≤ {t_goal:g} s" + (f", ≤ {m_goal:g} GiB" if m_goal else "") + (" ✓" if ok else " ✗")
            peak_s = f"{peak:.2f}"
        else:
            goal, peak_s = "", f"{peak:.2f}"
        stages = runs[0]["stages"]
        keys = list(stages)
        st = ", ".join(f"{k} {statistics.median(r['stages'].get(k, float('nan')) for r in runs):.1f}" for k in keys)
        cpu = _median(runs, "cpu_s")
        lines.append(f"| {names[case]} | {len(runs)} | {wall:.1f} | {cpu:.1f} | {peak_s} | {goal} | {st} |")
    warn = sorted({w for runs in results.values() for r in runs for w in r["warnings"]})
    lines += ["", "Warnings printed by the runs: " + ("; ".join(f"`{w}`" for w in warn) if warn else "none") + "."]
    lines += ["", "Command: `python benchmarks/bench_runs.py --cases default default-cluster default-warm-cluster simulation --repeat 3`, then `--cases eez` (one run: ~7 min)", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-report", action="store_true")
    ap.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    stored = json.loads(STORE.read_text(encoding="utf-8")) if STORE.is_file() and not args.no_report else {}
    results = {case: measure(case, args.repeat) for case in args.cases}
    if not args.no_report:
        stored.update({case: {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": runs}
                       for case, runs in results.items()})
        STORE.write_text(json.dumps(stored, indent=1), encoding="utf-8")
        results = {case: v["runs"] for case, v in stored.items()}
    text = report(results)
    print(text)
    if not args.no_report:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
