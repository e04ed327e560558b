"""Run every benchmark, then assemble docs/performance.md from benchmarks/results/*.md.

Usage: ``python benchmarks/run_all.py [--assemble-only]``. Each benchmark script writes its own
results file (figures measured in that run, peers run in the same process on the same data).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORDER = ("runs", "profile", "kriging", "simulation", "supply", "scaling", "import")

HEADER = """# Performance

Speed is measured in benchmarks, not in timed tests. Each section below is written by the benchmark
script named in it, on this project's machine (2 cores, 24 GiB), with peers (PyKrige) run in the same
process on the same data. Regenerate everything with `make bench` (or
`python benchmarks/run_all.py`); `--assemble-only` just rebuilds this page from
`benchmarks/results/*.md`.

| benchmark | target | section below |
|---|---|---|
{rows}
"""


def assemble(rows: list[str]) -> str:
    parts = [HEADER.format(rows="\n".join(rows))]
    for name in ORDER:
        path = HERE / "results" / f"{name}.md"
        if path.is_file():
            text = path.read_text(encoding="utf-8").strip()
            parts.append("\n".join(("#" + ln) if ln.startswith("#") else ln for ln in text.splitlines()))
    return "\n\n".join(parts) + "\n"


SUMMARY_ROWS = [
    "| `make run`: the default config, whole run | ≤ 15 s (goal, issue 18) | Whole runs |",
    "| whole EEZ, full run (`minamitorishima_eez.toml`) | ≤ 90 s, ≤ 2 GiB (goal, issue 18) | Whole runs |",
    "| the same on a 2-worker LocalCluster (started for the run; its second run) | ≤ 1.3 × threads | Whole runs |",
    "| kriging: 2,000 samples, 200 × 200 cells, k = 32 | ≥ 3× PyKrige C | Kriging |",
    "| kriging: 2,000 samples, 1,000 × 1,000 cells | ≤ 1.5 s (≥ 10× PyKrige C) | Kriging |",
    "| kriging: same, 150 variables | ≤ 1.3× one variable, ≤ 1.5 GiB | Kriging |",
    "| kriging: 20,000 samples, 1,000 × 1,000 cells | ≤ 3 s (≥ 25× PyKrige C), ≤ 1 GiB | Kriging |",
    "| 100 realisations, Takaya box, 250 m × 10 layers × 15 elements | < 120 s; ≤ 30 s (goal, issue 18) | Conditional simulation, Whole runs |",
    "| supply Monte Carlo: 10,000 draws × 40 years × 16 elements | < 10 s | Supply |",
    "| import-offset answer: 10,000 draws × 40 years × 16 elements | < 5 s | Supply |",
    "| whole-EEZ estimation, 1 km, 15 × 10 variables, k = 32 | < 60 s, < 4 GiB | Scaling |",
    "| `seabed --version`, `seabed --help`; `import seabed` (median of 5 subprocesses) | < 0.3 s; < 1 s | Start-up time |",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--assemble-only", action="store_true")
    args = ap.parse_args()
    if not args.assemble_only:
        for name in ("bench_runs.py", "bench_kriging.py", "bench_simulation.py", "bench_supply.py",
                     "bench_scale.py", "bench_import.py"):
            script = HERE / name
            if script.is_file():
                print(f"running {name} ...", flush=True)
                subprocess.run([sys.executable, str(script)], check=True, cwd=ROOT)
    out = ROOT / "docs" / "performance.md"
    out.write_text(assemble(SUMMARY_ROWS), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
