"""Stage progress without a terminal: one line per finished stage on stdout, with its duration."""

import pytest

from seabed.progress import StageProgress


def test_lines_without_terminal(capsys):
    with StageProgress(["inputs", "estimation"]) as p:  # pytest's stderr is not a terminal
        with p.stage("inputs"):
            pass
        with p.stage("estimation"):
            pass
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("seabed: stage 1/2 inputs done in ")
    assert lines[0].endswith(" s")
    assert lines[1].startswith("seabed: stage 2/2 estimation done in ")
    assert lines[2].startswith("seabed: 2 stages done in ")
    assert err == ""


def test_failed_stage_prints_nothing(capsys):
    def failing_run():
        with StageProgress(["inputs", "estimation"]) as p:
            with p.stage("inputs"):
                pass
            with p.stage("estimation"):
                raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        failing_run()
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1
    assert "inputs" in out
    assert "estimation" not in out
    assert err == ""  # stderr stays free for the one-line error


def test_quiet_is_silent(capsys):
    with StageProgress(["inputs"], enabled=False) as p, p.stage("inputs"):
        pass
    assert capsys.readouterr() == ("", "")
    assert p.timings["inputs"] >= 0


def test_help_and_dir_show_the_api():
    """``help(seabed)`` lists the API in its description, without pydantic/pint docs; ``dir`` is the API."""
    import pydoc

    import seabed

    text = pydoc.render_doc(seabed, renderer=pydoc.plaintext)
    description = text.split("PACKAGE CONTENTS")[0]
    for name in ("run(", "prepare_site(", "estimate_stage(", "resource_stage(", "supply_stage(", "WorkingGrid",
                 "Kriging", "estimate_grades(", "build_block_model(", "tonnage_table(", "project_supply("):
        assert name in description, name
    assert "model_validate" not in text
    assert "class Quantity" not in text
    assert "class Config(" not in text
    names = dir(seabed)
    assert {"run", "prepare_site", "supply_stage", "Kriging", "Config"} <= set(names)
    assert not {"version", "PackageNotFoundError", "pipeline"} & set(names)


def _double(item):
    return 2 * item


def test_sub_progress_below_the_stage_bar():
    """On a terminal, mapped tasks show below the stage bar with their count (removed when the stage ends)."""
    from seabed.compute import ComputeOptions, Mapper
    from seabed.progress import report_tasks

    seen = []
    with StageProgress(["estimation"], enabled=True) as p:
        with p.stage("estimation"):
            results = []
            for r in Mapper(ComputeOptions(scheduler="synchronous")).imap(_double, [1, 2, 3]):
                results.append(r)
                seen.append([(t.description, t.completed, t.total) for t in p._bar.tasks if t.id != p._task])
            report_tasks("realisations", 5)  # a generator of tasks: count without a total
            extra = {t.description: (t.completed, t.total) for t in p._bar.tasks}
        assert [t.id for t in p._bar.tasks] == [p._task]  # sub rows removed with the stage
    assert results == [2, 4, 6]
    assert seen[-1] == [("  double", 3, 3)]
    assert extra["  realisations"] == (5, None)
    report_tasks("after", 1, 1)  # no bar: nothing happens


def test_closed_stdout_stops_the_lines_not_the_run(monkeypatch):
    """``seabed run | head -2``: once the reader is gone, the stages go on silently."""

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    with StageProgress(["inputs", "estimation"]) as p:
        for name in p.stages:
            with p.stage(name):
                pass
    assert set(p.timings) == {"inputs", "estimation"}
    assert p.lines is False
