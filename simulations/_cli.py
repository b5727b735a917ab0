"""``main(SIM)`` for ``python -m simulations.<name>``: the common runner, then the figures.

The library's runner (:func:`fdivtheory.sweep.main`) knows nothing of figures;
this wrapper hands it :func:`paper_figures.draw`, so that a run ends with its
figures in ``OUT/figures`` while simulation modules never import matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence

import paper_figures
from fdivtheory.sweep import Simulation
from fdivtheory.sweep import main as run_main

__all__ = ["main"]


def main(sim: Simulation, argv: Sequence[str] | None = None) -> int:
    """Run ``sim`` with the common options, then draw its figures; return the exit status."""
    return run_main(sim, argv, draw=paper_figures.draw)
