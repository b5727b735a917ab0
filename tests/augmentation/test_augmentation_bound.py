"""The GDA stability bound and its binary-GMM instance."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdivtheory.augmentation import faster_rate, gmm_bound, gmm_rates, stability_bound

NOTEBOOK = dict(fourth_term="notebook", t_term_at_zero="notebook", notebook_compat=True)
GAMMAS = [0, 1, 2, 5, 10, 20, 50, 100]


def test_plotted_curve_d50_m10():
    # values of the authors' plotted bound curve, recomputed from their formula
    # (docs/theory/gda.md, reference values)
    ref = [149.0138, 113.0628, 94.0001, 74.5081, 65.4853, 60.1145, 56.3180, 54.7994]
    got = [gmm_bound(50, 10, g, **NOTEBOOK).total for g in GAMMAS]
    np.testing.assert_allclose(got, ref, atol=1e-3)


def test_t_term_at_zero_flagged():
    b = gmm_bound(50, 10, 0, **NOTEBOOK)
    assert b.differs and "differ" in b.note
    M = 50 + math.log(10)
    assert b.total_t_zero == pytest.approx(M / math.sqrt(10) + M / 10 * math.log(10), rel=1e-14)
    zero = gmm_bound(50, 10, 0, fourth_term="notebook", notebook_compat=True)
    assert zero.total == zero.total_t_zero and zero.terms["generator_stability"] == 0.0
    # with generated data both conventions agree
    assert not gmm_bound(50, 10, 1, **NOTEBOOK).differs


@pytest.mark.parametrize("m, b0, limit", [(10, 2.3513, 1.6020), (20, 1.8654, 1.3153),
                                          (100, 0.9647, 0.7777), (10**4, 0.1224, 0.1320)])
def test_d2_notebook_values(m, b0, limit):
    assert gmm_bound(2, m, 0, **NOTEBOOK).total == pytest.approx(b0, abs=1e-4)
    M = 2 + math.log(m)
    assert M * math.sqrt(2 * math.log(2) / m) == pytest.approx(limit, abs=1e-4)
    # the bound approaches M * TV as gamma grows
    far = gmm_bound(2, m, 1e9, **NOTEBOOK)
    assert far.terms["divergence"] == pytest.approx(limit, abs=1e-3)


def test_no_augmentation_is_baseline():
    for delta in (None, 0.05):
        L = 1.0 if delta is None else math.log(20)
        b = stability_bound(37, 0, beta=0.3, M=2.0, tv=0.7, T=0.9, delta=delta)
        assert b.total == pytest.approx(2.0 * math.sqrt(L / 37) + 0.3 * math.log(37) * L,
                                        rel=1e-14)
        assert b.divergence == 0 and b.generator_stability == 0


def test_fourth_term_variants():
    d = stability_bound(10, 30, beta=0.1, M=1.0, tv=0.2, T=0.1, delta=None)
    n = stability_bound(10, 30, beta=0.1, M=1.0, tv=0.2, T=0.1, delta=None,
                        fourth_term="notebook")
    assert d.stability == pytest.approx(0.1 * (0.25 * math.log(10) + 0.75 * math.log(30)))
    assert n.stability == pytest.approx(0.1 * 0.25 * (math.log(10) + math.log(30)))
    others = ("divergence", "concentration", "generated_stability", "generator_stability")
    assert all(d.terms[k] == n.terms[k] for k in others)


@settings(max_examples=60, deadline=None)
@given(m_s=st.integers(2, 10**5), m_g=st.integers(0, 10**6), beta=st.floats(0, 10),
       M=st.floats(1e-3, 100), tv=st.floats(0, 1), T=st.floats(0, 1),
       delta=st.floats(1e-6, 0.9))
def test_total_is_sum_and_monotone(m_s, m_g, beta, M, tv, T, delta):
    b = stability_bound(m_s, m_g, beta=beta, M=M, tv=tv, T=T, delta=delta)
    assert b.total == pytest.approx(sum(b.terms.values()), rel=1e-12)
    assert all(v >= 0 for v in b.terms.values())
    bigger = stability_bound(m_s, m_g, beta=beta, M=M, tv=min(1.0, tv + 0.1), T=T,
                             delta=delta / 2)
    assert bigger.total >= b.total


@settings(max_examples=40, deadline=None)
@given(d=st.integers(1, 200), m=st.integers(2, 10**4), m_g=st.integers(0, 10**5))
def test_gmm_rates_capped(d, m, m_g):
    M, beta, tv, T = gmm_rates(d, m, m_g)
    assert M == pytest.approx(d + math.log(m)) and beta == pytest.approx(M / (m + m_g))
    assert 0 <= tv <= 1 and 0 <= T <= 1 and (T == 0) == (m_g == 0)


def test_faster_rate_condition():
    m = np.geomspace(1e2, 1e6, 13)
    fast, par, slow = (faster_rate(m, lambda x, a=a: x ** -a) for a in (0.75, 0.5, 0.25))
    assert fast.faster and np.all(np.diff(fast.ratio) < 0) and fast.ratio[-1] < 0.1
    assert not par.faster and abs(par.slope) < 0.1
    assert not slow.faster and np.all(np.diff(slow.ratio) > 0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(m_s=1), "m_s"), (dict(m_g=-1), "m_g"), (dict(beta=-1.0), "beta"),
    (dict(M=0.0), "M"), (dict(tv=1.5), "tv"), (dict(T=-0.1), "T"), (dict(delta=1.0), "delta"),
    (dict(fourth_term="paper"), "fourth_term"), (dict(tv=float("nan")), "tv"),
])
def test_stability_bound_bad_input(kwargs, match):
    args = dict(m_s=10, m_g=5, beta=0.1, M=1.0, tv=0.5, T=0.5) | kwargs
    with pytest.raises(ValueError, match=match):
        stability_bound(args.pop("m_s"), args.pop("m_g"), **args)


@pytest.mark.parametrize("args, kwargs, match", [
    ((0, 10, 1.0), {}, "d"), ((2, 1, 1.0), {}, "m_s"), ((2, 10, -1.0), {}, "gamma"),
    ((2, 10, 1.0), {"sigma": 0.0}, "sigma"), ((2, 10, 1.0), {"sigma": math.inf}, "sigma"),
    ((2, 10, 1.0), {"t_term_at_zero": "one"}, "t_term_at_zero"),
])
def test_gmm_bound_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        gmm_bound(*args, **kwargs)


def test_faster_rate_bad_input():
    with pytest.raises(ValueError, match="m"):
        faster_rate([100.0], lambda m: m)
    with pytest.raises(ValueError, match="tv"):
        faster_rate([100.0, 1000.0], lambda m: 2 + 0 * m)
