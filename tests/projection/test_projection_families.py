"""Families: natural <-> mean maps, cumulant tensors against numerical derivatives, sympy."""

import math

import numpy as np
import pytest
import scipy.stats as st
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as hst

from fdivtheory.projection import family, family_from_sympy

BUILTIN = [("normal", {}), ("normal_known_variance", {"sigma2": 2.0}), ("mvn", {"d": 2}),
           ("exponential", {}), ("poisson", {}), ("bernoulli", {}), ("categorical", {"k": 4}),
           ("gamma", {})]
THETA = {"normal": [0.7, -0.3], "normal_known_variance": [0.4], "mvn": [0.2, -0.1, -0.6, 0.2, -0.4],
         "exponential": [-1.7], "poisson": [0.3], "bernoulli": [-0.4], "categorical": [0.1, -0.5, 0.8],
         "gamma": [1.5, -0.8]}


def _num_grad(f, x, h=1e-5):
    x = np.asarray(x, float)
    out = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        out.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(out, axis=-1)


@pytest.mark.parametrize(("name", "params"), BUILTIN)
def test_mean_is_gradient_and_cumulants_are_derivatives(name, params):
    fam = family(name, **params)
    theta = np.array(THETA[name])
    assert np.allclose(fam.mean_from_natural(theta), _num_grad(fam.log_partition, theta),
                       rtol=1e-7, atol=1e-8)
    G, K, L = fam.cumulants(theta)
    assert np.allclose(G, _num_grad(fam.mean_from_natural, theta), rtol=1e-6, atol=1e-7)
    assert np.allclose(K, _num_grad(lambda t: fam.cumulants(t, 2)[0], theta), rtol=1e-5,
                       atol=1e-6)
    assert np.allclose(L, _num_grad(lambda t: fam.cumulants(t, 3)[1], theta), rtol=1e-5,
                       atol=1e-5)
    assert np.allclose(G, G.T) and np.all(np.linalg.eigvalsh(G) > 0)


@pytest.mark.parametrize(("name", "params"), BUILTIN)
def test_natural_mean_round_trip(name, params):
    fam = family(name, **params)
    theta = np.array(THETA[name])
    assert np.allclose(fam.natural_from_mean(fam.mean_from_natural(theta)), theta, atol=1e-9)


def test_statistic_shapes_and_mle():
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, 500)
    fam = family("normal")
    assert fam.statistic(x).shape == (500, 2)
    mu, s2 = fam.mean_cov if hasattr(fam, "mean_cov") else (None, None)
    th = fam.mle(x)
    assert th[0] / (-2 * th[1]) == pytest.approx(x.mean())
    assert -0.5 / th[1] == pytest.approx(x.var())
    mvn = family("mvn", d=3)
    y = rng.standard_normal((50, 3))
    assert mvn.statistic(y).shape == (50, 9)
    m, S = mvn.mean_cov(mvn.mle(y))
    assert np.allclose(m, y.mean(0)) and np.allclose(S, np.cov(y.T, ddof=0))


def test_mle_existence():
    assert not family("poisson").mle_exists([0.0])
    assert family("poisson").mle_exists([0.1])
    assert not family("categorical", k=3).mle_exists([0.5, 0.5])
    assert not family("bernoulli").mle_exists([1.0])
    assert not family("normal").mle_exists([1.0, 1.0])
    assert not family("gamma").mle_exists([0.0, 1.0])  # log(mean) = mean(log): all equal
    assert family("gamma").mle_exists([-0.1, 1.0])
    with pytest.raises(ValueError, match="does not exist"):
        family("mvn", d=2).mle(np.ones((5, 2)))


def test_gamma_mle_matches_scipy():
    x = st.gamma(2.5, scale=1.3).rvs(2000, random_state=1)
    a_hat, _, scale_hat = st.gamma.fit(x, floc=0)
    th = family("gamma").mle(x)
    assert th[0] + 1 == pytest.approx(a_hat, rel=1e-5)
    assert -1 / th[1] == pytest.approx(scale_hat, rel=1e-5)


def test_sympy_normal_equals_builtin():
    t1, t2, x = sp.symbols("t1 t2 x")
    fam = family_from_sympy([x, x**2], -t1**2 / (4 * t2) - sp.log(-2 * t2) / 2, [t1, t2],
                            theta0=[0.0, -0.5])
    ref = family("normal")
    assert fam.statistic_poly is not None
    for theta in ([0.3, -0.2], [-1.0, -2.0]):
        for a, b in zip(fam.cumulants(theta), ref.cumulants(theta), strict=True):
            assert np.allclose(a, b, rtol=1e-10, atol=1e-12)
    assert np.allclose(fam.natural_from_mean([1.0, 3.0]), ref.natural_from_mean([1.0, 3.0]))


def test_sympy_symbolic_derivatives_match_lambdified():
    fam = family("gamma")
    a, b = fam.theta_symbols
    rng = np.random.default_rng(3)
    for _ in range(5):
        th = np.array([rng.uniform(-0.5, 3), rng.uniform(-3, -0.2)])
        L = fam.cumulants(th)[2]
        expr = fam.derivative_exprs[3][0, 0, 1, 1]
        assert float(expr.subs({a: th[0], b: th[1]})) == pytest.approx(L[0, 0, 1, 1], rel=1e-10)
        expr = fam.derivative_exprs[2][0, 0, 0]
        assert float(expr.subs({a: th[0], b: th[1]}).evalf()) == pytest.approx(
            fam.cumulants(th)[1][0, 0, 0], rel=1e-10)


@given(hst.floats(-3, 3), hst.floats(0.1, 5))
@settings(max_examples=30, deadline=None)
def test_bregman_divergence_is_kl(mu, s2):
    fam = family("normal")
    ts = fam.natural_from_mean([0.0, 1.0])
    t = fam.natural_from_mean([mu, mu * mu + s2])
    kl = 0.5 * (math.log(s2) + (1 + mu * mu) / s2 - 1)
    assert fam.divergence(ts, t) == pytest.approx(kl, rel=1e-9, abs=1e-12)


def test_bad_family_arguments():
    with pytest.raises(ValueError, match="unknown family"):
        family("cauchy")
    with pytest.raises(ValueError, match="needs d="):
        family("mvn")
    with pytest.raises(ValueError, match="k must be"):
        family("categorical", k=1)
    with pytest.raises(ValueError, match="sigma2"):
        family("normal_known_variance", sigma2=-1.0)
    with pytest.raises(ValueError, match="takes no parameters"):
        family("normal", d=2)
    t, x = sp.symbols("t x")
    with pytest.raises(ValueError, match="must match"):
        family_from_sympy([x, x**2], sp.exp(t), [t])
    with pytest.raises(ValueError, match="theta0"):
        family_from_sympy([x], -sp.log(-t), [t])
    with pytest.raises(TypeError, match="Symbols"):
        family_from_sympy([x], sp.exp(t), ["t"])
