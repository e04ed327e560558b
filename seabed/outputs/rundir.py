"""An output directory that appears whole or not at all.

A run writes every file into a hidden staging directory beside the target
(``.<name>.partial-<pid>``); :meth:`RunDirectory.commit` renames it into place at the end. An
interrupted or failed run leaves no partial files in the target: the staging directory is
removed on failure. A run into an existing directory refuses unless ``overwrite=True``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import numpy as np

from seabed.errors import OutputError

__all__ = ["RunDirectory", "to_jsonable"]


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


class RunDirectory:
    """Stage the outputs of one run and publish them atomically.

    Parameters
    ----------
    target : Path
        The output directory the user asked for.
    overwrite : bool, default False
        Replace an existing ``target``; otherwise an existing one is an error.
    """

    def __init__(self, target: str | Path, *, overwrite: bool = False) -> None:
        self.target = Path(target).resolve()
        if self.target.exists() and not overwrite:
            raise OutputError(
                f"{self.target}: output directory exists; fix: choose another --out or pass --overwrite"
            )
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging = self.target.parent / f".{self.target.name}.partial-{os.getpid()}"
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        self.files: list[str] = []
        self._scratch = self.target.parent / f".{self.target.name}.scratch-{os.getpid()}"

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
        """Call ``writer(path)`` to write one file into the staging directory."""
        p = self.path(name)
        writer(p)
        return p

    def commit(self) -> Path:
        """Move the staged outputs into place (replacing an old directory when allowed)."""
        old = None
        if self.target.exists():
            old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
            self.target.rename(old)
        self.staging.rename(self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(self._scratch, ignore_errors=True)
        return self.target

    def abort(self) -> None:
        """Remove the staging directory (nothing reaches the target)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
