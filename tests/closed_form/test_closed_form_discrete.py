"""Bernoulli, Categorical and Poisson closed forms: exact sums and the discrete core."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory import closed_form as cf
from fdivtheory.closed_form import _reference as ref

RATES = [(2.0, 3.5), (3.5, 2.0), (30.0, 22.0), (0.01, 5.0), (5.0, 0.01), (150.0, 160.0)]


@pytest.mark.parametrize("lam, mu", RATES)
@pytest.mark.parametrize("qty, alpha", [("kl", None), ("renyi", 0.3), ("renyi", 2.5),
                                        ("bhattacharyya", None), ("hellinger_sq", None),
                                        ("chi2", None), ("tv", None)])
def test_poisson_vs_truncated_sum(lam, mu, qty, alpha):
    P, Q = cf.Poisson(lam), cf.Poisson(mu)
    value = cf.renyi(P, Q, alpha) if qty == "renyi" else getattr(cf, qty)(P, Q)
    exact, tail = ref.poisson_sum(P, Q, qty, alpha)
    if value == math.inf:  # chi2 = exp((lam - mu)^2 / mu) - 1 overflows for lam = 5, mu = 0.01
        assert (lam - mu) ** 2 / mu > 709 and exact == math.inf
        return
    assert tail <= 1e-12 * abs(exact)
    assert value == pytest.approx(exact, rel=1e-8, abs=tail)


def test_poisson_renyi_orders():
    P, Q = cf.Poisson(2.0), cf.Poisson(3.0)
    assert cf.renyi(P, Q, 0.0) == 0.0
    # D_inf = log max_k p_k / q_k = mu - lam (attained at k = 0) when lam <= mu
    k = np.arange(200)
    lp = k * math.log(2.0) - 2.0 - np.array([math.lgamma(i + 1) for i in k])
    lq = k * math.log(3.0) - 3.0 - np.array([math.lgamma(i + 1) for i in k])
    assert cf.renyi(P, Q, math.inf) == pytest.approx(float(np.max(lp - lq)), rel=1e-14)
    assert cf.renyi(Q, P, math.inf) == math.inf
    kl = cf.kl(P, Q)
    for eps in (1e-5, 1e-7):
        assert cf.renyi(P, Q, 1 + eps) == pytest.approx(kl, rel=1e3 * eps)
        assert cf.renyi(P, Q, 1 - eps) == pytest.approx(kl, rel=1e3 * eps)
    assert cf.renyi(P, Q, 1e4) == pytest.approx(cf.renyi(P, Q, math.inf), rel=1e-3)


def test_poisson_close_rates_precision():
    mp.mp.dps = 40
    lam, mu = 7.0, 7.0 * (1 + 1e-7)
    exact = float(mp.mpf(lam) * mp.log(mp.mpf(lam) / mp.mpf(mu)) - lam + mp.mpf(mu))
    assert cf.kl(cf.Poisson(lam), cf.Poisson(mu)) == pytest.approx(exact, rel=1e-8)


def _pmfs(rng, k, zeros):
    p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
    if zeros:
        p[rng.integers(k)] = 0.0
        q[rng.integers(k)] = 0.0
        p, q = p / p.sum(), q / q.sum()
    return p, q


@pytest.mark.parametrize("seed", range(12))
def test_categorical_agrees_with_discrete_core(seed):
    rng = np.random.default_rng(seed)
    p, q = _pmfs(rng, int(rng.integers(2, 9)), zeros=seed % 2 == 1)
    P, Q = cf.Categorical(p), cf.Categorical(q)
    for name in ("kl", "tv", "hellinger_sq", "chi2", "bhattacharyya"):
        expected = float(getattr(fd, name)(p, q))
        got = getattr(cf, name)(P, Q)
        if math.isinf(expected):
            assert got == expected, name
        else:
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-15), name
    for a in (0.0, 0.3, 0.5, 2.0, 7.0, math.inf):
        expected = float(fd.renyi(p, q, a))
        got = cf.renyi(P, Q, a)
        if math.isinf(expected):
            assert got == expected, a
        else:
            assert got == pytest.approx(expected, rel=1e-11, abs=1e-15), a


def test_categorical_support_rules():
    P, Q = cf.Categorical([0.5, 0.5, 0.0]), cf.Categorical([0.0, 0.5, 0.5])
    assert cf.kl(P, Q) == math.inf
    assert cf.chi2(P, Q) == math.inf
    assert cf.renyi(P, Q, 2.0) == math.inf
    assert cf.renyi(P, Q, 0.5) == pytest.approx(-2 * math.log(0.5))
    assert cf.renyi(P, Q, 0.0) == pytest.approx(math.log(2.0))  # -log Q(supp P)
    assert cf.tv(P, Q) == pytest.approx(0.5)
    disjoint = cf.Categorical([1.0, 0.0]), cf.Categorical([0.0, 1.0])
    assert cf.renyi(*disjoint, 0.5) == math.inf
    assert cf.hellinger_sq(*disjoint) == 2.0
    assert cf.tv(*disjoint) == 1.0


def test_categorical_close_pair_precision():
    mp.mp.dps = 40
    p = np.array([0.3, 0.7])
    q = np.array([0.3 + 1e-9, 0.7 - 1e-9])
    exact = sum(mp.mpf(a) * mp.log(mp.mpf(a) / mp.mpf(b)) for a, b in zip(p, q, strict=True))
    assert cf.kl(cf.Categorical(p), cf.Categorical(q)) == pytest.approx(float(exact), rel=1e-6)


def test_bernoulli_equals_categorical():
    for a, b in ((0.2, 0.5), (0.0, 0.3), (1.0, 1.0), (0.999, 0.001)):
        B1, B2 = cf.Bernoulli(a), cf.Bernoulli(b)
        C1, C2 = cf.Categorical([1 - a, a]), cf.Categorical([1 - b, b])
        # Bernoulli pairs use the exact difference p1 - q1 (not that of the rounded
        # complements), so the two agree to rounding, not bitwise
        for f in (cf.kl, cf.tv, cf.hellinger_sq, cf.chi2, cf.bhattacharyya):
            assert f(B1, B2) == pytest.approx(f(C1, C2), rel=1e-14, abs=1e-300)
            assert f(B1, C2) == pytest.approx(f(C1, B2), rel=1e-14, abs=1e-300)
        assert cf.renyi(B1, B2, 0.7) == pytest.approx(cf.renyi(C1, C2, 0.7), rel=1e-14)
    assert cf.kl(cf.Bernoulli(0.5), cf.Bernoulli(0.25)) == pytest.approx(
        0.5 * math.log(2) + 0.5 * math.log(0.5 / 0.75), rel=1e-14)


@pytest.mark.parametrize("ctor, arg, name", [
    (cf.Categorical, [0.5, 0.6], "sum to 1"),
    (cf.Categorical, [1.2, -0.2], "probs must have entries >= 0"),
    (cf.Categorical, [], "empty"),
    (cf.Categorical, [[0.5, 0.5]], "probs"),
    (cf.Categorical, [0.5, math.nan], "probs"),
    (cf.Bernoulli, 1.5, "p"),
    (cf.Bernoulli, "x", "p"),
    (cf.Poisson, 0.0, "rate"),
    (cf.Poisson, -2.0, "rate"),
])
def test_bad_parameters_raise_naming_argument(ctor, arg, name):
    with pytest.raises(ValueError, match=name):
        ctor(arg)


def test_category_count_mismatch():
    with pytest.raises(ValueError, match="categories"):
        cf.kl(cf.Categorical([0.5, 0.5]), cf.Categorical([0.2, 0.3, 0.5]))
    with pytest.raises(ValueError, match="categories"):
        cf.tv(cf.Bernoulli(0.5), cf.Categorical([0.2, 0.3, 0.5]))
