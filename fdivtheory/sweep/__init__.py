"""Seeded parameter sweeps with a resumable SQLite results store.

Every ``simulations.<name>`` module defines a :class:`Simulation` (a grid of
parameter points, a number of replicate blocks, and a module-level task
function) and hands it to :func:`main`, which provides the common command line::

    from fdivtheory.sweep import Simulation, main

    SIM = Simulation(name="my_result", description="one line", grid=grid, task=task,
                     replicates=lambda quick: 2 if quick else 20)

    if __name__ == "__main__":
        raise SystemExit(main(SIM))

:func:`run` does the same from Python.  Results are read back with
:func:`fdivtheory.results.load`.  Modules: :mod:`~fdivtheory.sweep.runner`
(simulations, seeds, the run loop), :mod:`~fdivtheory.sweep.executors`
(serial, process pool, Dask), :mod:`~fdivtheory.sweep.store` (SQLite),
:mod:`~fdivtheory.sweep.cli` (options).
"""

from fdivtheory.sweep._errors import SweepError, one_line
from fdivtheory.sweep.cli import main
from fdivtheory.sweep.runner import RunSummary, Simulation, run

__all__ = ["RunSummary", "Simulation", "SweepError", "main", "one_line", "run"]
