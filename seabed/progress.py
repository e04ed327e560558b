"""Progress display for long runs: one bar over the pipeline's stages, on stderr.

It shows only when stderr is a terminal (so logs, CI and pipes stay clean) and never with ``-q``.
Stages report their elapsed time when done; the library API is silent unless asked.

Examples
--------
>>> with StageProgress(["load", "estimate"], enabled=False) as p:
...     with p.stage("load"):
...         pass
>>> p.timings["load"] >= 0
True
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Self

from seabed.errors import check_terminated

__all__ = ["StageProgress"]


class StageProgress:
    """A progress bar advancing once per pipeline stage.

    Parameters
    ----------
    stages : sequence of str
        Stage names, in order (the bar's total).
    enabled : bool, optional
        Force on or off; default on only when stderr is a terminal.
    """

    def __init__(self, stages: Sequence[str], *, enabled: bool | None = None) -> None:
        self.stages = list(stages)
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.timings: dict[str, float] = {}
        self._bar = None
        self._task = None

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=len(self.stages))
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage and advance the bar when it ends (a pending stop request is raised first)."""
        check_terminated()
        if self._bar is not None:
            self._bar.update(self._task, description=name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - start
            if self._bar is not None:
                self._bar.advance(self._task)
                self._bar.console.print(f"[green]✓[/green] {name} ({self.timings[name]:.1f} s)")
