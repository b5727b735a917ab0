"""A simulation whose task reports the kernel threads its worker may use.

It lives in a module (not in a test) so that worker processes can import it.
"""

from __future__ import annotations

import os

import numpy as np

from fdivtheory.sweep import Simulation


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """numba's thread count and NUMBA_NUM_THREADS (0 when unset) in this process."""
    import numba

    return {"numba_threads": numba.get_num_threads(),
            "env": int(os.environ.get("NUMBA_NUM_THREADS", "0"))}


SIM = Simulation("threads", "kernel threads per worker", lambda quick: [{"a": 1}], task,
                 replicates=2)
