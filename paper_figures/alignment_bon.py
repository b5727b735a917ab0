"""Figures of ``python -m simulations.alignment_bon``: Yang et al.'s and Beirami et al.'s canonical plots.

Exact curves from :mod:`fdivtheory.alignment`, Monte Carlo estimates with error
bars, and the tabulated reference values of docs/theory/alignment.md as crosses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from paper_figures import style
from simulations.alignment_bon import (
    CHERRY_TOP,
    DELTA,
    REFERENCE_C13,
    REFERENCE_C15,
    REFERENCE_CHERRY,
    REFERENCE_UNIFORM,
)

SIMULATION = "alignment_bon"


def _series(df: pd.DataFrame, quantity: str, **where) -> np.ndarray:
    sel = df.quantity == quantity
    for key, value in where.items():
        sel &= df[key] == value
    return df.loc[sel].sort_values("index")["value"].to_numpy()


def _scalar_by(df: pd.DataFrame, quantity: str, by: str, **where) -> pd.Series:
    sel = df.quantity == quantity
    for key, value in where.items():
        sel &= df[key] == value
    return df.loc[sel].groupby(by)["value"].mean().sort_index()


def make(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    """[Y]'s and [B]'s canonical figures (docs/theory/alignment.md, §4), from stored results."""
    return _figure_yang(df, out_dir) + _figure_beirami(df, out_dir)


def _figure_yang(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    eq = df[df.experiment == "equivalence"]
    with style.context():
        fig, axes = style.subplots(2, 2, width=11.0, height=8.0)
        (ax, bx), (cx, dx) = axes
        for j, model in enumerate(("bernoulli", "nonlattice")):
            colour = list(style.PALETTE.values())[j]
            label = {"bernoulli": "Bernoulli(0.3), r = y",
                     "nonlattice": "3 letters, r = (0, 1, √2)"}[model]
            reward = _scalar_by(eq, "bon_reward_per_token", "length", model=model)
            x_delta = _scalar_by(eq, "x_delta", "length", model=model).iloc[0]
            ax.plot(reward.index, reward.to_numpy(), marker="o", ms=3, color=colour,
                    label=f"best-of-$e^{{n\\delta}}$, {label}")
            ax.axhline(x_delta, color=colour, ls="--", lw=1.0)
            kl = _scalar_by(eq, "kl_bon_tilted", "length", model=model)
            bx.plot(kl.index, kl.to_numpy(), marker="o", ms=3, color=colour, label=label)
            guide = 0.5 * np.log(kl.index.to_numpy(dtype=float))
            bx.plot(kl.index, guide + (kl.to_numpy()[-1] - guide[-1]), color=colour, ls=":",
                    lw=1.0)
            per = _scalar_by(eq, "kl_bon_tilted_per_token", "length", model=model)
            cx.plot(per.index, per.to_numpy(), marker="o", ms=3, color=colour, label=label)
            computed = reward.index.max()
            ref = {n: v for n, v in REFERENCE_C13[model].items() if n <= computed}
            sx = [n for n in ref if ref[n][0] is not None]
            ax.plot(sx, [ref[n][0] for n in sx], "x", color="black", ms=7)
            bx.plot(list(ref), [v[1] for v in ref.values()], "x", color="black", ms=7)
        mc = df[df.experiment == "bon_mc"]
        if len(mc):
            est = _scalar_by(mc, "mc_reward_per_token", "length")
            err = _scalar_by(mc, "mc_se", "length")
            exact = _scalar_by(mc, "exact_reward_per_token", "length")
            ax.errorbar(est.index, est.to_numpy(), yerr=4 * err.to_numpy(), fmt="s", ms=3,
                        color=style.PALETTE["vermillion"], capsize=2,
                        label="Monte Carlo at N = round($e^{n\\delta}$) (±4 SE)")
            ax.plot(exact.index, exact.to_numpy(), "_", color=style.PALETTE["vermillion"], ms=10)
        ax.plot([], [], "x", color="black", label="reference values (docs/theory/alignment.md)")
        ax.set(xscale="log", xlabel="sequence length n", ylabel="per-token reward",
               title=f"Best-of-N per-token reward, log N = nδ (δ = {DELTA}); dashed: $x_\\delta$")
        ax.legend(loc="center right")
        bx.set(xscale="log", xlabel="sequence length n", ylabel="KL(π_N ‖ φ_Δ) (nats)",
               title="Unnormalised KL grows like ½ log n (dotted)")
        bx.legend(loc="upper left")
        cx.set(xscale="log", yscale="log", xlabel="sequence length n",
               ylabel="(1/n) KL(π_N ‖ φ_Δ) (nats/token)", title="Per-token KL → 0")
        cx.legend(loc="upper right")
        ldp = df[df.experiment == "ldp"]
        for j, n in enumerate(sorted(ldp["length"].unique())):
            x = _series(ldp, "x", length=n)
            dx.plot(x, _series(ldp, "exponent", length=n), color=_colour(style, j),
                    label=f"n = {int(n):g}")
        if len(ldp):
            n0 = ldp["length"].min()
            dx.plot(_series(ldp, "x", length=n0), _series(ldp, "minus_rate", length=n0),
                    color="black", ls="--", label="−I_λ(x) (rate function)")
        dx.set(xlabel="per-token reward threshold x", ylabel="(1/n) log P(R_n ≥ n x)",
               title="Exact tail exponents under φ_Δ vs the rate function")
        dx.legend(loc="lower left")
        return style.save(fig, out_dir, "alignment_yang")


def _colour(style, j: int) -> str:
    """The j-th colour of the shared palette (cycled)."""
    colours = list(style.PALETTE.values())
    return colours[j % len(colours)]


def _figure_beirami(df: pd.DataFrame, out_dir: Path) -> list[Path]:
    kvn = df[df.experiment == "kl_vs_n"]
    with style.context():
        fig, (ax, bx, cx) = style.subplots(1, 3, width=16.0, height=4.8)
        uni = kvn[kvn.reference == "uniform"]
        for j, L in enumerate(sorted(uni["L"].unique())):
            colour = _colour(style, j)
            n = _series(uni, "n", L=L)
            ax.plot(n, _series(uni, "kl", L=L), color=colour, label=f"exact KL, L = {int(L)}")
            ax.plot(n, _series(uni, "mean_estimator", L=L), color=colour, ls=":")
            ref = REFERENCE_UNIFORM.get(int(L), {})
            ax.plot(list(ref), list(ref.values()), "x", color="black", ms=7)
        if len(uni):
            L0 = uni["L"].min()
            ax.plot(_series(uni, "n", L=L0), _series(uni, "bound", L=L0), color="black",
                    ls="--", label="log N − (N−1)/N")
        ax.plot([], [], color="grey", ls=":", label="E[D̂] (estimator)")
        ax.plot([], [], "x", color="black", label="reference values (docs/theory/alignment.md)")
        ax.set(xscale="log", xlabel="N", ylabel="KL(π_N ‖ p) (nats)",
               title="Uniform references: KL saturates at log L")
        ax.legend(loc="upper left")
        ch = kvn[kvn.reference == "cherry"]
        if len(ch):
            n = _series(ch, "n")
            bx.plot(n, _series(ch, "kl"), label="exact KL")
            bx.plot(n, _series(ch, "bound"), color="black", ls="--", label="log N − (N−1)/N")
            bx.plot(n, _series(ch, "mean_estimator"), ls=":", label="E[D̂] (exact)")
            bx.errorbar(_series(ch, "mc_n"), _series(ch, "mc_mean_estimator"),
                        yerr=4 * _series(ch, "mc_se"), fmt="s", ms=3, capsize=2,
                        label="E[D̂], Monte Carlo (±4 SE)")
            bx.plot(list(REFERENCE_CHERRY), list(REFERENCE_CHERRY.values()), "x",
                    color="black", ms=7, label="reference values (docs/theory/alignment.md)")
        bx.set(xscale="log", xlabel="N", ylabel="KL(π_N ‖ p) (nats)",
               title=f"Cherry-picked reference (top mass {CHERRY_TOP:g})")
        bx.legend(loc="upper left")
        wr = df[df.experiment == "win_rate"]
        cont = wr[wr.reference == "continuum"]
        if len(cont):
            cx.plot(_series(cont, "kl"), _series(cont, "bon_win"), color="black",
                    label="best-of-N, continuum N/(N+1)")
            cx.plot(_series(cont, "kl"), _series(cont, "tilted_win"), color="black", ls="--",
                    label="optimal tilt, continuum")
            cx.plot(_series(cont, "kl"), _series(cont, "rewind_win"), color="black", ls=":",
                    label="rewind-and-repeat, continuum")
        for j, ref in enumerate(("p4", "uniform100")):
            sub = wr[wr.reference == ref]
            if not len(sub):
                continue
            colour = _colour(style, j + 1)
            name = {"p4": "p = (.1,.2,.3,.4)", "uniform100": "uniform, L = 100"}[ref]
            cx.plot(_series(sub, "kl"), _series(sub, "bon_win"), marker="o", ms=3,
                    color=colour, label=f"best-of-N, {name}")
            cx.plot(_series(sub, "kl"), _series(sub, "tilted_win"), ls="--", color=colour,
                    label=f"tilt on w = F⁻ + p/2, {name}")
            mc_n = _series(sub, "mc_n")
            kl_at = np.interp(mc_n, _series(sub, "n"), _series(sub, "kl"))
            cx.errorbar(kl_at, _series(sub, "mc_win"), yerr=4 * _series(sub, "mc_se"),
                        fmt="s", ms=3, capsize=2, color=colour)
        c15 = list(REFERENCE_C15.values())
        cx.plot([v[0] for v in c15], [v[1] for v in c15], "x", color="black", ms=7,
                label="reference values (docs/theory/alignment.md)")
        cx.plot([v[0] for v in c15], [v[2] for v in c15], "x", color="black", ms=7)
        cx.set(xlabel="KL(π ‖ p) (nats)", ylabel="win rate against p",
               title="Win rate vs KL (squares: Monte Carlo ±4 SE)")
        cx.legend(loc="lower right", fontsize=8)
        return style.save(fig, out_dir, "alignment_beirami")
