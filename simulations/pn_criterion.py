"""MLE risk to the information projection: exact, first-, second-order and Monte Carlo; the p-n decision.

Three experiments (the ``experiment`` grid parameter), computed with
:mod:`fdivtheory.projection`:

* ``curve``: for several (family, truth) pairs and sample sizes n, the exact risk
  (where a closed form, enumeration or series exists), R1 = c1/n,
  R12 = c1/n + c2/n^2 and a Monte Carlo estimate with its standard error
  (conditional on the existence of the MLE).
* ``residual``: n^3 (exact - R12) for n up to 10^4; it levels off at the n^-3
  coefficient (17 for the normal model, 75 for the bivariate normal, 1/k^3 for the
  exponential model with a Gamma(k) truth, 2 for Bernoulli(1/2)).
* ``pn``: the p-n decision across model dimension p = d(d+3)/2 (multivariate
  normal on the first d columns) for real data bundled with scikit-learn (UCI Wine,
  the diabetes data, UCI Breast Cancer Wisconsin), eps = 0.05: plug-in R12, the
  first-order well-specified p/(2n), the bootstrap risk, accept / reject and n*.

Run: ``python -m simulations.pn_criterion [--quick] [options]`` (``--help``).
The figure is ``paper_figures/pn_criterion.py``; the theory is in
docs/theory/pn_criterion.md.
"""

from __future__ import annotations

import numpy as np
import scipy.stats as st

from fdivtheory.projection import (
    exact_risk,
    family,
    pn_criterion,
    risk_expansion,
    simulate_risk,
)
from fdivtheory.sweep import Simulation
from simulations._cli import main

EPS = 0.05


def _pair(name: str):
    """(family, truth, has exact risk) of a named pair."""
    pairs = {
        "exponential|gamma(2)": (family("exponential"), st.gamma(2.0), True),
        "normal|normal": (family("normal"), st.norm(), True),
        "mvn(d=2)|normal": (family("mvn", d=2), st.multivariate_normal([0.0, 0.0]), True),
        "categorical|(.2,.3,.5)": (family("categorical", k=3), np.array([0.2, 0.3, 0.5]), True),
        "poisson|nbinom(2,.5)": (family("poisson"), st.nbinom(2, 0.5), True),
        "bernoulli|0.5": (family("bernoulli"), st.bernoulli(0.5), True),
        "normal|gamma(4)": (family("normal"), st.gamma(4.0), False),
        "normal|t(10)": (family("normal"), st.t(10), False),
    }
    if name not in pairs:
        raise ValueError(f"unknown pair {name!r}")
    return pairs[name]


CURVE_PAIRS = ("exponential|gamma(2)", "normal|normal", "mvn(d=2)|normal",
               "categorical|(.2,.3,.5)", "poisson|nbinom(2,.5)", "normal|gamma(4)")
RESIDUAL_PAIRS = ("exponential|gamma(2)", "normal|normal", "mvn(d=2)|normal", "bernoulli|0.5",
                  "poisson|nbinom(2,.5)")
#: n^-3 coefficients of the exact risk (docs/theory/pn_criterion.md, §5), drawn as guides
RESIDUAL_LIMITS = {"exponential|gamma(2)": 1 / 8, "normal|normal": 17.0,
                   "mvn(d=2)|normal": 75.0, "bernoulli|0.5": 2.0}
DATASETS = ("wine", "diabetes", "breast_cancer")


