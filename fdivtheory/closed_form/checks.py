"""Verification checks for the closed forms (``core.closed_form.*``).

Each check compares closed forms with numbers computed from the densities
alone (:mod:`fdivtheory.closed_form._reference`): adaptive quadrature, exact
truncated sums with a tail bound, or seeded Monte Carlo.  Quick mode runs in
well under 5 s per check.
"""

from __future__ import annotations

import math

import numpy as np

from fdivtheory import checks
from fdivtheory import closed_form as cf
from fdivtheory.closed_form import _reference as ref

_AREA = "core"
_RTOL = 1e-8


def _quad_pairs(quick: bool) -> list[tuple[str, object, object]]:
    pairs = [
        ("Gaussian 1-D, unequal variances", cf.Gaussian(0.3, 0.5), cf.Gaussian(-0.5, 0.7)),
        ("Gamma", cf.Gamma(2.5, 1.3), cf.Gamma(0.8, 0.4)),
        ("Laplace", cf.Laplace(0.3, 1.2), cf.Laplace(-1.0, 0.5)),
        ("Beta", cf.Beta(2.0, 3.0), cf.Beta(0.7, 1.5)),
    ]
    if not quick:
        pairs += [
            ("Exponential", cf.Exponential(1.3), cf.Exponential(0.4)),
            ("Gamma vs Exponential", cf.Gamma(0.7, 3.0), cf.Exponential(0.4)),
            ("Gaussian 1-D, equal variances", cf.Gaussian(1.0, 2.0), cf.Gaussian(-0.5, 2.0)),
            ("Laplace, equal locations", cf.Laplace(0.3, 1.2), cf.Laplace(0.3, 0.5)),
        ]
    return pairs


@checks.register(
    "core.closed_form.quadrature", area=_AREA,
    claim="Closed-form KL, Rényi (alpha = 0.5, 2), Hellinger^2 and chi^2 equal adaptive "
          "quadrature of the densities to 1e-8 relative (Gaussian, Gamma, Laplace, Beta, ...)",
    source="Gil, Alajaji & Linder (2013), Inf. Sci. 249; Pardo (2006)")
def _quadrature(quick: bool) -> list[checks.Outcome]:
    out = []
    for label, P, Q in _quad_pairs(quick):
        for qty, alpha, value in (
                ("kl", None, cf.kl(P, Q)),
                ("renyi", 0.5, cf.renyi(P, Q, 0.5)),
                ("renyi", 2.0, cf.renyi(P, Q, 2.0)),
                ("hellinger_sq", None, cf.hellinger_sq(P, Q))):
            if not math.isfinite(value):
                continue
            name = qty if alpha is None else f"{qty}({alpha:g})"
            out.append(checks.close(value, ref.quad_1d(P, Q, qty, alpha), rtol=_RTOL,
                                    label=f"{label}: {name}"))
    return out


@checks.register(
    "core.closed_form.poisson_sum", area=_AREA,
    claim="Closed-form Poisson KL, Rényi, chi^2 and TV equal the exact sum over k "
          "(truncated with a bound on the tail) to 1e-8 relative")
def _poisson(quick: bool) -> list[checks.Outcome]:
    rates = [(2.0, 3.5), (30.0, 22.0)] + ([] if quick else [(0.01, 5.0), (150.0, 160.0)])
    out = []
    for lam, mu in rates:
        P, Q = cf.Poisson(lam), cf.Poisson(mu)
        for qty, alpha, value in (("kl", None, cf.kl(P, Q)),
                                  ("renyi", 2.5, cf.renyi(P, Q, 2.5)),
                                  ("chi2", None, cf.chi2(P, Q)),
                                  ("tv", None, cf.tv(P, Q))):
            s, tail = ref.poisson_sum(P, Q, qty, alpha)
            out.append(checks.close(value, s, rtol=_RTOL, atol=tail,
                                    label=f"Poisson({lam:g}) vs Poisson({mu:g}): {qty}",
                                    note=f"tail bound {tail:.1e}"))
    return out


@checks.register(
    "core.closed_form.gaussian_kl_monte_carlo", area=_AREA,
    claim="Closed-form KL of full-covariance Gaussians lies within 4 standard errors of a "
          "seeded Monte Carlo estimate (3-D), and equals 2-D quadrature to 1e-8 relative")
