"""Exponential, Gamma, Beta, Dirichlet and Laplace closed forms vs quadrature and Monte Carlo."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from fdivtheory import closed_form as cf
from fdivtheory.closed_form import _reference as ref

RTOL = 1e-8

PAIRS = [
    (cf.Exponential(1.3), cf.Exponential(0.4)),
    (cf.Exponential(0.4), cf.Exponential(1.3)),
    (cf.Gamma(2.5, 1.3), cf.Gamma(0.8, 0.4)),
    (cf.Gamma(0.8, 0.4), cf.Gamma(2.5, 1.3)),
    (cf.Gamma(3.0, 2.0), cf.Gamma(5.0, 2.0)),   # equal rates: one crossing
    (cf.Gamma(3.0, 2.0), cf.Gamma(3.0, 0.7)),   # equal shapes: one crossing
    (cf.Gamma(3.0, 2.0), cf.Gamma(5.0, 3.0)),   # two crossings
    (cf.Gamma(0.7, 3.0), cf.Exponential(0.4)),
    (cf.Exponential(2.0), cf.Gamma(1.5, 1.0)),
    (cf.Beta(2.0, 3.0), cf.Beta(0.7, 1.5)),
    (cf.Beta(0.5, 0.5), cf.Beta(4.0, 2.0)),
    (cf.Laplace(0.3, 1.2), cf.Laplace(-1.0, 0.5)),
    (cf.Laplace(0.3, 1.2), cf.Laplace(0.3, 0.5)),
    (cf.Laplace(0.3, 0.7), cf.Laplace(2.0, 0.7)),
    (cf.Laplace(-4.0, 0.3), cf.Laplace(2.0, 2.5)),
]
IDS = [f"{type(P).__name__}-{type(Q).__name__}-{i}" for i, (P, Q) in enumerate(PAIRS)]


@pytest.mark.parametrize("P, Q", PAIRS, ids=IDS)
@pytest.mark.parametrize("qty", ["kl", "bhattacharyya", "hellinger_sq", "chi2", "tv"])
def test_vs_quadrature(P, Q, qty):
    try:
        value = getattr(cf, qty)(P, Q)
    except cf.MissingClosedFormError:
        assert qty == "tv" and isinstance(P, cf.Beta)
        return
    if value == math.inf:
        assert qty == "chi2"
        return
    assert value == pytest.approx(ref.quad_1d(P, Q, qty), rel=1e-7 if qty == "chi2" else RTOL)


@pytest.mark.parametrize("P, Q", PAIRS, ids=IDS)
@pytest.mark.parametrize("alpha", [0.2, 0.5, 0.8, 1.3, 2.0, 4.0])
def test_renyi_vs_quadrature(P, Q, alpha):
    value = cf.renyi(P, Q, alpha)
    if value == math.inf:
        return  # divergent cases are checked separately below
    assert value == pytest.approx(ref.quad_1d(P, Q, "renyi", alpha), rel=RTOL)


def test_divergent_renyi_orders():
    # Gamma: needs a k_p + (1-a) k_q > 0 and a b_p + (1-a) b_q > 0
    assert cf.renyi(cf.Gamma(1.0, 1.0), cf.Gamma(3.0, 1.0), 2.0) == math.inf  # 2 - 3 < 0
    assert cf.renyi(cf.Exponential(1.0), cf.Exponential(3.0), 2.0) == math.inf
    assert math.isfinite(cf.renyi(cf.Exponential(3.0), cf.Exponential(1.0), 2.0))
    assert cf.chi2(cf.Beta(1.0, 1.0), cf.Beta(3.0, 1.0)) == math.inf
    # Laplace: a / b_p + (1 - a) / b_q > 0
    assert cf.renyi(cf.Laplace(0.0, 1.0), cf.Laplace(0.0, 0.5), 2.0) == math.inf
    assert math.isfinite(cf.renyi(cf.Laplace(0.0, 0.5), cf.Laplace(1.0, 1.0), 2.0))


def test_laplace_renyi_against_mpmath():
    mp.mp.dps = 30
    P, Q = cf.Laplace(0.3, 1.2), cf.Laplace(-1.0, 0.5)

    def lp(x):
        return -abs(x - mp.mpf("0.3")) / mp.mpf("1.2") - mp.log(mp.mpf("2.4"))

    def lq(x):
        return -abs(x + 1) / mp.mpf("0.5")

    for a in ("0.3", "1.7"):
        a = mp.mpf(a)
        integral = mp.quad(lambda x, a=a: mp.exp(a * lp(x) + (1 - a) * lq(x)),
                           [-mp.inf, -1, mp.mpf("0.3"), mp.inf])
        assert cf.renyi(P, Q, float(a)) == pytest.approx(float(mp.log(integral) / (a - 1)),
                                                         rel=1e-13)


@pytest.mark.parametrize("P, Q", PAIRS, ids=IDS)
def test_renyi_continuity_and_monotonicity(P, Q):
    kl = cf.kl(P, Q)
    assert cf.renyi(P, Q, 1.0) == kl
    for eps in (1e-5, 1e-7):
        assert cf.renyi(P, Q, 1 - eps) == pytest.approx(kl, rel=1e3 * eps)
        assert cf.renyi(P, Q, 1 + eps) == pytest.approx(kl, rel=1e3 * eps)
    grid = [0.0, 0.1, 0.5, 0.99, 1.0, 1.01, 2.0, 5.0, math.inf]
    values = [cf.renyi(P, Q, a) for a in grid]
    assert all(b >= a - 1e-12 for a, b in zip(values, values[1:], strict=False))
    assert values[0] == 0.0


def _sup_log_ratio(P, Q):
    lo, hi = P.to_scipy().support()
    lp, lq = ref._logpdf(P), ref._logpdf(Q)
    lo, hi = max(lo, -60.0), min(hi, 200.0)
    xs = np.linspace(lo, hi, 20001)[1:-1]
    xs = np.concatenate([xs, [lo + 1e-13, hi - 1e-13]])  # suprema at the support ends
    vals = np.array([lp(x) - lq(x) for x in xs])
    i = int(np.argmax(vals))
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, len(xs) - 1)]
    res = minimize_scalar(lambda x: -(lp(x) - lq(x)), bounds=(a, b), method="bounded",
                          options={"xatol": 1e-13})
    return max(-res.fun, vals[i])


@pytest.mark.parametrize("P, Q", [
    (cf.Gamma(3.0, 2.0), cf.Gamma(2.0, 1.0)),    # interior maximum
    (cf.Gamma(2.0, 2.0), cf.Gamma(2.0, 1.0)),    # at x -> 0
    (cf.Exponential(2.0), cf.Exponential(0.5)),
    (cf.Beta(3.0, 2.5), cf.Beta(1.5, 2.0)),
    (cf.Beta(3.0, 2.0), cf.Beta(1.5, 2.0)),
    (cf.Laplace(0.3, 0.5), cf.Laplace(-1.0, 1.2)),
    (cf.Laplace(0.3, 0.8), cf.Laplace(-1.0, 0.8)),
])
def test_renyi_infinity_is_log_sup_ratio(P, Q):
    assert cf.renyi(P, Q, math.inf) == pytest.approx(_sup_log_ratio(P, Q), rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("P, Q", [
    (cf.Gamma(2.0, 1.0), cf.Gamma(3.0, 1.0)),    # ratio -> inf at 0
    (cf.Gamma(3.0, 1.0), cf.Gamma(2.0, 2.0)),    # ratio -> inf at inf
    (cf.Exponential(0.5), cf.Exponential(2.0)),
    (cf.Beta(1.0, 3.0), cf.Beta(2.0, 2.0)),
    (cf.Laplace(0.0, 2.0), cf.Laplace(0.0, 1.0)),
])
def test_renyi_infinity_infinite(P, Q):
    assert cf.renyi(P, Q, math.inf) == math.inf


def test_exponential_is_gamma_with_shape_one():
    E1, E2 = cf.Exponential(1.3), cf.Exponential(0.4)
    G1, G2 = cf.Gamma(1.0, 1.3), cf.Gamma(1.0, 0.4)
    for f in (cf.kl, cf.tv, cf.hellinger_sq, cf.chi2):
        assert f(E1, E2) == pytest.approx(f(G1, G2), rel=1e-13)
        assert f(E1, G2) == pytest.approx(f(G1, E2), rel=1e-13)
    assert cf.renyi(E1, E2, 0.4) == pytest.approx(cf.renyi(G1, G2, 0.4), rel=1e-13)


def test_exponential_tv_formula():
    # r = 1/2: (1/2)^(1/2 / (1/2)) (1 - 1/2) = 1/4
    assert cf.tv(cf.Exponential(1.0), cf.Exponential(2.0)) == pytest.approx(0.25, rel=1e-15)
    assert cf.tv(cf.Exponential(3.0), cf.Exponential(3.0)) == 0.0


def test_laplace_equal_scale_tv():
    for d, b in ((0.5, 1.0), (3.0, 0.2), (1e-6, 1.0)):
        expected = -math.expm1(-d / (2 * b))
        assert cf.tv(cf.Laplace(0.0, b), cf.Laplace(d, b)) == pytest.approx(expected, rel=1e-9)


def test_gamma_tv_extreme_parameters():
    for P, Q in [(cf.Gamma(0.05, 1.0), cf.Gamma(0.06, 1.1)),
                 (cf.Gamma(200.0, 100.0), cf.Gamma(210.0, 100.0)),
                 (cf.Gamma(1e-3, 1.0), cf.Gamma(5.0, 1.0))]:
        t = cf.tv(P, Q)
        b = cf.tv_bounds(P, Q)
        assert b.lower - 1e-12 <= t <= b.upper + 1e-12
        est, se = ref.monte_carlo(P, Q, "tv", 100_000, np.random.default_rng(1))
        assert abs(t - est) <= 4 * se + 1e-12


def test_beta_equals_two_component_dirichlet():
    B1, B2 = cf.Beta(2.0, 3.0), cf.Beta(0.7, 1.5)
    D1, D2 = cf.Dirichlet([2.0, 3.0]), cf.Dirichlet([0.7, 1.5])
    assert cf.kl(B1, B2) == pytest.approx(cf.kl(D1, D2), rel=1e-14)
    assert cf.kl(B1, D2) == pytest.approx(cf.kl(D1, B2), rel=1e-14)
    for a in (0.5, 2.0, math.inf):
        assert cf.renyi(B1, B2, a) == pytest.approx(cf.renyi(D1, D2, a), rel=1e-14)


def test_dirichlet_vs_monte_carlo():
    rng = np.random.default_rng(4)
    P, Q = cf.Dirichlet([2.0, 3.0, 1.5]), cf.Dirichlet([1.0, 2.0, 4.0])
    est, se = ref.monte_carlo(P, Q, "kl", 200_000, rng)
    assert abs(cf.kl(P, Q) - est) <= 4 * se
    est, se = ref.monte_carlo(P, Q, "renyi", 200_000, rng, alpha=0.5)
    assert abs(cf.renyi(P, Q, 0.5) - est) <= 4 * se
    with pytest.raises(cf.MissingClosedFormError, match="tv_bounds"):
        cf.tv(P, Q)
    b = cf.tv_bounds(P, Q)
    assert 0 < b.lower < b.upper <= 1


def test_dirichlet_renyi_infinity_vs_optimisation():
    P, Q = cf.Dirichlet([3.0, 2.0, 2.5]), cf.Dirichlet([1.0, 2.0, 1.5])
    p, q = P.to_scipy(), Q.to_scipy()
    rng = np.random.default_rng(0)
    x = rng.dirichlet(np.ones(3), size=200_000)
    best = float(np.max(p.logpdf(x.T) - q.logpdf(x.T)))
    d = np.array([2.0, 0.0, 1.0])
    x_star = d / d.sum()
    x_star = np.clip(x_star, 1e-300, None)
    x_star /= x_star.sum()
    at_star = float(p.logpdf(x_star) - q.logpdf(x_star))
    value = cf.renyi(P, Q, math.inf)
    assert best <= value + 1e-9
    assert value == pytest.approx(at_star, rel=1e-10)


@pytest.mark.parametrize("ctor, args, name", [
    (cf.Exponential, (0.0,), "rate"),
    (cf.Exponential, (-1.0,), "rate"),
    (cf.Gamma, (-1.0, 1.0), "shape"),
    (cf.Gamma, (1.0, math.inf), "rate"),
    (cf.Beta, (0.0, 1.0), "a"),
    (cf.Beta, (1.0, "x"), "b"),
    (cf.Dirichlet, ([1.0],), "alpha"),
    (cf.Dirichlet, ([1.0, -2.0],), "alpha"),
    (cf.Dirichlet, ([[1.0, 2.0]],), "alpha"),
    (cf.Laplace, (math.nan, 1.0), "loc"),
    (cf.Laplace, (0.0, 0.0), "scale"),
])
def test_bad_parameters_raise_naming_argument(ctor, args, name):
    with pytest.raises(ValueError, match=name):
        ctor(*args)


def test_dirichlet_size_mismatch():
    with pytest.raises(ValueError, match="alpha"):
        cf.kl(cf.Dirichlet([1.0, 2.0]), cf.Dirichlet([1.0, 2.0, 3.0]))


def _log_uniform(rng, lo, hi):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


_RANDOM_FAMILIES = {
    "Gaussian": lambda r: cf.Gaussian(3 * r.normal(), _log_uniform(r, 0.05, 20)),
    "Gamma": lambda r: cf.Gamma(_log_uniform(r, 0.1, 30), _log_uniform(r, 0.1, 10)),
    "Exponential": lambda r: cf.Exponential(_log_uniform(r, 0.1, 10)),
    "Beta": lambda r: cf.Beta(_log_uniform(r, 0.2, 20), _log_uniform(r, 0.2, 20)),
    "Laplace": lambda r: cf.Laplace(3 * r.normal(), _log_uniform(r, 0.05, 10)),
}


@pytest.mark.parametrize("family", list(_RANDOM_FAMILIES))
def test_random_parameters_vs_quadrature(family):
    rng = np.random.default_rng(sum(map(ord, family)))
    for _ in range(6):
        P, Q = _RANDOM_FAMILIES[family](rng), _RANDOM_FAMILIES[family](rng)
        for qty, alpha in (("kl", None), ("renyi", 0.5), ("renyi", 2.0), ("tv", None)):
            if qty == "tv" and family == "Beta":
                continue
            value = cf.renyi(P, Q, alpha) if qty == "renyi" else getattr(cf, qty)(P, Q)
            if math.isinf(value):
                continue
            assert value == pytest.approx(ref.quad_1d(P, Q, qty, alpha), rel=RTOL, abs=1e-13), \
                (P, Q, qty, alpha)
