"""The staging and scratch directories of a run: nothing half-written, nothing left behind."""

from __future__ import annotations

import pytest

from seabed.errors import OutputError
from seabed.outputs.rundir import RunDirectory


def test_commit_publishes_outputs_and_removes_scratch(tmp_path):
    target = tmp_path / "run"
    with RunDirectory(target) as rundir:
        rundir.write_json("summary.json", {"a": 1})
        (rundir.scratch / "estimates.nc").write_bytes(b"x" * 10)
        scratch = rundir.scratch
        assert scratch.exists()
        assert not scratch.is_relative_to(rundir.staging)  # never part of the outputs
        rundir.commit()
    assert (target / "summary.json").exists()
    assert not scratch.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def _failing_run(target):
    with RunDirectory(target) as rundir:
        (rundir.scratch / "estimates.nc").write_bytes(b"x")
        rundir.write_json("summary.json", {})
        raise RuntimeError("stage failed")


def test_failure_removes_staging_and_scratch(tmp_path):
    with pytest.raises(RuntimeError, match="stage failed"):
        _failing_run(tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_existing_target_needs_overwrite(tmp_path):
    (tmp_path / "run").mkdir()
    with pytest.raises(OutputError, match="--overwrite"):
        RunDirectory(tmp_path / "run")
