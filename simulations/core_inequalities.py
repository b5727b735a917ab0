"""How tight are Pinsker, Bretagnolle–Huber and Le Cam on random pairs of distributions?

For support sizes k in {2, 3, 5, 10, 50}, each task draws pairs (p, q): q and r
from Dirichlet(alpha 1_k) with a log-uniform random concentration
alpha in [0.1, 10] per pair, and p = q + t (r - q) with t log-uniform in
[1e-3, 1] (so that small divergences, where Pinsker is tight, are sampled too).
It records, over its pairs,

* ``max_ratio_pinsker``  = max TV / sqrt(KL / 2)               (<= 1, Pinsker)
* ``max_ratio_bh``       = max TV / sqrt(1 - exp(-KL))         (<= 1, Bretagnolle–Huber)
* ``max_ratio_le_cam``   = max TV / (H sqrt(1 - H^2 / 4))      (<= 1, Le Cam)
* ``min_ratio_le_cam_lower`` = min TV / (H^2 / 2)              (>= 1, Le Cam)
* ``tv_sample``, ``kl_sample``: the first pairs' (TV, KL), for the figure,

with H^2 = sum (sqrt p - sqrt q)^2 in [0, 2] and TV = (1/2) L1.

Ratios are taken over the pairs with TV >= 1e-3: below that, the rounding of KL
in float64 (about 1e-16 absolute, since the coordinates of p and q do not sum
to exactly 1) is no longer small against the room Pinsker leaves
(KL >= 2 V^2 + 4 V^4 / 9).  Le Cam's upper bound is attained by the symmetric
binary pairs p = (a, 1 - a), q = (1 - a, a), so at k = 2 its ratio is 1 up to
rounding.

The figure shows the sampled joint range of (TV, KL) with the Pinsker curve
KL = 2 TV^2, the Bretagnolle–Huber curve KL = -log(1 - TV^2) and the exact lower
boundary min {KL : TV = v}, attained by two-point distributions (Vajda 1970;
Fedotov, Harremoës & Topsøe 2003), from
:func:`fdivtheory.inequalities.kl_lower_from_tv`; and, per k, the room each
bound leaves, 1 - max TV / bound.

Run: ``python -m simulations.core_inequalities [--quick] [options]`` (``--help``).
"""

from __future__ import annotations

import numpy as np

import fdivtheory as fd
from fdivtheory.sweep import Simulation
from simulations._cli import main

SUPPORT_SIZES = (2, 3, 5, 10, 50)
#: Array elements (pairs x k) per task: sets the cost of a task whatever k.
ELEMENTS_PER_TASK = 5_600_000
#: Pairs drawn at a time (bounded memory; part of the definition of the stream).
ELEMENTS_PER_CHUNK = 120_000
SAMPLE = 150
#: Smallest TV at which ratios are recorded (see the module docstring).
MIN_TV = 1e-3


def grid(quick: bool) -> list[dict]:
    """One point per support size; quick tasks draw 4x fewer pairs."""
    elements = ELEMENTS_PER_TASK // (4 if quick else 1)
    return [{"k": k, "pairs": elements // k} for k in SUPPORT_SIZES]


def _dirichlet(rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    alpha = np.exp(rng.uniform(np.log(0.1), np.log(10.0), size=(m, 1)))
    g = rng.standard_gamma(alpha, size=(m, k))
    return g / g.sum(axis=1, keepdims=True)


def _pairs(rng: np.random.Generator, m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    q = _dirichlet(rng, m, k)
    r = _dirichlet(rng, m, k)
    t = 10.0 ** rng.uniform(-3.0, 0.0, size=(m, 1))
    return q + t * (r - q), q


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """Extreme ratios of TV to the Pinsker, Bretagnolle–Huber and Le Cam bounds."""
    k, n = params["k"], params["pairs"]
    chunk = max(1, ELEMENTS_PER_CHUNK // k)
    best = {"max_ratio_pinsker": 0.0, "max_ratio_bh": 0.0, "max_ratio_le_cam": 0.0,
            "min_ratio_le_cam_lower": np.inf}
    tv_sample, kl_sample = [], []
    for start in range(0, n, chunk):
        p, q = _pairs(rng, min(chunk, n - start), k)
        tv, kl, hsq = fd.tv(p, q), fd.kl(p, q), fd.hellinger_sq(p, q)
        if start < SAMPLE:
            tv_sample.append(tv[:SAMPLE - start])
            kl_sample.append(kl[:SAMPLE - start])
        ok = tv >= MIN_TV
        tv, kl, hsq = tv[ok], kl[ok], hsq[ok]
        ratios = {
            "max_ratio_pinsker": tv / np.sqrt(kl / 2),
            "max_ratio_bh": tv / np.sqrt(-np.expm1(-kl)),
            "max_ratio_le_cam": tv / np.sqrt(hsq * (1 - hsq / 4)),
        }
        for name, r in ratios.items():
            best[name] = max(best[name], float(r.max(initial=0.0)))
        lower = tv / (hsq / 2)
        best["min_ratio_le_cam_lower"] = min(best["min_ratio_le_cam_lower"],
                                             float(lower.min(initial=np.inf)))
    return {**best, "tv_sample": np.concatenate(tv_sample),
            "kl_sample": np.concatenate(kl_sample)}


SIM = Simulation(
    name="core_inequalities",
    description="Tightness of Pinsker, Bretagnolle–Huber and Le Cam on random pairs "
                "of distributions, k in {2, 3, 5, 10, 50}.",
    grid=grid,
    task=task,
    replicates=lambda quick: 2 if quick else 16,
)

if __name__ == "__main__":
    raise SystemExit(main(SIM))
