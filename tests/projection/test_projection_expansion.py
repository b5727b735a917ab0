"""c1, c2: the general tensor formulas (natural and mean coordinates) against closed forms."""

from fractions import Fraction as F

import numpy as np
import pytest
import scipy.stats as st
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as hst

from fdivtheory.projection import family, family_from_sympy, risk_expansion
from fdivtheory.projection.symbolic import one_parameter_coefficients

METHODS = ("natural", "mean", "structured")

# (family, truth, c1, c2): closed forms derived independently (moments of the truth)
CASES = [
    ("exponential", st.gamma(2), F(1, 4), F(11, 48)),
    ("exponential", st.gamma(0.7, scale=3), 1 / 1.4, 11 / (12 * 0.49)),
    ("normal", st.norm(3, 2), 1, F(61, 12)),
    ("normal", st.t(10), F(5, 4), F(31, 8)),
    ("normal", st.laplace(), F(7, 4), F(197, 24)),
    ("normal", st.uniform(), F(7, 10), F(6757, 2100)),
    ("normal", st.gamma(2), F(7, 4), F(181, 24)),
    ("normal", st.expon(), F(5, 2), F(41, 4)),
    ("poisson", st.poisson(2.0), F(1, 2), F(5, 24)),
    ("poisson", st.nbinom(2, 0.5), 1, F(1, 2)),
    ("bernoulli", st.bernoulli(0.5), F(1, 2), F(3, 4)),
]


@pytest.mark.parametrize(("name", "truth", "c1", "c2"), CASES)
@pytest.mark.parametrize("method", METHODS)
def test_closed_forms(name, truth, c1, c2, method):
    c = risk_expansion(family(name), truth, method=method)
    assert c.c1 == pytest.approx(float(c1), rel=1e-10)
    assert c.c2 == pytest.approx(float(c2), rel=1e-8)  # t10's 6th moment is by quadrature


def test_normal_gamma_truth_general_formula():
    for k in (1.0, 2.0, 4.0, 9.5):
        g1, g2, m6 = 2 / np.sqrt(k), 6 / k, 15 + 130 / k + 120 / k**2
        c = risk_expansion(family("normal"), st.gamma(k), method="natural")
        assert c.c1 == pytest.approx(1 + g2 / 4, rel=1e-11)
        assert c.c2 == pytest.approx(121 / 12 + 6 * g2 + 9 / 8 * g2**2 + 3 * g1**2 - m6 / 3,
                                     rel=1e-10)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_mvn_well_specified(d):
    truth = st.multivariate_normal(np.arange(d, dtype=float), np.eye(d) + 0.3)
    for method in METHODS:
        c = risk_expansion(family("mvn", d=d), truth, method=method)
        assert c.c1 == pytest.approx(d * (d + 3) / 4, rel=1e-12)
        assert c.c2 == pytest.approx(d * (10 * d * d + 51 * d + 61) / 24, rel=1e-11)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mvn_trace_formula_equals_tensor_formula(seed):
    rng = np.random.default_rng(seed)
    x = rng.gamma(2.0, size=(60, 2))
    x[:, 1] += 0.5 * x[:, 0] ** 2
    a = risk_expansion(family("mvn", d=2), x, method="structured")
    b = risk_expansion(family("mvn", d=2), x, method="natural")
    c = risk_expansion(family("mvn", d=2), x, method="mean")
    assert a.c1 == pytest.approx(b.c1, rel=1e-10) and a.c2 == pytest.approx(b.c2, rel=1e-10)
    assert c.c2 == pytest.approx(b.c2, rel=1e-9)
    # mvn(d=1) on (n,1) data equals the normal family's closed form
    y = x[:, :1]
    m = risk_expansion(family("mvn", d=1), y)
    nrm = risk_expansion(family("normal"), y[:, 0])
    assert m.c1 == pytest.approx(nrm.c1, rel=1e-11) and m.c2 == pytest.approx(nrm.c2, rel=1e-10)


def test_categorical_closed_form_and_well_specified_c1():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    for method in METHODS:
        c = risk_expansion(family("categorical", k=4), p, method=method)
        assert c.c1 == pytest.approx(1.5)
        assert c.c2 == pytest.approx(6.7638888888888889, rel=1e-12)


@given(hst.lists(hst.floats(0.05, 1.0), min_size=2, max_size=6))
@settings(max_examples=25, deadline=None)
def test_categorical_property(weights):
    p = np.array(weights) / np.sum(weights)
    k = p.size
    fam = family("categorical", k=k)
    nat = risk_expansion(fam, p, method="natural")
    assert nat.c1 == pytest.approx((k - 1) / 2, rel=1e-9)  # saturated model: p/2
    assert nat.c2 == pytest.approx((5 * np.sum(1 / p) - 6 * k + 1) / 12, rel=1e-8)


