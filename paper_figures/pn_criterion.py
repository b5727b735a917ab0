"""Figure of ``python -m simulations.pn_criterion``: risk against n, n^3 residuals, the p-n decision.

Panels: (a) the risk R_n against n (log-log) for several (family, truth) pairs:
exact (line), first order c1/n (dashed), second order c1/n + c2/n^2 (dotted) and
Monte Carlo (points, +-4 SE); (b) n^3 (exact - R12) levelling off at the n^-3
coefficient (crosses: the values derived in docs/theory/pn_criterion.md, §5);
(c) the p-n decision on real data (scikit-learn's bundled copies): plug-in R12,
bootstrap risk and the well-specified p/(2n) against p, with the threshold
8 eps^2 (filled markers: accepted).  These real-data numbers are the library's
illustration, not values from Sheena's paper.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from paper_figures import style
from simulations.pn_criterion import RESIDUAL_LIMITS

SIMULATION = "pn_criterion"


def _scalar(df: pd.DataFrame, quantity: str, by: str) -> pd.Series:
    sub = df[df.quantity == quantity]
    return sub.groupby(by)["value"].mean().sort_index()


def _series(df: pd.DataFrame, quantity: str) -> np.ndarray:
    return df[df.quantity == quantity].sort_values("index")["value"].to_numpy()


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw the three panels from the stored results."""
    colours = list(style.PALETTE.values())
    with style.context():
        fig, (ax, bx, cx) = style.subplots(1, 3, width=17.0, height=5.2)
        curve = df[df.experiment == "curve"]
        for j, pair in enumerate(sorted(curve["pair"].dropna().unique())):
            sub = curve[curve.pair == pair]
            col = colours[j % len(colours)]
            r1, r12 = _scalar(sub, "r1", "n"), _scalar(sub, "r12", "n")
            ex = _scalar(sub, "exact", "n")
            if len(ex):
                ax.plot(ex.index, ex.to_numpy(), color=col, label=pair)
            else:
                ax.plot([], [], color=col, marker="s", ls="none", label=f"{pair} (MC only)")
            ax.plot(r1.index, r1.to_numpy(), color=col, ls="--", lw=1.0)
            ax.plot(r12.index, r12.to_numpy(), color=col, ls=":", lw=1.4)
            mc, se = _scalar(sub, "mc", "n"), _scalar(sub, "mc_se", "n")
            ax.errorbar(mc.index, mc.to_numpy(), yerr=4 * se.to_numpy(), fmt="s", ms=3,
                        color=col, capsize=2)
        ax.plot([], [], color="grey", label="exact")
        ax.plot([], [], color="grey", ls="--", lw=1.0, label="$c_1/n$")
        ax.plot([], [], color="grey", ls=":", label="$c_1/n + c_2/n^2$")
        ax.plot([], [], color="grey", marker="s", ls="none", label="Monte Carlo (±4 SE)")
        ax.set(xscale="log", yscale="log", xlabel="sample size n",
               ylabel="$R_n = E\\,D[g_{\\theta^*} | g_{\\hat\\theta}]$ (nats)",
               title="(a) Risk to the information projection")
        ax.legend(loc="lower left", fontsize=7)

        res = df[df.experiment == "residual"]
        for j, pair in enumerate(sorted(res["pair"].dropna().unique())):
            sub = res[res.pair == pair]
            n, r = _series(sub, "n"), _series(sub, "n3_residual")
            bx.plot(n, r, marker="o", ms=3, color=colours[j % len(colours)], label=pair)
            if pair in RESIDUAL_LIMITS:
                bx.plot([n.max()], [RESIDUAL_LIMITS[pair]], "x", color="black", ms=8)
        bx.plot([], [], "x", color="black", label="$n^{-3}$ coefficient (theory note §5)")
        positive = bool((res[res.quantity == "n3_residual"]["value"] > 0).all())
        bx.set_yscale("log" if positive else "symlog", **({} if positive else {"linthresh": 0.01}))
        bx.set(xscale="log", xlabel="sample size n",
               ylabel="$n^3$ (exact − $R_{12}$)", title="(b) The $n^{-3}$ remainder levels off")
        bx.legend(loc="upper right", fontsize=7)

        pn = df[df.experiment == "pn"]
        for j, ds in enumerate(sorted(pn["dataset"].dropna().unique())):
            sub = pn[pn.dataset == ds]
            col = colours[j % len(colours)]
            p = _scalar(sub, "p", "d").to_numpy()
            r12 = _scalar(sub, "r12", "d").to_numpy()
            ws = _scalar(sub, "well_specified_risk", "d").to_numpy()
            boot, bse = _scalar(sub, "bootstrap", "d").to_numpy(), _scalar(
                sub, "bootstrap_se", "d").to_numpy()
            acc = _scalar(sub, "accept", "d").to_numpy() > 0.5
            n = int(_scalar(sub, "n", "d").iloc[0])
            cx.plot(p, r12, color=col, label=f"{ds} (n = {n}): plug-in $R_{{12}}$")
            cx.scatter(p[acc], r12[acc], color=col, s=25, zorder=3)
            cx.scatter(p[~acc], r12[~acc], facecolors="none", edgecolors=col, s=25, zorder=3)
            cx.errorbar(p, boot, yerr=4 * bse, fmt="^", ms=3, color=col, capsize=2, alpha=0.7)
            cx.plot(p, ws, color=col, ls="--", lw=1.0)
        if len(pn):
            thr = float(_scalar(pn, "threshold", "d").iloc[0])
            cx.axhline(thr, color="black", lw=1.0)
            cx.text(1.05, thr * 1.08, "$8\\varepsilon^2$, ε = 0.05", fontsize=8)
        cx.plot([], [], color="grey", ls="--", lw=1.0, label="well specified $p/(2n)$")
        cx.plot([], [], color="grey", marker="^", ls="none", label="bootstrap risk (±4 SE)")
        cx.set(xscale="log", yscale="log", xlabel="model dimension p = d(d+3)/2",
               ylabel="estimated risk (nats)",
               title="(c) p–n decision, MVN on real data (filled: accept)")
        cx.legend(loc="upper left", fontsize=7)
        return style.save(fig, out_dir, "pn_criterion")
