"""Inputs accepted with a warning: the warning reaches summary.json and the report, not only the log."""

from __future__ import annotations

import json

import pytest


def test_warnings_and_below_detection_substitutions_are_recorded_in_summary_and_report(project):
    def edit(df):
        df = df.astype({"La": object, "Dy": object})
        df.loc[3, "La"] = "25000"  # total REY of that sample > 20,000 ppm: plausible-range warning
        df.loc[5, "Dy"] = "<0.5"
        df.loc[6, "Dy"] = "<0.5"
        return df

    project.edit_cores(edit)
    r = project.check()
    assert r.code == 0, r.err
    assert "1 input warning(s)" in r.out
    assert "2 below-detection value(s) substituted" in r.out

    r = project.run()
    assert r.code == 0, r.err
    summary = json.loads((project.root / "out" / "summary.json").read_text())
    warnings = summary["inputs"]["warnings"]
    assert len(warnings) == 1
    assert "row" in warnings[0]
    assert "La" in warnings[0]
    detection = summary["inputs"]["cores"]["below_detection"]
    assert detection["n_substituted"] == 2
    assert detection["policy"] == "half"
    assert detection["by_element"]["Dy"] == 2
    html = (project.root / "out" / "report.html").read_text()
    assert "accepted with 1 warning(s)" in html
    assert "2 substituted by half the detection limit (Dy 2)" in html


def test_a_cutoff_above_every_grade_is_said_loudly(project):
    project.append('[resource.cutoff]\ngrade = "50000 ppm"\ncurve = ["0 ppm", "400 ppm", "50000 ppm"]')
    r = project.run()
    assert r.code == 0, r.err
    assert "WARNING: nothing lies above the 50,000 ppm REY cut-off" in r.out
    summary = json.loads((project.root / "out" / "summary.json").read_text())
    assert "lower [resource.cutoff] grade" in summary["resource"]["warnings"][0]
    assert "The answer is empty: nothing lies above" in (project.root / "out" / "report.html").read_text()


@pytest.mark.filterwarnings("default::seabed.inputs.cores.DuplicateCoreWarning")
def test_two_cores_at_one_position_are_kept_with_one_recorded_warning(project, caplog):
    def edit(df):
        first, second = df["core_id"].unique()[:2]
        pos = df.loc[df["core_id"] == first, ["longitude", "latitude"]].iloc[0].to_numpy()
        df.loc[df["core_id"] == second, ["longitude", "latitude"]] = pos
        return df

    project.edit_cores(edit)
    r = project.check()
    assert r.code == 0, r.err
    assert "1 input warning(s)" in r.out
    assert any("DuplicateCoreWarning: cores.csv: cores" in m and "within 10 m" in m for m in caplog.messages)
