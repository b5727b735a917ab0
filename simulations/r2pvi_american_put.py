"""R2PVI and baselines on the American put option (Figure 1(d) and the runtime figure).

Two experiments (the ``experiment`` grid parameter):

* ``return`` (Fig. 1d): N = 100 always-hold price paths at p_up = 0.5, d = 30, H = 20,
  beta = 0.1, ridge 1; PEVI, R2PVI-TV (lam 1, 3, 5), R2PVI-KL / chi2 (lam 1), DRPVI
  (rho 0.2, 0.1, 0.025) and DRVI-L (rho 0.1), under the released code's conventions. Each
  agent's **exact** expected payoff (on the price lattice) at test p_up = 0.2, ..., 1.0,
  beside the optimal-stopping value at that p_up (the exact planner).
* ``timing``: training time of every method against N (d = 30) and d (N = 1000).
  Wall-clock seconds go in the payload (machine-dependent; not a result to compare).

``--device gpu`` runs the learners' regressions on CuPy (array-API path).

docs/theory/robust_rl.md, §4.2 and §7.
Run: ``python -m simulations.r2pvi_american_put [--quick] [options]``.
"""

from __future__ import annotations

import time

import numpy as np

from fdivtheory._backend import device_namespace
from fdivtheory.robust_rl import AmericanPutOption, drpvi, drvi_l, evaluate, pevi, plan, r2pvi
from fdivtheory.sweep import Simulation

PS = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
AGENTS = ([("pevi", 0.0)] + [("r2pvi-tv", x) for x in (1.0, 3.0, 5.0)]
          + [("r2pvi-kl", 1.0), ("r2pvi-chi2", 1.0)]
          + [("drpvi", x) for x in (0.2, 0.1, 0.025)] + [("drvi-l", 0.1)])
TIMED = ("pevi", "r2pvi-tv", "r2pvi-kl", "r2pvi-chi2", "drpvi", "drvi-l")


def grid(quick: bool) -> list[dict]:
    """Return points (method, parameter) and timing points (method, N, d)."""
    pts = [{"experiment": "return", "method": m, "param": x, "n": 100, "d": 30}
           for m, x in AGENTS]
    sizes = ([(1000, 30), (10000, 30)] if quick else
             [(1000, 30), (5000, 30), (10000, 30), (100000, 30), (1000, 60), (1000, 120)])
    pts += [{"experiment": "timing", "method": m, "param": 0.1 if m.startswith("dr") else 1.0,
             "n": n, "d": d} for n, d in sizes for m in TIMED]
    return pts


def fit(method: str, param: float, data, env, conventions: str = "reference", xp=None):
    """Train ``method`` (``param`` = lam for R2PVI, rho for DRPVI / DRVI-L)."""
    common = {"beta": 0.1, "ridge": 1.0, "conventions": conventions, "xp": xp}
    if method == "pevi":
        return pevi(data, env, **common)
    if method == "drpvi":
        return drpvi(data, env, rho=param, **common)
    if method == "drvi-l":
        return drvi_l(data, env, rho=param, **common)
    return r2pvi(data, env, lam=param, divergence=method.split("-")[1], **common)


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """One agent: exact returns at every test p_up, or its training time."""
    seed = int(rng.integers(2**31))
    env = AmericanPutOption(d=int(params["d"]), horizon=20, p_up=0.5, seed=seed)
    data = env.offline_dataset(int(params["n"]), seed=seed)
    # on the GPU the ridge regressions and 1-D searches run on CuPy arrays
    xp = device_namespace("gpu") if device == "gpu" else None
    start = time.perf_counter()
    policy = fit(params["method"], float(params["param"]), data, env, xp=xp)
    seconds = time.perf_counter() - start
    if params["experiment"] == "timing":
        return {"train_seconds": seconds}
    tests = [env.with_p_up(float(p)) for p in PS]
    return {"p_up": PS.copy(), "value": np.array([evaluate(policy, e).value for e in tests]),
            "optimal_value": np.array([plan(e, None, None).value for e in tests]),
            "train_seconds": seconds}


SIM = Simulation(
    name="r2pvi_american_put",
    description="R2PVI vs PEVI/DRPVI/DRVI-L on the American put (Fig. 1d, runtimes), exact",
    grid=grid,
    task=task,
    replicates=lambda quick: 2 if quick else 3,
    supports_gpu=True,
)

if __name__ == "__main__":
    from simulations._cli import main

    raise SystemExit(main(SIM))
