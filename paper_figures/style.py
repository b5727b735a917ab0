"""The matplotlib style shared by every figure.

Figures are drawn on :class:`matplotlib.figure.Figure` objects (Agg canvas)
without pyplot, so they render headless, in worker processes and in notebooks
alike, and never change a notebook's backend.  Draw and save inside
:func:`context`::

    from paper_figures import style

    with style.context():
        fig, ax = style.subplots()
        ax.plot(x, y, label="KL")
        paths = style.save(fig, out_dir, "my_figure")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from cycler import cycler
from matplotlib.figure import Figure

__all__ = ["PALETTE", "RC", "context", "save", "subplots"]

#: Okabe & Ito (2008) colour-blind-safe palette, in the order lines are drawn.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: rcParams applied by :func:`context`.
RC = {
    "axes.prop_cycle": cycler(color=list(PALETTE.values())),
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "legend.frameon": False,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,  # embed TrueType: text stays selectable and editable
    "ps.fonttype": 42,
}


@contextmanager
def context() -> Iterator[None]:
    """Apply :data:`RC` while figures are built and saved."""
    with matplotlib.rc_context(RC):
        yield


def subplots(nrows: int = 1, ncols: int = 1, *, width: float = 6.4, height: float = 4.2,
             **kwargs) -> tuple[Figure, object]:
    """A new (pyplot-free) figure with a grid of axes and constrained layout."""
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save(fig: Figure, out_dir: str | Path, name: str) -> list[Path]:
    """Write ``out_dir/name.png`` and ``out_dir/name.pdf``; return both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.{ext}" for ext in ("png", "pdf")]
    for path in paths:
        fig.savefig(path)
    return paths
