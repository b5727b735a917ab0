"""Simulations as grids of seeded tasks, and the function that runs them.

A :class:`Simulation` is a list of parameter points (``grid(quick)``) times a
number of replicate blocks per point (``replicates``).  Task ``(point, block)``
is the pure function call ``task(params, rng, device)`` with

    rng = numpy.random.default_rng(SeedSequence(root_seed, spawn_key=(point, block)))

which is the stream ``SeedSequence(root_seed).spawn(...)[point].spawn(...)[block]``
would give.  A task's result therefore depends on its grid position and the
root seed only — not on the executor, the number of workers or the order in
which tasks finish — and ``scale=K`` adds blocks without changing the first ones.
"""

from __future__ import annotations

import importlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FunctionType

import numpy as np

from fdivtheory import _backend
from fdivtheory.provenance import provenance
from fdivtheory.sweep import executors
from fdivtheory.sweep._errors import SweepError, one_line
from fdivtheory.sweep.store import Store, TaskRecord, encode_payload, open_store, store_path

__all__ = ["DEVICES", "RESERVED_COLUMNS", "RunSummary", "Simulation", "Task", "default_out",
           "provenance", "run", "tasks"]

DEVICES = ("cpu", "gpu")
#: Column names of :func:`fdivtheory.results.load` that parameters may not use.
RESERVED_COLUMNS = frozenset({"task_id", "point", "block", "quantity", "index", "value"})

TaskFunction = Callable[[dict, np.random.Generator, str], Mapping[str, object]]


@dataclass(frozen=True)
class Simulation:
    """A simulation: a grid of parameter points, replicate blocks, and a task.

    Parameters
    ----------
    name : str
        Short name; the default output directory is ``results/<name>``.
    description : str
        One line, shown by ``--help`` and ``python -m simulations``.
    grid : callable
        ``grid(quick: bool) -> list[dict]`` of JSON-serialisable scalars.
    task : callable
        Module-level ``task(params, rng, device) -> dict`` of real scalars or
        1-D arrays; it must be pure given ``(params, rng)``.
    replicates : int or callable
        Blocks of replicates per point (``replicates(quick) -> int`` if callable);
        each block is one task with its own seed.
    supports_gpu : bool
        Whether ``task`` honours ``device="gpu"`` (CuPy).
    """

    name: str
    description: str
    grid: Callable[[bool], list[dict]]
    task: TaskFunction
    replicates: int | Callable[[bool], int] = 1
    supports_gpu: bool = False

    def __post_init__(self) -> None:
        qualname = getattr(self.task, "__qualname__", "")
        if not isinstance(self.task, FunctionType) or "<" in qualname:
            raise TypeError(f"Simulation {self.name!r}: task must be a module-level function "
                            f"so that worker processes can import it, got {self.task!r}")

    def blocks(self, quick: bool) -> int:
        """Replicate blocks per point at scale 1."""
        n = self.replicates(quick) if callable(self.replicates) else self.replicates
        if not isinstance(n, int | np.integer) or n < 1:
            raise SweepError(f"simulation {self.name!r}: replicates must be a positive "
                             f"integer, got {n!r}")
        return int(n)


@dataclass(frozen=True)
class Task:
    """One grid position: ``params`` of point ``point``, replicate block ``block``."""

    point: int
    block: int
    params: dict

    @property
    def params_json(self) -> str:
        """Parameters as stored (JSON, floats exact)."""
        return json.dumps(self.params)


