"""Inequalities between f-divergences: validity on random pairs and tightness where claimed."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory import inequalities as ineq


def _pairs(rng: np.random.Generator, k: int, n: int = 300):
    """Rows of random pmf pairs: Dirichlet with varied concentration, some close, some zeros."""
    conc = 10 ** rng.uniform(-1, 1, size=(n, 1))
    p = rng.gamma(conc * np.ones((n, k)))
    q = rng.gamma(conc * np.ones((n, k)))
    p, q = p / p.sum(1, keepdims=True), q / q.sum(1, keepdims=True)
    close = np.arange(n) % 4 == 1
    p[close] = q[close] + 10 ** rng.uniform(-4, 0, size=(close.sum(), 1)) * (p[close] - q[close])
    zero = np.arange(n) % 4 == 2
    p[zero, rng.integers(k)] = 0.0
    return p / p.sum(1, keepdims=True), q


def _quantities(p, q):
    """(TV, KL, H^2, chi^2) from the discrete core: floats for one pair, arrays for rows."""
    out = [np.asarray(f(p, q), dtype=float) for f in (fd.tv, fd.kl, fd.hellinger_sq, fd.chi2)]
    return tuple(float(x) if x.ndim == 0 else x for x in out)


@pytest.mark.parametrize("k", [2, 3, 7, 20])
def test_every_inequality_holds_on_random_pairs(k):
    tv, kl, h2, chi2 = _quantities(*_pairs(np.random.default_rng(k), k))
    tol = 1e-12
    assert np.all(tv <= ineq.pinsker_tv_upper(kl) + tol)
    assert np.all(tv <= ineq.bretagnolle_huber_tv_upper(kl) + tol)
    assert np.all(tv <= ineq.tv_upper_from_kl(kl) + tol)
    lo, hi = ineq.le_cam_tv_bounds(h2)
    assert np.all((lo - tol <= tv) & (tv <= hi + tol))
    assert np.all(kl >= ineq.pinsker_kl_lower(tv) - tol)
    assert np.all(kl >= ineq.vajda_kl_lower(tv) - tol)
    assert np.all(kl >= ineq.kl_lower_from_tv(tv) * (1 - 1e-12) - tol)
    assert np.all(kl >= ineq.kl_lower_from_hellinger_sq(h2) * (1 - 1e-12) - tol)
    assert np.all(kl <= ineq.chi2_kl_upper(chi2) * (1 + 1e-12) + tol)


def test_vectorised_inputs_match_scalar_calls():
    kl = np.array([0.0, 1e-6, 0.1, 1.0, 5.0, np.inf])
    for f in (ineq.pinsker_tv_upper, ineq.bretagnolle_huber_tv_upper, ineq.tv_upper_from_kl,
              ineq.chi2_kl_upper):
        out = f(kl)
        assert isinstance(out, np.ndarray) and out.shape == kl.shape
        assert np.array_equal(out, [f(float(k)) for k in kl])
        assert isinstance(f(0.3), float)
    tv = np.array([[0.0, 0.2], [0.7, 1.0]])
    for f in (ineq.pinsker_kl_lower, ineq.vajda_kl_lower, ineq.kl_lower_from_tv):
        assert f(tv).shape == (2, 2)
    lo, hi = ineq.le_cam_tv_bounds(np.array([0.0, 0.5, 2.0]))
    assert np.allclose(lo, [0.0, 0.25, 1.0]) and np.allclose(hi, [0.0, math.sqrt(0.4375), 1.0])
    assert math.isnan(ineq.kl_lower_from_tv(math.nan))
    assert math.isnan(ineq.pinsker_tv_upper(math.nan))


@pytest.mark.parametrize("f, arg, name", [
    (ineq.pinsker_tv_upper, -0.1, "kl"),
    (ineq.bretagnolle_huber_tv_upper, [0.1, -1.0], "kl"),
    (ineq.tv_upper_from_kl, -1.0, "kl"),
    (ineq.chi2_kl_upper, -0.5, "chi2"),
    (ineq.le_cam_tv_bounds, 2.5, "hellinger_sq"),
    (ineq.kl_lower_from_hellinger_sq, -0.1, "hellinger_sq"),
    (ineq.kl_lower_from_tv, 1.5, "tv"),
    (ineq.pinsker_kl_lower, -0.2, "tv"),
    (ineq.kl_tv_extremal_pair, 1.2, "tv"),
])
def test_out_of_range_inputs_raise_naming_argument(f, arg, name):
    with pytest.raises(ValueError, match=name):
        f(arg)


def _fht(t: mp.mpf) -> tuple[float, float]:
    """Fedotov–Harremoës–Topsøe parametrisation: (TV, KL) on the boundary, TV = V_L1 / 2."""
    v = t * (1 - (mp.coth(t) - 1 / t) ** 2)
    kl = mp.log(t / mp.sinh(t)) + t * mp.coth(t) - t**2 / mp.sinh(t) ** 2
    return float(v / 2), float(kl)


@pytest.mark.parametrize("t", ["0.001", "0.05", "0.5", "1", "2", "5", "12", "30"])
def test_exact_boundary_matches_fedotov_harremoes_topsoe(t):
    mp.mp.dps = 50
    tv, kl = _fht(mp.mpf(t))
    assert ineq.kl_lower_from_tv(tv) == pytest.approx(kl, rel=1e-13)
    assert ineq.tv_upper_from_kl(kl) == pytest.approx(tv, rel=1e-12)


def test_exact_boundary_small_tv_series():
    # L(v) = 2 v^2 + 4 v^4 / 9 + 32 v^6 / 135 + O(v^8) (Topsøe 2001)
    for v in (1e-9, 1e-6, 1e-3, 1e-2):
        series = 2 * v**2 + 4 * v**4 / 9 + 32 * v**6 / 135
        assert ineq.kl_lower_from_tv(v) == pytest.approx(series, rel=1e-12)


@pytest.mark.parametrize("v", [1e-8, 1e-3, 0.1, 0.3, 0.5, 0.8, 0.95, 0.999, 1 - 1e-7])
def test_two_point_pair_attains_the_boundary(v):
    p, q = ineq.kl_tv_extremal_pair(v)
    assert p.sum() == pytest.approx(1.0, abs=1e-15) and q.sum() == pytest.approx(1.0, abs=1e-15)
    assert float(fd.tv(p, q)) == pytest.approx(v, rel=1e-12)
    assert float(fd.kl(p, q)) == pytest.approx(ineq.kl_lower_from_tv(v), rel=1e-9)


def test_boundary_is_minimal_over_two_point_pairs():
    # brute force over q in (0, 1 - v) for the two-point family
    for v in (0.05, 0.4, 0.9):
        q = np.linspace(0, 1 - v, 200_001)[1:-1]
        p = q + v
        kl = p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
        assert ineq.kl_lower_from_tv(v) <= kl.min() + 1e-15
        assert ineq.kl_lower_from_tv(v) == pytest.approx(kl.min(), rel=1e-9)


def test_boundary_dominates_classical_bounds_and_ends():
    v = np.linspace(0, 1, 101)[1:-1]
    L = ineq.kl_lower_from_tv(v)
    assert np.all(L >= ineq.pinsker_kl_lower(v))
    assert np.all(L >= ineq.vajda_kl_lower(v) - 1e-15)
    assert np.all(L >= -np.log1p(-v**2) - 1e-15)  # Bretagnolle–Huber read as a KL bound
    assert np.all(np.diff(L) > 0) and np.all(np.diff(L, 2) > 0)  # increasing, convex
    assert ineq.kl_lower_from_tv(0.0) == 0.0 and ineq.kl_lower_from_tv(1.0) == math.inf
    assert ineq.tv_upper_from_kl(0.0) == 0.0 and ineq.tv_upper_from_kl(math.inf) == 1.0
    k = np.array([1e-12, 1e-3, 0.3, 2.0, 10.0])
    assert np.allclose(ineq.kl_lower_from_tv(ineq.tv_upper_from_kl(k)), k, rtol=1e-11)
    # beyond KL ~ 20, 1 - TV < 1e-9 is resolved to a few digits only; the bound is rounded
    # up (L(v) >= k, else it would not be a bound) to the smallest such double
    v30 = ineq.tv_upper_from_kl(30.0)
    assert ineq.kl_lower_from_tv(v30) >= 30.0 > ineq.kl_lower_from_tv(math.nextafter(v30, 0.0))


def test_pinsker_and_le_cam_are_tight_where_claimed():
    # Pinsker: ratio TV / sqrt(KL/2) -> 1 for p, q -> (1/2, 1/2)
    eps = 1e-4
    p, q = np.array([0.5 + eps, 0.5 - eps]), np.array([0.5, 0.5])
    tv, kl, h2, _ = _quantities(p, q)
    assert tv / ineq.pinsker_tv_upper(kl) == pytest.approx(1.0, abs=1e-7)
    # this pair is off the exact boundary only at 4th order: KL - L(TV) = (8/9) TV^4
    assert tv == pytest.approx(ineq.tv_upper_from_kl(kl), rel=1e-7)
    # Le Cam: the lower bound H^2/2 is attained by p = (a, 1 - a, 0), q = (a, 0, 1 - a) ...
    a = 0.3
    tv, kl, h2, _ = _quantities(np.array([a, 1 - a, 0.0]), np.array([a, 0.0, 1 - a]))
    assert ineq.le_cam_tv_bounds(h2)[0] == pytest.approx(tv, rel=1e-12)
    # ... the upper bound H sqrt(1 - H^2/4) by p = ((1+s)/2, (1-s)/2) and q = p reversed
    s = 0.4
    tv, kl, h2, _ = _quantities(np.array([1 + s, 1 - s]) / 2, np.array([1 - s, 1 + s]) / 2)
    assert ineq.le_cam_tv_bounds(h2)[1] == pytest.approx(tv, rel=1e-12)
    # Bretagnolle–Huber's sqrt(1 - e^{-KL}) = TV for p = (1, 0), q = (1 - t, t) only as t -> 1
    assert ineq.bretagnolle_huber_tv_upper(-math.log(1e-12)) == pytest.approx(1.0, abs=1e-11)


def test_tv_bounds_from_kl():
    b = ineq.tv_bounds_from_kl(0.1)
    assert b.upper == b.joint_range <= min(b.pinsker, b.bretagnolle_huber)
    assert b.pinsker == pytest.approx(math.sqrt(0.05))
    assert "Pinsker" in str(b)
    big = ineq.tv_bounds_from_kl(np.array([3.0, 50.0]))
    assert np.all(big.pinsker == 1.0) and np.all(big.upper <= 1.0)
    assert big.upper.shape == (2,)
