"""Figure 1(a)-(c) of Tang, Liu & Xu (ICML 2025): the simulated linear MDP.

Ours: mean over datasets of the exact return, error bars one standard error. Crosses: the
paper's plotted values (read from the published vector figures; docs/theory/robust_rl.md,
§7). Black dotted: the exact d-RRMDP optimal policy (planner), which is the nominal policy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from paper_figures import style

SIMULATION = "r2pvi_linear_mdp"

#: Fig. 1(a), q = 0.1 ... 0.9 (lam = 0.1).
PAPER_1A = {
    "pevi": [1.474, 1.392, 1.302, 1.229, 1.163, 1.089, 0.997, 0.912, 0.827],
    "r2pvi-tv": [1.346, 1.310, 1.283, 1.247, 1.208, 1.167, 1.125, 1.078, 1.045],
    "r2pvi-kl": [1.355, 1.315, 1.274, 1.227, 1.188, 1.154, 1.115, 1.071, 1.037],
    "r2pvi-chi2": [1.329, 1.308, 1.291, 1.265, 1.238, 1.199, 1.168, 1.134, 1.109],
}
#: Fig. 1(b), values at q = 0, 0.5, 1 per lam.
PAPER_1B = {0.1: (1.574, 1.344, 1.096), 0.2: (1.608, 1.276, 0.993),
            0.3: (1.659, 1.254, 0.874), 0.6: (1.723, 1.206, 0.698)}
#: Fig. 1(c), q = 0.9, x = rho (DRPVI) or lam (R2PVI) in {0, 1/9, ..., 1}.
PAPER_1C = {
    "drpvi": [0.769, 0.786, 0.801, 0.830, 0.866, 0.914, 0.961, 1.011, 1.022, 1.029],
    "r2pvi-tv": [1.066, 1.018, 0.950, 0.877, 0.800, 0.778, 0.766, 0.760, 0.760, 0.760],
}
LABEL = {"pevi": "PEVI", "r2pvi-tv": "R2PVI-TV", "r2pvi-kl": "R2PVI-KL",
         "r2pvi-chi2": "R2PVI-χ²", "drpvi": "DRPVI", "drvi-l": "DRVI-L"}
COLOR = dict(zip(LABEL, style.PALETTE.values(), strict=False))


def _curve(df: pd.DataFrame, quantity: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sub = df[df["quantity"] == quantity]
    g = sub.groupby("index")["value"]
    n = g.count().to_numpy()
    se = g.std(ddof=1).fillna(0).to_numpy() / np.sqrt(np.maximum(n, 1))
    q = df[df["quantity"] == "q"].groupby("index")["value"].first().to_numpy()
    return q, g.mean().to_numpy(), se


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw panels (a)-(c) and the paper-vs-released-conventions comparison."""
    paths: list[Path] = []
    qs_paper = np.round(np.arange(1, 10) / 10, 1)
    with style.context():
        fig, axes = style.subplots(1, 3, width=15, height=4.4)
        ax = axes[0]
        pert = df[(df["experiment"] == "perturbation") & (df["conventions"] == "reference")]
        for m in PAPER_1A:
            q, mean, se = _curve(pert[pert["method"] == m], "value")
            extra = ", released estimator" if m == "r2pvi-chi2" else ""
            ax.errorbar(q, mean, yerr=se, color=COLOR[m], label=f"{LABEL[m]} (ours{extra})",
                        capsize=2)
            ax.plot(qs_paper, PAPER_1A[m], "x", color=COLOR[m], ms=6)
        tv = pert[pert["method"] == "r2pvi-tv"]
        if len(tv):
            q, plan_v, _ = _curve(tv, "planner_value")
            ax.plot(q, plan_v, ":", color="black", label="exact d-RRMDP optimum (planner)")
            q, best, _ = _curve(tv, "best_value")
            ax.plot(q, best, "-", color="grey", lw=0.8, label="best policy at each q")
        ax.plot([], [], "x", color="black", label="paper (Fig. 1a)")
        ax.set(xlabel="perturbation q", ylabel="average return",
               title="(a) λ = 0.1, released-code conventions")
        ax.legend(fontsize=7)

        ax = axes[1]
        lam_df = df[df["experiment"] == "lambda"]
        for k, lam in enumerate(sorted(lam_df["lam"].unique())):
            for xi, ls in ((0.2, "--"), (0.3, "-")):
                sub = lam_df[(lam_df["lam"] == lam) & (lam_df["xi_norm"] == xi)]
                if not len(sub):
                    continue
                q, mean, se = _curve(sub, "value")
                color = list(style.PALETTE.values())[k]
                ax.errorbar(q, mean, yerr=se, ls=ls, color=color, capsize=2,
                            label=f"λ={lam:g}, ‖ξ‖₁={xi:g}")
            if lam in PAPER_1B:
                ax.plot([0, 0.5, 1], PAPER_1B[lam], "x", color=color, ms=7)
        ax.plot([], [], "x", color="black", label="paper (Fig. 1b)")
        ax.set(xlabel="perturbation q", ylabel="average return",
               title="(b) R2PVI-TV, λ sweep (feature norm 0.2 / 0.3)")
        ax.legend(fontsize=6, ncol=2)

        ax = axes[2]
        rad = df[df["experiment"] == "radius"]
        xs = np.arange(10) / 9
        for m in ("drpvi", "r2pvi-tv"):
            sub = rad[rad["method"] == m]
            if not len(sub):
                continue
            key = "rho" if m == "drpvi" else "lam"
            vals = sub[(sub["quantity"] == "value") & (sub["index"] == 9)]
            g = vals.groupby(key)["value"]
            x = np.array(sorted(g.groups))
            ax.errorbar(np.where(x < 1e-6, 0, x), g.mean().loc[x].to_numpy(),
                        yerr=(g.std(ddof=1).fillna(0) / np.sqrt(g.count())).loc[x].to_numpy(),
                        color=COLOR[m], capsize=2, label=f"{LABEL[m]} (ours)")
            ax.plot(xs, PAPER_1C[m], "x", color=COLOR[m], ms=6, label=f"{LABEL[m]} (paper)")
        ax.set(xlabel="ρ (DRPVI) / λ (R2PVI-TV)", ylabel="average return at q = 0.9",
               title="(c) λ acts like 1/ρ")
        ax.legend(fontsize=7)
        paths += style.save(fig, out_dir, "r2pvi_linear_mdp")

        fig, axes = style.subplots(1, 2, width=11, height=4.2, sharey=True)
        allp = df[df["experiment"] == "perturbation"]
        for ax, conv in zip(axes, ("paper", "reference"), strict=True):
            sub = allp[allp["conventions"] == conv]
            for m in LABEL:
                s = sub[sub["method"] == m]
                if len(s):
                    q, mean, se = _curve(s, "value")
                    ax.errorbar(q, mean, yerr=se, color=COLOR[m], label=LABEL[m], capsize=2)
            ax.set(xlabel="perturbation q", title=f"{conv} conventions")
        axes[0].set_ylabel("average return")
        axes[0].legend(fontsize=7)
        paths += style.save(fig, out_dir, "r2pvi_linear_mdp_conventions")
    return paths