def grid(quick: bool) -> list[dict]:
    """Parameter points of the three experiments."""
    pts: list[dict] = []
    ns = [6, 10, 20, 40, 80, 160, 320] + ([] if quick else [640, 1280])
    reps = 2000 if quick else 40_000
    for pair in CURVE_PAIRS:
        for n in ns:
            if pair.startswith("categorical") and n > 640:
                continue
            pts.append({"experiment": "curve", "pair": pair, "n": n, "replications": reps})
    for pair in RESIDUAL_PAIRS:
        pts.append({"experiment": "residual", "pair": pair, "n_max": 2000 if quick else 10_000})
    max_d = {"wine": 13, "diabetes": 9, "breast_cancer": 13 if quick else 20}
    for ds in DATASETS:
        for d in range(1, max_d[ds] + 1, 2 if quick else 1):
            pts.append({"experiment": "pn", "dataset": ds, "d": d,
                        "bootstrap": 200 if quick else 1000})
    return pts


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """Exact, expanded and simulated quantities of one grid point."""
    kind = params["experiment"]
    if kind == "curve":
        return _curve(params, rng, device)
    if kind == "residual":
        return _residual(params)
    if kind == "pn":
        return _pn(params, rng, device)
    raise ValueError(f"unknown experiment {kind!r}")


def _curve(params: dict, rng: np.random.Generator, device: str) -> dict:
    fam, truth, has_exact = _pair(params["pair"])
    n = int(params["n"])
    c = risk_expansion(fam, truth)
    out = {"c1": c.c1, "c2": c.c2, "r1": c.risk(n, 1), "r12": c.risk(n)}
    if has_exact:
        ex = exact_risk(fam, truth, n)
        out["exact"] = ex.risk
        out["p_nonexistence_exact"] = ex.p_nonexistence
    mc = simulate_risk(fam, truth, n, int(params["replications"]), seed=rng, device=device)
    out.update({"mc": mc.mean, "mc_se": mc.se, "p_nonexistence_mc": mc.p_nonexistence})
    return out


def _residual(params: dict) -> dict:
    fam, truth, _ = _pair(params["pair"])
    c = risk_expansion(fam, truth)
    ns = np.unique(np.round(np.geomspace(20, int(params["n_max"]), 16))).astype(int)
    ex = np.array([exact_risk(fam, truth, int(n)).risk for n in ns])
    r12 = c.c1 / ns + c.c2 / ns.astype(float) ** 2
    return {"n": ns.astype(float), "n3_residual": (ex - r12) * ns.astype(float) ** 3,
            "exact": ex, "r12": r12}


def _pn(params: dict, rng: np.random.Generator, device: str) -> dict:
    from fdivtheory.projection.data import load_real_data

    data = load_real_data(params["dataset"]).values
    d = int(params["d"])
    x = data[:, :d]
    fam = family("mvn", d=d)
    res = pn_criterion(x, fam, eps=EPS)
    first = pn_criterion(x, fam, eps=EPS, order=1)
    boot = simulate_risk(fam, x, x.shape[0], int(params["bootstrap"]), seed=rng, device=device)
    return {"n": float(res.n), "p": float(res.p), "c1": res.c1, "c2": res.c2, "r12": res.risk,
            "r1": res.first_order_risk, "well_specified_risk": res.well_specified_risk,
            "bootstrap": boot.mean, "bootstrap_se": boot.se,
            "accept": float(res.accept), "accept_first_order": float(first.accept),
            "accept_well_specified": float(res.well_specified_accept),
            "n_star": float(res.n_star), "n_star_well_specified": float(res.well_specified_n_star),
            "eps_hat": res.eps_hat, "threshold": res.threshold,
            "mardia_beta2": _mardia(x)}


def _mardia(x: np.ndarray) -> float:
    xc = x - x.mean(0)
    S = xc.T @ xc / x.shape[0]
    y = np.linalg.solve(np.linalg.cholesky(S), xc.T).T
    return float(np.mean(np.sum(y * y, axis=1) ** 2))


SIM = Simulation(
    name="pn_criterion",
    description="MLE risk to the information projection (Sheena 2021): exact vs c1/n + "
                "c2/n^2 vs Monte Carlo, n^3 residuals, and the p-n decision on real data.",
    grid=grid,
    task=task,
    replicates=1,
    supports_gpu=True,
)

if __name__ == "__main__":
    raise SystemExit(main(SIM))
