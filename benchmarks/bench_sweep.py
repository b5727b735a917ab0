"""Sweep benchmark: ``core_inequalities`` at full size, serial vs Dask with local workers.

    python benchmarks/bench_sweep.py [--workers 2] [--seed 0] [--repeat 3] [--threaded-serial]

Runs the simulation into temporary stores, alternately serially with one kernel
thread (what each worker process uses) and on a Dask ``LocalCluster`` started
for the run (optionally also serially with numba's default multi-threaded
kernels), ``--repeat`` times; checks that the stored results of each round are
bit-identical (rounds are compared only with themselves: the source may change
between them in a shared checkout), and prints the wall times (cluster start,
imports and numba compilation in the workers included: what a user waits for)
and the speed-up of the best runs.
Target (specs/performance.md): speed-up >= 1.7 with 2 workers on 2 cores.
Exit status 1 if the results differ.

The machine may be shared: each round first measures how much parallel
throughput it actually gets (a pure-Python loop in 1 process, then in
``workers`` processes at once) and prints that ceiling.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numba  # noqa: E402

from fdivtheory.sweep import run  # noqa: E402
from simulations.core_inequalities import SIM  # noqa: E402


def stored(out: Path) -> list[tuple]:
    """The executor-independent content of a store, by grid position."""
    with closing(sqlite3.connect(out / "results.sqlite")) as conn:
        return conn.execute("SELECT point, block, params, seed_entropy, spawn_key, payload "
                            "FROM tasks ORDER BY point, block").fetchall()


def task_seconds(out: Path) -> float:
    """Sum of the tasks' own wall times."""
    with closing(sqlite3.connect(out / "results.sqlite")) as conn:
        return conn.execute("SELECT SUM(wall_time) FROM tasks").fetchone()[0]


def _spin(n: int = 20_000_000) -> float:
    """Seconds for a fixed pure-Python loop (CPU-bound, no memory traffic)."""
    start = time.perf_counter()
    s = 0
    for i in range(n):
        s += i
    return time.perf_counter() - start


def parallel_ceiling(workers: int) -> float:
    """Throughput of ``workers`` concurrent processes relative to one process."""
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(_spin, [1000] * workers)  # start-up out of the timing
        one = pool.apply(_spin)
        start = time.perf_counter()
        pool.map(_spin, [20_000_000] * workers)
        together = time.perf_counter() - start
    return workers * one / together


def main() -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each configuration, alternated; the best is reported "
                             "(the machine may be shared)")
    parser.add_argument("--threaded-serial", action="store_true",
                        help="also time the serial run with numba's default kernel threads")
    args = parser.parse_args()
    print(f"# bench_sweep  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    kernel_threads = numba.get_num_threads()
    configs = [("serial-1thread", "serial", 1), ("dask", "dask", kernel_threads)]
    if args.threaded_serial:
        configs.append(("serial", "serial", kernel_threads))
    times: dict[str, list[float]] = {name: [] for name, _, _ in configs}
    identical = True
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeat):
            reference = None
            ceiling = parallel_ceiling(args.workers)
            print(f"round {rep + 1}: parallel throughput available to {args.workers} "
                  f"processes {ceiling:.2f}x (2.00x on idle cores)")
            for name, executor, threads in configs:
                out = Path(tmp) / f"{name}-{rep}"
                numba.set_num_threads(threads)
                start = time.perf_counter()
                summary = run(SIM, seed=args.seed, out=out, executor=executor,
                              workers=args.workers)
                times[name].append(time.perf_counter() - start)
                numba.set_num_threads(kernel_threads)
                rows = stored(out)
                reference = rows if reference is None else reference
                identical &= rows == reference
                what = (f"{args.workers} workers x 1 kernel thread" if executor == "dask"
                        else f"{threads} kernel thread{'s' if threads > 1 else ''}")
                print(f"  {name:>15}: {times[name][-1]:6.2f} s wall, {summary.tasks_run} "
                      f"tasks, {task_seconds(out):6.2f} s in tasks  ({what})")
    best = {name: min(t) for name, t in times.items()}
    print(f"results bit-identical between the executors in every round: {identical}")
    for name in best:
        if name != "dask":
            print(f"speed-up dask / {name} (best of {args.repeat}): "
                  f"{best[name] / best['dask']:.2f}x  ({best[name]:.2f} s / {best['dask']:.2f} s)")
    print("target: >= 1.7x on 2 cores")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
