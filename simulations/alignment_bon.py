"""Best-of-N versus KL-constrained alignment: exact curves, Monte Carlo, and the figures.

Five experiments (the ``experiment`` grid parameter), all computed exactly with
:mod:`fdivtheory.alignment`, with Monte Carlo best-of-N estimates (standard
errors from the task's seeded stream) where a simulation is meaningful:

* ``equivalence`` ([Y]): memoryless Bernoulli(0.3) letters with 0/1 reward, and
  the non-lattice 3-letter model p = (.5, .3, .2), r = (0, 1, sqrt 2); best-of-N
  with log N = n delta (delta = 0.1) against the KL-optimal policy at Delta = log N.
  Per-token reward, KL(pi_N || phi_Delta) (grows like log(n)/2), its per-token
  value (-> 0) and KL(pi_N || p) - Delta.
* ``bon_mc`` ([Y]): Monte Carlo per-token reward of best-of-N at the integer
  N = round(e^{n delta}), n <= 100, against the exact value at the same N.
* ``ldp`` ([Y]): exact (1/n) log P(R_n >= n x) under phi_Delta against the rate
  function -I(x) (three forms).
* ``kl_vs_n`` ([B]): exact KL(pi_N || p), the bound log N - (N-1)/N and the exact
  and Monte Carlo E[D-hat(p(y))] against N, for uniform references over L
  outcomes and the cherry-picked reference (top outcome of mass 1e-4).
* ``win_rate`` ([B]): win rate against KL for best-of-N, the optimal tilt on the
  win-rate reward at the same KL (discrete p = (.1,.2,.3,.4) and uniform L = 100)
  and, in the continuum limit, rewind-and-repeat; Monte Carlo win rates.

The figures show the reference values of docs/theory/alignment.md, §8 (crosses) on the
exact curves.
Run: ``python -m simulations.alignment_bon [--quick] [options]`` (``--help``).
"""

from __future__ import annotations

import math

import numpy as np

from fdivtheory._backend import device_namespace, to_numpy
from fdivtheory.alignment import (
    MemorylessModel,
    best_of_n,
    best_of_n_kl_bound,
    best_of_n_kl_estimate,
    best_of_n_kl_estimator,
    continuum_optimal_win_rate,
    continuum_win_rates,
    rate_function,
    sample_best_of_n,
    win_rate_optimal_tilt,
)
from fdivtheory.sweep import Simulation
from simulations._cli import main

DELTA = 0.1
MODELS = {
    "bernoulli": (np.array([0.7, 0.3]), np.array([0.0, 1.0])),
    "nonlattice": (np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, math.sqrt(2.0)])),
}
CHERRY_TOP = 1e-4
LDP_X = np.linspace(0.52, 0.98, 24)
P4 = np.array([0.1, 0.2, 0.3, 0.4])

# Reference values of the checks C3, C13 and C15 (docs/theory/alignment.md, §8, where each
# value's source is given), drawn as crosses.
REFERENCE_UNIFORM = {10: {10: 1.361097, 100: 2.302279},
                     100: {100: 3.574476, 1000: 4.604693},
                     1000: {1000: 5.868100, 10**4: 6.907258},
                     10**4: {10**4: 8.169788, 10**5: 9.209841}}
REFERENCE_CHERRY = {10: 1.40216, 100: 3.57408, 10**3: 4.71970, 10**4: 6.85481,
                    10**5: 9.20963, 10**6: 9.21034}
REFERENCE_C13 = {"bernoulli": {10: (0.412563, 0.2743), 10**3: (0.511258, 1.9894),
                               10**4: (0.514166, 3.1259), 10**5: (0.514570, 4.2742),
                               10**6: (None, 5.4251)},
                 "nonlattice": {10: (0.731712, 0.2708), 100: (0.825676, 0.9062),
                                1000: (0.846863, 1.9781)}}
REFERENCE_C15 = {2: (0.17603, 0.65, 0.65591), 8: (0.835426, 0.794105, 0.794155)}


