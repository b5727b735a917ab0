"""Figure 1(d) and the runtime figure of Tang, Liu & Xu (ICML 2025): the American put.

Ours: mean over datasets of the exact expected payoff (lattice), error bars one standard
error; black dotted: the optimal-stopping value (exact planner). Crosses: the paper's
values as produced by the released code; runtime crosses: the paper's times on the
authors' machine (docs/theory/robust_rl.md, §7). Our times are from whatever machine ran
the simulation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from paper_figures import style

SIMULATION = "r2pvi_american_put"

PS = [0.2, 0.4, 0.6, 0.8, 1.0]
#: Fig. 1(d) values (p = 0.2 ... 1.0); None where the paper's value is not available.
PAPER_1D = {
    ("pevi", 0.0): [6.2788, 5.0204, 2.1995, 0.2949, 0.0],
    ("r2pvi-tv", 5.0): [4.7691, 4.3186, 2.2115, 0.5720, 0.0],
    ("r2pvi-tv", 3.0): [3.7980, 3.3042, 2.1212, 0.8699, 0.0],
    ("drpvi", 0.025): [4.9601, 4.3282, 2.1640, 0.3970, 0.0],
    ("drpvi", 0.1): [3.8521, 3.2780, 2.1047, 0.8414, 0.0],
    ("drpvi", 0.2): [1.4932, 1.4194, 1.2031, 0.8828, None],
}
#: Runtime figure (authors' machine), seconds: N sweep at d = 30 and d sweep at N = 1000.
PAPER_TIME_N = {1000: [0.804, 1.078, 1.041, 1.702, 1.643], 5000: [4.066, 5.048, 5.019, 6.773,
                                                               7.013],
                10000: [8.153, 8.993, 9.032, 13.396, 15.044]}
PAPER_TIME_D = {30: [0.804, 1.078, 1.041, 1.702, 1.643], 60: [1.838, 1.953, 1.786, 3.493,
                                                             4.120],
                120: [5.558, 4.975, 6.306, 16.662, 16.195]}
TIME_METHODS = ["pevi", "r2pvi-tv", "r2pvi-kl", "drpvi", "drvi-l"]
LABEL = {"pevi": "PEVI", "r2pvi-tv": "R2PVI-TV", "r2pvi-kl": "R2PVI-KL",
         "r2pvi-chi2": "R2PVI-χ²", "drpvi": "DRPVI", "drvi-l": "DRVI-L"}


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw the return panel and the two runtime panels."""
    colors = list(style.PALETTE.values())
    paths: list[Path] = []
    with style.context():
        fig, axes = style.subplots(1, 3, width=15, height=4.4)
        ax = axes[0]
        ret = df[df["experiment"] == "return"]
        for k, ((m, x), paper) in enumerate(PAPER_1D.items()):
            sub = ret[(ret["method"] == m) & (ret["param"] == x) & (ret["quantity"] == "value")]
            ls = "--" if m == "drpvi" else "-"
            name = LABEL[m] + ("" if m == "pevi" else (f" λ={x:g}" if m.startswith("r2")
                                                       else f" ρ={x:g}"))
            if len(sub):
                g = sub.groupby("index")["value"]
                se = g.std(ddof=1).fillna(0) / np.sqrt(g.count())
                ax.errorbar(PS, g.mean().to_numpy(), yerr=se.to_numpy(), ls=ls,
                            color=colors[k % len(colors)], capsize=2, label=name)
            pts = [(p, v) for p, v in zip(PS, paper, strict=True) if v is not None]
            ax.plot(*zip(*pts, strict=True), "x", color=colors[k % len(colors)], ms=6)
        opt = ret[ret["quantity"] == "optimal_value"]
        if len(opt):
            ax.plot(PS, opt.groupby("index")["value"].mean().to_numpy(), ":", color="black",
                    label="optimal stopping (planner)")
        ax.plot([], [], "x", color="black", label="paper (Fig. 1d)")
        ax.set(xlabel="price-up probability", ylabel="average payoff",
               title="(d) American put, N = 100")
        ax.legend(fontsize=6)

        tim = df[(df["experiment"] == "timing") & (df["quantity"] == "train_seconds")]
        for ax, key, fixed, paper, title in (
                (axes[1], "n", ("d", 30), PAPER_TIME_N, "training time vs N (d = 30)"),
                (axes[2], "d", ("n", 1000), PAPER_TIME_D, "training time vs d (N = 1000)")):
            sub = tim[tim[fixed[0]] == fixed[1]]
            for k, m in enumerate(LABEL):
                s = sub[sub["method"] == m]
                if len(s):
                    g = s.groupby(key)["value"].mean()
                    ax.plot(g.index, g.to_numpy(), "o-", color=colors[k], label=f"{LABEL[m]}")
                if m in TIME_METHODS:
                    i = TIME_METHODS.index(m)
                    xs = sorted(paper)
                    ax.plot(xs, [paper[x][i] for x in xs], "x--", color=colors[k], lw=0.8)
            ax.plot([], [], "x--", color="black", lw=0.8, label="paper (authors' machine)")
            ax.set(xscale="log", yscale="log", xlabel=key, ylabel="seconds", title=title)
            ax.legend(fontsize=6)
        paths += style.save(fig, out_dir, "r2pvi_american_put")
    return paths
