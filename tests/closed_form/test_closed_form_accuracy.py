"""Closed forms at the edges against a 50-digit mpmath oracle (issue: numerical robustness).

Each sweep draws many parameter pairs in the hard regimes (variance, rate and
scale ratios from 1e-20 to 1e20, orders alpha = 1 +- 1e-9 .. 1e-12, shapes and
concentrations up to 1e7, nearly equal laws) and compares with the textbook
closed form evaluated by mpmath at 60 significant digits, where cancellation
is harmless.  Tolerance: relative error <= 1e-10 (``RTOL``) unless a weaker,
documented bound is stated at the test; never inf, NaN or an exception.
"""

from __future__ import annotations

import math
import random

import mpmath as mp
import numpy as np
import pytest

from fdivtheory import closed_form as cf
from fdivtheory import inequalities as ineq

RTOL = 1e-10
ALPHAS = [1e-6, 0.1, 0.5, 0.999, 1 - 1e-9, 1.0, 1 + 1e-12, 1 + 1e-9, 1.001, 2.0, 5.0]


@pytest.fixture(autouse=True)
def _dps():
    with mp.workdps(60):
        yield


def _rel(got: float, exact) -> float:
    assert math.isfinite(got), got
    return float(abs((mp.mpf(got) - exact) / exact))


def _check(cases, compute, oracle, rtol=RTOL, floor=0.0):
    """Every case: finite, non-negative, within ``rtol`` of the oracle; returns the worst.

    Values below ``floor`` are skipped (stated where used)."""
    worst = 0.0
    for case in cases:
        exact = oracle(*case)
        if exact is None or exact <= floor or exact > 1e300:
            continue
        got = compute(*case)
        err = _rel(got, exact)
        assert err <= rtol, (case, got, float(exact), err)
        worst = max(worst, err)
    return worst


# --------------------------------------------------------------------------- Gaussian

def _gauss_oracle_1d(mp_, vp, mq, vq, a):
    mp_, vp, mq, vq = (mp.mpf(x) for x in (mp_, vp, mq, vq))
    if a == 1:
        return (vp / vq - 1 + mp.log(vq / vp) + (mp_ - mq) ** 2 / vq) / 2
    a = mp.mpf(a)
    va = a * vq + (1 - a) * vp
    if va <= 0:
        return None
    return a * (mp_ - mq) ** 2 / (2 * va) - mp.log(va / (vp ** (1 - a) * vq ** a)) / (2 * (a - 1))


