"""Command line of the demo-data tool: regenerate the SYNTHETIC demo core tables.

``python -m seabed.demo [--grids DIR] [--out DIR] [--only NAME ...]`` rewrites
``data/cores/*.csv`` (:data:`seabed.demo.catalogue.DEMOS`) from their fixed seeds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from seabed.demo.catalogue import DEMOS, write_demo_files
from seabed.errors import InputDataError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m seabed.demo [--grids DIR] [--out DIR] [--only NAME ...]``; exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m seabed.demo",
        description="Regenerate the SYNTHETIC demo core tables (data/cores/*.csv) from fixed seeds.",
    )
    parser.add_argument("--grids", default="grids", help="folder with <site>_bathymetry.nc (default: grids)")
    parser.add_argument("--out", default="data/cores", help="output folder (default: data/cores)")
    parser.add_argument("--only", nargs="+", choices=sorted(DEMOS), help="generate only these files")
    args = parser.parse_args(argv)
    try:
        paths = write_demo_files(args.out, grids_dir=args.grids, names=args.only)
    except InputDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
