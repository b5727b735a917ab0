"""Figure of ``python -m simulations.core_inequalities``: the (TV, KL) joint range and the room each bound leaves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fdivtheory.inequalities import kl_lower_from_tv
from paper_figures import style
from simulations.core_inequalities import SUPPORT_SIZES

SIMULATION = "core_inequalities"


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Joint range of (TV, KL) with the three bounds, and the room each bound leaves per k."""
    colours = list(style.PALETTE.values())
    with style.context():
        fig, (ax, bx) = style.subplots(1, 2, width=11.0, height=4.4)
        for j, k in enumerate(sorted(df["k"].unique())):
            sub = df[df["k"] == k]
            tv = sub.loc[sub.quantity == "tv_sample", "value"].to_numpy()
            kl = sub.loc[sub.quantity == "kl_sample", "value"].to_numpy()
            ax.scatter(tv, kl, s=4, alpha=0.4, color=colours[j], label=f"k = {k}",
                       rasterized=True)
        v = np.geomspace(1e-4, 1 - 1e-6, 400)
        ax.plot(v, 2 * v**2, color="black", ls="--", label=r"Pinsker $2V^2$")
        ax.plot(v, -np.log1p(-(v**2)), color="black", ls=":",
                label=r"Bretagnolle–Huber $-\log(1-V^2)$")
        ax.plot(v, kl_lower_from_tv(v), color="black", label="exact boundary (two-point)")
        ax.set(xscale="log", yscale="log", xlim=(1e-4, 1), ylim=(1e-8, 20),
               xlabel="total variation $V$", ylabel="KL(p‖q) (nats)",
               title="Joint range of (TV, KL)")
        ax.legend(loc="upper left", markerscale=3)

        quantities = [("max_ratio_pinsker", "Pinsker", "o"),
                      ("max_ratio_bh", "Bretagnolle–Huber", "s"),
                      ("max_ratio_le_cam", "Le Cam (upper)", "^")]
        for name, label, marker in quantities:
            ratio = df[df.quantity == name].groupby("k")["value"].max()
            room = np.clip(1.0 - ratio.to_numpy(), 1e-16, None)
            bx.plot(ratio.index, room, marker=marker, label=label)
        bx.set(xscale="log", yscale="log", xlabel="support size k",
               ylabel="1 − max TV / bound", title="Room left by each bound (0 = tight)")
        bx.set_xticks(list(SUPPORT_SIZES), [str(k) for k in SUPPORT_SIZES])
        bx.minorticks_off()
        bx.legend(loc="lower right")
        return style.save(fig, out_dir, "core_inequalities")
