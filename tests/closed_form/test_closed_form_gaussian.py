"""Gaussian closed forms against quadrature, Monte Carlo and mpmath."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from fdivtheory import closed_form as cf
from fdivtheory.closed_form import _reference as ref

RTOL = 1e-8

PAIRS_1D = [
    (0.3, 2.0, -0.5, 0.7),    # sigma_p > sigma_q: chi2 and D_alpha (alpha >= ~1.5) infinite
    (0.3, 0.5, -0.5, 0.7),
    (1.0, 1.0, -0.5, 1.0),    # equal variances
    (0.0, 1.0, 0.0, 4.0),     # equal means
    (5.0, 0.1, -2.0, 3.0),    # far apart
    (0.0, 1.0, 1e-3, 1.0 + 1e-3),  # close
]
ALPHAS = [0.1, 0.5, 0.9, 1.5, 3.0]


def _g(m, v):
    return cf.Gaussian(m, v)


@pytest.mark.parametrize("mp_, vp, mq, vq", PAIRS_1D)
def test_1d_kl_bhattacharyya_hellinger_vs_quadrature(mp_, vp, mq, vq):
    P, Q = _g(mp_, vp), _g(mq, vq)
    for qty in ("kl", "bhattacharyya", "hellinger_sq"):
        assert getattr(cf, qty)(P, Q) == pytest.approx(ref.quad_1d(P, Q, qty), rel=RTOL), qty


@pytest.mark.parametrize("mp_, vp, mq, vq", PAIRS_1D)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_1d_renyi_vs_quadrature_or_inf(mp_, vp, mq, vq, alpha):
    P, Q = _g(mp_, vp), _g(mq, vq)
    value = cf.renyi(P, Q, alpha)
    if alpha * vq + (1 - alpha) * vp <= 0:  # p^a q^(1-a) not integrable
        assert value == math.inf
    else:
        assert value == pytest.approx(ref.quad_1d(P, Q, "renyi", alpha), rel=RTOL)


@pytest.mark.parametrize("mp_, vp, mq, vq", PAIRS_1D)
def test_1d_chi2_and_tv_vs_quadrature(mp_, vp, mq, vq):
    P, Q = _g(mp_, vp), _g(mq, vq)
    c = cf.chi2(P, Q)
    if 2 * vq - vp <= 0:
        assert c == math.inf
    else:
        assert c == pytest.approx(ref.quad_1d(P, Q, "chi2"), rel=1e-7)
    assert cf.tv(P, Q) == pytest.approx(ref.quad_1d(P, Q, "tv"), rel=RTOL)


def test_renyi_against_mpmath_near_divergence():
    # alpha = 1.5, 1 + alpha (lambda - 1) = 0.025: the integrand spreads far out
    P, Q = _g(0.3, 2.0), _g(-0.5, 0.7)
    mp.mp.dps = 30
    sp, sq = mp.sqrt(2), mp.sqrt(mp.mpf("0.7"))

    def lp(x):
        return -((x - mp.mpf("0.3")) / sp) ** 2 / 2 - mp.log(sp * mp.sqrt(2 * mp.pi))

    def lq(x):
        return -((x + mp.mpf("0.5")) / sq) ** 2 / 2 - mp.log(sq * mp.sqrt(2 * mp.pi))

    a = mp.mpf("1.5")
    integral = mp.quad(lambda x: mp.exp(a * lp(x) + (1 - a) * lq(x)), [-mp.inf, -20, 0, 20, mp.inf])
    assert cf.renyi(P, Q, 1.5) == pytest.approx(float(mp.log(integral) / (a - 1)), rel=1e-13)


def _random_spd(rng, d):
    A = rng.normal(size=(d, d))
    return A @ A.T / d + 0.3 * np.eye(d)


def test_full_covariance_kl_vs_dblquad():
    P = cf.Gaussian([0.3, -0.2], [[2.0, 0.6], [0.6, 1.0]])
    Q = cf.Gaussian([-0.5, 0.4], [[1.0, -0.3], [-0.3, 0.8]])
    assert cf.kl(P, Q) == pytest.approx(ref.quad_2d_gaussian(P, Q, "kl"), rel=RTOL)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_covariance_kl_and_renyi_vs_monte_carlo(seed):
    rng = np.random.default_rng(seed)
    d = 4
    P = cf.Gaussian(rng.normal(size=d), _random_spd(rng, d))
    Q = cf.Gaussian(rng.normal(size=d), _random_spd(rng, d))
    est, se = ref.monte_carlo(P, Q, "kl", 200_000, rng)
    assert abs(cf.kl(P, Q) - est) <= 4 * se
    est, se = ref.monte_carlo(P, Q, "renyi", 200_000, rng, alpha=0.5)
    assert abs(cf.renyi(P, Q, 0.5) - est) <= 4 * se


def test_full_covariance_matches_textbook_formula():
    rng = np.random.default_rng(3)
    d = 5
    mp_, mq = rng.normal(size=d), rng.normal(size=d)
    Sp, Sq = _random_spd(rng, d), _random_spd(rng, d)
    P, Q = cf.Gaussian(mp_, Sp), cf.Gaussian(mq, Sq)
    dm = mp_ - mq
    kl = 0.5 * (np.trace(np.linalg.solve(Sq, Sp)) + dm @ np.linalg.solve(Sq, dm) - d
                + np.linalg.slogdet(Sq)[1] - np.linalg.slogdet(Sp)[1])
    assert cf.kl(P, Q) == pytest.approx(kl, rel=1e-12)
    for a in (0.3, 0.7, 1.2):
        Sa = a * Sq + (1 - a) * Sp
        if np.linalg.eigvalsh(Sa).min() <= 0:
            continue
        ra = (a / 2 * dm @ np.linalg.solve(Sa, dm)
              - (np.linalg.slogdet(Sa)[1] - (1 - a) * np.linalg.slogdet(Sp)[1]
                 - a * np.linalg.slogdet(Sq)[1]) / (2 * (a - 1)))
        assert cf.renyi(P, Q, a) == pytest.approx(ra, rel=1e-11)


def test_renyi_infinite_when_mixed_covariance_not_pd():
    P = cf.Gaussian([0.0, 0.0], np.diag([1.0, 4.0]))
    Q = cf.Gaussian([0.0, 0.0], np.diag([1.0, 1.0]))
    # a Sigma_q + (1 - a) Sigma_p = diag(1, 4 - 3a): PD iff a < 4/3
    assert math.isfinite(cf.renyi(P, Q, 1.3))
    assert cf.renyi(P, Q, 4 / 3 + 1e-9) == math.inf
    assert cf.renyi(P, Q, 2.0) == math.inf
    assert cf.chi2(P, Q) == math.inf  # 2 Sigma_q - Sigma_p = diag(1, -2)
    assert math.isfinite(cf.chi2(Q, P))


@pytest.mark.parametrize("d", [1, 3])
def test_renyi_continuous_at_one_and_nondecreasing(d):
    rng = np.random.default_rng(d)
    P = cf.Gaussian(rng.normal(size=d), _random_spd(rng, d) + 2 * np.eye(d))
    Q = cf.Gaussian(rng.normal(size=d), _random_spd(rng, d) + 2 * np.eye(d))
    kl = cf.kl(P, Q)
    for eps in (1e-4, 1e-6):
        assert cf.renyi(P, Q, 1 - eps) == pytest.approx(kl, rel=10 * eps)
        assert cf.renyi(P, Q, 1 + eps) == pytest.approx(kl, rel=10 * eps)
    grid = [0.0, 0.01, 0.2, 0.5, 0.9, 0.999, 1.0, 1.001, 1.2, 1.5, 2.0]
    values = [cf.renyi(P, Q, a) for a in grid]
    assert all(b >= a - 1e-12 for a, b in zip(values, values[1:], strict=False))


def _sup_log_ratio_1d(P, Q):
    p, q = P.to_scipy(), Q.to_scipy()
    res = minimize_scalar(lambda x: -(p.logpdf(x) - q.logpdf(x)), bounds=(-50, 50),
                          method="bounded", options={"xatol": 1e-12})
    return -res.fun


def test_renyi_orders_zero_and_infinity():
    P, Q = _g(0.3, 0.5), _g(-0.5, 1.7)  # Sigma_q > Sigma_p: finite D_inf
    assert cf.renyi(P, Q, 0.0) == 0.0
    assert cf.renyi(P, Q, math.inf) == pytest.approx(_sup_log_ratio_1d(P, Q), rel=1e-9)
    assert cf.renyi(P, Q, 1e6) == pytest.approx(cf.renyi(P, Q, math.inf), rel=1e-5)
    assert cf.renyi(Q, P, math.inf) == math.inf
    assert cf.renyi(_g(0.0, 1.0), _g(1.0, 1.0), math.inf) == math.inf  # equal covariance
    assert cf.renyi(_g(1.0, 1.0), _g(1.0, 1.0), math.inf) == 0.0
    # multivariate, Sigma_q - Sigma_p PD: 1/2 dm^T (Sq - Sp)^{-1} dm + 1/2 log |Sq|/|Sp|
    Sp, Sq = np.array([[1.0, 0.2], [0.2, 0.5]]), np.array([[2.0, 0.0], [0.0, 1.5]])
    dm = np.array([0.4, -0.3])
    expected = 0.5 * dm @ np.linalg.solve(Sq - Sp, dm) + 0.5 * np.log(
        np.linalg.det(Sq) / np.linalg.det(Sp))
    assert cf.renyi(cf.Gaussian(dm, Sp), cf.Gaussian([0, 0], Sq), math.inf) == pytest.approx(
        expected, rel=1e-12)


def test_close_pairs_keep_relative_precision():
    # KL(N(0, 1) || N(d, 1)) = d^2 / 2 exactly; KL(N(0, s^2) || N(0, 1)) = (s^2 - 1 - log s^2)/2
    assert cf.kl(_g(0.0, 1.0), _g(1e-8, 1.0)) == pytest.approx(5e-17, rel=1e-12)
    s2 = 1 + 1e-7
    mp.mp.dps = 40
    exact = float((mp.mpf(s2) - 1 - mp.log(mp.mpf(s2))) / 2)
    assert cf.kl(_g(0.0, s2), _g(0.0, 1.0)) == pytest.approx(exact, rel=1e-8)
    assert cf.renyi(_g(0.0, s2), _g(0.0, 1.0), 0.5) > 0


def test_equal_arguments_give_zero():
    P = cf.Gaussian([1.0, 2.0], [[2.0, 0.3], [0.3, 1.0]])
    for f in (cf.kl, cf.bhattacharyya, cf.hellinger_sq, cf.chi2, cf.tv):
        assert f(P, P) == pytest.approx(0.0, abs=1e-15)
    assert cf.renyi(P, P, 2.0) == pytest.approx(0.0, abs=1e-15)


def test_representations_agree():
    rng = np.random.default_rng(5)
    L = np.tril(rng.normal(size=(3, 3)))
    np.fill_diagonal(L, np.abs(np.diag(L)) + 0.5)
    m = rng.normal(size=3)
    Q = cf.Gaussian(np.zeros(3), diag=[1.0, 2.0, 0.5])
    a, b = cf.Gaussian(m, L @ L.T), cf.Gaussian(m, scale_tril=L)
    assert cf.kl(a, Q) == pytest.approx(cf.kl(b, Q), rel=1e-12)
    assert cf.kl(Q, a) == pytest.approx(cf.kl(Q, b), rel=1e-12)
    diag_full = cf.Gaussian(np.zeros(3), np.diag([1.0, 2.0, 0.5]))
    assert cf.renyi(a, Q, 0.7) == pytest.approx(cf.renyi(a, diag_full, 0.7), rel=1e-12)
    assert cf.kl(cf.Gaussian(0.0, 4.0), Q.__class__(1.0, diag=4.0)) == pytest.approx(1 / 8)
    iso = cf.Gaussian(np.zeros(2), diag=2.0)
    assert np.array_equal(iso.covariance, 2.0 * np.eye(2))


# ----------------------------------------------------------------- total variation

@pytest.mark.parametrize("delta", [0.0, 1e-6, 0.3, 2.0, 10.0, 40.0])
def test_tv_equal_covariance_formula(delta):
    # 2 Phi(delta / 2) - 1 = erf(delta / (2 sqrt 2)), evaluated in mpmath (no cancellation)
    mp.mp.dps = 30
    expected = float(mp.erf(mp.mpf(delta) / (2 * mp.sqrt(2))))
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    dm = np.array([1.0, -0.5])
    dm = dm * delta / math.sqrt(dm @ np.linalg.solve(S, dm))
    t = cf.tv(cf.Gaussian([0.0, 0.0], S), cf.Gaussian(dm, S))
    assert t == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert t == pytest.approx(cf.tv(_g(0.0, 1.0), _g(delta, 1.0)), rel=1e-12, abs=1e-300)


def test_tv_equal_covariance_vs_monte_carlo():
    rng = np.random.default_rng(7)
    S = np.array([[1.0, 0.4, 0.1], [0.4, 2.0, -0.3], [0.1, -0.3, 0.7]])
    P, Q = cf.Gaussian(np.zeros(3), S), cf.Gaussian([0.6, -0.4, 0.3], S)
    est, se = ref.monte_carlo(P, Q, "tv", 200_000, rng)
    assert abs(cf.tv(P, Q) - est) <= 4 * se


@pytest.mark.parametrize("d, lam", [(2, 2.5), (3, 0.4), (5, 1.3)])
def test_tv_proportional_covariances_equal_means(d, lam):
    rng = np.random.default_rng(d)
    S = _random_spd(rng, d)
    m = rng.normal(size=d)
    P, Q = cf.Gaussian(m, S), cf.Gaussian(m, lam * S)
    est, se = ref.monte_carlo(P, Q, "tv", 200_000, rng)
    assert abs(cf.tv(P, Q) - est) <= 4 * se
    assert cf.tv(P, Q) == pytest.approx(cf.tv(Q, P), rel=1e-12)


def test_tv_proportional_matches_1d():
    assert cf.tv(cf.Gaussian([0.0], [[1.0]]), cf.Gaussian([0.0], [[3.0]])) == pytest.approx(
        ref.quad_1d(_g(0.0, 1.0), _g(0.0, 3.0), "tv"), rel=RTOL)


def test_tv_missing_multivariate_case_points_to_bounds():
    P = cf.Gaussian([0.0, 0.0], np.eye(2))
    Q = cf.Gaussian([1.0, 0.0], np.diag([1.0, 2.0]))
    with pytest.raises(cf.MissingClosedFormError, match="tv_bounds"):
        cf.tv(P, Q)
    b = cf.tv_bounds(P, Q)
    est, se = ref.monte_carlo(P, Q, "tv", 100_000, np.random.default_rng(0))
    assert b.lower - 4 * se <= est <= b.upper + 4 * se


@pytest.mark.parametrize("seed", range(8))
def test_tv_bounds_sandwich_1d(seed):
    rng = np.random.default_rng(seed)
    P = _g(rng.normal(), rng.uniform(0.1, 3))
    Q = _g(rng.normal(), rng.uniform(0.1, 3))
    t, b = cf.tv(P, Q), cf.tv_bounds(P, Q)
    assert b.bhattacharyya_lower <= t + 1e-14
    for upper in (b.pinsker, b.bretagnolle_huber, b.joint_range, b.bhattacharyya_upper):
        assert t <= upper + 1e-14
    assert b.lower == b.bhattacharyya_lower
    assert b.upper == min(b.pinsker, b.bretagnolle_huber, b.joint_range, b.bhattacharyya_upper)
    assert "bound" in str(b)


# ----------------------------------------------------------------- validation

@pytest.mark.parametrize("kwargs, name", [
    (dict(mean=[0.0, 0.0], cov=[[1.0, 2.0], [2.0, 1.0]]), "cov"),      # not PD
    (dict(mean=[0.0, 0.0], cov=[[1.0, 0.5], [0.0, 1.0]]), "cov"),      # not symmetric
    (dict(mean=[0.0, 0.0], cov=np.eye(3)), "cov"),                     # shape
    (dict(mean=[0.0, 0.0], cov=2.0), "cov"),                           # scalar for d = 2
    (dict(mean=[0.0, 0.0], diag=[1.0, -1.0]), "diag"),
    (dict(mean=[0.0, 0.0], diag=[1.0, 1.0, 1.0]), "diag"),
    (dict(mean=[0.0, 0.0], scale_tril=[[1.0, 1.0], [0.0, 1.0]]), "scale_tril"),
    (dict(mean=[0.0, 0.0], scale_tril=[[1.0, 0.0], [0.0, -1.0]]), "scale_tril"),
    (dict(mean=[0.0, np.nan]), "mean"),
    (dict(mean=np.zeros((2, 2))), "mean"),
    (dict(mean=0.0, cov=-1.0), "cov"),
    (dict(mean=0.0, cov=1.0, diag=1.0), "at most one"),
])
def test_bad_parameters_raise_naming_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        cf.Gaussian(**kwargs)


def test_dimension_mismatch_names_argument():
    with pytest.raises(ValueError, match="dimension"):
        cf.kl(cf.Gaussian([0.0, 0.0]), cf.Gaussian([0.0, 0.0, 0.0]))


def test_parameters_are_frozen():
    P = cf.Gaussian([0.0, 1.0], [[1.0, 0.0], [0.0, 2.0]])
    with pytest.raises(Exception):  # noqa: B017 - dataclass FrozenInstanceError
        P.mean = [1.0, 1.0]
    with pytest.raises(ValueError):
        P.covariance[0, 0] = 5.0
