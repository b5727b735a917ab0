"""Exact finite-n risks: closed forms, enumeration and series against independent oracles."""

import itertools
import math

import mpmath
import numpy as np
import pytest
import scipy.stats as st
import sympy as sp

from fdivtheory.projection import exact_risk, family, risk_expansion, simulate_risk
from fdivtheory.projection.symbolic import exponential_gamma_risk_series, mvn_exact_risk_series


def test_exponential_gamma_reference_value_and_mpmath():
    fam = family("exponential")
    r = exact_risk(fam, st.gamma(2, scale=7.0), 20)
    assert r.risk == pytest.approx(0.01308894556193, abs=1e-14)
    for n, k in ((10, 2.0), (3, 0.5), (50, 1.3)):
        m = mpmath.mpf(n) * mpmath.mpf(k)
        ref = mpmath.digamma(m) - mpmath.log(m) + 1 / (m - 1)
        assert exact_risk(fam, st.gamma(k), n).risk == pytest.approx(float(ref), rel=1e-12)


def test_exponential_residual_scaling():
    """(exact - R12) (nk)^3 -> 1 (1.02585 at n = 20, 1.01276 at n = 40; k = 2)."""
    fam = family("exponential")
    c = risk_expansion(fam, st.gamma(2))
    vals = [(exact_risk(fam, st.gamma(2), n).risk - c.risk(n)) * (2 * n) ** 3 for n in (20, 40)]
    assert vals[0] == pytest.approx(1.02585, abs=1e-5)
    assert vals[1] == pytest.approx(1.01276, abs=1e-5)
    assert abs(vals[1] - 1) < abs(vals[0] - 1)
    assert exponential_gamma_risk_series() == [sp.Rational(1, 2), sp.Rational(11, 12), 1]


@pytest.mark.parametrize("d", [1, 2, 3])
def test_mvn_series_reproduces_expansion(d):
    c1, c2, c3 = mvn_exact_risk_series(d)
    assert c1 == sp.Rational(d * (d + 3), 4)
    assert c2 == sp.Rational(d * (10 * d * d + 51 * d + 61), 24)
    if d in (1, 2):
        assert c3 == {1: 17, 2: 75}[d]
    fam = family("mvn", d=d)
    truth = st.multivariate_normal(np.zeros(d))
    exp = risk_expansion(fam, truth)
    assert exp.c2 == pytest.approx(float(c2), rel=1e-11)
    n = 4000
    r = exact_risk(fam, truth, n).risk
    assert (r - exp.risk(n)) * n**3 == pytest.approx(float(c3), rel=2e-2)


def test_normal_family_normal_truth_equals_mvn_d1():
    a = exact_risk(family("normal"), st.norm(3, 2), 25).risk
    b = exact_risk(family("mvn", d=1), st.multivariate_normal([0.0], [[1.0]]), 25).risk
    assert a == pytest.approx(b, rel=1e-14)


def test_small_n_gives_inf_with_reason():
    r = exact_risk(family("mvn", d=2), st.multivariate_normal([0, 0]), 4)
    assert math.isinf(r.risk) and "n <= d + 2" in r.reason
    r = exact_risk(family("exponential"), st.gamma(0.5), 2)
    assert math.isinf(r.risk) and "n k <= 1" in r.reason
    r = exact_risk(family("mvn", d=2), st.multivariate_normal([0, 0]), 2)
    assert r.p_nonexistence == 1.0


def _brute_categorical(p, n):
    """Independent oracle: sum over all sequences' count vectors by itertools.product."""
    k = len(p)
    num = den = trunc = 0.0
    for c in itertools.product(range(n + 1), repeat=k):
        if sum(c) != n:
            continue
        w = math.factorial(n) / math.prod(math.factorial(x) for x in c) * math.prod(
            pj**x for pj, x in zip(p, c, strict=True))
        if min(c) > 0:
            loss = sum(pj * math.log(pj * n / x) for pj, x in zip(p, c, strict=True))
            trunc += w * loss
            den += w
        num += w
    return trunc / den, 1 - den / num, trunc


def test_categorical_enumeration_reference_values_and_brute_force():
    r = exact_risk(family("categorical", k=3), np.array([0.2, 0.3, 0.5]), 40)
    assert r.risk == pytest.approx(0.02716252109, abs=1e-11)
    assert 1 - r.p_nonexistence == pytest.approx(0.99986644, abs=1e-8)
    r = exact_risk(family("categorical", k=4), np.array([0.1, 0.2, 0.3, 0.4]), 20)
    assert 1 - r.p_nonexistence == pytest.approx(0.86689604, abs=1e-8)
    assert r.risk == pytest.approx(0.07358790, abs=1e-8)
    p = [0.15, 0.25, 0.6]
    cond, pnon, trunc = _brute_categorical(p, 12)
    got = exact_risk(family("categorical", k=3), np.array(p), 12)
    assert got.risk == pytest.approx(cond, rel=1e-12)
    assert got.p_nonexistence == pytest.approx(pnon, rel=1e-10)
    assert got.truncated == pytest.approx(trunc, rel=1e-12)
    unc = exact_risk(family("categorical", k=3), np.array(p), 12, conditional=False)
    assert math.isinf(unc.risk) and "empty cell" in unc.reason


