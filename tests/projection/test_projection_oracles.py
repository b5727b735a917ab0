"""c1, c2 against an oracle that shares no code with the module.

The oracle expands the loss itself: in mean coordinates the loss is the Bregman
divergence of the dual potential, D = phi(eta*) - phi(eta* + delta) + grad phi(eta* + delta).delta,
with delta = T_bar - eta*.  sympy expands D along delta = t u to order t^4; the expectation of
each monomial of u is the true central moment of T (order 2 and 3, times 1/n and 1/n^2) or,
for order 4, its leading n^-2 part, the sum over the three pairings of covariances
(docs/theory/pn_criterion.md, §3).  Moments of the truth come from mpmath quadrature or
exact sample averages, never from the module.
"""

import mpmath as mp
import numpy as np
import pytest
import scipy.stats as st
import sympy as sp

from fdivtheory.projection import family, risk_expansion


def _bregman_oracle(phi, sym, eta_star, central_moment):
    p = len(sym)
    t = sp.Symbol("t")
    u = sp.symbols(f"u0:{p}")
    at_star = dict(zip(sym, eta_star, strict=True))
    moved = {s: e + t * ui for s, e, ui in zip(sym, eta_star, u, strict=True)}
    grad = [sp.diff(phi, s).subs(moved, simultaneous=True) for s in sym]
    loss = (phi.subs(at_star) - phi.subs(moved, simultaneous=True)
            + sum(g * t * ui for g, ui in zip(grad, u, strict=True)))
    series = sp.series(loss, t, 0, 5).removeO()

    def cov(i, j):
        a = [0] * p
        a[i] += 1
        a[j] += 1
        return central_moment(tuple(a))

    terms = []
    for k in (2, 3, 4):
        poly = sp.Poly(sp.expand(series.coeff(t, k)), *u)
        total = 0
        for mon, coef in zip(poly.monoms(), poly.coeffs(), strict=True):
            if k < 4:
                total += coef * central_moment(mon)
            else:
                i, j, m, l = [a for a, e in enumerate(mon) for _ in range(e)]
                total += coef * (cov(i, j) * cov(m, l) + cov(i, m) * cov(j, l)
                                 + cov(i, l) * cov(j, m))
        terms.append(float(total))
    return terms[0], terms[1] + terms[2]


E1, E2 = sp.symbols("e1 e2")
PHI_NORMAL = -sp.log(E2 - E1**2) / 2          # T = (x, x^2), up to a constant


@pytest.mark.parametrize(("truth", "density", "pieces"), [
    (st.lognorm(0.3), lambda x: mp.npdf(mp.log(x), 0, mp.mpf("0.3")) / x, [0, 1, mp.inf]),
    pytest.param(st.skewnorm(4), lambda x: 2 * mp.npdf(x) * mp.ncdf(4 * x),
                 [-mp.inf, 0, mp.inf], marks=pytest.mark.slow),
    (st.gamma(4), lambda x: x**3 * mp.exp(-x) / 6, [0, mp.inf]),
])
def test_normal_model_against_bregman_oracle(truth, density, pieces):
    mp.mp.dps = 30

    def expect(h):
        return mp.quad(lambda x: h(x) * density(x), pieces)

    m1, m2 = expect(lambda x: x), expect(lambda x: x * x)

    def central(a):
        v = expect(lambda x: (x - m1) ** a[0] * (x * x - m2) ** a[1])
        return sp.Float(str(v), 25)

    c1, c2 = _bregman_oracle(PHI_NORMAL, [E1, E2], [sp.Float(str(m1), 25),
                                                     sp.Float(str(m2), 25)], central)
    for method in ("structured", "natural", "mean"):
        got = risk_expansion(family("normal"), truth, method=method)
        assert got.c1 == pytest.approx(c1, rel=1e-11)
        assert got.c2 == pytest.approx(c2, rel=1e-10)


def test_exponential_model_weibull_truth_against_bregman_oracle():
    e = sp.Symbol("e")
    mp.mp.dps = 30
    shape, scale = mp.mpf("1.7"), mp.mpf(2)

    def density(x):
        return shape / scale * (x / scale) ** (shape - 1) * mp.exp(-((x / scale) ** shape))

    m = mp.quad(lambda x: x * density(x), [0, mp.inf])

    def central(a):
        return sp.Float(str(mp.quad(lambda x: (x - m) ** a[0] * density(x), [0, mp.inf])), 25)

    c1, c2 = _bregman_oracle(-1 - sp.log(e), [e], [sp.Float(str(m), 25)], central)
    for method in ("structured", "natural", "mean"):
        got = risk_expansion(family("exponential"), st.weibull_min(1.7, scale=2), method=method)
        assert got.c1 == pytest.approx(c1, rel=1e-12)
        assert got.c2 == pytest.approx(c2, rel=1e-11)


@pytest.mark.slow
def test_mvn_d2_skewed_data_against_bregman_oracle():
    """Full bivariate normal model, the empirical law of 50 skewed points as the truth."""
    rng = np.random.default_rng(5)
    x = rng.gamma(2.0, size=(50, 2))
    x[:, 1] += 0.4 * x[:, 0] ** 2
    T = np.column_stack([x[:, 0], x[:, 1], x[:, 0] ** 2, x[:, 0] * x[:, 1], x[:, 1] ** 2])
    eta = T.mean(axis=0)
    Z = T - eta
    e = sp.symbols("e0:5")
    S = sp.Matrix([[e[2] - e[0] ** 2, e[3] - e[0] * e[1]],
                   [e[3] - e[0] * e[1], e[4] - e[1] ** 2]])

    def central(a):
        return sp.Float(float(np.mean(np.prod(Z ** np.array(a), axis=1))), 17)

    c1, c2 = _bregman_oracle(-sp.log(S.det()) / 2, list(e),
                             [sp.Float(float(v), 17) for v in eta], central)
    for method in ("structured", "natural", "mean"):
        got = risk_expansion(family("mvn", d=2), x, method=method)
        assert got.c1 == pytest.approx(c1, rel=1e-11)
        assert got.c2 == pytest.approx(c2, rel=1e-10)