def test_known_variance_has_no_second_order_term():
    for truth in (st.gamma(4), st.t(7), st.uniform(-1, 2)):
        for method in ("natural", "structured"):
            c = risk_expansion(family("normal_known_variance", sigma2=2.0), truth, method=method)
            assert c.c1 == pytest.approx(truth.var() / 4, rel=1e-12)
            assert c.c2 == pytest.approx(0.0, abs=1e-14)


def test_symbolic_one_parameter_agrees_with_numeric():
    t = sp.Symbol("theta", negative=True)
    k = sp.Symbol("k", positive=True)
    nat, mean = one_parameter_coefficients(-sp.log(-t), t, -1 / k, k, 2 * k)
    assert sp.simplify(nat[1] - sp.Rational(11, 12) / k**2) == 0
    assert sp.simplify(mean[1] - nat[1]) == 0
    for kv in (0.5, 2.0, 7.0):
        c = risk_expansion(family("exponential"), st.gamma(kv), method="natural")
        assert c.c2 == pytest.approx(float(nat[1].subs(k, kv)), rel=1e-12)
    # Poisson model, general truth: (9 k2^2 - 4 lam k3) / (12 lam^3)
    lam, k2, k3 = sp.symbols("lam k2 k3", positive=True)
    nat, mean = one_parameter_coefficients(sp.exp(t), t, sp.log(lam), k2, k3)
    assert sp.simplify(nat[1] - (9 * k2**2 - 4 * lam * k3) / (12 * lam**3)) == 0
    assert sp.simplify(mean[1] - nat[1]) == 0


def test_gamma_family_well_specified_c1_is_p_over_2():
    c = risk_expansion(family("gamma"), st.gamma(3.0, scale=0.5))
    assert c.c1 == pytest.approx(1.0, rel=1e-8)
    data_c = risk_expansion(family("gamma"), st.gamma(3.0, scale=0.5).rvs(400, random_state=0))
    assert np.isfinite(data_c.c2)


def test_affine_reparametrisation_invariance():
    """T' = A T + b with theta = A^T theta': same c1, c2 (check C13a)."""
    s1, s2, x = sp.symbols("s1 s2 x")
    A = sp.Matrix([[1, 1], [0, 2]])
    b = sp.Matrix([3, -1])
    th = A.T * sp.Matrix([s1, s2])
    psi = -th[0] ** 2 / (4 * th[1]) - sp.log(-2 * th[1]) / 2 + (sp.Matrix([s1, s2]).T * b)[0]
    T = A * sp.Matrix([x, x**2]) + b
    fam = family_from_sympy(list(T), psi, [s1, s2], x=x, theta0=[0.5, -0.5])
    for truth in (st.gamma(3), st.t(12)):
        ref = risk_expansion(family("normal"), truth)
        got = risk_expansion(fam, truth, method="natural")
        assert got.c1 == pytest.approx(ref.c1, rel=1e-9)
        assert got.c2 == pytest.approx(ref.c2, rel=1e-7)


def test_location_scale_invariance():
    """Affine maps of x leave c1, c2 unchanged (check C13b)."""
    rng = np.random.default_rng(5)
    x = rng.gamma(1.5, size=(80, 2))
    A = np.array([[2.0, 0.5], [-1.0, 3.0]])
    y = x @ A.T + np.array([4.0, -7.0])
    fam = family("mvn", d=2)
    a, b = risk_expansion(fam, x), risk_expansion(fam, y)
    assert a.c1 == pytest.approx(b.c1, rel=1e-10) and a.c2 == pytest.approx(b.c2, rel=1e-9)
    a = risk_expansion(family("normal"), st.gamma(3))
    b = risk_expansion(family("normal"), st.gamma(3, loc=-2, scale=5))
    assert a.c1 == pytest.approx(b.c1, rel=1e-10) and a.c2 == pytest.approx(b.c2, rel=1e-8)


def test_normal_closed_form_is_the_tensor_formula_symbolically():
    from fdivtheory.projection.symbolic import normal_model_coefficients

    (c1, c2), (m3, m4, m5, m6) = normal_model_coefficients()
    g1, g2 = m3, m4 - 3
    assert sp.simplify(c1 - (1 + g2 / 4)) == 0
    assert sp.simplify(c2 - (sp.Rational(121, 12) + 6 * g2 + sp.Rational(9, 8) * g2**2
                             + 3 * g1**2 - m6 / 3)) == 0
    assert m5 not in c2.free_symbols  # the 5th moment does not enter
    # and the numeric code at random standardised moments of real laws
    for truth in (st.gamma(2.7), st.beta(2, 5), st.t(9)):
        mom = truth.stats("mvsk")
        s = float(np.sqrt(mom[1]))
        m6v = truth.expect(lambda x, t=truth, s=s: ((x - t.mean()) / s) ** 6)
        want = float(c2.subs({m3: float(mom[2]), m4: float(mom[3]) + 3, m6: m6v}))
        assert risk_expansion(family("normal"), truth).c2 == pytest.approx(want, rel=1e-9)
