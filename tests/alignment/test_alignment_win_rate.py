"""Win rates and the win-rate / KL trade-off (docs/theory/alignment.md, §4 and §7; check C15)."""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from fdivtheory.alignment import (
    best_of_n,
    continuum_optimal_win_rate,
    continuum_tilt,
    continuum_win_rates,
    kl_constrained_optimum,
    win_rate,
    win_rate_optimal_tilt,
    win_rate_reward,
)

P4, R4 = np.array([0.1, 0.2, 0.3, 0.4]), np.arange(4.0)


@pytest.mark.parametrize("n, kl, bon_win, tilted_win", [
    (2, 0.17603, 0.65, 0.65591), (8, 0.835426, 0.794105, 0.794155)])
def test_c15_table(n, kl, bon_win, tilted_win):
    res = best_of_n(P4, R4, n)
    assert res.kl == pytest.approx(kl, abs=1e-5 if n == 2 else 1e-6)
    assert res.win_rate == pytest.approx(bon_win, abs=1e-6)
    opt = win_rate_optimal_tilt(P4, R4, res.kl)
    assert opt.win_rate == pytest.approx(tilted_win, abs=1e-6 if n == 8 else 1e-5)
    assert opt.kl == pytest.approx(res.kl, abs=1e-13)
    assert opt.win_rate > res.win_rate


def test_c15_exact_fractions_at_n4():
    p = [Fraction(k, 10) for k in (1, 2, 3, 4)]
    cdf = [sum(p[: i + 1]) for i in range(4)]
    below = [c - q for c, q in zip(cdf, p, strict=True)]
    pi = [c**4 - b**4 for c, b in zip(cdf, below, strict=True)]
    win = sum(x * (c + b) / 2 for x, c, b in zip(pi, cdf, below, strict=True))
    assert win == Fraction(3763, 5000)
    with mpmath.workdps(40):
        kl = sum(mpmath.mpf(x.numerator) / x.denominator
                 * mpmath.log(mpmath.mpf(x.numerator * q.denominator)
                              / (x.denominator * q.numerator)) for x, q in zip(pi, p, strict=True))
    res = best_of_n(P4, R4, 4)
    assert res.win_rate == pytest.approx(float(win), abs=1e-15)
    np.testing.assert_allclose(res.pmf, [float(x) for x in pi], rtol=1e-14)
    assert res.kl == pytest.approx(float(kl), abs=1e-15)
    opt = win_rate_optimal_tilt(P4, R4, res.kl)
    assert opt.win_rate == pytest.approx(0.754192, abs=1e-6)


def test_win_rate_reward_and_definition():
    np.testing.assert_allclose(win_rate_reward(P4, R4), [0.05, 0.2, 0.45, 0.8], atol=1e-15)
    # ties count one half: two tied outcomes of total mass 0.5
    np.testing.assert_allclose(win_rate_reward([0.25, 0.25, 0.5], [1, 1, 0]),
                               [0.75, 0.75, 0.25], atol=1e-15)
    assert win_rate(P4, P4, R4) == pytest.approx(0.5, abs=1e-15)  # any law vs itself
    res = best_of_n(P4, R4, 5)
    assert win_rate(res.pmf, P4, R4) == pytest.approx(res.win_rate, abs=1e-15)
    # brute-force definition P(r(Y) > r(Z)) + P(=)/2 on a tied example
    p, r, phi = np.array([0.2, 0.3, 0.5]), np.array([0.0, 1.0, 1.0]), np.array([0.1, 0.6, 0.3])
    brute = sum(phi[i] * p[j] * (1.0 if r[i] > r[j] else 0.5 if r[i] == r[j] else 0.0)
                for i in range(3) for j in range(3))
    assert win_rate(phi, p, r) == pytest.approx(brute, abs=1e-15)


