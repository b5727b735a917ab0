"""The p-n criterion, the Bayes-error helpers and bad input everywhere."""

import math

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst

from fdivtheory import closed_form as cf
from fdivtheory.projection import (
    bayes_error_lower_bound,
    bayes_error_normal,
    family,
    pn_criterion,
    pn_decision,
    risk_expansion,
)

C1_77, C2_77 = 38.5, 11 * 1832 / 24


def test_decision_logic_well_specified_mvn_d11():
    assert pn_decision(C1_77, C2_77, 1946, 77).accept is False
    dec = pn_decision(C1_77, C2_77, 1947, 77)
    assert dec.accept is True and dec.n_star == 1947
    root = (38.5 + math.sqrt(38.5**2 + 32 * 0.0025 * C2_77)) / 0.04
    assert dec.n_star == math.ceil(root)
    assert pn_decision(C1_77, C2_77, 1599, 77).accept is False   # red-wine size
    assert pn_decision(C1_77, C2_77, 4898, 77).accept is True    # white-wine size
    assert dec.well_specified_n_star == 1926                      # n > 25 p
    assert pn_decision(C1_77, C2_77, 1925, 77).well_specified_accept is False
    assert pn_decision(C1_77, C2_77, 1926, 77).well_specified_accept is True


@given(hst.floats(0.1, 100), hst.floats(-50, 5000), hst.floats(0.01, 0.3))
@settings(max_examples=60, deadline=None)
def test_n_star_is_the_smallest_accepted_size(c1, c2, eps):
    dec = pn_decision(c1, c2, 10, 3, eps=eps)
    m = dec.n_star
    assert pn_decision(c1, c2, m, 3, eps=eps).accept
    if m > 1:
        assert not pn_decision(c1, c2, m - 1, 3, eps=eps).accept


def test_pn_criterion_on_data_matches_plug_in_expansion():
    rng = np.random.default_rng(2)
    x = rng.standard_t(8, size=(900, 3))
    fam = family("mvn", d=3)
    res = pn_criterion(x, fam, eps=0.05)
    c = risk_expansion(fam, x)
    assert res.c1 == pytest.approx(c.c1) and res.c2 == pytest.approx(c.c2)
    assert res.risk == pytest.approx(c.risk(900))
    assert res.eps_hat == pytest.approx(math.sqrt(res.risk / 8))
    assert res.accept == (res.risk < 8 * 0.05**2)
    assert res.p == 9 and res.n == 900 and res.pair == "projection_plugin"
    first = pn_criterion(x, fam, eps=0.05, order=1)
    assert first.risk == pytest.approx(c.c1 / 900)
    # heavy tails: the plug-in risk exceeds the well-specified p/(2n)
    assert res.risk > res.well_specified_risk


def test_criterion_more_data_helps():
    rng = np.random.default_rng(3)
    fam = family("mvn", d=2)
    small = pn_criterion(rng.standard_normal((60, 2)), fam, eps=0.05)
    large = pn_criterion(rng.standard_normal((2000, 2)), fam, eps=0.05)
    assert not small.accept and large.accept


@pytest.mark.parametrize("args", [(0.0, 1.0, 2.0, 1.0), (0.0, 1.0, 0.5, 3.0), (1.0, 0.2, -1.0, 4.0),
                                  (0.0, 1.0, 0.0, 2.0), (3.0, 5.0, 3.1, 5.0 + 1e-9)])
def test_bayes_error_normal_equals_core_tv(args):
    m1, v1, m2, v2 = args
    tv = cf.tv(cf.Gaussian(m1, v1), cf.Gaussian(m2, v2))
    assert float(bayes_error_normal(m1, v1, m2, v2)) == pytest.approx(0.5 * (1 - tv), abs=1e-9)


@given(hst.floats(-3, 3), hst.floats(0.05, 5), hst.floats(-3, 3), hst.floats(0.05, 5))
@settings(max_examples=80, deadline=None)
def test_bayes_error_pinsker_property(m1, v1, m2, v2):
    ber = float(bayes_error_normal(m1, v1, m2, v2))
    kl = 0.5 * (math.log(v2 / v1) + (v1 / v2 - 1) + (m1 - m2) ** 2 / v2)
    assert 0 <= ber <= 0.5 + 1e-15
    assert ber >= float(bayes_error_lower_bound(kl)) - 1e-12
    assert ber == pytest.approx(float(bayes_error_normal(m2, v2, m1, v1)), abs=1e-12)


def test_bad_input_messages():
    fam = family("mvn", d=2)
    x = np.random.default_rng(0).standard_normal((50, 2))
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="data must be finite, got 1 NaN"):
        pn_criterion(bad, fam)
    for eps in (0.0, 0.5, -1.0, 0.7):
        with pytest.raises(ValueError, match=r"eps must lie in \(0, 0\.5\)"):
            pn_criterion(x, fam, eps=eps)
    with pytest.raises(ValueError, match=r"data must have shape \(n, 2\)"):
        pn_criterion(np.ones((10, 3)), fam)
    with pytest.raises(ValueError, match="pair must be"):
        pn_criterion(x, fam, pair="truth_projection")
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        pn_criterion(x, fam, order=3)
    with pytest.raises(TypeError, match="fam must be"):
        pn_criterion(x, "mvn")
    with pytest.raises(ValueError, match="var1 and var2"):
        bayes_error_normal(0, -1, 0, 1)


