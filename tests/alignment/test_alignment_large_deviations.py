"""Rate function and SCGF (docs/theory/alignment.md, §5; checks C10, C11)."""

import math

import mpmath
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory.alignment import (
    MemorylessModel,
    kl_constrained_optimum,
    legendre_maximizer,
    rate_function,
    scgf,
)

BERN_P, BERN_R = [0.7, 0.3], [0.0, 1.0]
P3, R3 = [0.5, 0.3, 0.2], [0.0, 1.0, 2.0]
NONLATTICE = [0.0, 1.0, math.sqrt(2.0)]
FORMS = ("legendre", "tilted", "mismatched")


def mp_q(delta=0.1):
    with mpmath.workdps(50):
        p1 = mpmath.mpf(3) / 10

        def g(q):
            return (q * mpmath.log(q / p1) + (1 - q) * mpmath.log((1 - q) / (1 - p1))
                    - mpmath.mpf(delta))

        return mpmath.findroot(g, (mpmath.mpf("0.31"), mpmath.mpf("0.99")), solver="illinois")


def bern_kl(a, b):
    return a * math.log(a / b) + (1 - a) * math.log((1 - a) / (1 - b))


@pytest.mark.parametrize("p, r, delta", [(BERN_P, BERN_R, 0.1), (P3, R3, 0.2),
                                         (P3, NONLATTICE, 0.05), (P3, R3, 0.0)])
