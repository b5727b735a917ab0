"""SDPI coefficients of regularised layers and layer-wise bounds, from ``simulations.sdpi_layers``.

The library's own figures (the paper's figures are unknown): every curve is a
derived statement of docs/theory/sdpi.md and every marker an exact or Monte
Carlo value computed independently of that curve.

Panels: (a) D_l against layer index, rank formula and Monte Carlo (±2 SE);
(b) the W2-based Wasserstein bounds with the label-free product constant
(monotone) and with rho_0 max(1, .); (c) Dropout 1 - p^d with enumerated
finite-channel markers; (d) DropConnect 1 - p^{2d}; (e) Gaussian injection
2 Phi(x) - 1 with exact eta_TV of random input sets and binned eta_KL; (f) the
toy network's bounds by layer with |gen| and the contracted bound; (g)
"deeper yet narrower"; (h) the ordering chain on random channels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from paper_figures import style

SIMULATION = "sdpi_layers"


def _wide(df: pd.DataFrame, experiment: str) -> pd.DataFrame:
    sub = df[df.experiment == experiment]
    params = [c for c in ("layer", "width", "p", "x", "depth", "channel") if c in sub
              and sub[c].notna().any()]
    return sub.pivot_table(index=params + ["index"], columns="quantity",
                           values="value").reset_index()


def _colour(j: int) -> str:
    colours = list(style.PALETTE.values())
    return colours[j % len(colours)]


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw ``sdpi_layers.png``/``.pdf`` (eight panels)."""
    with style.context():
        fig, axes = style.subplots(2, 4, width=20.0, height=9.0)
        (a, b, c, d), (e, f, g, h) = axes
        lg = _wide(df, "linear_gaussian").sort_values("layer")
        if len(lg):
            a.plot(lg.layer, lg.kl_formula, "-", color="black", label="(r_l/2) log(n/(n-1))")
            a.errorbar(lg.layer, lg.kl_mc, yerr=2 * lg.kl_se, fmt="o", capsize=3,
                       color=style.PALETTE["blue"], label="Monte Carlo (±2 SE)")
            a.plot(lg.layer, lg.kl_bound, "s--", color=style.PALETTE["orange"],
                   label="KL bound σ sqrt(r_l log(n/(n-1)))")
            a.set(xlabel="layer l", ylabel="nats / bound", title="(a) linear-Gaussian: D_l")
            a.legend()
            b.plot(lg.layer, lg.w_bound_product, "o-", label="label-free product (monotone)")
            b.plot(lg.layer, lg.w_bound_label, "s-", label="ρ0 max(1, ·) (label metric)")
            b.set(xlabel="layer l", ylabel="bound", yscale="log",
                  title="(b) W2-based Wasserstein bounds")
            b.legend()
        for ax, kind, expo, title in ((c, "dropout", 1, "(c) Dropout: 1 − p^d"),
                                      (d, "dropconnect", 2, "(d) DropConnect (d_l = 2): 1 − p^{2d}")):
            w = _wide(df, kind)
            for j, p in enumerate(sorted(w.p.unique()) if len(w) else []):
                s = w[w.p == p].sort_values("width")
                dd = np.linspace(1, s.width.max(), 100)
                ax.plot(dd, 1 - p ** (expo * dd), color=_colour(j), label=f"p = {p:g}")
                ax.plot(s.width, s.eta_tv, "o", color=_colour(j), ms=5, mfc="none")
                ax.plot(s.width, s.eta_kl, "x", color=_colour(j), ms=5)
            ax.set(xlabel="width d (o η_TV, x η_KL of enumerated layers)", ylabel="η", title=title)
            ax.legend(fontsize=8)
        gs = _wide(df, "gaussian").sort_values("x")
        if len(gs):
            xx = np.linspace(0, 4, 200)
            from scipy.special import ndtr

            e.plot(xx, 2 * ndtr(xx) - 1, color="black", label="2Φ(x) − 1")
            e.plot(gs.x, gs.eta_tv, "o", label="exact η_TV, random input sets")
            e.plot(gs.x, gs.binned_eta_kl, "x", label="binned η_KL (lower estimate)")
            e.set(xlabel="x = ‖W‖_op R / σ_N", ylabel="η", title="(e) Gaussian injection")
            e.legend()
        toy = df[df.experiment == "toy"]
        if len(toy):
            def q(name):
                return toy[toy.quantity == name].sort_values("index").value.to_numpy()

            layers = np.arange(len(q("bound")))
            f.bar(layers - 0.27, q("bound"), width=0.27, label="sqrt(D_l / 2)")
            f.bar(layers, q("full_sample_bound"), width=0.27, label="full-sample form")
            if len(q("w1_bound")):
                f.bar(layers + 0.27, q("w1_bound"), width=0.27, label="W1 bound (exact Lip)")
            f.axhline(abs(q("gen")[0]), color="black", ls="--", label="|gen| (exact)")
            f.axhline(q("contracted_bound")[0], color=style.PALETTE["green"], ls=":",
                      label="contracted bound")
            for x, v in zip(layers, q("bound"), strict=True):
                f.annotate(f"{v:.4f}", (x - 0.27, v), ha="center", va="bottom", fontsize=8)
            f.set(xlabel="layer l", ylabel="bound on |gen|", xticks=layers,
                  title="(f) exact toy network (check sdpi.C15)")
            f.legend(fontsize=8)
        dn = _wide(df, "deeper_narrower")
        for j, m in enumerate(sorted(dn.width.unique()) if len(dn) else []):
            s = dn[dn.width == m].sort_values("depth")
            g.plot(s.depth, s.eta_times_params, "o-", color=_colour(j), label=f"width m = {m}")
        g.set(xlabel="depth L", ylabel="η̄ · #params", yscale="log",
              title="(g) deeper yet narrower (p = 0.5, d0 = 10)")
        g.legend(fontsize=8)
        od = _wide(df, "ordering")
        if len(od):
            od = od.sort_values("eta_tv")
            k = np.arange(len(od))
            for name, mk in (("rho2", "v"), ("eta_kl_fixed", "o"), ("eta_kl", "s"),
                             ("eta_tv", "^")):
                h.plot(k, od[name], mk, ms=4, label=name)
            h.set(xlabel="random 4×5 channel (sorted by η_TV)", ylabel="coefficient",
                  title="(h) ρ_m² ≤ η_KL(P_X,K) ≤ η_KL(K) ≤ η_TV(K)")
            h.legend(fontsize=8)
        return style.save(fig, out_dir, "sdpi_layers")
