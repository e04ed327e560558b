"""Exception tree of seabed.

Every error a user can cause (bad config, bad input file, wrong units) is a
:class:`SeabedError`. The CLI turns it into one line on stderr and exit code 2;
anything else is a bug and exits 1 with a traceback.

A message says what was wrong, the value received, what was expected, and how to
fix it, e.g.::

    cores.csv: row 12 (core MT-03), column 'top_mbsf': got 4.0 >= bottom_mbsf 3.5;
    expected top < bottom; fix the interval depths
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "CRSMismatchError",
    "ConfigError",
    "InputDataError",
    "OutputError",
    "SeabedError",
    "Terminated",
    "UnitsError",
    "check_terminated",
    "request_termination",
    "termination_deferred",
]


class SeabedError(Exception):
    """Root of every user-facing error; the CLI prints it as one line and exits 2."""


class ConfigError(SeabedError):
    """A configuration file or value is invalid."""


class InputDataError(SeabedError):
    """An input data file (cores, grids, polygons) is missing or invalid."""


class UnitsError(SeabedError):
    """A quantity has no units, unknown units, or the wrong dimensionality."""


class CRSMismatchError(SeabedError):
    """Two spatial objects are in different or undefined coordinate reference systems."""


class OutputError(SeabedError):
    """An output cannot be written (e.g. the directory exists and --overwrite was not given)."""


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP): unwind like on Ctrl-C, nothing half-written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_termination: list[int] = []


def request_termination(signum: int) -> None:
    """Record a stop request and raise :class:`Terminated` (a signal handler's body).

    The request is also remembered, because Python swallows an exception raised while a
    finaliser runs; :func:`check_terminated` raises it again at the next stage boundary.
    """
    _termination.append(signum)
    if _deferring:  # inside termination_deferred(): raised when the block ends
        return
    raise Terminated(signum)


#: Depth of the :func:`termination_deferred` blocks running now.
_deferring: list[None] = []


@contextmanager
def termination_deferred() -> Iterator[None]:
    """Hold stop requests (SIGTERM, SIGHUP) until the block ends, then raise :class:`Terminated`.

    For work that must not be interrupted by an exception: an HDF5 write (xarray holds a lock
    the unwinding would wait for: a deadlock) or the renames of a commit. Blocking the signal with
    ``pthread_sigmask`` is not enough: the kernel delivers it to any other thread (Dask, numba),
    and Python then runs the handler in the main thread anyway.

    Examples
    --------
    >>> with termination_deferred():
    ...     pass
    """
    _deferring.append(None)
    try:
        yield
    finally:
        _deferring.pop()
    if not _deferring:
        check_terminated()


def check_terminated() -> None:
    """Raise :class:`Terminated` if a stop was requested (called between stages and before a commit)."""
    if _termination:
        raise Terminated(_termination[-1])
