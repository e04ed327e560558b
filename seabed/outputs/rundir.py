"""An output directory that appears whole or not at all, and replaces only what seabed wrote.

A run writes every file into a hidden staging directory beside the target
(``.<name>.partial-<pid>``) and its intermediate files into a scratch directory
(``.<name>.scratch-<pid>``); :meth:`RunDirectory.commit` renames the staging directory into
place at the end. An interrupted or failed run removes both. A run killed outright (SIGKILL,
power loss) cannot clean up after itself: the next run into the same target removes the staging
and scratch directories of processes that are no longer alive, and says so.

Replacing a previous output is a two-step commit: the old directory is renamed to
``.<name>.old-<pid>``, the new one renamed into place, then the old one removed. A kill between
the two renames leaves no target but a whole ``.old`` directory; the next run puts it back
before doing anything else (recovery), so a previous output is never lost.

``overwrite=True`` replaces only a directory that is a seabed output: it holds a seabed
``manifest.json`` and no file the manifest does not list. It never replaces a regular file, the
current directory or one of its ancestors, or a directory that holds one of the run's inputs.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import numpy as np

from seabed.errors import OutputError, check_terminated, termination_deferred

__all__ = ["RunDirectory", "is_seabed_output", "recover_stale", "to_jsonable"]

log = logging.getLogger(__name__)

_HIDDEN = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|scratch|old)-(?P<pid>\d+)$")


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, paths and pint quantities to JSON-serialisable values."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        f = float(obj)
        return None if not np.isfinite(f) else f
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "magnitude") and hasattr(obj, "units"):
        return {"value": to_jsonable(obj.magnitude), "units": f"{obj.units:~}"}
    return obj


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends (main thread, POSIX only).

    A stop request arriving inside is delivered when the block ends (its handler then raises
    there): for the two renames of a commit, and for HDF5 writes, which deadlock when an exception
    is raised while xarray holds its HDF5 lock.
    """
    sigs = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    can = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    with termination_deferred():  # the mask alone is not enough: another thread may take the signal
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, sigs) if can else None
        try:
            yield
        finally:
            if previous is not None:  # a held signal is delivered here, still deferred, and raised after
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a live process of another user counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def recover_stale(target: str | Path) -> list[str]:
    """Clean up after runs into ``target`` whose process died without cleaning up.

    Removes ``.<name>.partial-<pid>`` and ``.<name>.scratch-<pid>`` of dead processes. A
    ``.<name>.old-<pid>`` of a dead process is a previous output caught between the two renames
    of a commit: it is moved back into place when ``target`` is missing, and removed when the
    new output did arrive.

    Returns
    -------
    list of str
        One line per action taken (also logged as warnings).
    """
    target = Path(target).absolute()
    parent = target.parent
    notes: list[str] = []
    if not parent.is_dir():
        return notes
    stale = []
    for p in parent.iterdir():
        m = _HIDDEN.match(p.name)
        if m and m["name"] == target.name and not _pid_alive(int(m["pid"])):
            stale.append((m["kind"], int(m["pid"]), p))
    for kind, pid, p in sorted(stale, key=lambda s: (s[0] != "old", s[1])):
        if kind == "old" and not target.exists() and is_seabed_output(p):
            p.rename(target)
            notes.append(f"restored {target} from {p.name}: a run (pid {pid}) was stopped while replacing it")
        else:
            size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else 0
            _remove(p)
            what = {"partial": "staging", "scratch": "scratch", "old": "superseded output"}[kind]
            notes.append(f"removed stale {what} directory {p} ({size / 1e6:.1f} MB) of stopped run pid {pid}")
    for line in notes:
        log.warning(line)
    return notes


def _read_manifest(directory: Path) -> dict | None:
    try:
        m = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(m, dict) and "seabed_version" in m and isinstance(m.get("outputs"), dict):
        return m
    return None


def is_seabed_output(directory: str | Path) -> bool:
    """Whether ``directory`` is a seabed output: a seabed ``manifest.json`` lists every file in it."""
    directory = Path(directory)
    m = _read_manifest(directory)
    return m is not None and not _foreign_files(directory, m)


def _foreign_files(directory: Path, manifest: dict) -> list[str]:
    listed = set(manifest["outputs"]) | {"manifest.json"}
    found = []
    for p in sorted(directory.rglob("*")):
        if p.is_file() or p.is_symlink():
            rel = p.relative_to(directory).as_posix()
            if rel not in listed:
                found.append(rel)
    return found


def _check_replaceable(target: Path, protect: Iterable[Path]) -> None:
    """Refuse to replace anything that is not a seabed output directory (see module docs)."""
    fix = "fix: choose another --out (a new or seabed-written directory)"
    if target.is_symlink() or not target.is_dir():
        raise OutputError(f"{target}: --out is an existing file, not an output directory; "
                          f"--overwrite only replaces a directory written by seabed; {fix}")
    cwd = Path.cwd().resolve()
    if cwd == target or cwd.is_relative_to(target):
        raise OutputError(f"{target}: --out is the current directory or one of its parents; "
                          f"--overwrite would delete it; {fix}")
    for p in protect:
        p = Path(p).resolve()
        if p == target or p.is_relative_to(target):
            raise OutputError(f"{target}: --out holds the input {p}; --overwrite would delete it; {fix}")
    if not any(target.iterdir()):
        return  # an empty directory: nothing to lose
    m = _read_manifest(target)
    if m is None:
        raise OutputError(f"{target}: --out exists and has no seabed manifest.json, so it is not a seabed output; "
                          f"--overwrite only replaces seabed outputs; {fix}")
    foreign = _foreign_files(target, m)
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise OutputError(f"{target}: --out holds {foreign[0]!r}{more}, which seabed did not write; --overwrite "
                          f"would delete it; fix: move it out of the directory, or choose another --out")


