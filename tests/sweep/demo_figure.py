"""The figure of the test fixture :mod:`fdivtheory.sweep._demo`, in the form of a ``paper_figures`` module."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SIMULATION = "fdivtheory.sweep._demo"


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Sample means per block, one series per point."""
    from paper_figures import style

    with style.context():
        fig, ax = style.subplots()
        means = df[df.quantity == "mean"]
        for point, sub in means.groupby("point"):
            ax.plot(sub["block"], sub["value"], marker="o", label=f"point {point}")
        ax.set(xlabel="replicate block", ylabel="sample mean")
        ax.legend()
        return style.save(fig, out_dir, "demo")
