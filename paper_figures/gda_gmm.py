"""Figure 1 of Zheng, Wu & Li (2023) from ``python -m simulations.gda_gmm``.

Four panels: E|NLL gap| against m (d = 1), against d (m = 10) and against gamma
(d = 50, m = 10), each with error bars (2 standard errors over all stored
trials), the values read off the authors' figure (crosses) and the exact
expected *signed* gap d (m_S + 2 m_G) / m_T^2 (dotted lines); and the bound
curve (the authors' plotting formula, the same with the T term 0 at gamma = 0,
and the derived form).  Reference values: docs/theory/gda.md, §8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fdivtheory.augmentation import reference as ref
from paper_figures import style

SIMULATION = "gda_gmm"


def combine(df: pd.DataFrame, panel: str) -> pd.DataFrame:
    """Per (d, m, gamma): means over replicate blocks and their pooled standard errors.

    Every block has the same number of trials, so the overall mean is the mean of
    the block means and its SE is ``sqrt(sum se_b^2) / K``.
    """
    sub = df[df.panel == panel]
    cols = ["d", "m", "gamma", "blocks", "expected_gap"] + [
        f"{s}_{q}" for q in ("abs_gap", "gap", "abs_gap_01", "gap_01") for s in ("mean", "se")]
    if not len(sub):
        return pd.DataFrame(columns=cols)
    wide = sub.pivot_table(index=["d", "m", "block", "index"], columns="quantity",
                           values="value").reset_index()
    rows = []
    for (d, m, _i), g in wide.groupby(["d", "m", "index"]):
        k = len(g)
        row = {"d": d, "m": m, "gamma": g["gamma"].iloc[0], "blocks": k}
        for q in ("abs_gap", "gap", "abs_gap_01", "gap_01"):
            row[f"mean_{q}"] = g[f"mean_{q}"].mean()
            row[f"se_{q}"] = np.sqrt(np.sum(g[f"se_{q}"] ** 2)) / k
        row["expected_gap"] = g["expected_gap"].iloc[0]
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def _colour(j: int) -> str:
    colours = list(style.PALETTE.values())
    return colours[j % len(colours)]


def _curves(ax, tab: pd.DataFrame, x: str, paper: dict, gammas) -> None:
    for j, g in enumerate(gammas):
        c = tab[tab.gamma == g].sort_values(x)
        if not len(c):
            continue
        col = _colour(j)
        ax.errorbar(c[x], c.mean_abs_gap, yerr=2 * c.se_abs_gap, color=col, marker="o", ms=3,
                    capsize=2, label=f"γ = {g}")
        ax.plot(c[x], c.expected_gap, color=col, ls=":", lw=1.0)
        px = [k for k in paper if paper[k][j] is not None]
        ax.plot(px, [paper[k][j] for k in px], "x", color=col, ms=6)
    ax.plot([], [], "x", color="grey", label="paper (digitised)")
    ax.plot([], [], ":", color="grey", label="exact E[signed gap]")


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw the four panels of Figure 1 (``gda_gmm.png``/``.pdf``)."""
    with style.context():
        fig, axes = style.subplots(2, 2, width=12.0, height=9.0)
        (ax, bx), (cx, dx) = axes
        d1 = combine(df, "d1")
        _curves(ax, d1, "m", ref.PAPER_D1, ref.GAMMAS_CURVES)
        trials = int(d1.blocks.max() * df.trials.max()) if len(d1) else 0
        if len(d1):
            ax.set(xscale="log", yscale="log")
        ax.set(xlabel="training-set size m",
               ylabel="E |test NLL − train NLL|",
               title=f"d = 1: same m^(-1/2) rate for every γ ({trials} trials)")
        ax.set_xticks(list(ref.M_D1), [str(m) for m in ref.M_D1])
        ax.minorticks_off()
        ax.legend(ncol=2, fontsize=8)
        m10 = combine(df, "m10")
        _curves(bx, m10, "d", ref.PAPER_M10, ref.GAMMAS_CURVES)
        if len(m10):
            bx.set(xscale="log", yscale="log")
        bx.set(xlabel="dimension d",
               ylabel="E |test NLL − train NLL|", title="m = 10: augmentation helps when d ≫ m")
        bx.set_xticks(list(ref.D_M10), [str(d) for d in ref.D_M10])
        bx.minorticks_off()
        bx.legend(ncol=2, fontsize=8)
        d50 = combine(df, "d50").sort_values("gamma")
        g = d50.gamma.to_numpy()
        cx.errorbar(g, d50.mean_abs_gap, yerr=2 * d50.se_abs_gap, marker="o", ms=3, capsize=2,
                    color=style.PALETTE["blue"], label="E|gap|, this library (±2 SE)")
        cx.plot(ref.GAMMAS_D50, ref.PAPER_D50_M10, "x", color="black", ms=7,
                label="paper (digitised)")
        cx.plot(ref.GAMMAS_D50, ref.HP_D50_M10, "+", color=style.PALETTE["vermillion"], ms=8,
                label="high-precision reference")
        cx.plot(g, d50.expected_gap, ":", color=style.PALETTE["green"],
                label="exact E[signed gap] = d(m+2m_G)/m_T²")
        cx.set(xscale="symlog", xlabel="γ = m_G / m_S", ylabel="E |test NLL − train NLL|",
               title="d = 50, m = 10")
        cx.legend(fontsize=8)
        b = df[df.panel == "bound"]
        if len(b):
            first = b[b.block == b.block.min()]

            def series(q: str) -> np.ndarray:
                return first[first.quantity == q].sort_values("index")["value"].to_numpy()

            gb = series("gamma")
            dx.plot(gb, series("bound_plotted"), marker="o", ms=3, color="black",
                    label="authors' curve (T term kept at γ = 0)")
            dx.plot(gb[:2], series("bound_t_zero")[:2], marker="s", ms=4, ls="--",
                    color=style.PALETTE["vermillion"], label="same, T term 0 at γ = 0")
            dx.plot(gb, series("bound_derived"), marker="^", ms=3,
                    color=style.PALETTE["blue"], label="derived form (log(1/δ) dropped)")
            dx.plot(ref.GAMMAS_D50, ref.BOUND_D50_M10, "x", color="grey", ms=7,
                    label="paper (formula values)")
        if len(d50):
            dx.plot(g, d50.mean_abs_gap, color=style.PALETTE["green"], ls=":",
                    label="simulated E|gap|")
        if len(b) or len(d50):
            dx.set(xscale="symlog", yscale="log")
        dx.set(xlabel="γ = m_G / m_S", ylabel="bound (no constants)",
               title="d = 50, m = 10: the bound curve")
        dx.legend(fontsize=8)
        return style.save(fig, out_dir, "gda_gmm")
