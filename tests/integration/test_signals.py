"""A run stopped by SIGTERM or SIGKILL at any point loses nothing and leaves nothing behind.

One project, a sequence of real subprocess runs into the same ``out``: a first run that
completes (the previous output), then runs stopped by SIGTERM during the estimation and
during the output stage, one killed by SIGKILL during the estimation, and a last run that
completes. After each stopped run the previous output must be intact; after the last, no
staging or scratch directory may be left, and the last run must say what it cleaned. The first
completed run is the session's (conftest ``small_project_runs``, copied).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from harness import Project


def _start(project: Project) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "seabed", "-q", "run", project.config, "--out", "out",
                             "--overwrite"], cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(proc: subprocess.Popen, found, timeout: float = 300.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if found():
            return
        assert proc.poll() is None, f"the run ended before the point to stop it: {proc.communicate()}"
        time.sleep(0.05)
    proc.kill()
    proc.communicate()
    pytest.fail("the run never reached the point to stop it")


def _hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


def _outputs(root: Path) -> dict:
    return json.loads((root / "out" / "manifest.json").read_text())["outputs"]


@pytest.fixture(scope="module")
def project(small_project_runs) -> Project:
    """The session's small project, its completed second run copied to ``out`` (the previous output)."""
    p, _, second = small_project_runs
    shutil.copytree(second, p.root / "out")
    return p


def _stage_reached(project: Project, proc: subprocess.Popen, stage: str):
    staging = project.root / f".out.partial-{proc.pid}"
    scratch = project.root / f".out.scratch-{proc.pid}"
    if stage == "estimation":
        return lambda: scratch.is_dir()
    return lambda: (staging / "block_model.nc").exists()


@pytest.mark.parametrize("stage", ["estimation", "outputs"])
def test_sigterm_unwinds_and_keeps_the_previous_output(project, stage):
    before = _outputs(project.root)
    proc = _start(project)
    _wait_for(proc, _stage_reached(project, proc, stage))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, (proc.returncode, err)
    assert err.strip().splitlines() == ["seabed: stopped by signal SIGTERM; no partial outputs were left"]
    assert _hidden(project.root) == []
    assert _outputs(project.root) == before


def test_sigkill_leftovers_are_removed_by_the_next_run(project):
    before = _outputs(project.root)
    proc = _start(project)
    _wait_for(proc, _stage_reached(project, proc, "estimation"))
    proc.kill()
    proc.communicate(timeout=60)  # reaps it and closes its pipes
    left = _hidden(project.root)
    assert f".out.partial-{proc.pid}" in left
    assert f".out.scratch-{proc.pid}" in left
    assert _outputs(project.root) == before  # the previous output survives a kill

    r = subprocess.run([sys.executable, "-m", "seabed", "run", project.config, "--out", "out", "--overwrite"],
                       cwd=project.root, capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    assert _hidden(project.root) == []
    assert f"removed stale staging directory {project.root / f'.out.partial-{proc.pid}'}" in r.stderr
    manifest = json.loads((project.root / "out" / "manifest.json").read_text())
    assert len(manifest["recovered_before_run"]) == 2
    assert (project.root / "notes.txt").read_text() == "my notes\n"
