"""The staging and scratch directories of a run: nothing half-written, nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seabed.errors import OutputError
from seabed.outputs.rundir import RunDirectory, recover_stale


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


# --- what --overwrite may replace -------------------------------------------------------------

def _seabed_output(path, files=("summary.json",)):
    """A directory as seabed leaves it: its files and a manifest listing them."""
    import json

    path.mkdir(parents=True)
    for f in files:
        (path / f).write_text("{}")
    (path / "manifest.json").write_text(json.dumps({"seabed_version": "0", "outputs": {f: "x" for f in files}}))
    return path


def _dead_pid():
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_overwrite_replaces_a_seabed_output(tmp_path):
    target = _seabed_output(tmp_path / "run")
    with RunDirectory(target, overwrite=True) as rundir:
        rundir.write_json("summary.json", {"new": 1})
        rundir.commit()
    assert (target / "summary.json").read_text().strip().startswith("{\n  \"new\"")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_overwrite_accepts_an_empty_directory(tmp_path):
    (tmp_path / "run").mkdir()
    RunDirectory(tmp_path / "run", overwrite=True).abort()


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: (d / "run").write_text("results"), "existing file"),
        (lambda d: ((d / "run").mkdir(), (d / "run" / "notes.txt").write_text("mine")), "no seabed manifest"),
        (lambda d: (_seabed_output(d / "run"), (d / "run" / "notes.txt").write_text("mine")), "'notes.txt'"),
        (lambda d: ((d / "run").mkdir(), (d / "run" / "manifest.json").write_text("not json")), "no seabed manifest"),
    ],
    ids=["regular-file", "foreign-directory", "seabed-output-plus-a-foreign-file", "broken-manifest"],
)
def test_overwrite_refuses_what_seabed_did_not_write(tmp_path, make, fragment):
    make(tmp_path)
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    with pytest.raises(OutputError, match=fragment):
        RunDirectory(tmp_path / "run", overwrite=True)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before  # nothing moved


def test_overwrite_refuses_the_current_directory_and_its_parents(tmp_path, monkeypatch):
    work = _seabed_output(tmp_path / "project")
    monkeypatch.chdir(work)
    for target in (work, tmp_path, "."):
        with pytest.raises(OutputError, match="current directory"):
            RunDirectory(target, overwrite=True)


def test_overwrite_refuses_a_directory_holding_an_input(tmp_path):
    target = _seabed_output(tmp_path / "run", files=("summary.json", "cores.csv"))
    with pytest.raises(OutputError, match="holds the input"):
        RunDirectory(target, overwrite=True, protect=[target / "cores.csv"])
    with pytest.raises(OutputError, match="holds the input"):
        RunDirectory(target, overwrite=True, protect=[target])
    assert (target / "cores.csv").exists()


def test_unwritable_target_is_a_user_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot create"):
        RunDirectory(tmp_path / "file" / "run")


# --- what stopped runs leave behind ---------------------------------------------------------------

def test_next_run_removes_staging_and_scratch_of_dead_processes(tmp_path):
    pid = _dead_pid()
    for kind in ("partial", "scratch"):
        d = tmp_path / f".run.{kind}-{pid}"
        d.mkdir()
        (d / "big.nc").write_bytes(b"x" * 1000)
    alive = tmp_path / f".run.partial-{os.getppid()}"  # a live process: never touched
    alive.mkdir()
    other = tmp_path / f".other.partial-{pid}"  # another target's: not ours to clean
    other.mkdir()
    rundir = RunDirectory(tmp_path / "run")
    assert len(rundir.notes) == 2
    assert all("stale" in n and str(pid) in n for n in rundir.notes)
    rundir.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])


def test_a_kill_between_the_two_renames_of_a_commit_is_recovered(tmp_path):
    target = _seabed_output(tmp_path / "run")
    old = tmp_path / f".run.old-{_dead_pid()}"
    target.rename(old)  # the state a SIGKILL leaves between "old renamed away" and "new moved in"
    assert not target.exists()
    notes = recover_stale(target)
    assert (target / "manifest.json").is_file()
    assert not old.exists()
    assert "restored" in notes[0]


def test_a_completed_commit_whose_old_copy_was_not_removed_is_cleaned(tmp_path):
    _seabed_output(tmp_path / "run")
    old = _seabed_output(tmp_path / f".run.old-{_dead_pid()}")
    notes = recover_stale(tmp_path / "run")
    assert not old.exists()
    assert "superseded" in notes[0]


def test_a_failed_rename_into_place_puts_the_old_output_back(tmp_path, monkeypatch):
    target = _seabed_output(tmp_path / "run")
    rundir = RunDirectory(target, overwrite=True)
    rundir.write_json("summary.json", {})
    real_rename = Path.rename

    def failing(self, dest):
        if self == rundir.staging:
            raise OSError(28, "No space left on device")
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(OSError, match="No space"):
        rundir.commit()
    monkeypatch.undo()
    assert (target / "manifest.json").exists()
    rundir.abort()


def test_a_stop_request_swallowed_by_a_finaliser_is_honoured_before_the_commit(tmp_path, monkeypatch):
    """Python drops an exception raised in a __del__; the remembered request stops the commit."""
    import gc
    import sys

    from seabed import errors

    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", dropped.append)

    class Finalised:
        def __del__(self):
            errors.request_termination(15)  # what the SIGTERM handler does, here inside a finaliser

    rundir = RunDirectory(tmp_path / "run")
    rundir.write_json("summary.json", {})
    try:
        Finalised()
        gc.collect()
        assert isinstance(dropped[0].exc_value, errors.Terminated)  # swallowed, as Python does
        with pytest.raises(errors.Terminated):
            rundir.commit()
    finally:
        errors._termination.clear()
        rundir.abort()
    assert not (tmp_path / "run").exists()


def test_a_stop_request_inside_a_deferred_block_is_raised_when_it_ends():
    """SIGTERM during an HDF5 write or a commit's renames: recorded, not raised, until the block ends
    (raised inside, it deadlocked on xarray's HDF5 lock; a signal mask alone does not hold it when
    another thread takes the signal)."""
    from seabed import errors

    done = []

    def nested() -> None:
        with errors.termination_deferred():
            with errors.termination_deferred():  # nested: raised once, at the outermost end
                errors.request_termination(15)
                done.append("inner")
            done.append("outer")

    try:
        with pytest.raises(errors.Terminated):
            nested()
        assert done == ["inner", "outer"]
        with pytest.raises(errors.Terminated):  # outside a block it raises at once
            errors.request_termination(15)
    finally:
        errors._termination.clear()
    with errors.termination_deferred():  # nothing requested: nothing raised
        pass


def test_background_writes_keep_their_order_and_are_waited_for(tmp_path):
    import threading

    order: list[str] = []
    release = threading.Event()

    def slow(p: Path) -> None:
        release.wait(5)
        order.append(p.name)
        p.write_text("slow")

    with RunDirectory(tmp_path / "run") as rundir:
        rundir.write_in_background("a.txt", slow)
        rundir.write_json("b.json", {})
        rundir.write_in_background("c.txt", lambda p: (order.append(p.name), p.write_text("c")))
        assert rundir.files == ["a.txt", "b.json", "c.txt"]  # recorded when asked, not when written
        release.set()
        out = rundir.commit()  # waits for both
    assert order == ["a.txt", "c.txt"]
    assert (out / "a.txt").read_text() == "slow"
    assert (out / "c.txt").read_text() == "c"


def test_a_failed_background_write_is_raised_and_nothing_is_published(tmp_path):
    def fail(p: Path) -> None:
        raise OSError("disk full")

    def run(target: Path) -> None:
        with RunDirectory(target) as rundir:
            rundir.write_in_background("a.txt", fail)
            rundir.write_in_background("b.txt", lambda p: p.write_text("b"))
            rundir.commit()

    with pytest.raises(OSError, match="disk full"):
        run(tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_abort_waits_for_the_background_write_under_way(tmp_path):
    import threading
    import time

    started, done = threading.Event(), []

    def slow(p: Path) -> None:
        started.set()
        time.sleep(0.2)
        p.write_text("x")
        done.append(p)

    rundir = RunDirectory(tmp_path / "run")
    rundir.write_in_background("a.txt", slow)
    started.wait(5)
    rundir.abort()
    assert done  # finished before the staging directory was removed
    assert list(tmp_path.iterdir()) == []
