"""Exponential families from their log-partition function vs the dedicated closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import gammaln

from fdivtheory import closed_form as cf


def _gauss_A(th):
    return -th[0] ** 2 / (4 * th[1]) - 0.5 * np.log(-2 * th[1])


def _gauss_domain(th):
    return th[1] < 0


def _gauss_ef(m, v, **kw):
    return cf.ExponentialFamily([m / v, -1 / (2 * v)], _gauss_A, natural_domain=_gauss_domain, **kw)


def _gauss2_A(th):
    # T(x) = (x1, x2, x1^2, x2^2, x1 x2); theta = (h, -Lambda11/2, -Lambda22/2, -Lambda12)
    h = th[:2]
    Lam = np.array([[-2 * th[2], -th[4]], [-th[4], -2 * th[3]]])
    sol = np.linalg.solve(Lam, h) if not np.iscomplexobj(th) else _solve2(Lam, h)
    return 0.5 * h @ sol - 0.5 * np.log(Lam[0, 0] * Lam[1, 1] - Lam[0, 1] ** 2) + np.log(2 * np.pi)


def _solve2(A, b):
    det = A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]
    return np.array([A[1, 1] * b[0] - A[0, 1] * b[1], A[0, 0] * b[1] - A[1, 0] * b[0]]) / det


def _gauss2_ef(m, S):
    Lam = np.linalg.inv(S)
    h = Lam @ m
    theta = [h[0], h[1], -Lam[0, 0] / 2, -Lam[1, 1] / 2, -Lam[0, 1]]
    return cf.ExponentialFamily(theta, _gauss2_A, natural_domain=_gauss2_domain)


def _gauss2_domain(th):
    Lam = np.array([[-2 * th[2], -th[4]], [-th[4], -2 * th[3]]])
    return bool(np.all(np.linalg.eigvalsh(Lam) > 0))


@pytest.mark.parametrize("m1, v1, m2, v2", [(0.3, 2.0, -0.5, 0.7), (0.3, 0.5, -0.5, 0.7),
                                            (1.0, 1.0, 1.0, 3.0)])
def test_gaussian_as_exponential_family_1d(m1, v1, m2, v2):
    P, Q = _gauss_ef(m1, v1), _gauss_ef(m2, v2)
    G, H = cf.Gaussian(m1, v1), cf.Gaussian(m2, v2)
    assert cf.kl(P, Q) == pytest.approx(cf.kl(G, H), rel=1e-12)
    for a in (0.2, 0.5, 1.7, 3.0):
        expected = cf.renyi(G, H, a)
        got = cf.renyi(P, Q, a)
        assert got == expected if math.isinf(expected) else got == pytest.approx(expected,
                                                                                   rel=1e-11)
    assert cf.bhattacharyya(P, Q) == pytest.approx(cf.bhattacharyya(G, H), rel=1e-11)
    assert cf.hellinger_sq(P, Q) == pytest.approx(cf.hellinger_sq(G, H), rel=1e-11)
    chi = cf.chi2(G, H)
    assert cf.chi2(P, Q) == chi if math.isinf(chi) else cf.chi2(P, Q) == pytest.approx(chi,
                                                                                       rel=1e-10)


def test_gaussian_as_exponential_family_2d():
    m1, S1 = np.array([0.3, -0.2]), np.array([[2.0, 0.6], [0.6, 1.0]])
    m2, S2 = np.array([-0.5, 0.4]), np.array([[1.0, -0.3], [-0.3, 0.8]])
    P, Q = _gauss2_ef(m1, S1), _gauss2_ef(m2, S2)
    G, H = cf.Gaussian(m1, S1), cf.Gaussian(m2, S2)
    assert cf.kl(P, Q) == pytest.approx(cf.kl(G, H), rel=1e-9)
    assert cf.renyi(P, Q, 0.4) == pytest.approx(cf.renyi(G, H, 0.4), rel=1e-11)
    assert cf.renyi(P, Q, 2.5) == cf.renyi(G, H, 2.5) == math.inf  # mixed precision not PD


def test_poisson_and_gamma_families():
    A = lambda th: np.exp(th[0])
    P, Q = cf.ExponentialFamily(np.log(2.0), A), cf.ExponentialFamily(np.log(3.5), A)
    assert cf.kl(P, Q) == pytest.approx(cf.kl(cf.Poisson(2.0), cf.Poisson(3.5)), rel=1e-13)
    assert cf.renyi(P, Q, 2.5) == pytest.approx(
        cf.renyi(cf.Poisson(2.0), cf.Poisson(3.5), 2.5), rel=1e-12)

    def gamma_A(th):  # T = (log x, x), theta = (k - 1, -rate)
        return gammaln(th[0] + 1) - (th[0] + 1) * np.log(-th[1])

    dom = lambda th: th[0] > -1 and th[1] < 0
    G1 = cf.ExponentialFamily([1.5, -1.3], gamma_A, natural_domain=dom)
    G2 = cf.ExponentialFamily([-0.2, -0.4], gamma_A, natural_domain=dom)
    assert G1.gradient == "auto"
    assert cf.kl(G1, G2) == pytest.approx(cf.kl(cf.Gamma(2.5, 1.3), cf.Gamma(0.8, 0.4)),
                                          rel=1e-9)
    for a in (0.5, 1.5, 4.0):
        expected = cf.renyi(cf.Gamma(2.5, 1.3), cf.Gamma(0.8, 0.4), a)
        got = cf.renyi(G1, G2, a)
        assert got == expected if math.isinf(expected) else got == pytest.approx(expected,
                                                                                   rel=1e-12)


def test_gradient_modes():
    P = _gauss_ef(0.3, 2.0)
    exact = np.array([0.3, 0.3**2 + 2.0])  # E[x], E[x^2]
    assert np.allclose(P.grad(), exact, rtol=1e-13)
    assert np.allclose(P._complex_step(), exact, rtol=1e-14)
    assert np.allclose(P._central(), exact, rtol=1e-9)
    central = _gauss_ef(0.3, 2.0, gradient="central")
    assert np.allclose(central.grad(), exact, rtol=1e-9)
    given = _gauss_ef(0.3, 2.0, grad_log_partition=lambda th: exact)
    assert np.array_equal(given.grad(), exact)


def test_auto_gradient_falls_back_when_complex_step_is_wrong_or_unsupported():
    # Bernoulli family, A = log(1 + e^theta): logaddexp refuses complex input
    A1 = lambda th: np.logaddexp(0.0, th[0])
    P = cf.ExponentialFamily(0.4, A1)
    assert P._complex_step() is None
    sig = 1 / (1 + math.exp(-0.4))
    assert P.grad()[0] == pytest.approx(sig, rel=1e-9)
    # abs() silently drops the imaginary part: complex step would return 0
    A2 = lambda th: np.log(1 + np.exp(np.abs(th[0])))
    Q = cf.ExponentialFamily(0.4, A2)
    assert Q.grad()[0] == pytest.approx(sig, rel=1e-9)
    with pytest.raises(ValueError, match="complex"):
        cf.ExponentialFamily(0.4, A1, gradient="complex_step").grad()
    assert cf.kl(cf.ExponentialFamily(0.4, A1), cf.ExponentialFamily(-1.0, A1)) == pytest.approx(
        cf.kl(cf.Bernoulli(sig), cf.Bernoulli(1 / (1 + math.exp(1.0)))), rel=1e-8)


def test_natural_domain_and_nan():
    P, Q = _gauss_ef(0.0, 1.0), _gauss_ef(0.0, 0.4)
    assert cf.renyi(P, Q, 3.0) == math.inf  # 3 (-1/2) - 2 (-1.25) > 0: outside
    no_domain = lambda m, v: cf.ExponentialFamily([m / v, -1 / (2 * v)], _gauss_A)
    with pytest.raises(ValueError, match="natural_domain"), np.errstate(invalid="ignore"):
        cf.renyi(no_domain(0.0, 1.0), no_domain(0.0, 0.4), 3.0)


def test_order_infinity_and_zero():
    P, Q = _gauss_ef(0.0, 1.0), _gauss_ef(1.0, 2.0)
    assert cf.renyi(P, Q, 0.0) == 0.0
    with pytest.raises(cf.MissingClosedFormError, match="inf"):
        cf.renyi(P, Q, math.inf)
    with pytest.raises(cf.MissingClosedFormError, match="tv_bounds"):
        cf.tv(P, Q)
    b = cf.tv_bounds(P, Q)
    t = cf.tv(cf.Gaussian(0.0, 1.0), cf.Gaussian(1.0, 2.0))
    assert b.lower <= t <= b.upper


def test_validation():
    with pytest.raises(ValueError, match="theta"):
        cf.ExponentialFamily([np.nan], _gauss_A)
    with pytest.raises(ValueError, match="theta"):
        cf.ExponentialFamily(np.zeros((2, 2)), _gauss_A)
    with pytest.raises(ValueError, match="natural parameter space"):
        cf.ExponentialFamily([0.0, 1.0], _gauss_A, natural_domain=_gauss_domain)
    with pytest.raises(ValueError, match="log_partition"):
        cf.ExponentialFamily([0.0, -1.0], "not callable")
    with pytest.raises(ValueError, match="gradient"):
        cf.ExponentialFamily([0.0, -1.0], _gauss_A, gradient="forward")
    with pytest.raises(ValueError, match="same log_partition"):
        cf.kl(_gauss_ef(0.0, 1.0), cf.ExponentialFamily([0.0, -0.5], lambda t: _gauss_A(t)))
    with pytest.raises(ValueError, match="shape"):
        A = lambda th: float(np.sum(np.exp(th)))
        cf.kl(cf.ExponentialFamily([0.0], A), cf.ExponentialFamily([0.0, 1.0], A))