def test_truth_without_moments_names_the_moment():
    with pytest.raises(ValueError, match="order 5"):
        risk_expansion(family("normal"), st.t(5))
    with pytest.raises(ValueError, match="order 5.*E\\|X\\|\\^6"):
        risk_expansion(family("normal"), st.t(5), method="natural")
    with pytest.raises(ValueError, match="order 3"):
        risk_expansion(family("exponential"), st.pareto(2.5))
    assert math.isfinite(risk_expansion(family("normal"), st.t(7)).c2)


def test_dimension_mismatch_and_bad_truths():
    with pytest.raises(ValueError, match="vectors in R\\^3"):
        risk_expansion(family("mvn", d=2), st.multivariate_normal(np.zeros(3)))
    with pytest.raises(ValueError, match="scalar observations"):
        risk_expansion(family("normal"), st.multivariate_normal(np.zeros(2)))
    with pytest.raises(ValueError, match="sum to 1"):
        risk_expansion(family("categorical", k=3), np.array([0.2, 0.2, 0.5]))
    with pytest.raises(ValueError, match="truth must be finite, got 1 NaN"):
        risk_expansion(family("normal"), np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="empty cell|no mass on some cell"):
        risk_expansion(family("categorical", k=3), np.array([0.0, 1.0, 1.0, 0.0]))
    with pytest.raises(ValueError, match="method must be"):
        risk_expansion(family("normal"), st.norm(), method="exact")
    with pytest.raises(ValueError, match="no structured formula"):
        risk_expansion(family("gamma"), st.gamma(2), method="structured")
    with pytest.raises(ValueError, match="non-negative"):
        risk_expansion(family("exponential"), np.array([1.0, -2.0, 3.0]))


def test_truth_outside_the_family_support_is_refused():
    with pytest.raises(ValueError, match="outside the support of the exponential family"):
        risk_expansion(family("exponential"), st.norm(3, 1))
    with pytest.raises(ValueError, match="outside the support of the gamma family"):
        risk_expansion(family("gamma"), st.poisson(3))
    with pytest.raises(ValueError, match="continuous law but the poisson family"):
        risk_expansion(family("poisson"), st.gamma(3))
    with pytest.raises(ValueError, match="continuous law but the categorical"):
        risk_expansion(family("categorical", k=3), st.gamma(3))
    with pytest.raises(ValueError, match="outside the support of the bernoulli family"):
        risk_expansion(family("bernoulli"), st.binom(2, 0.5))
    with pytest.raises(ValueError, match="outside the support of the poisson family"):
        risk_expansion(family("poisson"), st.poisson(2, loc=-1))
    # a positive shift is a law on the support: the expansion is defined
    c = risk_expansion(family("exponential"), st.gamma(2, loc=1))
    assert c.c1 == pytest.approx(2 / (2 * 3**2), rel=1e-12)   # Var / (2 mean^2)


def test_degenerate_truths_name_the_argument():
    with pytest.raises(ValueError, match="projection does not exist"):
        risk_expansion(family("poisson"), np.zeros(10))
    with pytest.raises(ValueError, match="^data: .*projection does not exist"):
        pn_criterion(np.full(30, 2.0), family("normal"))
    with pytest.raises(ValueError, match="data must have at least 2 rows"):
        pn_criterion(np.array([1.0]), family("normal"))
    with pytest.raises(ValueError, match="^truth: the covariance .* is singular"):
        risk_expansion(family("mvn", d=2), st.multivariate_normal(
            [0, 0], [[1, 1], [1, 1]], allow_singular=True))
    with pytest.raises(ValueError, match="must have 3 entries, got 4"):
        risk_expansion(family("categorical", k=3), np.array([0.1, 0.2, 0.3, 0.4]))
    # lists and integer arrays are data like any other
    x = [1.0, 2.0, 3.5, 0.2, 4.0]
    assert pn_criterion(x, family("normal")).risk == pytest.approx(
        pn_criterion(np.array(x), family("normal")).risk)
    assert math.isfinite(pn_criterion(np.array([1, 2, 3, 7, 4]), family("normal")).risk)


def test_pn_decision_argument_checks_and_negative_c2():
    with pytest.raises(TypeError, match="c1 must be a real number"):
        pn_decision("1", 1.0, 10, 2)
    with pytest.raises(ValueError, match="c1 must be non-negative"):
        pn_decision(-1.0, 0.0, 10, 2)
    # c2 < 0: c1/n + c2/n^2 is negative for n < |c2|/c1 = 1000; no acceptance there
    dec = pn_decision(1.0, -1000.0, 10, 2)
    assert dec.risk < 0 and not dec.accept and dec.n_star > 1000
    assert pn_decision(1.0, -1000.0, dec.n_star, 2).accept
