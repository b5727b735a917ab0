"""``python -m paper_figures [NAME ...] [--out DIR] [--results DIR] [--no-progress]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from fdivtheory import results
from fdivtheory.sweep import SweepError, one_line, run
from fdivtheory.sweep.store import store_path
from paper_figures import FIGURES, FigureEntry, resolve


def results_for(entry: FigureEntry, root: Path, *, progress: bool = False) -> Path:
    """The results directory for ``entry``: the full run if stored, else the quick one.

    The quick run is (re)run with ``resume=True`` whenever no full results
    exist, which costs nothing when it is complete and finishes it otherwise.
    """
    full = root / entry.simulation.name
    if results.count(full):
        return full
    quick = root / f"{entry.simulation.name}-quick"
    summary = run(entry.simulation, quick=True, out=quick, resume=True, progress=progress,
                  command=f"python -m paper_figures {entry.name}")
    if summary.tasks_run:
        print(summary.line())
    return quick


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (1 if a figure failed, 2 for bad options)."""
    parser = argparse.ArgumentParser(
        prog="python -m paper_figures",
        description="Regenerate the figures (PNG and PDF) from stored results, running "
                    "a simulation in quick mode first when its results are missing.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"figures to draw (default: all of {', '.join(FIGURES)})")
    parser.add_argument("--out", type=Path, default=Path("results") / "figures", metavar="DIR",
                        help="where the figures go (default: results/figures)")
    parser.add_argument("--results", type=Path, default=Path("results"), metavar="DIR",
                        help="where simulation results are (default: results)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in FIGURES]
    if unknown:
        print(f"{parser.prog}: error: unknown figure {unknown[0]!r}; registered: "
              f"{', '.join(sorted(FIGURES))}", file=sys.stderr)
        return 2
    status = 0
    for name in args.names or list(FIGURES):
        try:
            entry = resolve(name)
            source = results_for(entry, args.results, progress=not args.no_progress)
            paths = entry.make(results.load(source), args.out)
        except SweepError as exc:
            print(f"{parser.prog}: error: {name}: {exc}", file=sys.stderr)
            status = max(status, 1)
            continue
        except KeyboardInterrupt:
            print(f"{parser.prog}: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:
            print(f"{parser.prog}: error: figure {name!r} failed: {one_line(exc)}",
                  file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {', '.join(str(p) for p in paths)} (from {store_path(source)})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
