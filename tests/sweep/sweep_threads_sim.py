"""A simulation whose task reports the environment of its worker process.

It lives in a module (not in a test) so that worker processes can import it.
"""

from __future__ import annotations

import os

import numpy as np

from fdivtheory.sweep import Simulation


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """numba's thread count, NUMBA_NUM_THREADS and MALLOC_TRIM_THRESHOLD_ (-1 when unset)."""
    import numba

    return {"numba_threads": numba.get_num_threads(),
            "env": int(os.environ.get("NUMBA_NUM_THREADS", "-1")),
            "malloc_trim": int(os.environ.get("MALLOC_TRIM_THRESHOLD_", "-1"))}


SIM = Simulation("threads", "kernel threads per worker", lambda quick: [{"a": 1}], task,
                 replicates=2)
