"""The exact expected NLL gap: sympy derivation against numbers and Monte Carlo."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from fdivtheory.augmentation import expected_gap, expected_gap_expression, simulate_gmm


def test_symbolic_expression_matches_numeric_at_random_points():
    d, m_s, m_g = sp.symbols("d m_S m_G", positive=True)
    f = sp.lambdify((d, m_s, m_g), expected_gap_expression())
    rng = np.random.default_rng(3)
    for _ in range(20):
        dd = int(rng.integers(1, 200))
        ms = 2 * int(rng.integers(2, 300))
        mg = 2 * int(rng.integers(0, 3000))
        got = expected_gap(dd, ms, mg)
        # the closed form d (m_S + 2 m_G) / m_T^2, exact in rationals
        assert Fraction(got.exact) == Fraction(dd * (ms + 2 * mg), (ms + mg) ** 2)
        assert got.total == pytest.approx(f(dd, ms, mg), rel=1e-13)
        assert got.train == pytest.approx(dd / ms, rel=1e-14)
        assert got.divergence == 0.0
        if mg:
            assert got.generated == pytest.approx(dd / (ms + mg), rel=1e-14)


def test_weighted_components_sum_to_total():
    for args in [(3, 10, 30), (5, 11, 31), (1, 4, 1), (7, 9, 0)]:
        g = expected_gap(*args)
        w = g.weights
        assert g.total == pytest.approx(w[0] * g.train + w[1] * g.divergence
                                        + w[2] * g.generated, rel=1e-13)


@pytest.mark.parametrize("d, m_s, m_g", [(5, 10, 30), (2, 7, 13), (10, 4, 1)])
def test_monte_carlo_agrees(d, m_s, m_g):
    r = simulate_gmm(d, m_s, m_g / m_s, 40_000, seed=11, test_size=None, zero_one=False)
    assert r.m_g == m_g
    exact = expected_gap(d, m_s, m_g).total
    assert abs(r.mean_gap - exact) <= 4 * r.se_gap


@pytest.mark.parametrize("args, match", [((0, 10, 0), "d"), ((1, 3, 0), "m_s"),
                                         ((1, 10, -2), "m_g")])
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        expected_gap(*args)


@settings(max_examples=25, deadline=None)
@given(d=st.integers(1, 100), half_m=st.integers(2, 200), half_g=st.integers(0, 2000))
def test_expected_gap_properties(d, half_m, half_g):
    m_s, m_g = 2 * half_m, 2 * half_g
    g = expected_gap(d, m_s, m_g)
    # linear in d, decreasing in m_G, never above the no-augmentation value d / m_S
    assert g.total == pytest.approx(d * expected_gap(1, m_s, m_g).total, rel=1e-12)
    assert expected_gap(d, m_s, m_g + 2).total < g.total <= d / m_s


def _gap_by_hand(d, m_s, m_g):
    """d [(sum_c (n_c + g_c)^2 / n_c + m_G) / m_T^2 - sum_c g_c / (2 n_c m_T)] (docs/theory/gda.md, §5)."""
    n = (m_s - m_s // 2, m_s // 2)
    g = (m_g - m_g // 2, m_g // 2)
    m_t = m_s + m_g
    theta2 = (sum(Fraction((n[c] + g[c]) ** 2, n[c]) for c in (0, 1)) + m_g) / m_t**2
    return d * (theta2 - sum(Fraction(g[c], n[c]) for c in (0, 1)) / (2 * m_t))


@pytest.mark.parametrize("d, m_s, m_g", [(1, 5, 0), (2, 7, 13), (10, 4, 1), (3, 9, 1), (7, 11, 2),
                                         (5, 11, 31), (1, 101, 999), (4, 6, 3)])
def test_odd_sizes_match_the_hand_derivation(d, m_s, m_g):
    # an oracle independent of the sympy derivation, exact in fractions
    assert Fraction(expected_gap(d, m_s, m_g).exact) == _gap_by_hand(d, m_s, m_g)