class RunDirectory:
    """Stage the outputs of one run and publish them atomically.

    Parameters
    ----------
    target : Path
        The output directory the user asked for.
    overwrite : bool, default False
        Replace an existing ``target``, if it is a seabed output; otherwise an existing one is an
        error.
    protect : iterable of Path, optional
        Paths that must survive (the run's inputs and config): a ``target`` that is or holds
        one of them is refused.

    Attributes
    ----------
    notes : list of str
        What was cleaned up or recovered from earlier, stopped runs before this one started.
    """

    def __init__(self, target: str | Path, *, overwrite: bool = False, protect: Iterable[str | Path] = ()) -> None:
        self.target = Path(target).resolve()
        try:
            self.notes = recover_stale(self.target)
            if self.target.exists() or self.target.is_symlink():
                if not overwrite:
                    raise OutputError(f"{self.target}: output directory exists; "
                                      "fix: choose another --out or pass --overwrite")
                _check_replaceable(self.target, [Path(p) for p in protect])
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.staging = self.target.parent / f".{self.target.name}.partial-{os.getpid()}"
            if self.staging.exists():
                shutil.rmtree(self.staging)
            self.staging.mkdir()
        except OSError as exc:
            raise OutputError(f"{self.target}: cannot create the output directory ({exc.strerror}); "
                              "fix: choose a writable --out") from None
        self.files: list[str] = []
        self._scratch = self.target.parent / f".{self.target.name}.scratch-{os.getpid()}"
        self._writer: ThreadPoolExecutor | None = None
        self._pending: list[tuple[str, Future]] = []

    @property
    def scratch(self) -> Path:
        """A working directory for intermediate files (e.g. the estimation store), created on
        first use and removed when the run is committed or aborted; never an output."""
        self._scratch.mkdir(exist_ok=True)
        return self._scratch

    def path(self, name: str) -> Path:
        """Staging path for an output file (records it as an output)."""
        p = self.staging / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if name not in self.files:
            self.files.append(name)
        return p

    def write_json(self, name: str, data: Any) -> Path:
        """Write ``data`` as indented JSON."""
        p = self.path(name)
        p.write_text(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return p

    def write_with(self, name: str, writer: Callable[[Path], Any]) -> Path:
        """Call ``writer(path)`` to write one file into the staging directory.

        A stop request (SIGTERM, SIGHUP, Ctrl-C) arriving during the write is raised when the file
        is written (:func:`_signals_deferred`): raised inside an HDF5 or GDAL write it can deadlock
        on the library's lock.
        """
        p = self.path(name)
        with _signals_deferred():
            writer(p)
        return p

    def write_in_background(self, name: str, writer: Callable[[Path], Any]) -> Path:
        """Call ``writer(path)`` on the run directory's writer thread; return the path at once.

        For writes whose time is spent in C code that releases the GIL (PNG and HDF5 compression,
        GDAL), so that they overlap with the next figure's drawing. The writes run one at a time,
        in the order they were asked for, and the file is recorded as an output now, so the list
        of outputs does not depend on the thread's timing. :meth:`wait` (and :meth:`commit`)
        waits for them and raises the first error.

        A stop request is never raised inside a background write (Python runs signal handlers
        in the main thread only); when it stops the run, :meth:`abort` waits for the write under
        way before it removes the staging directory. ``writer`` must not read lazily loaded
        NetCDF data while the main thread may: the NetCDF library is not thread-safe.
        """
        p = self.path(name)
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seabed-writer")
        self._pending.append((name, self._writer.submit(writer, p)))
        return p

    def wait(self) -> None:
        """Wait for every background write (:meth:`write_in_background`); raise the first error."""
        pending, self._pending = self._pending, []
        error = None
        for _name, future in pending:
            exc = future.exception()
            if exc is not None and error is None:
                error = exc
        if error is not None:
            raise error

    def _close_writer(self) -> None:
        """Wait for the background writes, errors ignored (the run is being abandoned)."""
        self._pending = []
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    def commit(self) -> Path:
        """Move the staged outputs into place (replacing an old seabed output when allowed).

        A kill between the two renames leaves ``.<name>.old-<pid>``, which the next run restores
        (:func:`recover_stale`).
        """
        self.wait()
        self._close_writer()
        check_terminated()  # a stop requested while a finaliser ran was swallowed: honour it here
        old = None
        with _signals_deferred():
            if self.target.exists():
                old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
                self.target.rename(old)
            try:
                self.staging.rename(self.target)
            except OSError:
                if old is not None:
                    old.rename(self.target)
                raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(self._scratch, ignore_errors=True)
        return self.target

    def abort(self) -> None:
        """Remove the staging directory (nothing reaches the target), after the background writes."""
        try:
            self._close_writer()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
