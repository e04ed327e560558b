"""benchmarks/compare_runs.py finds every difference between two output directories, and only those."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from compare_runs import compare_runs, main


def _run(root: Path, *, grade=964.0, started="2026-01-01T00:00:00+00:00", extra=False) -> Path:
    (root / "tables").mkdir(parents=True)
    pd.DataFrame({"item": ["TREO", "REY"], "t": [28.2e6, grade]}).to_csv(root / "tables" / "t.csv", index=False)
    np.savez(root / "tables" / "r.npz", grades_ppm=np.arange(6.0).reshape(2, 3), elements=np.array(["Y", "La", "Nd"]))
    xr.Dataset({"grade": (("y", "x"), np.full((2, 2), grade))}).to_netcdf(root / "bm.nc")
    (root / "summary.json").write_text(json.dumps({"mean": {"value": grade, "units": "ppm"}}))
    (root / "manifest.json").write_text(json.dumps({"seed": 1, "started_utc": started, "outputs": {}}))
    if extra:
        (root / "notes.txt").write_text("x")
    return root


def test_identical_runs_agree_apart_from_times(tmp_path):
    a = _run(tmp_path / "a")
    b = _run(tmp_path / "b", started="2026-12-02T01:00:00+00:00")
    assert compare_runs(a, b) == []
    assert main([str(a), str(b)]) == 0


def test_every_kind_of_difference_is_reported(tmp_path):
    a = _run(tmp_path / "a")
    b = _run(tmp_path / "b", grade=965.0, extra=True)
    diffs = compare_runs(a, b)
    assert any(d.startswith("tables/t.csv: column 't'") for d in diffs)
    assert any(d.startswith("bm.nc: variable 'grade'") for d in diffs)
    assert any(d.startswith("summary.json: .mean.value: 964.0 != 965.0") for d in diffs)
    assert "notes.txt: only in after" in diffs
    assert not any(d.startswith("tables/r.npz") for d in diffs)
    assert compare_runs(a, b, rtol=1e-2) == ["notes.txt: only in after"]


def test_npz_arrays_of_names_compare_exactly(tmp_path):
    a, b = _run(tmp_path / "a"), _run(tmp_path / "b")
    np.savez(b / "tables" / "r.npz", grades_ppm=np.arange(6.0).reshape(2, 3), elements=np.array(["Y", "La", "Sm"]))
    assert compare_runs(a, b) == ["tables/r.npz: array 'elements' differs"]