def _json_scalar(sim: str, key: str, value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise SweepError(f"simulation {sim!r}: grid parameter {key!r} must be a JSON scalar, "
                     f"got {type(value).__name__}")


def tasks(sim: Simulation, *, quick: bool, scale: int = 1) -> list[Task]:
    """The simulation's tasks, point-major: ``scale * sim.blocks(quick)`` per point.

    A ``ValueError`` or ``TypeError`` raised while the grid is built (a bad size or
    parameter of the simulation) is a user error: :class:`SweepError`, exit status 2.
    """
    try:
        points = sim.grid(quick)
    except (ValueError, TypeError) as exc:
        raise SweepError(f"simulation {sim.name!r}: {one_line(exc)}") from None
    if not isinstance(points, list | tuple) or not points:
        raise SweepError(f"simulation {sim.name!r}: grid({quick}) must return a non-empty list")
    clean = []
    for p in points:
        if not isinstance(p, Mapping):
            raise SweepError(f"simulation {sim.name!r}: grid points must be dicts, got {p!r}")
        bad = RESERVED_COLUMNS.intersection(p)
        if bad:
            raise SweepError(f"simulation {sim.name!r}: parameter names {sorted(bad)} are "
                             f"reserved")
        clean.append({str(k): _json_scalar(sim.name, k, v) for k, v in p.items()})
    n_blocks = sim.blocks(quick) * scale
    return [Task(i, b, params) for i, params in enumerate(clean) for b in range(n_blocks)]


def execute_task(task: TaskFunction, params: dict, entropy: int, spawn_key: tuple[int, int],
                 device: str) -> tuple[str, float]:
    """Run one task (in whatever process) and return ``(payload_json, wall_seconds)``."""
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=spawn_key))
    start = time.perf_counter()
    payload = task(dict(params), rng, device)
    wall = time.perf_counter() - start
    return encode_payload(payload), wall


@dataclass(frozen=True)
class RunSummary:
    """What a run did."""

    simulation: str
    out: Path
    tasks_total: int
    tasks_run: int
    tasks_resumed: int
    wall_time: float

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        return (f"{self.simulation}: {self.tasks_run} tasks run, {self.tasks_resumed} resumed, "
                f"{self.wall_time:.1f} s wall; results in {store_path(self.out)}")


def default_out(sim: Simulation, quick: bool) -> Path:
    """``results/<name>`` (``results/<name>-quick`` for quick runs)."""
    return Path("results") / (f"{sim.name}-quick" if quick else sim.name)


def require_device(sim: Simulation, device: str) -> None:
    """Raise :class:`SweepError` unless ``sim`` can run on ``device`` here."""
    if device not in DEVICES:
        raise SweepError(f"unknown device {device!r}; choose cpu or gpu")
    if device == "cpu":
        return
    if not sim.supports_gpu:
        raise SweepError(f"simulation {sim.name!r} has no GPU path; run it with --device cpu")
    if _backend.gpu_device_count() < 1:
        raise SweepError("--device gpu needs CuPy and an NVIDIA GPU: none is usable here "
                         "(pip install 'fdivtheory[gpu]' on a machine with a CUDA device)")


def _importable(func: TaskFunction) -> TaskFunction:
    """``func`` itself, or its twin in the real module when it was defined in ``__main__``.

    ``python -m simulations.x`` runs the module as ``__main__``; worker processes
    cannot import that name, so they are sent ``simulations.x.<task>`` instead.
    """
    if func.__module__ != "__main__":
        return func
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    if spec is None:
        return func
    return getattr(importlib.import_module(spec.name), func.__qualname__)


def _check_grid(sim: Simulation, all_tasks: list[Task], stored: dict[tuple[int, int], str],
                out: Path) -> None:
    by_point = {t.point: t.params for t in all_tasks}
    for (point, _), params in stored.items():
        if point not in by_point or json.loads(params) != by_point[point]:
            raise SweepError(f"cannot resume {store_path(out)}: the grid of {sim.name!r} has "
                             f"changed since it was written (point {point}); use another --out")


