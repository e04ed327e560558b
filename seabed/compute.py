"""Where the work runs: Dask's local schedulers or a ``dask.distributed`` cluster.

The pipeline's stages never import Dask. They receive a :class:`Mapper`, a ``map``-like
callable: ``mapper(func, items, **shared)`` returns ``[func(item, **shared) for item in items]``
in order, running the calls as independent Dask tasks. ``shared`` holds the large objects
every task reads (a fitted estimator, a simulation plan, a block model); they are sent to
the workers once (``Client.scatter(..., broadcast=True)``), or kept as one in-memory object
by the local schedulers, instead of being pickled into every task.

:func:`open_mapper` opens the mapper named by a :class:`ComputeOptions`::

    with open_mapper(ComputeOptions(scheduler="tcp://10.0.0.5:8786")) as mapper:
        tables = mapper(simulate_one, range(100), plan=plan)

Schedulers
----------
``"synchronous"``
    Dask's single-threaded scheduler (debugging, profiling).
``"threads"`` (default)
    Dask's thread pool, ``workers`` threads (default: the CPU count). NumPy, SciPy and the
    numba kernels release the GIL in the heavy parts (linear algebra, FFTs). Inside
    :func:`open_mapper` BLAS runs one thread (:func:`single_threaded_blas`): the tasks are the
    parallelism.
``"processes"``
    Dask's local process pool (``workers`` processes); shared objects are pickled to the
    processes, so prefer ``"threads"`` on one machine.
``"tcp://host:port"``
    An existing ``dask.distributed`` scheduler; ``workers`` is ignored (the cluster's size
    decides).

Chunk size from a memory budget
-------------------------------
With ``memory_budget`` set, the cells per task are

    chunk_cells = (memory_budget / tasks_in_flight − task_bytes) / bytes_per_cell

where ``tasks_in_flight`` is the number of workers, ``bytes_per_cell`` is given by the
stage and covers a running task and its share of the results waiting to be consumed (for
estimation ``8 × 8 × n_variables + 64``: estimate and variance in float64, twice while
computed and twice more while returned, plus per-cell diagnostics), and ``task_bytes`` is
what a task needs whatever its size (for a simulation tile, the FFT buffers of its field
windows), clipped to [1,000, 2,000,000] cells.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from seabed.config.compute import validate_scheduler
from seabed.errors import ConfigError

__all__ = [
    "ComputeOptions",
    "Mapper",
    "chunk_cells_for_budget",
    "map_locally",
    "open_mapper",
    "single_threaded_blas",
    "split_rows",
]

#: Bounds of the cells per task derived from a memory budget.
MIN_CHUNK_CELLS, MAX_CHUNK_CELLS = 1_000, 2_000_000


@dataclass(frozen=True)
class ComputeOptions:
    """How to run the chunk and realisation tasks.

    Attributes
    ----------
    scheduler : str, default "threads"
        ``"synchronous"``, ``"threads"``, ``"processes"`` or a ``tcp://host:port`` address.
    workers : int, optional
        Threads or processes of a local scheduler; default the CPU count.
    chunk_cells : int, default 250,000
        Target cells per spatial task (ignored when ``memory_budget`` is set).
    memory_budget : float, optional
        Bytes all tasks in flight may use together; sets the chunk size (module docstring).
    """

    scheduler: str = "threads"
    workers: int | None = None
    chunk_cells: int = 250_000
    memory_budget: float | None = None

    def __post_init__(self) -> None:
        validate_scheduler(self.scheduler)
        if self.workers is not None and self.workers < 1:
            raise ConfigError(f"compute.workers: got {self.workers}; expected >= 1")
        if self.chunk_cells < 1:
            raise ConfigError(f"compute.chunk_cells: got {self.chunk_cells}; expected >= 1")
        if self.memory_budget is not None and not self.memory_budget > 0:
            raise ConfigError(f"compute.memory_budget: got {self.memory_budget} bytes; expected > 0")

    @property
    def is_distributed(self) -> bool:
        """True for a ``tcp://`` scheduler address."""
        return self.scheduler.startswith("tcp://")

    @property
    def n_workers(self) -> int:
        """Workers of a local scheduler (1 for "synchronous")."""
        if self.scheduler == "synchronous":
            return 1
        return self.workers or os.cpu_count() or 1

    def cells_per_chunk(self, bytes_per_cell: float, *, n_workers: int | None = None,
                        task_bytes: float = 0.0) -> int:
        """Cells per task: ``chunk_cells``, or derived from ``memory_budget`` (module docstring)."""
        if self.memory_budget is None:
            return int(self.chunk_cells)
        return chunk_cells_for_budget(self.memory_budget, bytes_per_cell,
                                      n_workers=n_workers or self.n_workers, task_bytes=task_bytes)


