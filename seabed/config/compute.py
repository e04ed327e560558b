"""The ``[compute]`` section: where and how to compute (docs/scaling.md), and its validators.

The checks of a scheduler name or address and of a memory budget live here (pure text checks),
so that the configuration never imports :mod:`seabed.compute` or Dask; :mod:`seabed.compute`
uses them too.

Examples
--------
>>> scheduler_problem("threads") is None
True
>>> parse_memory_budget("4 GiB")
4294967296.0
>>> ComputeSpec(memory_budget="500 MB").memory_bytes
500000000.0
"""

from __future__ import annotations

import math
import re

from pydantic import Field, field_validator

from seabed.config.base import StrictModel
from seabed.errors import ConfigError
from seabed.units import ureg

__all__ = [
    "LOCAL_SCHEDULERS",
    "ComputeSpec",
    "memory_budget_problem",
    "parse_memory_budget",
    "scheduler_problem",
    "validate_scheduler",
]

#: Dask's local schedulers accepted by name.
LOCAL_SCHEDULERS = ("synchronous", "threads", "processes")

_ADDRESS = re.compile(r"^tcp://(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})$")


def scheduler_problem(scheduler: str) -> str | None:
    """Why ``scheduler`` is not a local scheduler name or a ``tcp://host:port`` address (None if it is).

    The message starts with "got ..." (no field name), so a caller can prefix the field.
    """
    value = str(scheduler).strip()
    if value in LOCAL_SCHEDULERS:
        return None
    fix = "fix: e.g. scheduler = \"threads\" or \"tcp://10.0.0.5:8786\""
    expected = (f"expected one of {', '.join(LOCAL_SCHEDULERS)} or a dask.distributed address tcp://host:port "
                "(a host name or IP address and a numeric port 1-65535)")
    m = _ADDRESS.match(value)
    if m is None:
        return f"got {scheduler!r}; {expected}; {fix}"
    if not 1 <= int(m["port"]) <= 65535:
        return f"got {scheduler!r}: port {int(m['port'])} is out of range; {expected}; {fix}"
    return None


def validate_scheduler(scheduler: str, *, field: str = "compute.scheduler") -> str:
    """Return ``scheduler`` if it is a local scheduler name or a ``tcp://host:port`` address.

    Raises
    ------
    ConfigError
        Naming ``field``, otherwise.
    """
    problem = scheduler_problem(scheduler)
    if problem is not None:
        raise ConfigError(f"{field}: {problem}")
    return str(scheduler).strip()


def _memory_bytes(text: str) -> float | None:
    """``text`` in bytes, or None unless it is a positive finite number with a byte unit."""
    try:
        q = ureg.Quantity(str(text).strip())
        ok = format(q.units, "D").endswith("byte") and q.magnitude > 0 and math.isfinite(q.magnitude)
    except Exception:  # noqa: BLE001 - any parse failure is the same user error
        ok = False
    return float(q.to("byte").magnitude) if ok else None


def memory_budget_problem(text: str) -> str | None:
    """Why ``text`` is not a memory budget (None if it is); the message starts with "got ..."."""
    if _memory_bytes(text) is not None:
        return None
    return (f"got {text!r}; expected a positive size in bytes such as '4 GiB' or '500 MB'; "
            "fix: write a number and a byte unit, e.g. memory_budget = \"4 GiB\"")


def parse_memory_budget(text: str, *, field: str = "compute.memory_budget") -> float:
    """A size such as ``"4 GiB"`` or ``"500 MB"`` in bytes.

    Raises
    ------
    ConfigError
        Naming ``field``, for anything but a positive number with a byte unit.
    """
    size = _memory_bytes(text)
    if size is None:
        raise ConfigError(f"{field}: {memory_budget_problem(text)}")
    return size


class ComputeSpec(StrictModel):
    """Where and how to compute: Dask's local schedulers or a dask.distributed cluster (docs/scaling.md).

    ``memory_budget`` (bytes, e.g. ``"4 GiB"``), when given, sets the cells per task instead of
    ``chunk_cells`` (formula in :mod:`seabed.compute`).
    """

    scheduler: str = Field("threads", description="'synchronous', 'threads', 'processes' or a tcp://host:port address")
    workers: int | None = Field(None, ge=1, description="Threads/processes of a local scheduler; default CPU count")
    chunk_cells: int = Field(250_000, ge=1_000, description="Cells per estimation task")
    memory_budget: str | None = Field(None, description="Memory all tasks in flight may use, e.g. '4 GiB'")

    @field_validator("scheduler")
    @classmethod
    def _known_scheduler(cls, value: str) -> str:
        problem = scheduler_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return str(value).strip()

    @field_validator("memory_budget")
    @classmethod
    def _bytes(cls, value: str | None) -> str | None:
        if value is not None and (problem := memory_budget_problem(value)) is not None:
            raise ValueError(problem)
        return value

    @property
    def memory_bytes(self) -> float | None:
        """``memory_budget`` in bytes (None when unset)."""
        if self.memory_budget is None:
            return None
        return parse_memory_budget(self.memory_budget)
