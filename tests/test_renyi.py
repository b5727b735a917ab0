"""Rényi divergences, entropies, cross entropies, Bhattacharyya and Chernoff."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st

import fdivtheory as fd

RNG = np.random.default_rng(7)
P = RNG.dirichlet(np.ones(6), size=40)
Q = RNG.dirichlet(np.ones(6), size=40)


def _scipy_renyi(p, q, a):
    return sc.logsumexp(a * np.log(p) + (1 - a) * np.log(q), axis=-1) / (a - 1)


@pytest.mark.parametrize("a", [0.1, 0.5, 0.9, 1.5, 2.0, 7.0, 50.0])
def test_renyi_matches_logsumexp(a, path):
    np.testing.assert_allclose(fd.renyi(P, Q, a), _scipy_renyi(P, Q, a), rtol=1e-12)


def test_renyi_limits(path):
    np.testing.assert_allclose(fd.renyi(P, Q, 1.0), st.entropy(P, Q, axis=1), rtol=1e-12)
    np.testing.assert_allclose(fd.renyi(P, Q, np.inf), np.log(np.max(P / Q, axis=1)),
                               rtol=1e-12)
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.2, 0.3, 0.5])
    assert float(fd.renyi(p, q, 0.0)) == pytest.approx(-math.log(0.5), rel=1e-15)
    # continuity at 1 and at infinity
    for a in (1 - 1e-6, 1 + 1e-6):
        np.testing.assert_allclose(fd.renyi(P, Q, a), fd.renyi(P, Q, 1.0), rtol=1e-4)
    np.testing.assert_allclose(fd.renyi(P, Q, 1e4), fd.renyi(P, Q, np.inf), rtol=1e-2)


def test_renyi_monotone_in_alpha(path):
    alphas = [0.0, 0.2, 0.5, 0.99, 1.0, 1.01, 2.0, 5.0, np.inf]
    vals = np.stack([fd.renyi(P, Q, a) for a in alphas])
    assert np.all(np.diff(vals, axis=0) >= -1e-12)


def test_renyi_support_mismatch(path):
    p = [0.5, 0.5, 0.0]
    q = [0.5, 0.0, 0.5]
    for a in (1.0, 1.5, np.inf):
        assert float(fd.renyi(p, q, a)) == math.inf
    for a in (0.0, 0.3, 0.7):
        v = float(fd.renyi(p, q, a))
        # only the common atom (0.5, 0.5) contributes: log(0.5) / (a - 1); D_0 = -log Q(supp P)
        ref = float(mp.log(mp.mpf(0.5)) / (a - 1)) if a else math.log(2)
        assert v == pytest.approx(ref, rel=1e-13)
    assert float(fd.renyi([1.0, 0.0], [0.0, 1.0], 0.5)) == math.inf


def test_renyi_mpmath_oracle():
    mp.mp.dps = 40
    p = [1e-200, 1 - 1e-200]
    q = [1 - 1e-200, 1e-200]
    for a in (0.5, 2.0, 3.0):
        s = sum(mp.mpf(pi) ** a * mp.mpf(qi) ** (1 - a) for pi, qi in zip(p, q, strict=True))
        ref = float(mp.log(s) / (a - 1))
        assert float(fd.renyi(p, q, a, normalize=False)) == pytest.approx(ref, rel=1e-12)


def test_renyi_requires_probability_vectors():
    with pytest.raises(ValueError, match="p does not sum to 1"):
        fd.renyi([0.5, 0.6], [0.5, 0.5], 2.0)
    v = fd.renyi([1.0, 1.0], [1.0, 3.0], 2.0, normalize=True)
    assert float(v) == pytest.approx(float(fd.renyi([0.5, 0.5], [0.25, 0.75], 2.0)), rel=1e-14)
    with pytest.raises(ValueError, match="alpha must be in"):
        fd.renyi(P, Q, -0.5)
    with pytest.raises(ValueError, match="alpha"):
        fd.renyi(P, Q, np.nan)


def test_bhattacharyya_and_hellinger(path):
    bc = np.sum(np.sqrt(P * Q), axis=1)
    np.testing.assert_allclose(fd.bhattacharyya(P, Q), -np.log(bc), rtol=1e-12)
    np.testing.assert_allclose(fd.bhattacharyya_coefficient(P, Q), bc, rtol=1e-12)
    np.testing.assert_allclose(fd.hellinger_sq(P, Q), 2 * (1 - bc), rtol=1e-10)
    np.testing.assert_allclose(fd.renyi(P, Q, 0.5), -2 * np.log(1 - fd.hellinger_sq(P, Q) / 2),
                               rtol=1e-10)


def test_chernoff_information_against_grid():
    for i in range(5):
        p, q = P[i], Q[i]
        lam = np.linspace(0, 1, 200001)
        grid = np.max(-np.log(np.sum(p[:, None] ** lam * q[:, None] ** (1 - lam), axis=0)))
        c, lstar = fd.chernoff_information(p, q, return_lambda=True)
        assert float(c) == pytest.approx(grid, rel=1e-9)
        assert 0 < float(lstar) < 1
        # Chernoff information <= min of the two KLs and >= Bhattacharyya distance
        assert float(c) <= min(float(fd.kl(p, q)), float(fd.kl(q, p))) + 1e-12
        assert float(c) >= float(fd.bhattacharyya(p, q)) - 1e-12


def test_renyi_entropy():
    p = np.array([0.5, 0.25, 0.25, 0.0])
    assert float(fd.renyi_entropy(p, 0.0)) == pytest.approx(math.log(3))
    assert float(fd.renyi_entropy(p, 1.0)) == pytest.approx(st.entropy(p), rel=1e-14)
    assert float(fd.renyi_entropy(p, 2.0)) == pytest.approx(-math.log(0.375), rel=1e-14)
    assert float(fd.renyi_entropy(p, np.inf)) == pytest.approx(math.log(2), rel=1e-14)
    assert float(fd.renyi_entropy(p, 2.0, base=2)) == pytest.approx(-math.log2(0.375))


def test_renyi_cross_entropy():
    p = np.array([0.5, 0.3, 0.2])
    q = np.array([0.2, 0.2, 0.6])
    mp.mp.dps = 30
    for a in (-0.5, 0.3, 1.5, 3.0):
        s = sum(mp.mpf(pi) * mp.mpf(qi) ** (a - 1) for pi, qi in zip(p, q, strict=True))
        ref = float(mp.log(s) / (1 - a))
        assert float(fd.renyi_cross_entropy(p, q, a)) == pytest.approx(ref, rel=1e-13)
    assert float(fd.renyi_cross_entropy(p, q, 1.0)) == pytest.approx(-np.sum(p * np.log(q)))
    assert float(fd.renyi_cross_entropy(p, q, np.inf)) == pytest.approx(-math.log(0.6))
    # with q = p it is the Rényi entropy
    assert float(fd.renyi_cross_entropy(p, p, 2.5)) == pytest.approx(
        float(fd.renyi_entropy(p, 2.5)), rel=1e-13)
    assert float(fd.renyi_cross_entropy([0.5, 0.5], [1.0, 0.0], 0.5)) == math.inf