def grid(quick: bool) -> list[dict]:
    """Parameter points of the five experiments (quick: shorter sweeps, fewer replicates)."""
    pts: list[dict] = []
    bern = [10, 30, 100, 300, 1000, 3000, 10**4, 3 * 10**4, 10**5]
    nonlat = [10, 30, 100, 300]
    if not quick:
        bern += [3 * 10**5, 10**6]
        nonlat += [1000]
    pts += [{"experiment": "equivalence", "model": "bernoulli", "length": n} for n in bern]
    pts += [{"experiment": "equivalence", "model": "nonlattice", "length": n} for n in nonlat]
    reps = 400 if quick else 4000
    pts += [{"experiment": "bon_mc", "model": "bernoulli", "length": n, "replicates": reps}
            for n in (10, 20, 30, 50, 70, 100)]
    pts += [{"experiment": "ldp", "length": n}
            for n in [10, 100, 1000, 10**4, 10**5] + ([] if quick else [10**6])]
    draws = 500 if quick else 4000
    pts += [{"experiment": "kl_vs_n", "reference": "uniform", "L": L, "replicates": draws}
            for L in (10, 100, 1000, 10**4)]
    pts += [{"experiment": "kl_vs_n", "reference": "cherry", "L": 100, "replicates": draws}]
    pts += [{"experiment": "win_rate", "reference": ref, "replicates": draws}
            for ref in ("p4", "uniform100", "continuum")]
    return pts


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """Exact quantities (and Monte Carlo estimates) of one grid point."""
    kind = params["experiment"]
    xp = device_namespace(device)
    if kind == "equivalence":
        return _equivalence(params)
    if kind == "bon_mc":
        return _bon_mc(params, rng, xp)
    if kind == "ldp":
        return _ldp(params)
    if kind == "kl_vs_n":
        return _kl_vs_n(params, rng, xp)
    if kind == "win_rate":
        return _win_rate(params, rng, xp)
    raise ValueError(f"unknown experiment {kind!r}")


def _equivalence(params: dict) -> dict:
    p, r = MODELS[params["model"]]
    n = int(params["length"])
    eq = MemorylessModel(p, r, n).equivalence(DELTA)
    return {"x_delta": eq.tilted_reward / n, "lam": eq.lam,
            "bon_reward_per_token": eq.bon_reward_per_token,
            "kl_bon_tilted": eq.kl_bon_tilted,
            "kl_bon_tilted_per_token": eq.kl_bon_tilted / n,
            "kl_bon_reference_minus_budget": eq.kl_bon_reference - eq.budget,
            "scaled_reward_gap": eq.lam * eq.reward_gap,
            "identity_residual": eq.identity_residual}


def _bon_mc(params: dict, rng: np.random.Generator, xp) -> dict:
    p, r = MODELS[params["model"]]
    n = int(params["length"])
    n_draws = int(round(math.exp(n * DELTA)))
    model = MemorylessModel(p, r, n)
    law = model.best_of_n(n_draws)
    ref = model.reference
    idx = sample_best_of_n(xp.asarray(ref.pmf), xp.asarray(ref.support), n_draws,
                           int(params["replicates"]), rng)
    rewards = ref.support[to_numpy(idx)] / n
    return {"n_draws": n_draws, "exact_reward_per_token": law.expected_reward / n,
            "mc_reward_per_token": float(rewards.mean()),
            "mc_se": float(rewards.std(ddof=1) / math.sqrt(rewards.size))}


def _ldp(params: dict) -> dict:
    p, r = MODELS["bernoulli"]
    n = int(params["length"])
    law = MemorylessModel(p, r, n).tilted(n * DELTA)
    forms = np.array([rate_function(p, r, DELTA, LDP_X, form=f)
                      for f in ("legendre", "tilted", "mismatched")])
    return {"x": LDP_X, "exponent": law.log_tail(n * LDP_X) / n, "minus_rate": -forms[0],
            "forms_max_disagreement": float(np.max(forms.max(axis=0) - forms.min(axis=0)))}