def test_bernoulli_exact_equals_categorical_k2():
    a = exact_risk(family("bernoulli"), st.bernoulli(0.3), 30)
    b = exact_risk(family("categorical", k=2), np.array([0.7, 0.3]), 30)
    assert a.risk == pytest.approx(b.risk, rel=1e-13)


def test_bernoulli_half_residual_tends_to_2():
    """n^3 (exact - R12) -> c3 = 2 for Bernoulli(1/2).

    c3 from the Bregman series: odd derivatives of phi vanish at 1/2, the 4th is 32
    and the 6th 1536, so c3 = (3/24) 32 kappa4 + (5/720) 1536 (15 sigma^6) = -1/2 + 5/2 = 2
    (sigma^2 = 1/4, kappa4 = -1/8).  The residual is c3 + O(1/n); Richardson extrapolation
    2 r(2n) - r(n) removes the 1/n term, leaving O(n^-2) (about 1e-4 at n = 400).
    """
    fam = family("bernoulli")
    c = risk_expansion(fam, st.bernoulli(0.5))

    def resid(n):
        return (exact_risk(fam, st.bernoulli(0.5), n).risk - c.risk(n)) * n**3

    r400, r800 = resid(400), resid(800)
    assert abs(r800 - 2) < abs(r400 - 2)
    assert 2 * r800 - r400 == pytest.approx(2.0, abs=1e-3)


def test_poisson_series_reference_values():
    fam = family("poisson")
    r = exact_risk(fam, st.nbinom(2, 0.5), 40)
    assert r.risk == pytest.approx(0.0253227902568, abs=1e-13)
    assert r.p_nonexistence == pytest.approx(2.0**-80, rel=1e-10)
    r = exact_risk(fam, st.poisson(2), 20)
    assert r.risk == pytest.approx(0.02554608, abs=1e-8)
    # independent oracle: mpmath sum over S ~ Poisson(n lam)
    lam, n = 0.7, 6
    mpmath.mp.dps = 30
    mu = n * lam
    tot = mpmath.nsum(lambda s: mpmath.exp(-mu) * mu**s / mpmath.factorial(s)
                      * (lam * mpmath.log(lam * n / s) - lam + s / n), [1, mpmath.inf])
    ref = tot / (1 - mpmath.exp(-mu))
    assert exact_risk(fam, st.poisson(lam), n).risk == pytest.approx(float(ref), rel=1e-12)


def test_known_variance_exact_any_truth():
    r = exact_risk(family("normal_known_variance", sigma2=1.0), st.gamma(4), 7)
    assert r.risk == pytest.approx(4 / 14, rel=1e-12)


def test_no_exact_route_is_an_error():
    with pytest.raises(ValueError, match="no exact route"):
        exact_risk(family("normal"), st.gamma(2), 10)
    with pytest.raises(TypeError, match="conditional"):
        exact_risk(family("poisson"), st.poisson(1), 10, conditional="yes")
    with pytest.raises(ValueError, match="n must be"):
        exact_risk(family("poisson"), st.poisson(1), 0)


def test_exact_routes_refuse_shifted_laws_and_accept_keyword_parameters():
    with pytest.raises(ValueError, match="no exact route"):
        exact_risk(family("exponential"), st.gamma(2, loc=1), 20)
    with pytest.raises(ValueError, match="no exact route"):
        exact_risk(family("poisson"), st.poisson(2, loc=1), 20)
    a = exact_risk(family("poisson"), st.nbinom(2, 0.5), 40).risk
    for law in (st.nbinom(2, p=0.5), st.nbinom(n=2, p=0.5)):
        assert exact_risk(family("poisson"), law, 40).risk == pytest.approx(a, rel=1e-13)


def test_simulate_flags_divergent_normal_risk_and_checks_seed():
    r = simulate_risk(family("normal"), st.norm(), 3, 200, seed=1)
    assert "infinite for n <= d + 2" in r.reason
    assert simulate_risk(family("normal"), st.norm(), 4, 200, seed=1).reason == ""
    with pytest.raises(TypeError, match="seed must be"):
        simulate_risk(family("normal"), st.norm(), 10, 10, seed="a")