def test_optimal_tilt_is_kl_optimum_on_w():
    opt = win_rate_optimal_tilt(P4, R4, 0.3)
    ref = kl_constrained_optimum(P4, win_rate_reward(P4, R4), 0.3)
    np.testing.assert_allclose(opt.policy, ref.policy, rtol=1e-15)
    rng = np.random.default_rng(3)
    cand = rng.dirichlet(np.ones(4), size=20_000)
    with np.errstate(divide="ignore", invalid="ignore"):
        kls = np.sum(np.where(cand > 0, cand * np.log(cand / P4), 0.0), axis=1)
    assert np.max(cand[kls <= 0.3] @ win_rate_reward(P4, R4)) <= opt.win_rate
    sat = win_rate_optimal_tilt(P4, R4, 10.0)
    assert sat.saturated and sat.win_rate == pytest.approx(0.8, abs=1e-15)


def mp_continuum(lam):
    with mpmath.workdps(50):
        lm = mpmath.mpf(lam)
        eu = 1 / (1 - mpmath.exp(-lm)) - 1 / lm
        return float(lm * eu - mpmath.log((mpmath.exp(lm) - 1) / lm)), float(eu)


@pytest.mark.parametrize("lam", [1e-8, 1e-3, 0.049, 0.051, 0.5, 3.0, 40.0, 800.0])
def test_continuum_tilt_matches_mpmath(lam):
    kl, win = continuum_tilt(lam)
    kl_ref, win_ref = mp_continuum(lam)
    assert kl == pytest.approx(kl_ref, rel=1e-12)
    assert win == pytest.approx(win_ref, rel=1e-14)
    kl_neg, win_neg = continuum_tilt(-lam)
    assert kl_neg == kl and win_neg == pytest.approx(1 - win, abs=1e-15)


def test_continuum_values():
    assert continuum_win_rates(16).optimal == pytest.approx(0.941287, abs=1e-6)
    assert continuum_win_rates(100).optimal == pytest.approx(0.9900995, abs=1e-7)
    for n in (2, 4, 16, 100, 10**4):
        c = continuum_win_rates(n)
        assert c.best_of_n == pytest.approx(n / (n + 1), rel=1e-15)
        assert c.kl == pytest.approx(math.log(n) - (n - 1) / n, abs=1e-15)
        assert c.optimal >= c.best_of_n >= c.rewind_and_repeat
        assert c.rewind_and_repeat == pytest.approx(1 - math.exp(1 - 1 / n) / (2 * n), rel=1e-15)
    big = continuum_win_rates(10**6)
    assert (1 - big.rewind_and_repeat) * 10**6 == pytest.approx(math.e / 2, rel=1e-5)
    assert continuum_optimal_win_rate(0.0) == 0.5 and continuum_optimal_win_rate(math.inf) == 1.0
    assert continuum_tilt(0.0) == (0.0, 0.5) and continuum_tilt(math.inf) == (math.inf, 1.0)


def test_discrete_approaches_continuum():
    L, n = 5000, 16
    p = np.full(L, 1 / L)
    res = best_of_n(p, np.arange(L), n)
    assert res.win_rate == pytest.approx(n / (n + 1), abs=1e-3)
    opt = win_rate_optimal_tilt(p, np.arange(L), res.kl)
    assert opt.win_rate == pytest.approx(continuum_optimal_win_rate(res.kl), abs=1e-3)


def test_bad_input():
    with pytest.raises(ValueError, match="phi must have the same length"):
        win_rate([0.5, 0.5], P4, R4)
    with pytest.raises(ValueError, match="phi must sum to 1"):
        win_rate([0.5, 0.5, 0.5, 0.5], P4, R4)
    with pytest.raises(ValueError, match="kl must be >= 0"):
        win_rate_optimal_tilt(P4, R4, -0.1)
    with pytest.raises(ValueError, match="kl must be >= 0"):
        continuum_optimal_win_rate(-1.0)
    with pytest.raises(ValueError, match="lam must not be NaN"):
        continuum_tilt(math.nan)
    with pytest.raises(ValueError, match="n must be a finite number >= 1"):
        continuum_win_rates(0.5)
