"""Two runs of the same config, inputs and seed write the same bytes (issue 12, reproducibility).

The small project of the hostile-input corpus (Takaya box, 4 km grid, two realisations) is run
twice in subprocesses, each with the same command (``--out out``, the first result moved aside),
so that only what truly varies between runs can differ: the process id (in the staging and
scratch directory names), Python's string hashing (``PYTHONHASHSEED``, which changes the order in
which a Dask scheduler writes blocks), and the wall-clock time. The two runs are the session's
(conftest ``small_project_runs``); the signal tests start from the second.
"""

import json
from pathlib import Path

import pytest

from seabed.outputs.manifest import TIME_FIELDS, file_sha256

#: The manifest keys allowed to differ between the two runs: exactly the wall-clock times.
EXCLUDED = {"started_utc", "finished_utc"}


@pytest.fixture(scope="module")
def two_runs(small_project_runs):
    """The two runs of the session's small project (conftest ``small_project_runs``)."""
    _, first, second = small_project_runs
    return first, second


def _manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))


def test_excluded_keys_are_the_manifest_time_fields():
    assert set(TIME_FIELDS) == EXCLUDED


def test_manifests_are_identical_apart_from_times(two_runs):
    a, b = (_manifest(r) for r in two_runs)
    assert a.keys() >= EXCLUDED
    assert {k: v for k, v in a.items() if k not in EXCLUDED} == {k: v for k, v in b.items() if k not in EXCLUDED}


def test_every_output_is_byte_stable(two_runs):
    a, b = two_runs
    files = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file())
    outputs = _manifest(a)["outputs"]
    assert sorted(outputs) == [f for f in files if f != "manifest.json"]
    for name in outputs:
        assert file_sha256(a / name) == file_sha256(b / name) == outputs[name], name
    assert {"block_model.nc", "seabed.gpkg", "report.html"} <= outputs.keys()


def test_no_wall_clock_time_or_staging_path_in_the_outputs(two_runs):
    import sqlite3

    a, _ = two_runs
    con = sqlite3.connect(a / "seabed.gpkg")
    try:
        stamps = {row[0] for row in con.execute("SELECT last_change FROM gpkg_contents")}
    finally:
        con.close()
    assert stamps == {"1970-01-01T00:00:00.000Z"}
    for name in _manifest(a)["outputs"]:
        assert b".partial-" not in (a / name).read_bytes(), name
