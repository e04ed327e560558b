import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_seabed(*args, cwd=None):
    """Run the CLI in a subprocess exactly as a user would."""
    return subprocess.run([sys.executable, "-m", "seabed", *map(str, args)], check=False, capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=900)


@pytest.fixture(scope="session")
def takaya_run(tmp_path_factory):
    """One full CLI run of the Takaya-box config (with lon/lat GeoTIFFs), shared by the output tests."""
    out = tmp_path_factory.mktemp("runs") / "takaya"
    r = run_seabed("run", ROOT / "configs" / "takaya2018_box.toml", "--out", out, "--crs", "EPSG:4326")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def cli():
    """The CLI runner (subprocess)."""
    return run_seabed