def _reference(params: dict) -> tuple[np.ndarray, np.ndarray]:
    if params["reference"] == "uniform":
        L = int(params["L"])
        return np.full(L, 1.0 / L), np.arange(L, dtype=float)
    if params["reference"] == "cherry":
        L = int(params["L"])
        p = np.append(np.full(L - 1, (1 - CHERRY_TOP) / (L - 1)), CHERRY_TOP)
        return p, np.arange(L, dtype=float)
    if params["reference"] == "p4":
        return P4, np.arange(4.0)
    return np.full(100, 0.01), np.arange(100.0)


def _kl_vs_n(params: dict, rng: np.random.Generator, xp) -> dict:
    p, r = _reference(params)
    ns = np.unique(np.round(10.0 ** np.arange(0.0, 6.01, 0.25))).astype(np.int64)
    exact = np.array([best_of_n(p, r, int(n)).kl for n in ns])
    estimate = np.array([best_of_n_kl_estimate(p, r, int(n)) for n in ns])
    bound = np.array([best_of_n_kl_bound(int(n)) for n in ns])
    mc_ns = ns[ns <= 10**4]
    reps = int(params["replicates"])
    mc, se = [], []
    for n in mc_ns:
        idx = to_numpy(sample_best_of_n(xp.asarray(p), xp.asarray(r), int(n), reps, rng))
        d_hat = best_of_n_kl_estimator(p[idx], int(n))
        mc.append(float(d_hat.mean()))
        se.append(float(d_hat.std(ddof=1) / math.sqrt(reps)))
    return {"n": ns.astype(float), "kl": exact, "bound": bound, "mean_estimator": estimate,
            "mc_n": mc_ns.astype(float), "mc_mean_estimator": np.array(mc), "mc_se": np.array(se)}


def _win_rate(params: dict, rng: np.random.Generator, xp) -> dict:
    ns = np.unique(np.round(np.geomspace(1, 1000, 25))).astype(np.int64)
    if params["reference"] == "continuum":
        rows = [continuum_win_rates(int(n)) for n in ns]
        return {"n": ns.astype(float), "kl": np.array([c.kl for c in rows]),
                "bon_win": np.array([c.best_of_n for c in rows]),
                "tilted_win": np.array([c.optimal for c in rows]),
                "rewind_win": np.array([c.rewind_and_repeat for c in rows])}
    p, r = _reference(params)
    res = [best_of_n(p, r, int(n)) for n in ns]
    kls = np.array([x.kl for x in res])
    tilted = np.array([win_rate_optimal_tilt(p, r, k).win_rate for k in kls])
    reps = int(params["replicates"])
    mc_ns = ns[ns <= 100]
    mc, se = [], []
    levels = np.searchsorted(np.unique(r), r)
    for n in mc_ns:
        y = to_numpy(sample_best_of_n(xp.asarray(p), xp.asarray(r), int(n), reps, rng))
        z = rng.choice(p.size, size=reps, p=p)
        wins = np.where(levels[y] > levels[z], 1.0, np.where(levels[y] == levels[z], 0.5, 0.0))
        mc.append(float(wins.mean()))
        se.append(float(wins.std(ddof=1) / math.sqrt(reps)))
    return {"n": ns.astype(float), "kl": kls, "bon_win": np.array([x.win_rate for x in res]),
            "tilted_win": tilted,
            "continuum_tilted_win": np.array([continuum_optimal_win_rate(k) for k in kls]),
            "mc_n": mc_ns.astype(float), "mc_win": np.array(mc), "mc_se": np.array(se)}


SIM = Simulation(
    name="alignment_bon",
    description="Best-of-N vs KL-constrained alignment: exact equivalence, LDP, "
                "KL vs N, win rate vs KL, with Monte Carlo checks.",
    grid=grid,
    task=task,
    replicates=1,
    supports_gpu=True,
)

if __name__ == "__main__":
    raise SystemExit(main(SIM))
