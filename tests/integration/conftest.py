"""The runs the integration tests share: each full run is made once per session.

- ``takaya_run``: one full CLI run of the Takaya-box config (with lon/lat GeoTIFFs);
- ``library_estimate``: the same config through the library, without the supply stage (what
  ``seabed estimate`` runs), compared with the CLI run and used as the saved resource of
  ``seabed supply`` and ``seabed report``;
- ``small_project_runs``: two runs of the hostile corpus's small project (4 km grid, two
  realisations) with different hash seeds, for the reproducibility tests; the signal tests
  start from the second one's output.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

sys.path.insert(0, str(ROOT / "tests" / "hostile"))
from harness import Project


def run_seabed(*args, cwd=None, env=None):
    """Run the CLI in a subprocess exactly as a user would."""
    return subprocess.run([sys.executable, "-m", "seabed", *map(str, args)], check=False, capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=900)


@pytest.fixture(scope="session")
def takaya_run(tmp_path_factory):
    """One full CLI run of the Takaya-box config (with lon/lat GeoTIFFs), shared by the output tests."""
    out = tmp_path_factory.mktemp("runs") / "takaya"
    r = run_seabed("run", ROOT / "configs" / "takaya2018_box.toml", "--out", out, "--crs", "EPSG:4326")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def library_estimate(tmp_path_factory):
    """The Takaya-box config run through the library with ``supply=False`` (``seabed estimate``).

    Returns the :class:`seabed.results.RunResult`; its ``out_dir`` is the saved resource.
    """
    import seabed
    from seabed.pipeline import run

    cfg = seabed.load_config(ROOT / "configs" / "takaya2018_box.toml")
    return run(cfg, out=tmp_path_factory.mktemp("library") / "lib", supply=False)


def _project_run(project: Project, hash_seed: str) -> None:
    """``seabed run config.toml --out out --crs EPSG:4326`` in the project, with this ``PYTHONHASHSEED``."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    r = run_seabed("run", project.config, "--out", "out", "--crs", "EPSG:4326", cwd=project.root, env=env)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="session")
def small_project_runs(tmp_path_factory) -> tuple[Project, Path, Path]:
    """Two runs of the small project with the same command, each moved aside when done.

    Only what truly varies between runs can differ: the process id (in the staging and scratch
    directory names), Python's string hashing (``PYTHONHASHSEED``, which changes the order in
    which a Dask scheduler writes blocks), and the wall-clock time. Returns the project and the
    two output directories (``first``, ``second``); the project holds no ``out`` afterwards.
    """
    project = Project(tmp_path_factory.mktemp("small"))
    _project_run(project, "1")
    first = (project.root / "out").rename(project.root / "first")
    _project_run(project, "3")  # 1 and 3 gave two different block_model.nc layouts before the fix
    second = (project.root / "out").rename(project.root / "second")
    return project, first, second


@pytest.fixture(scope="session")
def cli():
    """The CLI runner (subprocess)."""
    return run_seabed