def _check_sizes(seed: object, workers: object, scale: object) -> None:
    for name, value, low in (("seed", seed, 0), ("workers", workers, 1), ("scale", scale, 1)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            kind = "a non-negative" if low == 0 else "a positive"
            raise SweepError(f"{name} must be {kind} integer, got {value!r}")


def run(sim: Simulation, *, quick: bool = False, seed: int = 0, out: str | Path | None = None,
        executor: str = "serial", workers: int | None = None, scheduler: str | None = None,
        resume: bool = False, progress: bool = False, scale: int = 1, device: str = "cpu",
        command: str | None = None) -> RunSummary:
    """Run (or resume) ``sim`` and store every finished task under ``out``.

    Parameters mirror the command-line options (see :func:`fdivtheory.sweep.main`).
    User errors (bad sizes, unknown executor, unusable device, store belonging
    to another run, unreachable scheduler) raise :class:`SweepError`; a task that
    raises stops the run with a ``SweepError`` of status 1.  Tasks already
    stored are kept in every case.

    Examples
    --------
    >>> from fdivtheory.sweep import _demo, run
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     run(_demo.SIM, quick=True, out=d).tasks_run
    6
    """
    if workers is None:
        workers = 1 if executor == "serial" else os.cpu_count() or 1
    _check_sizes(seed, workers, scale)
    require_device(sim, device)
    executors.require(executor)
    if scheduler and executor != "dask":
        raise SweepError("--scheduler needs --executor dask")
    start = time.perf_counter()
    all_tasks = tasks(sim, quick=quick, scale=int(scale))
    out = Path(out) if out is not None else default_out(sim, quick)
    identity = {"simulation": sim.name, "seed": str(int(seed)), "quick": "1" if quick else "0"}
    store = open_store(out, identity, resume=resume)
    try:
        stored = store.stored_params()
        _check_grid(sim, all_tasks, stored, out)
        todo = [t for t in all_tasks if (t.point, t.block) not in stored]
        resumed = len(all_tasks) - len(todo)
        run_id = store.begin_run({
            "simulation": sim.name, "seed": str(int(seed)), "quick": int(quick),
            "scale": int(scale), "executor": executor, "workers": int(workers),
            "device": device, "command": command or " ".join(sys.argv), **provenance()})
        status = "failed"
        try:
            _run_tasks(sim, store, run_id, todo, seed=int(seed), executor=executor,
                       workers=int(workers), scheduler=scheduler, device=device,
                       progress=progress)
            status = "finished"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            done = store.count() - len(stored)
            store.end_run(run_id, status, done, resumed)
    finally:
        store.close()
    return RunSummary(sim.name, out, len(all_tasks), done, resumed, time.perf_counter() - start)


def _run_tasks(sim: Simulation, store: Store, run_id: int, todo: list[Task], *, seed: int,
               executor: str, workers: int, scheduler: str | None, device: str,
               progress: bool) -> None:
    """Run ``todo`` on ``executor``, storing each result as soon as it arrives."""
    if not todo:
        return
    from tqdm.auto import tqdm

    fn = sim.task if executor == "serial" else _importable(sim.task)
    args = [(fn, t.params, seed, (t.point, t.block), device) for t in todo]
    bar = tqdm(total=len(todo), desc=sim.name, unit="task", file=sys.stderr,
               disable=True if not progress else None, dynamic_ncols=True)
    results = executors.execute(execute_task, args, executor=executor, workers=workers,
                                scheduler=scheduler)
    try:
        for i, (payload, wall) in results:
            t = todo[i]
            store.add(run_id, sim.name, TaskRecord(
                t.point, t.block, t.params_json, str(seed), json.dumps([t.point, t.block]),
                payload, wall, device))
            bar.update()
    except executors.TaskError as exc:
        t = todo[exc.index]
        raise SweepError(f"task {t.point}-{t.block} of {sim.name!r} (params {t.params}) "
                         f"failed: {exc}; finished tasks are stored, rerun with --resume "
                         f"once it is fixed", status=1) from exc
    except sqlite3.Error as exc:
        raise SweepError(f"cannot write to {store.path}: {exc}", status=1) from exc
    finally:
        results.close()
        bar.close()