def _gauss_cases(n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        vp = 10 ** rng.uniform(-150, 150)
        if rng.random() < 0.5:
            vq = vp * 10 ** rng.uniform(-20, 20)
        else:
            vq = vp * (1 + 10 ** rng.uniform(-13, -1) * rng.choice([-1, 1]))
        sd = math.sqrt(vp)
        mp_ = rng.uniform(-1, 1) * sd
        mq = mp_ + rng.choice([0.0, 1e-8, 1e-3, 1.0, 30.0]) * sd
        out.append((mp_, vp, mq, vq, rng.choice(ALPHAS)))
    return out


def test_gaussian_1d_kl_and_renyi_sweep():
    cases = _gauss_cases(600, 1)
    _check(cases,
           lambda m1, v1, m2, v2, a: cf.renyi(cf.Gaussian(m1, v1), cf.Gaussian(m2, v2), a),
           _gauss_oracle_1d)


def test_gaussian_issue_examples():
    assert cf.kl(cf.Gaussian(0, 1e-16), cf.Gaussian(0, 1)) == pytest.approx(
        float(_gauss_oracle_1d(0, 1e-16, 0, 1, 1)), rel=1e-14)
    assert cf.kl(cf.Gaussian(0, 1e-14), cf.Gaussian(0, 1)) == pytest.approx(
        float(_gauss_oracle_1d(0, 1e-14, 0, 1, 1)), rel=1e-14)


def _mvn_oracle(mp_, Sp, mq, Sq, a):
    Sp, Sq = mp.matrix(Sp.tolist()), mp.matrix(Sq.tolist())
    dm = mp.matrix((np.asarray(mp_) - np.asarray(mq)).tolist())
    d = Sp.rows
    if a == 1:
        iq = mp.inverse(Sq)
        tr = sum((iq * Sp)[i, i] for i in range(d))
        return (tr - d + mp.log(mp.det(Sq) / mp.det(Sp)) + (dm.T * iq * dm)[0]) / 2
    a = mp.mpf(a)
    Sa = a * Sq + (1 - a) * Sp
    ev = mp.eigsy(Sa)[0]
    if min(ev) <= 0:
        return None
    quad = a / 2 * (dm.T * mp.inverse(Sa) * dm)[0]
    return quad - mp.log(mp.det(Sa) / (mp.det(Sp) ** (1 - a) * mp.det(Sq) ** a)) / (2 * (a - 1))


def _spd(rng, d, cond_log10):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    ev = 10 ** rng.uniform(-cond_log10 / 2, cond_log10 / 2, size=d)
    S = (Q * ev) @ Q.T
    return 0.5 * (S + S.T)


@pytest.mark.parametrize("kind", ["diag", "full"])
def test_gaussian_multivariate_sweep(kind):
    rng = np.random.default_rng(2)
    worst = 0.0
    for i in range(60):
        d = int(rng.integers(2, 4))
        a = ALPHAS[i % len(ALPHAS)]
        if kind == "diag":
            vp = 10 ** rng.uniform(-10, 10, size=d)
            vq = vp * np.where(rng.random(d) < 0.5, 10 ** rng.uniform(-18, 18, size=d),
                               1 + 10 ** rng.uniform(-12, -1, size=d))
            P = cf.Gaussian(rng.normal(size=d), diag=vp)
            Q = cf.Gaussian(P.mean + rng.normal(size=d) * 1e-3, diag=vq)
        else:
            Sp = _spd(rng, d, 4)
            if i % 2:
                Sq = Sp * 10 ** rng.uniform(-16, 16)
            else:
                E = _spd(rng, d, 2) * 10 ** rng.uniform(-12, -2)
                Sq = Sp + E
            P = cf.Gaussian(rng.normal(size=d), Sp)
            Q = cf.Gaussian(P.mean + rng.normal(size=d), Sq)
        exact = _mvn_oracle(P.mean, P.covariance, Q.mean, Q.covariance, a)
        if exact is None or exact == 0:
            continue
        got = cf.renyi(P, Q, a)
        err = _rel(got, exact)
        # full covariances: eigenvalues from two SVDs (each exact to ~eps * s_max in
        # absolute terms); on this grid (condition numbers up to 1e4 inside each
        # covariance, ratios up to 1e16 between them) that is well inside RTOL
        assert err <= RTOL, (i, a, got, float(exact))
        worst = max(worst, err)


def test_gaussian_renyi_inf_is_decided_exactly_for_diagonal_covariances():
    # Sigma_q - Sigma_p = 1e-15 (relative): finite, c^2 / y is huge but finite
    P, Q = cf.Gaussian(0.0, 1.0), cf.Gaussian(1e-3, 1.0 + 1e-15)
    exact = (mp.mpf(1e-3) ** 2 / (mp.mpf(1.0 + 1e-15) - 1) + mp.log(mp.mpf(1.0 + 1e-15))) / 2
    assert cf.renyi(P, Q, math.inf) == pytest.approx(float(exact), rel=1e-12)
    assert cf.renyi(cf.Gaussian(0.0, 1.0), cf.Gaussian(1e-3, 1.0), math.inf) == math.inf
    assert cf.renyi(cf.Gaussian(0.0, 1.0), cf.Gaussian(0.0, 1.0), math.inf) == 0.0
    assert cf.renyi(cf.Gaussian(0.0, 1.0), cf.Gaussian(0.0, 1.0 - 1e-15), math.inf) == math.inf


# --------------------------------------------------------------------------- Gamma, Exponential

def _gamma_oracle(kp, bp, kq, bq, a):
    kp, bp, kq, bq = (mp.mpf(x) for x in (kp, bp, kq, bq))
    if a == 1:
        return ((kp - kq) * mp.digamma(kp) - mp.loggamma(kp) + mp.loggamma(kq)
                + kq * mp.log(bp / bq) + kp * (bq - bp) / bp)
    a = mp.mpf(a)
    ka, ba = a * kp + (1 - a) * kq, a * bp + (1 - a) * bq
    if ka <= 0 or ba <= 0:
        return None
    return (a * kp * mp.log(bp / ba) + (1 - a) * kq * mp.log(bq / ba) + mp.loggamma(ka)
            - a * mp.loggamma(kp) - (1 - a) * mp.loggamma(kq)) / (a - 1)


def _gamma_cases(n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        kp, bp = 10 ** rng.uniform(-3, 7), 10 ** rng.uniform(-5, 5)
        mode = rng.random()
        if mode < 0.4:  # nearly equal laws, sometimes with (nearly) equal means
            m = 10 ** rng.uniform(-12, 0)
            kq, bq = kp * (1 + m * rng.uniform(-1, 1)), bp * (1 + m * rng.uniform(-1, 1))
            if rng.random() < 0.3:
                bq = bp * kq / kp * (1 + 1e-3 * m * rng.uniform(-1, 1))
        else:  # rates or shapes 1e-20 .. 1e20 apart
            kq, bq = 10 ** rng.uniform(-3, 7), bp * 10 ** rng.uniform(-20, 20)
        out.append((kp, bp, kq, bq, rng.choice(ALPHAS)))
    return out


def test_gamma_kl_and_renyi_sweep():
    _check(_gamma_cases(700, 3),
           lambda kp, bp, kq, bq, a: cf.renyi(cf.Gamma(kp, bp), cf.Gamma(kq, bq), a),
           _gamma_oracle)


def test_exponential_sweep_and_issue_examples():
    rng = random.Random(4)
    cases = [(1.0, 10 ** rng.uniform(-8, 8), 1.0, 10 ** rng.uniform(-300, 300), rng.choice(ALPHAS))
             for _ in range(300)]
    _check(cases, lambda kp, bp, kq, bq, a: cf.renyi(cf.Exponential(bp), cf.Exponential(bq), a),
           _gamma_oracle)
    assert cf.kl(cf.Exponential(1.0), cf.Exponential(1e-17)) == pytest.approx(
        float(_gamma_oracle(1, 1, 1, 1e-17, 1)), rel=1e-14)
    got = cf.renyi(cf.Gamma(5, 2), cf.Gamma(5, 2 * (1 + 1e-10)), 1 + 1e-9)  # used to raise
    assert _rel(got, _gamma_oracle(5, 2, 5, 2 * (1 + 1e-10), 1 + 1e-9)) < 1e-12


# --------------------------------------------------------------------------- Dirichlet, Beta

def _log_b(a):
    return mp.fsum(mp.loggamma(x) for x in a) - mp.loggamma(mp.fsum(a))


def _dirichlet_oracle(p, q, a):
    p, q = [mp.mpf(x) for x in p], [mp.mpf(x) for x in q]
    if a == 1:
        p0 = mp.fsum(p)
        return _log_b(q) - _log_b(p) + mp.fsum(
            (pi - qi) * (mp.digamma(pi) - mp.digamma(p0)) for pi, qi in zip(p, q, strict=True))
    a = mp.mpf(a)
    m = [a * pi + (1 - a) * qi for pi, qi in zip(p, q, strict=True)]
    if min(m) <= 0:
        return None
    return (_log_b(m) - a * _log_b(p) - (1 - a) * _log_b(q)) / (a - 1)


def _dirichlet_cases(n, seed, far):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice([2, 3, 5])
        p = [10 ** rng.uniform(-2, 7) for _ in range(k)]
        if far:
            q = [10 ** rng.uniform(-2, 7) for _ in range(k)]
        else:
            m = 10 ** rng.uniform(-12, 0)
            c = 1 + m * rng.uniform(-1, 1) if rng.random() < 0.3 else 1.0
            q = [x * c * (1 + m * (1e-4 if c != 1.0 else 1.0) * rng.uniform(-1, 1)) for x in p]
        out.append((p, q, rng.choice(ALPHAS)))
    return out


def test_dirichlet_close_and_large_concentrations_sweep():
    _check(_dirichlet_cases(300, 5, far=False),
           lambda p, q, a: cf.renyi(cf.Dirichlet(p), cf.Dirichlet(q), a), _dirichlet_oracle)
    assert cf.kl(cf.Dirichlet([1e6, 1e6]), cf.Dirichlet([1e6, 1e6 + 1])) == pytest.approx(
        float(_dirichlet_oracle([1e6, 1e6], [1e6, 1e6 + 1], 1)), rel=1e-13)


def test_dirichlet_far_apart_sweep():
    _check(_dirichlet_cases(300, 6, far=True),
           lambda p, q, a: cf.renyi(cf.Dirichlet(p), cf.Dirichlet(q), a), _dirichlet_oracle)


def test_beta_sweep():
    cases = [((p[0], p[1]), (q[0], q[1]), a) for p, q, a in _dirichlet_cases(200, 7, far=False)]
    _check(cases, lambda p, q, a: cf.renyi(cf.Beta(*p), cf.Beta(*q), a), _dirichlet_oracle)


# --------------------------------------------------------------------------- Poisson

def _poisson_oracle(lam, mu, a):
    lam, mu = mp.mpf(lam), mp.mpf(mu)
    if a == 1:
        return lam * mp.log(lam / mu) - lam + mu
    a = mp.mpf(a)
    return (lam ** a * mu ** (1 - a) - a * lam - (1 - a) * mu) / (a - 1)


def test_poisson_sweep_and_issue_example():
    rng = random.Random(8)
    cases = []
    for _ in range(600):
        lam = 10 ** rng.uniform(-20, 20)
        mu = lam * (10 ** rng.uniform(-20, 20) if rng.random() < 0.5
                    else 1 + 10 ** rng.uniform(-13, -1) * rng.choice([-1, 1]))
        cases.append((lam, mu, rng.choice(ALPHAS)))
    _check(cases, lambda lam, mu, a: cf.renyi(cf.Poisson(lam), cf.Poisson(mu), a),
           _poisson_oracle)
    got = cf.renyi(cf.Poisson(1e-17), cf.Poisson(1.0), 0.5)  # used to raise
    assert _rel(got, _poisson_oracle(1e-17, 1.0, 0.5)) < 1e-14


# --------------------------------------------------------------------------- Laplace

def _laplace_oracle(bp, bq, dm, a):
    bp, bq, dm = mp.mpf(bp), mp.mpf(bq), abs(mp.mpf(dm))
    if a == 1:
        return mp.log(bq / bp) + dm / bq + bp / bq * mp.exp(-dm / bp) - 1
    a = mp.mpf(a)
    u, v = a / bp, (1 - a) / bq
    if u + v <= 0:
        return None
    if u == v:
        integral = (1 + u * dm) * mp.exp(-u * dm) / u
    else:
        integral = 2 * (v * mp.exp(-u * dm) - u * mp.exp(-v * dm)) / ((u + v) * (v - u))
    return mp.log(integral / (2 * bp ** a * bq ** (1 - a))) / (a - 1)


def test_laplace_sweep():
    rng = random.Random(9)
    cases = []
    for _ in range(600):
        bp = 10 ** rng.uniform(-5, 5)
        bq = bp * (10 ** rng.uniform(-20, 20) if rng.random() < 0.5
                   else 1 + 10 ** rng.uniform(-13, -1) * rng.choice([-1, 1]))
        dm = bp * rng.choice([0.0, 1e-9, 1e-3, 1.0, 30.0])
        cases.append((bp, bq, dm, rng.choice(ALPHAS)))
    _check(cases, lambda bp, bq, dm, a: cf.renyi(cf.Laplace(0.0, bp), cf.Laplace(dm, bq), a),
           _laplace_oracle)


# --------------------------------------------------------------------------- Categorical

def _categorical_oracle(p, q, a):
    # the law is the exactly normalised vector (the stored floats sum to 1 only to rounding)
    p, q = [mp.mpf(x) for x in p], [mp.mpf(x) for x in q]
    sp, sq = mp.fsum(p), mp.fsum(q)
    p, q = [x / sp for x in p], [x / sq for x in q]
    if a == 1:
        return mp.fsum(pi * mp.log(pi / qi) for pi, qi in zip(p, q, strict=True) if pi > 0)
    a = mp.mpf(a)
    return mp.log(mp.fsum(pi ** a * qi ** (1 - a) for pi, qi in zip(p, q, strict=True) if pi > 0)) / (a - 1)


def test_categorical_sweep_close_and_far():
    rng = np.random.default_rng(10)
    cases = []
    for i in range(300):
        k = int(rng.integers(2, 6))
        p = rng.dirichlet(np.ones(k))
        if i % 2:
            q = rng.dirichlet(np.ones(k) * 0.3) + 1e-30
        else:
            q = p * (1 + 10 ** rng.uniform(-13, -2) * rng.normal(size=k))
        q = q / q.sum()
        # the stored probabilities are renormalised: compare with what the law holds
        P, Q = cf.Categorical(p), cf.Categorical(q)
        cases.append((tuple(P.probs), tuple(Q.probs), ALPHAS[i % len(ALPHAS)]))
    # floor 1e-13: the stored probabilities sum to 1 only to ~1e-16, which moves a divergence
    # by ~1e-16 absolute; below 1e-13 that normalisation (not the formula) sets the error
    _check(cases, lambda p, q, a: cf.renyi(cf.Categorical(list(p)), cf.Categorical(list(q)), a),
           _categorical_oracle, floor=1e-13)


def test_derived_quantities_keep_relative_precision_near_equality():
    P, Q = cf.Categorical([0.25 + 2**-40, 0.25 - 2**-40, 0.5]), cf.Categorical([0.25, 0.25, 0.5])
    p, q = [mp.mpf(x) for x in P.probs], [mp.mpf(x) for x in Q.probs]
    h2 = mp.fsum((mp.sqrt(a) - mp.sqrt(b)) ** 2 for a, b in zip(p, q, strict=True))
    assert _rel(cf.hellinger_sq(P, Q), h2) < 1e-12
    assert _rel(cf.renyi(P, Q, 2.0), _categorical_oracle(p, q, 2)) < 1e-10
    for G in ((cf.Gaussian(0.0, 1.0), cf.Gaussian(1e-9, 1.0 + 1e-9)),
              (cf.Gamma(3.0, 2.0), cf.Gamma(3.0 + 1e-9, 2.0)),
              (cf.Poisson(3.0), cf.Poisson(3.0 + 1e-9))):
        b = cf.bhattacharyya(*G)
        d_half = cf.renyi(*G, 0.5)
        assert b == pytest.approx(d_half / 2, rel=1e-14)
        assert cf.hellinger_sq(*G) == pytest.approx(-2 * math.expm1(-b), rel=1e-14)
        assert cf.chi2(*G) == pytest.approx(math.expm1(cf.renyi(*G, 2.0)), rel=1e-14)
        assert 0 < b < 1e-15


# --------------------------------------------------------------------------- inequalities

def _vajda_oracle(v):
    with mp.workdps(400):  # the two terms agree to ~2 log10(1/v) digits
        v = mp.mpf(v)
        return +(mp.log((1 + v) / (1 - v)) - 2 * v / (1 + v))


def _kl_lower_oracle(v):
    """min over q of kl(q + v || q), by golden-section search at 60 digits (v >= 1e-3)."""
    v = mp.mpf(v)

    def kl2(q):
        return (q + v) * mp.log((q + v) / q) + (1 - q - v) * mp.log((1 - q - v) / (1 - q))

    a, b = mp.mpf(0), 1 - v
    g = (mp.sqrt(5) - 1) / 2
    for _ in range(300):
        c, d = b - g * (b - a), a + g * (b - a)
        if kl2(c) < kl2(d):
            b = d
        else:
            a = c
    return kl2((a + b) / 2)


def test_vajda_is_accurate_and_below_the_joint_range():
    for v in [10.0 ** e for e in range(-150, 0, 3)] + [0.3, 0.5, 0.9, 0.999999]:
        got = ineq.vajda_kl_lower(v)
        assert _rel(got, _vajda_oracle(v)) < 1e-13, v
        assert got <= ineq.kl_lower_from_tv(v), v


def test_kl_lower_from_tv_against_mpmath():
    for v in [1e-3, 0.01, 0.1, 0.3, 0.5, 0.8, 0.95]:
        assert _rel(ineq.kl_lower_from_tv(v), _kl_lower_oracle(v)) < 1e-10, v
    for v in [1e-150, 1e-40, 1e-10, 1e-5]:  # L(v) = 2v^2 + 4v^4/9 + 32v^6/135 + O(v^8)
        w = mp.mpf(v)
        assert _rel(ineq.kl_lower_from_tv(v), 2 * w**2 + 4 * w**4 / 9 + 32 * w**6 / 135) < 1e-13


def test_tv_upper_from_kl_is_a_valid_bound_rounded_up():
    for k in [1e-300, 1e-20, 1e-6, 0.01, 0.5, 2.0, 10.0, 30.0]:
        v = ineq.tv_upper_from_kl(k)
        assert ineq.kl_lower_from_tv(v) >= k, k  # never rounded below L^{-1}(k)
        if v < 1.0:
            assert ineq.kl_lower_from_tv(math.nextafter(v, 0.0)) < k * (1 + 1e-12), k
    # L^{-1}(100) = 1 - ~4e-44: the nearest double (and the only valid bound) is 1.0
    assert ineq.tv_upper_from_kl(100.0) == 1.0
    assert ineq.tv_upper_from_kl(40.0) == 1.0


def _bernoulli_oracle(p, q, a):
    return _categorical_oracle((1 - mp.mpf(p), mp.mpf(p)), (1 - mp.mpf(q), mp.mpf(q)), a)


def test_bernoulli_sweep_uses_the_exact_difference():
    # the complements 1 - p are rounded; the difference of two of them is not taken
    rng = random.Random(12)
    cases = []
    for i in range(400):
        p = 10 ** rng.uniform(-12, 0) * rng.random()
        q = p * (1 + 10 ** rng.uniform(-12, -1) * rng.choice([-1, 1])) if i % 2 else rng.random()
        if 0 < q < 1:
            cases.append((p, q, ALPHAS[i % len(ALPHAS)]))
    _check(cases, lambda p, q, a: cf.renyi(cf.Bernoulli(p), cf.Bernoulli(q), a), _bernoulli_oracle)
    P, Q = cf.Bernoulli(0.1), cf.Bernoulli(0.1 + 1e-12)
    p, q = mp.mpf(0.1), mp.mpf(0.1 + 1e-12)
    h2 = (mp.sqrt(p) - mp.sqrt(q)) ** 2 + (mp.sqrt(1 - p) - mp.sqrt(1 - q)) ** 2
    assert _rel(cf.hellinger_sq(P, Q), h2) < 1e-13
    assert _rel(cf.tv(P, Q), abs(p - q)) < 1e-13
    assert _rel(cf.chi2(P, Q), (p - q) ** 2 / q + (p - q) ** 2 / (1 - q)) < 1e-13


def test_gaussian_tv_near_equal_variances():
    # TV is the difference of F_P - F_Q at its two extremes (the crossing points), each a
    # difference of Phi at two close points: no cancellation as the variances merge
    for y in [1e-13, 1e-10, 1e-6, 0.3, 3.0, -0.5, -1e-12]:
        v = mp.mpf(1 + y)
        r = mp.sqrt(v)
        x = mp.sqrt(2 * mp.log(r) * v / (v - 1))
        exact = abs(2 * (mp.ncdf(x) - mp.ncdf(x / r)))
        assert _rel(cf.tv(cf.Gaussian(0.0, 1.0), cf.Gaussian(0.0, 1 + y)), exact) < 1e-13, y


def test_generic_exponential_family_never_raises_near_alpha_one():
    # documented: absolute error ~ eps |A| (differences of values of A), never negative
    A = lambda th: np.exp(th[0])  # noqa: E731  (the Poisson family)
    P = cf.ExponentialFamily(math.log(5.0), A)
    for rel in (1e-12, 1e-9, 1e-6, 1e-3):
        Q = cf.ExponentialFamily(math.log(5.0 * (1 + rel)), A)
        for a in (1 - 1e-9, 1 + 1e-9, 1 + 1e-12, 0.5, 2.0):
            got = cf.renyi(P, Q, a)
            exact = _poisson_oracle(5.0, 5.0 * (1 + rel), a)
            assert got >= 0.0
            assert abs(got - float(exact)) <= 1e-7 * float(exact) + 50 * 2.2e-16 * 5.0


def _tv_gauss_oracle(mq, vq):
    """TV(N(0, 1), N(mq, vq)) from the crossing points computed at 60 digits."""
    mq, vq = mp.mpf(mq), mp.mpf(vq)
    r = mp.sqrt(vq)
    a, b, c = (1 / vq - 1) / 2, -mq / vq, mq**2 / (2 * vq) + mp.log(r)
    if a == 0:
        roots = [-c / b]
    else:
        disc = b * b - 4 * a * c
        if disc < 0:
            return mp.mpf(0)
        roots = [(-b + mp.sqrt(disc)) / (2 * a), (-b - mp.sqrt(disc)) / (2 * a)]
    vals = [mp.ncdf(z) - mp.ncdf((z - mq) / r) for z in roots]
    return max(0, max(vals)) - min(0, min(vals))


def test_gaussian_tv_1d_sweep():
    rng = random.Random(14)
    cases = []
    for i in range(300):
        vq = 1 + 10 ** rng.uniform(-13, 0) * rng.choice([-1, 1]) if i % 2 else 10 ** rng.uniform(-6, 6)
        cases.append((rng.choice([1e-8, 1e-3, 0.5, 3.0]) * rng.choice([-1, 1]), vq))
    _check(cases, lambda mq, vq: cf.tv(cf.Gaussian(0.0, 1.0), cf.Gaussian(mq, vq)),
           _tv_gauss_oracle)
