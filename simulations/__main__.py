"""``python -m simulations``: list the simulations, or run one by name.

    python -m simulations [list]
    python -m simulations run NAME [options of python -m simulations.NAME]
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Sequence

import simulations
from fdivtheory.sweep import Simulation, one_line
from simulations._cli import main

_NOT_SWEEPS = {"verify"}
_USAGE = "usage: python -m simulations [list | run NAME [options]]"


def names() -> list[str]:
    """Names of the simulation modules (``python -m simulations.<name>``)."""
    return sorted(m.name for m in pkgutil.iter_modules(simulations.__path__)
                  if not m.name.startswith("_") and m.name not in _NOT_SWEEPS)


def _load(name: str) -> Simulation:
    module = importlib.import_module(f"simulations.{name}")
    sim = getattr(module, "SIM", None)
    if not isinstance(sim, Simulation):
        raise AttributeError(f"simulations.{name} defines no SIM")
    return sim


def _list() -> int:
    print("Simulations (python -m simulations.<name> --help for options):")
    for name in names():
        try:
            line = _load(name).description
        except Exception as exc:  # a module under construction must not hide the others
            line = f"(cannot be loaded: {one_line(exc)})"
        print(f"  {name:<24} {line}")
    print("  verify                   the verification report (python -m simulations.verify)")
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m simulations``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] == "list":
        return _list()
    if argv[0] in ("-h", "--help"):
        print(_USAGE)
        return 0
    if argv[0] != "run" or len(argv) < 2:
        print(f"python -m simulations: error: expected 'list' or 'run NAME'; {_USAGE}",
              file=sys.stderr)
        return 2
    name = argv[1]
    if name not in names():
        print(f"python -m simulations: error: unknown simulation {name!r}; choose one of "
              f"{', '.join(names())}", file=sys.stderr)
        return 2
    return main(_load(name), argv[2:])


if __name__ == "__main__":
    raise SystemExit(cli())
