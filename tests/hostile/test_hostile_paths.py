"""Hostile corpus: output paths, command-line options, and inputs the estimation cannot use.

Every case is refused before anything is computed or written: exit 2, one line, and the
project folder (config, cores, notes) exactly as it was.
"""

from __future__ import annotations

import json

import pytest
from harness import Project, assert_user_error


def _snapshot(project: Project) -> dict[str, bytes]:
    return {str(p.relative_to(project.root)): p.read_bytes() for p in sorted(project.root.rglob("*")) if p.is_file()}


def _fake_output(project: Project, name: str, extra: dict[str, str] | None = None) -> None:
    d = project.root / name
    d.mkdir()
    (d / "summary.json").write_text("{}")
    (d / "manifest.json").write_text(json.dumps({"seabed_version": "0", "outputs": {"summary.json": "x"}}))
    for f, text in (extra or {}).items():
        (d / f).write_text(text)


def _move_cores_into(project: Project, folder: str) -> None:
    (project.root / folder).mkdir()
    project.cores.rename(project.root / folder / "cores.csv")
    project.replace('"cores.csv"', f'"{folder}/cores.csv"')


# (id, setup(project), CLI arguments after `seabed`, message fragments)
CASES = [
    pytest.param(None, ["estimate", "config.toml", "--out", ".", "--overwrite"], ("current directory",),
                 id="out-is-cwd"),
    pytest.param(None, ["run", "config.toml", "--out", "..", "--overwrite"], ("current directory",),
                 id="out-is-parent-of-cwd"),
    pytest.param(None, ["run", "config.toml", "--out", "notes.txt", "--overwrite"], ("existing file",),
                 id="out-is-a-file-with-overwrite"),
    pytest.param(None, ["run", "config.toml", "--out", "notes.txt"], ("exists", "--overwrite"),
                 id="out-is-a-file"),
    pytest.param(lambda p: (p.root / "sub").mkdir() or (p.root / "sub" / "a.txt").write_text("a"),
                 ["run", "config.toml", "--out", "sub", "--overwrite"], ("no seabed manifest",),
                 id="out-is-a-foreign-directory"),
    pytest.param(lambda p: _fake_output(p, "old", {"mine.txt": "keep"}),
                 ["run", "config.toml", "--out", "old", "--overwrite"], ("mine.txt", "did not write"),
                 id="out-holds-a-foreign-file"),
    pytest.param(lambda p: _move_cores_into(p, "inputs"),
                 ["run", "config.toml", "--out", "inputs", "--overwrite"], ("holds the input",),
                 id="out-holds-the-cores"),
    pytest.param(None, ["run", "config.toml", "--out", "notes.txt/sub"], ("cannot create", "writable"),
                 id="out-under-a-file"),
    pytest.param(None, ["run", "config.toml", "--out", "o", "--crs", "garbage"], ("--crs", "garbage", "EPSG:4326"),
                 id="crs-garbage"),
    pytest.param(None, ["run", "config.toml", "--out", "o", "--crs", "EPSG:99999999"], ("--crs", "EPSG:99999999"),
                 id="crs-unknown-code"),
    pytest.param(None, ["run", "config.toml", "--out", "o", "--scheduler", "tcp//nowhere"], ("scheduler",),
                 id="scheduler-garbage"),
    pytest.param(None, ["supply", "config.toml", "--resource", "nowhere", "--out", "o"], ("nowhere", "not found"),
                 id="supply-resource-missing"),
    pytest.param(None, ["report", "."], ("summary.json", "not found"), id="report-not-a-run"),
    pytest.param(None, ["check", "nope.toml"], ("nope.toml", "not found"), id="config-missing"),
    pytest.param(lambda p: p.set_key("estimation.neighbourhood", "min_samples", "30").set_key(
                     "estimation.neighbourhood", "max_samples", "32"),
                 ["check", "config.toml"], ("min_samples", "30", "25 core"), id="min-samples-above-cores"),
    pytest.param(lambda p: p.edit_cores(lambda df: df[df["core_id"].isin(df["core_id"].unique()[:2])]),
                 ["check", "config.toml"], ("2 core", "min_samples"), id="two-cores"),
    pytest.param(lambda p: p.edit_cores(lambda df: df[df["core_id"].isin(df["core_id"].unique()[:4])]),
                 ["check", "config.toml"], ("4 core", "at least 5", "variogram"), id="four-cores-no-fit"),
    pytest.param(lambda p: p.edit_cores(lambda df: df[df["core_id"] == df["core_id"].iloc[0]]),
                 ["check", "config.toml"], ("1 core",), id="one-core"),
    pytest.param(lambda p: p.append('[resource.masks]\nmin_water_depth = "7000 m"\nmax_water_depth = "8000 m"'),
                 ["check", "config.toml"], ("mineable area is 0", "water_depth"), id="masks-remove-everything"),
    pytest.param(lambda p: p.append('[resource.masks]\nmax_slope = 0.0001'),
                 ["check", "config.toml"], ("mineable area is 0", "slope"), id="slope-removes-everything"),
]


@pytest.mark.parametrize(("setup", "args", "fragments"), CASES)
def test_refused_in_one_line_and_nothing_touched(project, setup, args, fragments):
    if setup is not None:
        setup(project)
    before = _snapshot(project)
    r = project.cli(*args)
    assert_user_error(r, *fragments)
    assert _snapshot(project) == before
    assert project.leftovers() == []


def test_run_refuses_what_check_refuses(project):
    """The same refusal from `run`, before any computation (no staging directory is created)."""
    project.set_key("estimation.neighbourhood", "min_samples", "30").set_key("estimation.neighbourhood",
                                                                             "max_samples", "32")
    assert_user_error(project.run(), "min_samples")
    assert not (project.root / "out").exists()
    assert project.leftovers() == []


def test_check_states_the_cost_of_the_run(project):
    r = project.check()
    assert r.code == 0, r.err
    assert "MiB memory" in r.out
    assert " on 2 cores" in r.out


def test_a_grid_too_fine_for_the_machine_is_refused_with_the_figures(project, monkeypatch):
    """250 m cells on a machine said to have 16 MiB: refused by check and by run, figures stated."""
    import seabed.pipeline.inputs

    monkeypatch.setattr(seabed.pipeline.inputs, "_physical_memory", lambda: 16.0 * 2**20)
    project.replace('cell_size = "4 km"', 'cell_size = "250 m"')
    for r in (project.check(), project.run()):
        assert_user_error(r, "grid.cell_size", "51,200 cells", "MiB memory", "16 MiB", "larger cells")
    assert project.leftovers() == []
    assert not (project.root / "out").exists()


def test_run_cost_scales_with_cells_and_warns_on_long_runs():
    from seabed.pipeline import RunCost

    quick = RunCost(cells=18_000, memory_bytes=1e8, disk_bytes=1e8, seconds=60, physical_memory=24 * 2**30)
    assert quick.warnings() == []
    slow = RunCost(cells=14_000_000, memory_bytes=6e9, disk_bytes=3e10, seconds=7200, physical_memory=24 * 2**30)
    assert "take long" in slow.warnings()[0]
    assert "2.0 h" in slow.describe()
    assert slow.require() is slow
