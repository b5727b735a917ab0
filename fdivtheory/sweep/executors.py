"""Executors: run one function over many argument tuples, yielding results as they finish.

``serial``
    In the calling process, in order.
``processes``
    A local :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn``
    start method, so the function must be importable (module level).
``dask``
    A ``dask.distributed.Client``: on a ``LocalCluster`` (one single-threaded
    worker process per ``workers``, on 127.0.0.1) started for the run, or on an
    existing scheduler given by its address.  Dask is optional: without it this
    executor raises a :class:`SweepError` that says how to install it.

Local worker processes ignore SIGINT: Ctrl-C, which a terminal sends to the
whole process group, is handled once, by the client.

Worker processes of ``processes`` and of a ``LocalCluster`` start with
:data:`WORKER_ENV` in their environment: one thread per worker for numba,
OpenMP and BLAS, since the workers themselves are the parallelism (threaded
kernels inside each of them would oversubscribe the cores).  The variables must
be there when the process starts: numba reads them once, at import, and refuses
a change once its threads run.  The client's own environment is restored when
the executor shuts down.  Workers of an existing Dask scheduler are configured
by whoever started them.

Every executor yields ``(index, result)`` pairs; which result comes first
depends on the executor, so callers must not rely on the order.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager

from fdivtheory.sweep._errors import SweepError, one_line

__all__ = ["CONNECT_TIMEOUT", "EXECUTORS", "WORKER_ENV", "TaskError", "execute", "require"]

EXECUTORS = ("serial", "processes", "dask")
#: Seconds to wait for an existing Dask scheduler before giving up.
CONNECT_TIMEOUT = 5.0
#: Environment of local worker processes: single-threaded kernels.
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "OPENBLAS_NUM_THREADS": "1"}


class TaskError(SweepError):
    """A task raised: ``index`` is its position in the argument list."""

    def __init__(self, index: int, exc: BaseException) -> None:
        super().__init__(one_line(exc), status=1)
        self.index = index


def require(executor: str) -> None:
    """Raise :class:`SweepError` unless ``executor`` is known and importable."""
    if executor not in EXECUTORS:
        raise SweepError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if executor == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise SweepError("the dask executor needs dask.distributed: "
                             "pip install 'fdivtheory[distributed]'") from None


def execute(fn: Callable, args: Sequence[tuple], *, executor: str = "serial",
            workers: int = 1, scheduler: str | None = None) -> Iterator[tuple[int, object]]:
    """Yield ``(i, fn(*args[i]))`` for every ``i``, in order of completion.

    A task that raises stops the iteration with a :class:`TaskError`; closing
    the iterator (or an exception in the caller, e.g. ``KeyboardInterrupt``)
    cancels the tasks not yet started and shuts the executor down.
    """
    require(executor)
    if executor == "serial":
        return _serial(fn, args)
    if executor == "processes":
        return _processes(fn, args, workers)
    return _dask(fn, args, workers, scheduler)


def _serial(fn: Callable, args: Sequence[tuple]) -> Iterator[tuple[int, object]]:
    for i, a in enumerate(args):
        try:
            result = fn(*a)
        except Exception as exc:
            raise TaskError(i, exc) from exc
        yield i, result


@contextmanager
def _children_ignore_sigint() -> Iterator[None]:
    """Processes started inside the block inherit an ignored SIGINT.

    Ctrl-C reaches the whole process group; the client alone handles it, and
    workers must not print tracebacks of their own.  (Only the main thread may
    change signal handlers; elsewhere this does nothing.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _worker_environment() -> Iterator[None]:
    """``os.environ`` holds :data:`WORKER_ENV` inside the block; restored exactly after.

    Worker processes started inside inherit it.  (Dask's nanny also writes its
    ``pre-spawn-environ`` into the client's environment; that is undone too.)
    """
    saved = dict(os.environ)
    os.environ.update(WORKER_ENV)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _processes(fn: Callable, args: Sequence[tuple],
               workers: int) -> Iterator[tuple[int, object]]:
    with _worker_environment():
        yield from _processes_run(fn, args, workers)


def _processes_run(fn: Callable, args: Sequence[tuple],
                   workers: int) -> Iterator[tuple[int, object]]:
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        with _children_ignore_sigint():  # the pool starts its processes on submit
            futures = {pool.submit(fn, *a): i for i, a in enumerate(args)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:
                raise TaskError(i, exc) from exc
            yield i, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(fn: Callable, args: Sequence[tuple], workers: int,
          scheduler: str | None) -> Iterator[tuple[int, object]]:
    with _worker_environment():
        yield from _dask_run(fn, args, workers, scheduler)


def _dask_run(fn: Callable, args: Sequence[tuple], workers: int,
              scheduler: str | None) -> Iterator[tuple[int, object]]:
    import dask
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_as_completed

    quiet = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in quiet]
    for lg in quiet:
        lg.setLevel(logging.CRITICAL)
    cluster = client = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise SweepError(f"cannot connect to the Dask scheduler at {scheduler}: "
                                 f"{one_line(exc)}") from None
        else:
            # Dask's default MALLOC_TRIM_THRESHOLD_=65536 for workers switches off
            # glibc's dynamic mmap threshold: every NumPy temporary above 128 KiB
            # is then mmap-ed and page-faulted anew (core_inequalities tasks ran
            # 1.5x slower with it), so our workers keep glibc's default.
            no_trim = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
            with _children_ignore_sigint(), dask.config.set(no_trim):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, host="127.0.0.1",
                                       dashboard_address=None,
                                       silence_logs=logging.CRITICAL)
            client = Client(cluster)
        run_key = uuid.uuid4().hex[:12]
        futures = [client.submit(fn, *a, key=f"fdiv-{run_key}-{i}", pure=False)
                   for i, a in enumerate(args)]
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in dask_as_completed(futures):
            i = index[fut.key]
            try:
                result = fut.result()
            except Exception as exc:
                raise TaskError(i, exc) from exc
            yield i, result
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        for lg, level in zip(quiet, levels, strict=True):
            lg.setLevel(level)
