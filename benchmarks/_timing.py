"""Timing helper shared by the benchmark scripts (``python benchmarks/bench_<area>.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """(cold time, median warm time, last result) of ``fn()``; warm = cold when repeats = 0."""
    start = time.perf_counter()
    out = fn()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        warm.append(time.perf_counter() - start)
    return cold, (statistics.median(warm) if warm else cold), out
