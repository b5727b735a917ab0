"""R2PVI and baselines on the simulated d = 4, H = 3 linear MDP (Figure 1(a)-(c) panels).

Three experiments (the ``experiment`` grid parameter); each task trains one agent on one
fresh offline dataset (K = 100 uniform-behaviour trajectories, the replicate block's seed)
and returns its **exact** expected return in the perturbed environment for every
perturbation level q = 0, 0.1, ..., 1 (the paper averages 100 test episodes instead):

* ``perturbation`` (Fig. 1a): PEVI, R2PVI-TV/KL/chi2 (lam = 0.1), DRPVI and DRVI-L
  (rho = 0.1 on the step-1 good factor only), beta = 1, ridge 0.1, under the paper's
  conventions and under the released code's (``conventions`` column). Each task also
  returns the exact values of the exact robust optimal policy (planner), of the nominal
  optimal policy and the best achievable value at each q.
* ``lambda`` (Fig. 1b): R2PVI-TV, lam in {0.1, 0.2, 0.3, 0.6}, feature norm 0.2 and 0.3.
* ``radius`` (Fig. 1c): DRPVI radius rho and R2PVI-TV regulariser lam on {0, 1/9, ..., 1}
  (lam = 0 run as 1e-9), read at q = 0.9.

The test environment is the released code's (``test_env="reference"``: the step-1 leak of
factor 1 is dropped); docs/theory/robust_rl.md, §4.1 and §7.
Run: ``python -m simulations.r2pvi_linear_mdp [--quick] [options]``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from fdivtheory.robust_rl import (
    PAPER,
    REFERENCE,
    SimulatedLinearMDP,
    drpvi,
    drvi_l,
    evaluate,
    pevi,
    plan,
    r2pvi,
)
from fdivtheory.sweep import Simulation

QS = np.round(np.linspace(0.0, 1.0, 11), 10)
RADII = [i / 9 for i in range(10)]
METHODS = ("pevi", "r2pvi-tv", "r2pvi-kl", "r2pvi-chi2", "drpvi", "drvi-l")


def grid(quick: bool) -> list[dict]:
    """Parameter points of the three experiments."""
    pts = [{"experiment": "perturbation", "method": m, "conventions": c, "lam": 0.1,
            "rho": 0.1, "xi_norm": 0.2} for c in ("paper", "reference") for m in METHODS]
    pts += [{"experiment": "lambda", "method": "r2pvi-tv", "conventions": "reference",
             "lam": lam, "rho": 0.0, "xi_norm": xi}
            for xi in (0.2, 0.3) for lam in (0.1, 0.2, 0.3, 0.6)]
    radii = RADII[::3] if quick else RADII
    pts += [{"experiment": "radius", "method": m, "conventions": "reference",
             "lam": max(x, 1e-9) if m == "r2pvi-tv" else 0.1,
             "rho": x if m == "drpvi" else 0.0, "xi_norm": 0.2}
            for m in ("drpvi", "r2pvi-tv") for x in radii]
    return pts


def _conventions(name: str, method: str):
    if name == "paper":
        return PAPER
    # the released simulated-MDP chi2 agent minimises its dual (reproduced on purpose)
    return replace(REFERENCE, chi2_alpha="released_min") if method == "r2pvi-chi2" \
        else REFERENCE


def train(params: dict, seed: int):
    """The agent of one grid point trained on the dataset drawn with ``seed``."""
    env = SimulatedLinearMDP(xi_norm=params["xi_norm"])
    data = env.offline_dataset(100, seed=seed)
    method = params["method"]
    conv = _conventions(params["conventions"], method)
    common = {"beta": 1.0, "ridge": 0.1, "conventions": conv}
    rho = np.zeros((env.horizon, env.d))
    rho[0, 3] = params["rho"]  # the uncertainty set covers the step-1 good factor only
    if method == "pevi":
        return pevi(data, env, **common)
    if method == "drpvi":
        return drpvi(data, env, rho=rho, **common)
    if method == "drvi-l":
        return drvi_l(data, env, rho=rho, **common)
    return r2pvi(data, env, lam=params["lam"], divergence=method.split("-")[1], **common)


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """Exact return of one trained agent at every q (and the planner's reference values)."""
    seed = int(rng.integers(2**31))
    policy = train(params, seed)
    envs = [SimulatedLinearMDP(q=float(q), xi_norm=params["xi_norm"], test_env="reference")
            for q in QS]
    out = {"q": QS.copy(), "value": np.array([evaluate(policy, e).value for e in envs]),
           "first_action": float(policy.table(envs[0])[0, 0])}
    nominal = plan(envs[0], None, None).policy
    out["nominal_policy_value"] = np.array([evaluate(nominal, e).value for e in envs])
    out["best_value"] = np.array([plan(e, None, None, kernel="test").value for e in envs])
    if params["method"].startswith("r2pvi"):
        exact = plan(envs[0], params["lam"], params["method"].split("-")[1]).policy
        out["planner_value"] = np.array([evaluate(exact, e).value for e in envs])
        out["planner_first_action"] = float(exact.actions[0, 0])
    return out


SIM = Simulation(
    name="r2pvi_linear_mdp",
    description="R2PVI vs PEVI/DRPVI/DRVI-L on the simulated linear MDP (Fig. 1a-c), exact",
    grid=grid,
    task=task,
    replicates=lambda quick: 4 if quick else 20,
    supports_gpu=False,
)

if __name__ == "__main__":
    from simulations._cli import main

    raise SystemExit(main(SIM))
