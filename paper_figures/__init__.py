"""Every figure of the project, regenerated from stored simulation results.

``python -m paper_figures [NAME ...] [--out DIR] [--results DIR]`` draws the
named figures (all by default) as PNG and PDF.  Each figure reads the results
of one simulation from ``RESULTS/<simulation>`` (a full run) or, failing that,
``RESULTS/<simulation>-quick``, running the simulation in quick mode first
when neither holds results.

A figure is a module ``paper_figures/<name>.py`` holding

* ``SIMULATION``: the name of the simulation whose results it draws (the
  module ``simulations.<SIMULATION>`` and its ``SIM``), or a dotted module path
  holding a ``SIM``;
* ``make(df, out_dir) -> list[Path]``: draw from the tidy table of
  :func:`fdivtheory.results.load` and save with :func:`paper_figures.style.save`.

Modules are discovered (every module of this package except ``style`` and
private ones), so a new figure is one new file.  Figure modules import
matplotlib; simulations and the library never do: ``python -m
simulations.<name>`` draws its figures through :func:`draw` after a run.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from fdivtheory.sweep import Simulation

__all__ = ["FIGURES", "FigureEntry", "draw", "resolve"]

_NOT_FIGURES = {"style"}


def _discover() -> dict[str, str]:
    return {m.name: f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__)
            if not m.name.startswith("_") and m.name not in _NOT_FIGURES}


#: Figure name -> module drawing it (discovered; tests may add entries).
FIGURES: dict[str, str] = _discover()


@dataclass(frozen=True)
class FigureEntry:
    """A resolved figure: the simulation whose results it draws, and how."""

    name: str
    module: str
    simulation: Simulation
    make: Callable[..., list[Path]]


def _simulation(target: str) -> Simulation:
    module = target if "." in target else f"simulations.{target}"
    return importlib.import_module(module).SIM


def resolve(name: str) -> FigureEntry:
    """Import the module behind figure ``name`` (``KeyError`` if it is not registered)."""
    if name not in FIGURES:
        raise KeyError(f"unknown figure {name!r}; registered: {', '.join(sorted(FIGURES))}")
    module = importlib.import_module(FIGURES[name])
    return FigureEntry(name, FIGURES[name], _simulation(module.SIMULATION), module.make)


def _declared_simulation(module_name: str) -> str | None:
    """The ``SIMULATION`` constant of a figure module, read from its source (no import)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        return None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "SIMULATION"
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    return None


def draw(sim: Simulation, df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw every figure of ``sim`` from its results table ``df`` into ``out_dir``.

    Only the figure modules that declare ``SIMULATION`` as ``sim``'s name (or as the
    module holding it) are imported, so one broken figure cannot stop another's.
    """
    owner = sim.task.__module__
    paths: list[Path] = []
    for name in sorted(FIGURES):
        if _declared_simulation(FIGURES[name]) in (sim.name, owner):
            paths += importlib.import_module(FIGURES[name]).make(df, out_dir)
    return paths
