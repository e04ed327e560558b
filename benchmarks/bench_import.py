"""Benchmark of start-up time: ``import seabed`` and ``seabed --version`` / ``seabed --help``.

Targets (issue 13): ``seabed --version`` and ``seabed --help`` under 0.3 s, ``import seabed`` under
1 s. Each figure is the median wall time of 5 fresh subprocesses (the interpreter's own start-up
included); ``python -X importtime`` then names the slowest imports of ``import seabed``.
Writes ``benchmarks/results/import.md``.

Run: ``python benchmarks/bench_import.py [--runs K]``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: (label, command, target in s)
CASES = (
    ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"], None),
    ("import seabed", [sys.executable, "-c", "import seabed"], 1.0),
    ("seabed --version", [sys.executable, "-m", "seabed", "--version"], 0.3),
    ("seabed --help", [sys.executable, "-m", "seabed", "--help"], 0.3),
    ("seabed run --help", [sys.executable, "-m", "seabed", "run", "--help"], 0.3),
)


def median_seconds(cmd: list[str], runs: int) -> float:
    """Median wall time of ``runs`` fresh subprocesses of ``cmd``, s."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def slowest_imports(n: int = 8) -> list[tuple[str, float]]:
    """The ``n`` imports of ``import seabed`` with the largest cumulative time (``-X importtime``), s."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-c", "import seabed"], check=True, cwd=ROOT,
                       capture_output=True, text=True)
    rows = []
    for line in r.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue  # the header line, or anything else on stderr
        rows.append((parts[2].strip(), int(parts[1]) / 1e6))
    return sorted(rows, key=lambda row: -row[1])[:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    lines = ["# Start-up time", "",
             (f"Median of {args.runs} fresh subprocesses each, on {platform.node()} (Python "
              f"{platform.python_version()}); `python benchmarks/bench_import.py`."), "",
             "| command | median [s] | target [s] | ok |", "|---|---|---|---|"]
    for label, cmd, target in CASES:
        t = median_seconds(cmd, args.runs)
        ok = "" if target is None else ("yes" if t < target else "NO")
        print(f"{label:45s} {t:6.3f} s" + (f"  (target < {target} s: {ok})" if target else ""), flush=True)
        lines.append(f"| `{label}` | {t:.3f} | {'' if target is None else f'< {target}'} | {ok} |")
    lines += ["", "Slowest imports of `import seabed` (`python -X importtime`, cumulative):", "",
              "| module | cumulative [s] |", "|---|---|"]
    for name, t in slowest_imports():
        print(f"  {name:43s} {t:6.3f} s")
        lines.append(f"| `{name}` | {t:.3f} |")
    out = HERE / "results" / "import.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