def chunk_cells_for_budget(memory_budget: float, bytes_per_cell: float, *, n_workers: int = 1,
                           task_bytes: float = 0.0) -> int:
    """Cells per task so that ``n_workers`` tasks fit in ``memory_budget`` bytes.

    ``clip((memory_budget / n_workers − task_bytes) / bytes_per_cell, 1,000, 2,000,000)``,
    where ``task_bytes`` is the working memory of a task that does not depend on its cells
    (e.g. the FFT buffers of a simulation task).

    Examples
    --------
    The example of docs/scaling.md (estimation, 16 elements × 10 layers, ``8 × 8 × 160 + 64``
    bytes per cell, 2 workers, 4 GiB):

    >>> chunk_cells_for_budget(4 * 2**30, 8 * 8 * 160 + 64, n_workers=2)
    208412
    """
    cells = int(max(memory_budget / max(n_workers, 1) - task_bytes, 0.0) // bytes_per_cell)
    return int(min(max(cells, MIN_CHUNK_CELLS), MAX_CHUNK_CELLS))


def map_locally(func: Callable, items: Iterable, **shared: Any) -> list:
    """``[func(item, **shared) for item in items]`` in this thread: the mapper of a stage called
    without one (same signature as :class:`Mapper`)."""
    return [func(item, **shared) for item in items]


#: Task function → what the progress bar calls its tasks.
_TASK_LABELS = {"_estimate_rows": "estimation chunks", "_tile_task": "simulation tiles × realisation batches",
                "_data_task": "simulation realisations at the data"}


class Mapper:
    """A ``map``-like callable running each call as one Dask task (see the module docstring).

    Parameters
    ----------
    options : ComputeOptions
    client : distributed.Client, optional
        Connected client for a ``tcp://`` scheduler (or a test's ``LocalCluster``).
    """

    def __init__(self, options: ComputeOptions, client: Any = None) -> None:
        self.options = options
        self.client = client

    @property
    def n_workers(self) -> int:
        """Tasks that run at once (the cluster's thread count for a client)."""
        if self.client is not None:
            return max(1, sum(self.client.nthreads().values()))
        return self.options.n_workers

    def __call__(self, func: Callable, items: Iterable, **shared: Any) -> list:
        """``[func(item, **shared) for item in items]``, as Dask tasks, in order."""
        return list(self.imap(func, items, **shared))

    def share(self, obj: Any) -> Any:
        """``obj`` as an argument of several tasks: scattered once to a cluster (a future that the
        tasks of :meth:`imap` receive resolved), so that it is not serialised into every task; itself
        for a local scheduler."""
        if self.client is None:
            return obj
        return self.client.scatter([obj], hash=False)[0]  # a one-item list: obj is not split

    def imap(self, func: Callable, items: Iterable, **shared: Any) -> Iterator:
        """Like :meth:`__call__` but yields the results in order as they are gathered.

        At most ``2 × n_workers`` results are held at once (tasks are submitted in waves of
        that size), so a caller that consumes each result (e.g. writes a chunk into an output
        array) needs memory for a few chunks only, not for all of them. ``items`` may be a
        generator: it is drawn one wave at a time, so per-task inputs need not exist all at once.
        """
        from seabed.progress import report_tasks

        total = len(items) if hasattr(items, "__len__") else None
        label = _TASK_LABELS.get(getattr(func, "__name__", ""), getattr(func, "__name__", "tasks").strip("_"))
        for done, result in enumerate(self._imap(func, items, **shared), start=1):
            report_tasks(label, done, total)  # the stage bar's sub-progress (no-op without a bar)
            yield result

    def _imap(self, func: Callable, items: Iterable, **shared: Any) -> Iterator:
        wave = 2 * self.n_workers
        source = iter(items)
        waves = iter(lambda: list(islice(source, wave)), [])  # items drawn lazily, a wave at a time
        first = next(waves, None)
        if first is None:
            return
        waves = chain([first], waves)
        if self.client is not None:
            # scatter a one-item list: a dict or list value would otherwise be scattered item by item
            scattered = {k: self.client.scatter([v], broadcast=True, hash=False)[0] for k, v in shared.items()}
            try:
                for batch in waves:
                    futures = self.client.map(func, batch, pure=False, **scattered)
                    try:
                        yield from self.client.gather(futures)
                    finally:
                        for f in futures:
                            f.release()
            finally:
                for f in scattered.values():
                    f.release()
            return
        import dask

        held = {k: dask.delayed(v, traverse=False, pure=False) for k, v in shared.items()}  # no hashing of GBs
        kwargs: dict[str, Any] = {"scheduler": self.options.scheduler}
        if self.options.scheduler != "synchronous":
            kwargs["num_workers"] = self.options.n_workers
        for batch in waves:
            tasks = [dask.delayed(func, pure=False)(item, **held) for item in batch]
            yield from dask.compute(*tasks, **kwargs)

    def __repr__(self) -> str:
        where = self.client.scheduler.address if self.client is not None else self.options.scheduler
        return f"Mapper({where!r}, workers={self.n_workers})"


@contextmanager
def open_mapper(options: ComputeOptions | None = None, *, client: Any = None) -> Iterator[Mapper]:
    """The :class:`Mapper` of ``options``; a ``tcp://`` client is opened here and closed on exit.

    Parameters
    ----------
    options : ComputeOptions, optional
        Default: the local threaded scheduler.
    client : distributed.Client, optional
        Use this already connected client (not closed on exit) instead of ``options.scheduler``.
    """
    options = options or ComputeOptions()
    with single_threaded_blas():
        yield from _open_mapper(options, client)


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS (OpenBLAS) limited to one thread inside the block, restored after.

    seabed parallelises by its own tasks (Dask threads, numba kernels); BLAS threads on top of
    them oversubscribe the cores, and OpenBLAS's spinning threads then cost more than they
    give: the default run's resource stage took 32 s with two BLAS threads per task and 11.5 s
    with one on the 2-core machine of docs/performance.md. Dask's distributed workers already
    start with one BLAS thread (``OPENBLAS_NUM_THREADS=1``).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _open_mapper(options: ComputeOptions, client: Any) -> Iterator[Mapper]:
    if client is not None:
        yield Mapper(options, client)
        return
    if not options.is_distributed:
        yield Mapper(options)
        return
    from distributed import Client

    try:
        connected = Client(options.scheduler, timeout="10s", set_as_default=False)
    except OSError as exc:
        raise ConfigError(
            f"compute.scheduler: could not connect to {options.scheduler!r} ({exc}); expected a running "
            "dask.distributed scheduler; fix: start one (dask scheduler) or use \"threads\""
        ) from None
    try:
        yield Mapper(options, connected)
    finally:
        connected.close()


def split_rows(n_rows: int, row_cells: Sequence[int], chunk_cells: int) -> list[slice]:
    """Consecutive row blocks of about ``chunk_cells`` cells each.

    Parameters
    ----------
    n_rows : int
        Rows of the grid.
    row_cells : sequence of int
        Cells to compute in each row (e.g. masked cells).
    chunk_cells : int
        Target cells per block; a block holds at least one row.
    """
    blocks, start, count = [], 0, 0
    for r in range(n_rows):
        count += int(row_cells[r])
        if count >= chunk_cells:
            blocks.append(slice(start, r + 1))
            start, count = r + 1, 0
    if start < n_rows:
        blocks.append(slice(start, n_rows))
    return blocks
