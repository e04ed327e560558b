"""Compare two seabed output directories value by value (before/after a refactor, or a rerun).

    python benchmarks/compare_runs.py out/before out/after [--rtol 0]

Every file of either run is compared: CSV tables (cell by cell, numbers within ``rtol``),
``.npz`` arrays, NetCDF variables and their attributes, JSON (``summary.json`` number by
number; ``manifest.json`` without times, versions, paths and output hashes), and any other file
byte for byte (PNG, GeoTIFF, GeoPackage, HTML). Prints one line per difference and exits 1 if
there is any, 0 if the runs agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

# Manifest keys that differ between any two runs by design (or name the run's own files).
MANIFEST_VOLATILE = {"started_utc", "finished_utc", "versions", "command", "config_path", "outputs",
                     "recovered_before_run", "seabed_version"}


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _close(a, b, rtol: float) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return bool(np.isclose(a, b, rtol=rtol, atol=0.0, equal_nan=True))
    return a == b


def _json_diff(a, b, path: str, rtol: float, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'after' if k not in a else 'before'}")
            else:
                _json_diff(a[k], b[k], f"{path}.{k}", rtol, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _json_diff(x, y, f"{path}[{i}]", rtol, out)
    elif not _close(a, b, rtol):
        out.append(f"{path}: {a!r} != {b!r}")


def _csv_diff(pa: Path, pb: Path, rtol: float) -> list[str]:
    import pandas as pd

    a, b = pd.read_csv(pa), pd.read_csv(pb)
    if list(a.columns) != list(b.columns) or a.shape != b.shape:
        return [f"columns/shape {list(a.columns)} {a.shape} != {list(b.columns)} {b.shape}"]
    out = []
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind in "fiu" and y.dtype.kind in "fiu":
            bad = ~np.isclose(x.astype(float), y.astype(float), rtol=rtol, atol=0.0, equal_nan=True)
        else:
            bad = x.astype(str) != y.astype(str)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            out.append(f"column {c!r}: {int(bad.sum())} cell(s) differ, first row {i}: {x[i]!r} != {y[i]!r}")
    return out


def _npz_diff(pa: Path, pb: Path, rtol: float) -> list[str]:
    with np.load(pa) as a, np.load(pb) as b:
        if sorted(a.files) != sorted(b.files):
            return [f"arrays {sorted(a.files)} != {sorted(b.files)}"]
        return [f"array {k!r} differs" for k in a.files if not _arrays_equal(a[k], b[k], rtol)]


def _arrays_equal(x: np.ndarray, y: np.ndarray, rtol: float) -> bool:
    """Same shape and values: numbers within ``rtol`` (NaN equal), anything else (e.g. element names) exactly."""
    if x.shape != y.shape:
        return False
    if x.dtype.kind in "fiub" and y.dtype.kind in "fiub":
        return bool(np.allclose(x, y, rtol=rtol, atol=0.0, equal_nan=True))
    return bool(np.array_equal(x, y))


def _netcdf_diff(pa: Path, pb: Path, rtol: float) -> list[str]:
    import xarray as xr

    out = []
    with xr.open_dataset(pa, mask_and_scale=False) as a, xr.open_dataset(pb, mask_and_scale=False) as b:
        names = sorted(set(a.variables) | set(b.variables))
        for n in names:
            if n not in a.variables or n not in b.variables:
                out.append(f"variable {n!r} only in {'after' if n not in a.variables else 'before'}")
                continue
            x, y = a[n].transpose(*sorted(a[n].dims)), b[n].transpose(*sorted(b[n].dims))
            if x.shape != y.shape:
                out.append(f"variable {n!r}: shape {x.shape} != {y.shape}")
            elif x.dtype.kind in "fiu":
                if not np.allclose(x.values, y.values, rtol=rtol, atol=0.0, equal_nan=True):
                    out.append(f"variable {n!r}: values differ")
            elif not np.array_equal(x.values, y.values):
                out.append(f"variable {n!r}: values differ")
            if {k: str(v) for k, v in x.attrs.items()} != {k: str(v) for k, v in y.attrs.items()}:
                out.append(f"variable {n!r}: attributes differ")
        if {k: str(v) for k, v in a.attrs.items()} != {k: str(v) for k, v in b.attrs.items()}:
            out.append("global attributes differ")
    return out


def compare_runs(before: Path, after: Path, *, rtol: float = 0.0) -> list[str]:
    """Every difference between two output directories, one line each (empty: they agree)."""
    fa, fb = _files(before), _files(after)
    out = [f"{f}: only in {'before' if f in fa else 'after'}" for f in sorted(fa ^ fb)]
    for f in sorted(fa & fb):
        pa, pb = before / f, after / f
        if pa.read_bytes() == pb.read_bytes():
            continue
        if f.endswith(".csv"):
            diffs = _csv_diff(pa, pb, rtol)
        elif f.endswith(".npz"):
            diffs = _npz_diff(pa, pb, rtol)
        elif f.endswith(".nc"):
            diffs = _netcdf_diff(pa, pb, rtol)
        elif f.endswith(".json"):
            a, b = json.loads(pa.read_text()), json.loads(pb.read_text())
            if f == "manifest.json":
                a = {k: v for k, v in a.items() if k not in MANIFEST_VOLATILE}
                b = {k: v for k, v in b.items() if k not in MANIFEST_VOLATILE}
            diffs = []
            _json_diff(a, b, "", rtol, diffs)
        else:
            diffs = ["bytes differ"]
        out += [f"{f}: {d}" for d in diffs]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rtol", type=float, default=0.0, help="relative tolerance for numbers (default exact)")
    args = parser.parse_args(argv)
    diffs = compare_runs(args.before, args.after, rtol=args.rtol)
    for line in diffs:
        print(line)
    print(f"{len(diffs)} difference(s) between {args.before} and {args.after}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