def test_three_forms_agree(p, r, delta):
    xs = np.linspace(min(r), max(r), 41)
    vals = [rate_function(p, r, delta, xs, form=f) for f in FORMS]
    np.testing.assert_allclose(vals[0], vals[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(vals[0], vals[2], rtol=0, atol=1e-12)
    assert np.all(vals[0] >= 0) and np.all(np.diff(vals[0], 2) > -1e-12)  # convex


def test_c10_values():
    q = float(mp_q())
    assert float(rate_function(BERN_P, BERN_R, 0.1, 0.7)) == pytest.approx(0.071004, abs=1e-6)
    assert float(rate_function(BERN_P, BERN_R, 0.1, 0.7)) == pytest.approx(bern_kl(0.7, q),
                                                                         abs=1e-14)
    assert float(rate_function(BERN_P, BERN_R, 0.1, 0.3)) == pytest.approx(0.0944177223,
                                                                         abs=1e-10)
    for form in FORMS:
        assert float(rate_function(BERN_P, BERN_R, 0.1, 1.0, form=form)) == pytest.approx(
            -math.log(q), abs=1e-13)
        assert float(rate_function(BERN_P, BERN_R, 0.1, 0.0, form=form)) == pytest.approx(
            -math.log(1 - q), abs=1e-13)
        assert float(rate_function(BERN_P, BERN_R, 0.1, q, form=form)) == pytest.approx(
            0.0, abs=1e-15)
    for t in (0.05, 0.6, 0.7, 0.95):
        theta = math.log(t / (1 - t)) - math.log(q / (1 - q))
        assert float(legendre_maximizer(BERN_P, BERN_R, 0.1, t)) == pytest.approx(theta,
                                                                                abs=1e-12)


def test_boundary_and_reference_mean():
    opt = kl_constrained_optimum(P3, R3, 0.2)
    vals = rate_function(P3, R3, 0.2, [-0.1, 0.0, 2.0, 2.1, 0.7, opt.expected_reward])
    assert vals[0] == math.inf and vals[3] == math.inf
    assert vals[1] == pytest.approx(-math.log(opt.policy[0]), abs=1e-13)
    assert vals[2] == pytest.approx(-math.log(opt.policy[2]), abs=1e-13)
    assert vals[4] == pytest.approx(float(fd.kl(P3, opt.policy)), abs=1e-13)  # I(E_p r)
    assert vals[5] == pytest.approx(0.0, abs=1e-15)
    assert np.isnan(legendre_maximizer(P3, R3, 0.2, [0.0, 2.0, 3.0])).all()


def test_reference_cramer_rate():
    xs = np.array([0.01, 0.3, 0.5, 0.99])
    expected = [bern_kl(x, 0.3) for x in xs]
    np.testing.assert_allclose(rate_function(BERN_P, BERN_R, 0.0, xs), expected, atol=1e-14)


def test_mismatched_tilt_identity_explicit():
    # I_lam(x) = I_0(x) - delta - lam (x - x_lam)
    opt = kl_constrained_optimum(P3, NONLATTICE, 0.1)
    for x in (0.3, 0.9, 1.3):
        lhs = float(rate_function(P3, NONLATTICE, 0.1, x))
        i0 = float(rate_function(P3, NONLATTICE, 0.0, x))
        assert lhs == pytest.approx(i0 - 0.1 - opt.lam * (x - opt.expected_reward), abs=1e-12)


def test_saturated_rate_function():
    vals = rate_function(P3, R3, 5.0, [0.0, 1.0, 2.0], form="tilted")
    np.testing.assert_array_equal(vals, [math.inf, math.inf, 0.0])


def test_chernoff_bound_every_n():
    for n in (1, 3, 10, 57, 300, 2000):
        law = MemorylessModel(BERN_P, BERN_R, n).tilted(0.1 * n)
        for t in (0.52, 0.6, 0.7, 0.9, 1.0):
            assert float(law.log_tail(n * t)) / n <= -float(
                rate_function(BERN_P, BERN_R, 0.1, t)) + 1e-15


def test_legendre_is_supremum_over_theta_grid():
    thetas = np.linspace(-30, 30, 6001)
    lam_cgf = scgf(P3, NONLATTICE, 0.1, thetas)
    for x in (0.2, 0.8, 1.3):
        assert float(rate_function(P3, NONLATTICE, 0.1, x)) >= np.max(thetas * x - lam_cgf) - 1e-13


def mp_scgf(p, r, delta, theta):
    lam = kl_constrained_optimum(p, r, delta).lam
    with mpmath.workdps(50):
        def log_z(t):
            return mpmath.log(sum(mpmath.mpf(a) * mpmath.exp(t * b)
                                  for a, b in zip(p, r, strict=True)))
        lm = mpmath.mpf(lam)
        return float(log_z(lm + mpmath.mpf(theta)) - log_z(lm))


@pytest.mark.parametrize("theta", [0.5, -0.3, -0.7, 2.0, 1e-9, -1e-9, 0.0])
def test_c11_scgf_forms_agree_and_match_mpmath(theta):
    vals = [float(scgf(P3, R3, 0.2, theta, form=f))
            for f in ("cgf", "renyi_cross_entropy", "renyi_divergence")]
    ref = mp_scgf(P3, R3, 0.2, theta)
    for v in vals:
        assert v == pytest.approx(ref, abs=1e-13, rel=1e-12)


def test_scgf_softmax_form_with_core_renyi_cross_entropy():
    # theta (log C - H_{1+theta}(p_lam; q_r)) written out with the core function
    opt = kl_constrained_optimum(P3, R3, 0.2)
    q_r = np.exp(R3) / np.exp(R3).sum()
    h15 = float(fd.renyi_cross_entropy(opt.policy, q_r, 1.5))
    with mpmath.workdps(50):
        lam = mpmath.mpf(opt.lam)
        pl = [mpmath.mpf(a) * mpmath.exp(lam * b) for a, b in zip(P3, R3, strict=True)]
        c = sum(mpmath.exp(b) for b in R3)
        ref = -2 * mpmath.log(sum(x / sum(pl) * mpmath.sqrt(mpmath.exp(b) / c)
                                  for x, b in zip(pl, R3, strict=True)))
    assert h15 == pytest.approx(float(ref), abs=1e-13)
    expected = 0.5 * (math.log(np.exp(R3).sum()) - h15)
    assert float(scgf(P3, R3, 0.2, 0.5)) == pytest.approx(expected, abs=1e-13)


def test_scgf_derivative_is_tilted_mean_and_reference_form():
    opt = kl_constrained_optimum(P3, R3, 0.2)
    h = 1e-6
    slope = (float(scgf(P3, R3, 0.2, h)) - float(scgf(P3, R3, 0.2, -h))) / (2 * h)
    assert slope == pytest.approx(opt.expected_reward, abs=1e-9)
    ths = np.array([-2.0, -0.5, 0.5, 3.0])
    np.testing.assert_allclose(scgf(P3, R3, 0.0, ths, form="renyi_cross_entropy"),
                               scgf(P3, R3, 0.0, ths), atol=1e-13)


def test_scgf_saturated_is_linear():
    ths = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(scgf(P3, R3, 10.0, ths), 2.0 * ths, atol=1e-15)
    np.testing.assert_allclose(scgf(P3, R3, 10.0, ths, form="renyi_cross_entropy"), 2.0 * ths,
                               atol=1e-13)


def test_bad_input():
    with pytest.raises(ValueError, match="form must be one of"):
        rate_function(P3, R3, 0.2, 1.0, form="cramer")
    with pytest.raises(ValueError, match="form must be one of"):
        scgf(P3, R3, 0.2, 1.0, form="renyi")
    with pytest.raises(ValueError, match="x must be finite"):
        rate_function(P3, R3, 0.2, np.nan)
    with pytest.raises(ValueError, match="theta must be finite"):
        scgf(P3, R3, 0.2, np.inf)
    with pytest.raises(ValueError, match="delta: the renyi_divergence form"):
        scgf(P3, R3, 0.0, 0.5, form="renyi_divergence")
    with pytest.raises(ValueError, match="theta: the renyi_divergence form"):
        scgf(P3, R3, 0.2, -5.0, form="renyi_divergence")
    with pytest.raises(ValueError, match="delta must be >= 0"):
        rate_function(P3, R3, -0.2, 1.0)
    with pytest.raises(ValueError, match="reward must have the same length"):
        scgf(P3, [0, 1], 0.2, 1.0)
