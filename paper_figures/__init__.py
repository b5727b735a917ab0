"""Every figure of the project, regenerated from stored simulation results.

``python -m paper_figures [NAME ...] [--out DIR] [--results DIR]`` draws the
named figures (all by default) as PNG and PDF.  Each figure reads the results
of one simulation from ``RESULTS/<simulation>`` (a full run) or, failing that,
``RESULTS/<simulation>-quick``, running the simulation in quick mode first
when neither holds results.

The registry :data:`FIGURES` maps a figure name to ``"module"`` (the module's
``SIM.figure`` draws it) or ``"module:function"`` (another
``function(df, out_dir) -> list[Path]`` of that module, same ``SIM``); modules
are imported only when their figure is drawn.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fdivtheory.sweep import Simulation

__all__ = ["FIGURES", "FigureEntry", "resolve"]

#: Figure name -> ``"module"`` or ``"module:function"`` (see the module docstring).
FIGURES: dict[str, str] = {
    "core_inequalities": "simulations.core_inequalities",
    "alignment_bon": "simulations.alignment_bon",
}


@dataclass(frozen=True)
class FigureEntry:
    """A resolved registry entry: the simulation whose results it draws, and how."""

    name: str
    module: str
    simulation: Simulation
    make: Callable[..., list[Path]]


def resolve(name: str) -> FigureEntry:
    """Import the module behind figure ``name`` (``KeyError`` if it is not registered)."""
    if name not in FIGURES:
        raise KeyError(f"unknown figure {name!r}; registered: {', '.join(sorted(FIGURES))}")
    module_name, _, attr = FIGURES[name].partition(":")
    module = importlib.import_module(module_name)
    sim = module.SIM
    make = getattr(module, attr) if attr else sim.figure
    if make is None:
        raise AttributeError(f"{module_name}.SIM has no figure")
    return FigureEntry(name, module_name, sim, make)
