"""Progress of long runs: one bar over the pipeline's stages on a terminal, one line per stage elsewhere.

* stderr is a terminal: a rich bar on stderr, and a ``✓ stage (12.3 s)`` line as each stage ends.
  Below the stage bar, one row per kind of task the stage maps out (estimation chunks,
  simulation tiles × realisation batches) with its count and ETA: :class:`seabed.compute.Mapper`
  reports each gathered result through :func:`report_tasks` (a no-op when no bar is showing).
* stderr is not a terminal (CI, ``nohup``, pipes): one plain line per finished stage on **stdout**,
  ``seabed: stage estimation done in 12.3 s``, written and flushed as the stage ends, so that a CI
  log shows where the time went. They go to stdout, beside the run's other narrative ("wrote N
  files", the headlines), because stderr carries only problems: a user error stays the single line
  on stderr even when it happens after some stages have finished. (Logging is not used: its INFO
  level is hidden by default.)
* ``-q`` (``enabled=False``): nothing. The library API is silent unless asked (``progress=None``
  picks the mode from stderr as above; ``True`` forces the bar).

Examples
--------
>>> with StageProgress(["load", "estimate"], enabled=False) as p:
...     with p.stage("load"):
...         pass
>>> p.timings["load"] >= 0
True
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Self

from seabed.errors import check_terminated

__all__ = ["StageProgress", "report_tasks"]

#: The bars showing now (innermost last): where :func:`report_tasks` sends its counts.
_ACTIVE: list[StageProgress] = []


def report_tasks(label: str, done: int, total: int | None = None) -> None:
    """Report ``done`` of ``total`` tasks of kind ``label`` in the running stage (cheap; no-op without a bar).

    Examples
    --------
    >>> report_tasks("estimation chunks", 3, 12)  # nothing shows: no bar is active
    """
    if _ACTIVE:
        _ACTIVE[-1].sub_progress(label, done, total)


class StageProgress:
    """A progress bar advancing once per pipeline stage (plain lines when not on a terminal).

    Parameters
    ----------
    stages : sequence of str
        Stage names, in order (the bar's total).
    enabled : bool, optional
        ``True``: the bar; ``False``: silent; default (``None``): the bar when stderr is a
        terminal, else one line per finished stage on stdout.
    """

    def __init__(self, stages: Sequence[str], *, enabled: bool | None = None) -> None:
        self.stages = list(stages)
        tty = sys.stderr.isatty()
        self.enabled = tty if enabled is None else enabled
        #: plain lines on stdout: asked for by default, without a terminal
        self.lines = enabled is None and not tty
        self.timings: dict[str, float] = {}
        self._bar = None
        self._task = None
        self._sub: dict[str, object] = {}

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=len(self.stages))
            _ACTIVE.append(self)
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            if self in _ACTIVE:
                _ACTIVE.remove(self)
            self._bar.__exit__(*exc)
        if self.lines and exc[0] is None and self.timings:
            self._line(f"seabed: {len(self.timings)} stages done in {sum(self.timings.values()):.1f} s")

    def _line(self, text: str) -> None:
        """Print one progress line; a closed stdout (``seabed run | head``) stops the lines, never the run."""
        try:
            print(text, file=sys.stdout, flush=True)
        except BrokenPipeError:
            self.lines = False
            # the reader is gone: later writes (and the flush at exit) go nowhere instead of failing;
            # a stdout without a file descriptor (e.g. a StringIO) is left alone
            with suppress(OSError, ValueError, AttributeError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def sub_progress(self, label: str, done: int, total: int | None = None) -> None:
        """Show ``done``/``total`` tasks of kind ``label`` below the stage bar (removed when the stage ends)."""
        if self._bar is None:
            return
        if label not in self._sub:
            self._sub[label] = self._bar.add_task(f"  {label}", total=total)
        self._bar.update(self._sub[label], completed=done, total=total)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage and report it when it ends (a pending stop request is raised first)."""
        check_terminated()
        if self._bar is not None:
            self._bar.update(self._task, description=name)
        start = time.perf_counter()
        ok = False
        try:
            yield
            ok = True
        finally:
            self.timings[name] = time.perf_counter() - start
            if self._bar is not None:
                for task in self._sub.values():
                    self._bar.remove_task(task)
                self._sub.clear()
                self._bar.advance(self._task)
                if ok:
                    self._bar.console.print(f"[green]✓[/green] {name} ({self.timings[name]:.1f} s)")
            elif self.lines and ok:
                n = self.stages.index(name) + 1 if name in self.stages else len(self.timings)
                self._line(f"seabed: stage {n}/{len(self.stages)} {name} done in {self.timings[name]:.1f} s")