def _gaussian_mc(quick: bool) -> list[checks.Outcome]:
    rng = np.random.default_rng(20240611)
    A = np.array([[1.0, 0.0, 0.0], [0.7, 1.2, 0.0], [-0.4, 0.3, 0.8]])
    B = np.array([[1.5, 0.0, 0.0], [-0.2, 0.9, 0.0], [0.5, 0.1, 1.1]])
    P = cf.Gaussian([0.2, -0.1, 0.4], scale_tril=A)
    Q = cf.Gaussian([-0.3, 0.5, 0.0], scale_tril=B)
    n = 40_000 if quick else 2_000_000
    est, se = ref.monte_carlo(P, Q, "kl", n, rng)
    out = [checks.close(cf.kl(P, Q), est, atol=4 * se, label="3-D KL vs Monte Carlo",
                        note=f"n = {n}, SE = {se:.2e}")]
    P2 = cf.Gaussian([0.3, -0.2], [[2.0, 0.6], [0.6, 1.0]])
    Q2 = cf.Gaussian([-0.5, 0.4], [[1.0, -0.3], [-0.3, 0.8]])
    out.append(checks.close(cf.kl(P2, Q2), ref.quad_2d_gaussian(P2, Q2, "kl"), rtol=_RTOL,
                            label="2-D KL vs dblquad"))
    return out


@checks.register(
    "core.closed_form.tv_equal_covariance", area=_AREA,
    claim="TV(N(m1, S), N(m2, S)) = 2 Phi(Delta / 2) - 1, Delta the Mahalanobis distance: "
          "equals quadrature (1-D) to 1e-8 and Monte Carlo (3-D) within 4 SE")
def _tv_equal_cov(quick: bool) -> list[checks.Outcome]:
    out = []
    for m, s2 in ((0.1, 1.0), (1.0, 0.5), (3.0, 2.0), (8.0, 1.0)):
        P, Q = cf.Gaussian(0.0, s2), cf.Gaussian(m, s2)
        out.append(checks.close(cf.tv(P, Q), ref.quad_1d(P, Q, "tv"), rtol=_RTOL,
                                label=f"1-D, delta = {m / math.sqrt(s2):.3g}"))
    rng = np.random.default_rng(7)
    S = np.array([[1.0, 0.4, 0.1], [0.4, 2.0, -0.3], [0.1, -0.3, 0.7]])
    P, Q = cf.Gaussian([0.0, 0.0, 0.0], S), cf.Gaussian([0.6, -0.4, 0.3], S)
    n = 40_000 if quick else 2_000_000
    est, se = ref.monte_carlo(P, Q, "tv", n, rng)
    out.append(checks.close(cf.tv(P, Q), est, atol=4 * se, label="3-D vs Monte Carlo",
                            note=f"n = {n}, SE = {se:.2e}"))
    return out


@checks.register(
    "core.closed_form.tv_sandwich", area=_AREA,
    claim="For pairs with an exact TV, tv_bounds(P, Q).lower <= TV <= tv_bounds(P, Q).upper "
          "(Le Cam's Hellinger sandwich, Pinsker, Bretagnolle–Huber, exact (TV, KL) range)",
    source="Le Cam (1973); Tsybakov (2009), Lemmas 2.3, 2.5, 2.6; Fedotov, Harremoës & "
           "Topsøe (2003)")
def _tv_sandwich(quick: bool) -> list[checks.Outcome]:
    rng = np.random.default_rng(11)
    n = 60 if quick else 600
    worst_lower, worst_upper = math.inf, math.inf
    for i in range(n):
        kind = i % 5
        if kind == 0:
            P = cf.Gaussian(rng.normal(), rng.uniform(0.2, 3.0))
            Q = cf.Gaussian(rng.normal(), rng.uniform(0.2, 3.0))
        elif kind == 1:
            P, Q = cf.Poisson(rng.uniform(0.1, 20)), cf.Poisson(rng.uniform(0.1, 20))
        elif kind == 2:
            P, Q = cf.Gamma(*rng.uniform(0.3, 5, 2)), cf.Gamma(*rng.uniform(0.3, 5, 2))
        elif kind == 3:
            P = cf.Laplace(rng.normal(), rng.uniform(0.2, 3))
            Q = cf.Laplace(rng.normal(), rng.uniform(0.2, 3))
        else:
            k = int(rng.integers(2, 8))
            P = cf.Categorical(rng.dirichlet(np.ones(k)))
            Q = cf.Categorical(rng.dirichlet(np.ones(k)))
        t, b = cf.tv(P, Q), cf.tv_bounds(P, Q)
        worst_lower = min(worst_lower, t - b.lower)
        worst_upper = min(worst_upper, b.upper - t)
    return [checks.at_least(worst_lower, 0.0, atol=1e-12, label="min (TV - lower bound)",
                            note=f"{n} random pairs"),
            checks.at_least(worst_upper, 0.0, atol=1e-12, label="min (upper bound - TV)",
                            note=f"{n} random pairs")]
