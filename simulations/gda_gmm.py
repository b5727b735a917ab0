"""Generative data augmentation on the binary Gaussian mixture: the authors' Figure 1.

Four panels, each point a (d, m) configuration with all its gamma = m_G / m_S
values sharing every trial's training and test sets (as in the reference code):

* ``d1``: d = 1, m in {20, 50, 100, 200, 500}, gamma in {0, 1, 2, 5, 10, 20, 50};
* ``m10``: m = 10, d in {2, 10, 20, 50, 100}, same gammas;
* ``d50``: d = 50, m = 10, gamma in {0, 1, 2, 5, 10, 20, 50, 100} (and the
  unplotted d = 1, m = 40 sweep of the reference script, panel ``d1m40``);
* ``bound``: the bound curve of :func:`fdivtheory.augmentation.gmm_bound` at d = 50,
  m = 10 (plotting-code form, its T-term-at-zero variant, and the derived form).

Each replicate block runs ``trials`` trials (1000, the paper's setting; 100 in
quick mode) with :func:`fdivtheory.augmentation.simulate_gmm` (``method`` in the
grid, sufficient statistics by default, 10,000 test points) and stores the mean
and standard error of the absolute and signed NLL and 0-1 gaps, the 95 %
quantile of the absolute NLL gap and the exact expected signed gap
d (m_S + 2 m_G) / m_T^2.  ``--scale K`` runs K blocks per point (K = 100 gives
10^5 trials).  Conventions and reference values: docs/theory/gda.md.

Run: ``python -m simulations.gda_gmm [--quick] [--scale K] [options]`` (``--help``).
"""

from __future__ import annotations

import numpy as np

from fdivtheory.augmentation import expected_gap, gmm_bound, simulate_gmm
from fdivtheory.augmentation.reference import D_M10, GAMMAS_CURVES, GAMMAS_D50, M_D1
from fdivtheory.sweep import Simulation, SweepError
from simulations._cli import main

TRIALS = 1000
QUICK_TRIALS = 100
TEST_SIZE = 10_000
SIGMA = 0.6
METHOD = "sufficient"


def gammas_of(panel: str) -> tuple[int, ...]:
    """The gamma values simulated at a point of ``panel``."""
    return GAMMAS_CURVES if panel in ("d1", "m10") else GAMMAS_D50


def grid(quick: bool) -> list[dict]:
    """Figure-1 configurations; ``trials`` per replicate block (quick: 100)."""
    trials = QUICK_TRIALS if quick else TRIALS
    common = {"sigma": SIGMA, "test_size": TEST_SIZE, "method": METHOD, "trials": trials}
    pts = [{"panel": "d1", "d": 1, "m": m, **common} for m in M_D1]
    pts += [{"panel": "m10", "d": d, "m": 10, **common} for d in D_M10]
    pts += [{"panel": "d50", "d": 50, "m": 10, **common},
            {"panel": "d1m40", "d": 1, "m": 40, **common}]
    pts += [{"panel": "bound", "d": 50, "m": 10, **common}]
    for p in pts:
        _validate(p)
    return pts


def _validate(p: dict) -> None:
    """Reject a bad grid point with one line (exit status 2 from the command line)."""
    try:
        simulate_gmm(p["d"], p["m"], 0.0, 2, sigma=p["sigma"], test_size=1,
                     method=p["method"], zero_one=False)
        if int(p["trials"]) < 2:
            raise ValueError(f"trials must be an integer >= 2, got {p['trials']}")
    except (ValueError, TypeError) as exc:
        raise SweepError(f"bad grid point {p}: {exc}") from None


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """One replicate block of one configuration."""
    d, m = int(params["d"]), int(params["m"])
    gammas = np.array(gammas_of(params["panel"]), dtype=float)
    if params["panel"] == "bound":
        return _bound(d, m, gammas)
    r = simulate_gmm(d, m, gammas, int(params["trials"]), sigma=float(params["sigma"]),
                     test_size=int(params["test_size"]), seed=rng, method=params["method"],
                     device=device)
    exact = np.array([expected_gap(d, m, int(g)).total for g in r.m_g])
    return {"gamma": gammas, "m_g": r.m_g.astype(float),
            "mean_abs_gap": r.mean_abs_gap, "se_abs_gap": r.se_abs_gap,
            "mean_gap": r.mean_gap, "se_gap": r.se_gap,
            "mean_abs_gap_01": r.mean_abs_gap_01, "se_abs_gap_01": r.se_abs_gap_01,
            "mean_gap_01": r.mean_gap_01, "se_gap_01": r.se_gap_01,
            "q95_abs_gap": r.q95_abs_gap, "expected_gap": exact}


def _bound(d: int, m: int, gammas: np.ndarray) -> dict:
    nb = {"fourth_term": "notebook", "notebook_compat": True}
    plotted = [gmm_bound(d, m, g, t_term_at_zero="notebook", **nb) for g in gammas]
    return {"gamma": gammas,
            "bound_plotted": np.array([b.total for b in plotted]),
            "bound_t_zero": np.array([b.total_t_zero for b in plotted]),
            "bound_derived": np.array([gmm_bound(d, m, g).total for g in gammas]),
            "bound_derived_delta05": np.array([gmm_bound(d, m, g, delta=0.05).total
                                               for g in gammas])}


SIM = Simulation(
    name="gda_gmm",
    description="Generative data augmentation on the binary GMM (Zheng, Wu & Li 2023, "
                "Figure 1): E|train - test NLL gap| over m, d and gamma, with the bound.",
    grid=grid,
    task=task,
    replicates=1,
    supports_gpu=True,
)

if __name__ == "__main__":
    raise SystemExit(main(SIM))
