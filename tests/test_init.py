"""``seabed init DIR``: a ready config with paths that work from anywhere; ``seabed check`` accepts it."""

import subprocess
import sys

import pytest

from seabed.cli import main
from seabed.errors import ConfigError
from seabed.project import init_project


def seabed(*args, cwd):
    return subprocess.run([sys.executable, "-m", "seabed", *map(str, args)], check=False, capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize("site", ["minamitorishima", "okinotorishima"])
def test_init_then_check_end_to_end(tmp_path, site):
    project = tmp_path / "deep" / "project"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = seabed("init", project, "--site", site, cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    config = project / "config.toml"
    assert config.is_file()
    assert f"next: seabed run {config}" in r.stdout
    assert f'site = "{site}"' in config.read_text()
    r = seabed("check", config, cwd=elsewhere)  # from a third folder: the paths do not depend on the cwd
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout


def test_init_refuses_a_folder_with_a_config(tmp_path, capsys):
    (tmp_path / "config.toml").write_text("# mine\n")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "a config already exists" in err[0]
    assert (tmp_path / "config.toml").read_text() == "# mine\n"


def test_init_refuses_unknown_site_and_file(tmp_path):
    with pytest.raises(ConfigError, match="expected one of minamitorishima, okinotorishima"):
        init_project(tmp_path, site="atlantis")
    (tmp_path / "f").write_text("")
    with pytest.raises(ConfigError, match="is a file"):
        init_project(tmp_path / "f")


def test_missing_input_names_the_config_folder(tmp_path):
    """A shipped config copied elsewhere: its ../ paths point nowhere, and the error says why."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    copy = tmp_path / "copied.toml"
    copy.write_text((root / "configs" / "takaya2018_box.toml").read_text())
    r = seabed("check", copy, cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    for fragment in ("file not found", "relative paths in a config are read from the config file's folder",
                     str(tmp_path), "seabed init"):
        assert fragment in lines[0], lines[0]
