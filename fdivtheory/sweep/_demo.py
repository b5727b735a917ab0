"""A tiny simulation used by the tests, the doctests and as a template.

It lives in the package (not in a test file) so that worker processes of every
executor can import its task function.
"""

from __future__ import annotations

import time

import numpy as np

from fdivtheory import _backend
from fdivtheory.sweep.runner import Simulation


def grid(quick: bool) -> list[dict]:
    """Two points: sample sizes and location shifts."""
    return [{"n": 50, "shift": 0.0, "sleep": 0.0}, {"n": 200, "shift": 1.5, "sleep": 0.0}]


def slow_grid(quick: bool) -> list[dict]:
    """The same points with tasks that sleep, so that a run can be interrupted part-way."""
    return [{**p, "sleep": 0.05} for p in grid(quick)]


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """Moments of ``n`` shifted standard normal draws, and the first three draws."""
    if params["sleep"]:
        time.sleep(params["sleep"])
    x = rng.standard_normal(params["n"]) + params["shift"]
    if device == "gpu":
        xp = _backend.device_namespace("gpu")
        x = _backend.to_numpy(xp.asarray(x) * 1.0)
    return {"mean": float(x.mean()), "max": float(x.max()), "head": x[:3], "n": params["n"]}


SIM = Simulation(
    name="demo",
    description="Moments of shifted normal samples (a test fixture).",
    grid=grid,
    task=task,
    replicates=lambda quick: 3 if quick else 10,
    supports_gpu=True,
)

SLOW = Simulation(
    name="demo_slow",
    description="The demo with tasks that sleep 50 ms (for interruption tests).",
    grid=slow_grid,
    task=task,
    replicates=lambda quick: 20,
)

if __name__ == "__main__":
    from fdivtheory.sweep.cli import main

    raise SystemExit(main(SIM))
