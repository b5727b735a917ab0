"""Sweep benchmark: ``core_inequalities`` at full size, serial vs Dask with local workers.

    python benchmarks/bench_sweep.py [--workers 2] [--seed 0]

Runs the simulation three times into temporary stores — serially with numba's
default (multi-threaded) kernels, serially with one kernel thread (what each
worker process uses), then on a Dask ``LocalCluster`` started for the run —
checks that the stored results are bit-identical, and prints the wall times
(cluster start, imports and numba compilation in the workers included: what a
user waits for) and the speed-ups.  Target (specs/performance.md): speed-up
>= 1.7 with 2 workers on 2 cores.  Exit status 1 if the results differ.

The machine may be shared: the benchmark first measures how much parallel
throughput it actually gets (a pure-Python loop in 1 process, then in
``workers`` processes at once) and prints that ceiling with the speed-ups.
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
    args = parser.parse_args()
    print(f"# bench_sweep  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    ceiling = parallel_ceiling(args.workers)
    print(f"parallel throughput available to {args.workers} processes: {ceiling:.2f}x "
          f"(2.00x on {args.workers} idle cores)")
    kernel_threads = numba.get_num_threads()
    configs = [("serial", "serial", kernel_threads), ("serial-1thread", "serial", 1),
               ("dask", "dask", kernel_threads)]
    times, rows = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, executor, threads in configs:
            out = Path(tmp) / name
            numba.set_num_threads(threads)
            start = time.perf_counter()
            summary = run(SIM, seed=args.seed, out=out, executor=executor,
                          workers=args.workers)
            times[name] = time.perf_counter() - start
            numba.set_num_threads(kernel_threads)
            rows[name] = stored(out)
            what = (f"{args.workers} workers x 1 kernel thread" if executor == "dask"
                    else f"{threads} kernel thread{'s' if threads > 1 else ''}")
            print(f"{name:>15}: {times[name]:6.2f} s wall, {summary.tasks_run} tasks, "
                  f"{task_seconds(out):6.2f} s in tasks  ({what})")
    identical = rows["serial"] == rows["serial-1thread"] == rows["dask"]
    print(f"results bit-identical: {identical}")
    for base in ("serial-1thread", "serial"):
        print(f"speed-up dask / {base}: {times[base] / times['dask']:.2f}x")
    print(f"target: >= 1.7x on 2 cores; measured ceiling now {parallel_ceiling(args.workers):.2f}x")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
