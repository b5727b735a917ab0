"""The command line shared by every ``python -m simulations.<name>``."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from fdivtheory.sweep._errors import SweepError, one_line
from fdivtheory.sweep.executors import EXECUTORS
from fdivtheory.sweep.runner import DEVICES, Simulation, default_out, run

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["build_parser", "main"]

_EPILOG = """\
Task (point, block) draws from numpy.random.default_rng(SeedSequence(SEED,
spawn_key=(point, block))), so stored results are identical whatever the
executor, the number of workers or the order in which tasks finish.  Each
finished task is committed to OUT/results.sqlite at once: after an
interruption, run the same command with --resume to finish the rest."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _prog(sim: Simulation) -> str:
    module = sim.task.__module__
    if module == "__main__":
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        module = spec.name if spec is not None else sim.name
    return f"python -m {module}"


def build_parser(sim: Simulation) -> argparse.ArgumentParser:
    """The argument parser of ``sim``'s command line."""
    p = _Parser(prog=_prog(sim), description=sim.description, epilog=_EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="small grid and few replicates (seconds, for tests and previews)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="root seed, a non-negative integer (default: 0)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help=f"output directory (default: {default_out(sim, False)}, or "
                        f"{default_out(sim, True)} with --quick)")
    p.add_argument("--device", choices=DEVICES, default="cpu",
                   help="where array work runs; gpu needs CuPy and a CUDA device "
                        f"({'supported' if sim.supports_gpu else 'not supported'} "
                        "by this simulation)")
    p.add_argument("--executor", choices=EXECUTORS, default=None,
                   help="serial (default), processes (local pool), or dask "
                        "(needs pip install 'fdivtheory[distributed]')")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="existing Dask scheduler, e.g. tcp://host:8786 (implies --executor "
                        "dask; without it a LocalCluster is started for the run)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help=f"worker processes for processes/dask (default: {os.cpu_count()})")
    p.add_argument("--resume", action="store_true",
                   help="keep the tasks already stored in OUT and run only the missing ones")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is off anyway when stderr is not a terminal)")
    p.add_argument("--scale", type=int, default=1, metavar="K",
                   help="K times the default number of replicate blocks per point "
                        "(default: 1); the first blocks are the same at every K")
    return p


def main(sim: Simulation, argv: Sequence[str] | None = None, *,
         draw: Callable[[Simulation, pd.DataFrame, Path], list[Path]] | None = None) -> int:
    """Run ``sim`` from the command line; return the exit status.

    0 on success, 1 when a task or the figure failed, 2 for bad options or an
    unusable environment (one line on stderr, never a traceback), 130 when
    interrupted (finished tasks stay stored; rerun with ``--resume``).

    ``draw(sim, df, fig_dir) -> paths``, when given, draws the simulation's figures
    from the stored results into ``OUT/figures`` after the run.  The library draws
    nothing itself: ``python -m simulations.<name>`` passes
    :func:`paper_figures.draw` (see ``simulations/_cli.py``).
    """
    parser = build_parser(sim)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    executor = args.executor or ("dask" if args.scheduler else "serial")
    out = args.out if args.out is not None else default_out(sim, args.quick)
    command = shlex.join([*parser.prog.split(), *(sys.argv[1:] if argv is None else argv)])
    try:
        summary = run(sim, quick=args.quick, seed=args.seed, out=out, executor=executor,
                      workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                      progress=not args.no_progress, scale=args.scale, device=args.device,
                      command=command)
        print(summary.line())
        if draw is not None:
            return _figures(sim, draw, parser.prog, out)
    except SweepError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; finished tasks are stored in {out}, run the same "
              f"command with --resume to finish", file=sys.stderr)
        return 130
    return 0


def _figures(sim: Simulation, draw: Callable, prog: str, out: Path) -> int:
    from fdivtheory import results

    fig_dir = out / "figures"
    try:
        paths = draw(sim, results.load(out), fig_dir)
    except Exception as exc:
        print(f"{prog}: error: the figure of {sim.name!r} failed: {one_line(exc)}",
              file=sys.stderr)
        return 1
    if paths:
        print(f"{sim.name}: {len(paths)} figure files in {fig_dir}")
    return 0
