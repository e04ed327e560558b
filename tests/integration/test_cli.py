"""The command line as a user meets it: real subprocesses in a temp dir, outputs reopened."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))


def seabed(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "seabed", *map(str, args)], check=False, capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=600)


def test_version_and_help():
    r = seabed("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("seabed ")
    r = seabed("run", "--help")
    assert r.returncode == 0
    assert "example" in r.stdout


def test_sites_lists_configs_and_grids():
    r = seabed("sites")
    assert r.returncode == 0
    for c in CONFIGS:
        assert c.name in r.stdout
    assert "minamitorishima_bathymetry.nc" in r.stdout


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_check_shipped_configs(config):
    r = seabed("check", config)
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout


def _copy_config(tmp_path, name="takaya2018_box.toml"):
    """A copy of a shipped config in tmp_path with absolute input paths."""
    text = (ROOT / "configs" / name).read_text()
    text = text.replace('"../', f'"{ROOT}/')
    p = tmp_path / name
    p.write_text(text)
    return p


def _assert_user_error(r, *fragments):
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def test_check_reports_a_bad_config_in_one_line(tmp_path):
    p = _copy_config(tmp_path)
    p.write_text(p.read_text().replace('cell_size = "1 km"', "cell_size = 1000"))
    _assert_user_error(seabed("check", p), str(p), "grid.cell_size", "1000", "fix")


def test_check_missing_config():
    _assert_user_error(seabed("check", "configs/nope.toml"), "nope.toml", "not found")


def test_check_reports_bad_cores_in_one_line(tmp_path):
    p = _copy_config(tmp_path)
    cores = (ROOT / "data" / "cores" / "minamitorishima_demo.csv").read_text().splitlines()
    header_end = next(i for i, ln in enumerate(cores) if not ln.startswith("#"))
    cols = cores[header_end].split(",")
    j = cols.index("top_mbsf")
    row = cores[header_end + 3].split(",")
    row[j] = "99"
    cores[header_end + 3] = ",".join(row)
    bad = tmp_path / "bad_cores.csv"
    bad.write_text("\n".join(cores) + "\n")
    p.write_text(p.read_text().replace(f'"{ROOT}/data/cores/minamitorishima_demo.csv"', f'"{bad}"'))
    _assert_user_error(seabed("check", p), "bad_cores.csv", "top_mbsf")


def test_run_writes_summary_map_and_manifest(takaya_run):
    summary = json.loads((takaya_run / "summary.json").read_text())
    inputs = summary["inputs"]
    assert inputs["synthetic_cores"] is True
    assert inputs["cores"]["n_cores"] >= 20
    assert inputs["areas_km2"]["takaya_box"] == pytest.approx(3172.4, rel=0.005)
    assert inputs["areas_km2"]["eez"] == pytest.approx(3.14159 * 370.4**2, rel=0.005)
    assert 5000 < inputs["water_depth_m"]["grid_min"] < inputs["water_depth_m"]["grid_max"] < 6000
    assert (takaya_run / "figures" / "map_cores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_manifest_hashes_inputs_and_outputs(takaya_run):
    from seabed.outputs.manifest import file_sha256

    m = json.loads((takaya_run / "manifest.json").read_text())
    assert m["seed"] == m["config"]["seed"]
    assert m["inputs_sha256"]["cores"] == file_sha256(ROOT / "data" / "cores" / "minamitorishima_demo.csv")
    for name, digest in m["outputs"].items():
        assert file_sha256(takaya_run / name) == digest
    assert m["versions"]["numpy"]


def test_run_refuses_existing_directory_without_overwrite(takaya_run, tmp_path):
    out = tmp_path / "exists"
    shutil.copytree(takaya_run, out)
    _assert_user_error(seabed("run", ROOT / "configs" / "takaya2018_box.toml", "--out", out), "exists", "--overwrite")


def test_failed_run_leaves_no_partial_output(tmp_path):
    p = _copy_config(tmp_path)
    p.write_text(p.read_text().replace("minamitorishima_demo.csv", "missing.csv"))
    out = tmp_path / "out"
    _assert_user_error(seabed("run", p, "--out", out), "missing.csv")
    assert not out.exists()
    assert not [q for q in tmp_path.iterdir() if q.name.startswith(".out")]


@pytest.mark.parametrize("args", [["-q", "check"], ["check", "-q"]], ids=["global", "after-command"])
def test_quiet_flag_in_either_position(args):
    r = seabed(*args[:1], *args[1:], ROOT / "configs" / "takaya2018_box.toml")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize(("command", "supply"), [("run", True), ("estimate", False)])
def test_run_and_estimate_call_the_library_run(command, supply, monkeypatch, tmp_path, capsys):
    """``seabed estimate`` is the library's run without the supply stage (its outputs are tested on
    the session's library run, ``library_estimate``); in-process, with the run itself replaced."""
    from types import SimpleNamespace

    import seabed.pipeline
    from seabed.cli import main

    calls = []

    def fake_run(cfg, **kwargs):
        calls.append(kwargs)
        return SimpleNamespace(outputs=["summary.json"], out_dir=kwargs["out"], headlines=["a headline"])

    monkeypatch.setattr(seabed.pipeline, "run", fake_run)
    out = tmp_path / "o"
    assert main([command, str(ROOT / "configs" / "takaya2018_box.toml"), "--out", str(out)]) == 0
    assert len(calls) == 1
    assert calls[0]["supply"] is supply
    assert calls[0]["out"] == out
    assert "a headline" in capsys.readouterr().out


@pytest.mark.parametrize(("flags", "expect_lines"), [([], True), (["-q"], False)], ids=["default", "quiet"])
def test_stage_lines_without_terminal(flags, expect_lines, monkeypatch, tmp_path, capsys):
    """Without a terminal the CLI prints one line per finished stage, with its duration, on stdout
    (stderr stays for errors); ``-q`` silences them. In-process, with the run replaced by its stages."""
    from types import SimpleNamespace

    import seabed.pipeline
    from seabed.cli import main
    from seabed.progress import StageProgress

    def fake_run(cfg, **kwargs):
        with StageProgress(["inputs", "estimation"], enabled=kwargs["progress"]) as bar:
            for name in bar.stages:
                with bar.stage(name):
                    pass
        return SimpleNamespace(outputs=[], out_dir=kwargs["out"], headlines=[])

    monkeypatch.setattr(seabed.pipeline, "run", fake_run)
    assert main([*flags, "run", str(ROOT / "configs" / "takaya2018_box.toml"), "--out", str(tmp_path / "o")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    stage_lines = [ln for ln in out.splitlines() if ln.startswith("seabed: stage ")]
    if expect_lines:
        assert [ln.split(" done in ")[0] for ln in stage_lines] == ["seabed: stage 1/2 inputs",
                                                                    "seabed: stage 2/2 estimation"]
        assert all(ln.endswith(" s") for ln in stage_lines)
    else:
        assert out == ""
