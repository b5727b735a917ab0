"""The bGMM Monte Carlo: the two samplers, exact means, invariance, devices."""

import math

import numpy as np
import pytest

from fdivtheory.augmentation import expected_gap, simulate_gmm

GAMMAS = [0.0, 1.0, 5.0]


def _z(a, sa, b, sb):
    return np.abs(np.asarray(a) - np.asarray(b)) / np.sqrt(np.asarray(sa) ** 2
                                                           + np.asarray(sb) ** 2)


@pytest.mark.parametrize("d, m_s", [(1, 20), (10, 10)])
def test_full_and_sufficient_agree(d, m_s):
    kw = dict(test_size=500)
    s = simulate_gmm(d, m_s, GAMMAS, 6000, seed=1, method="sufficient", **kw)
    f = simulate_gmm(d, m_s, GAMMAS, 6000, seed=2, method="full", **kw)
    for q in ("abs_gap", "gap", "abs_gap_01", "gap_01"):
        z = _z(getattr(s, f"mean_{q}"), getattr(s, f"se_{q}"),
               getattr(f, f"mean_{q}"), getattr(f, f"se_{q}"))
        assert np.all(z < 4), (q, z)


@pytest.mark.parametrize("method", ["sufficient", "full"])
def test_signed_gap_mean_is_exact(method):
    r = simulate_gmm(4, 10, GAMMAS, 8000, seed=5, method=method, test_size=200)
    exact = [expected_gap(4, 10, int(g * 10)).total for g in GAMMAS]
    assert np.all(np.abs(r.mean_gap - exact) <= 4 * r.se_gap)


def test_nll_gap_does_not_depend_on_mu_or_sigma():
    # common random numbers: the NLL gap is the same function of the standard
    # normals for every sigma and mu (up to the 1e-9 variance smoothing)
    base = simulate_gmm(10, 10, 5.0, 500, seed=3, zero_one=False)
    for sigma, mu in [(0.3, None), (2.0, None), (0.6, np.ones(10)), (0.6, np.zeros(10))]:
        r = simulate_gmm(10, 10, 5.0, 500, seed=3, sigma=sigma, mu=mu, zero_one=False)
        assert r.mean_abs_gap == pytest.approx(base.mean_abs_gap, rel=1e-6)
        assert r.mean_gap == pytest.approx(base.mean_gap, rel=1e-5, abs=1e-7)


def test_test_size_none_uses_population_risk():
    a = simulate_gmm(3, 10, [0.0, 2.0], 4000, seed=9, test_size=None)
    b = simulate_gmm(3, 10, [0.0, 2.0], 4000, seed=10, test_size=100_000)
    assert np.all(_z(a.mean_abs_gap, a.se_abs_gap, b.mean_abs_gap, b.se_abs_gap) < 4)
    assert a.test_size is None


def test_zero_one_off():
    r = simulate_gmm(2, 10, 1.0, 10, zero_one=False)
    assert r.mean_abs_gap_01 is None and isinstance(r.mean_abs_gap, float)


def test_seed_reproducible():
    a = simulate_gmm(2, 10, GAMMAS, 50, seed=4, method="full", test_size=30)
    b = simulate_gmm(2, 10, GAMMAS, 50, seed=4, method="full", test_size=30)
    np.testing.assert_array_equal(a.mean_abs_gap, b.mean_abs_gap)


def test_array_api_strict_namespace():
    xp = pytest.importorskip("array_api_strict")
    for method in ("sufficient", "full"):
        a = simulate_gmm(3, 10, GAMMAS, 40, seed=2, method=method, test_size=20, xp=xp)
        b = simulate_gmm(3, 10, GAMMAS, 40, seed=2, method=method, test_size=20)
        np.testing.assert_allclose(a.mean_abs_gap, b.mean_abs_gap, rtol=1e-12)
        np.testing.assert_allclose(a.mean_gap_01, b.mean_gap_01, rtol=1e-12, atol=1e-15)


@pytest.mark.gpu
def test_gpu_matches_cpu_in_law():
    pytest.importorskip("cupy")
    for method in ("sufficient", "full"):
        g = simulate_gmm(10, 10, GAMMAS, 4000, seed=1, method=method, device="gpu")
        c = simulate_gmm(10, 10, GAMMAS, 4000, seed=2, method=method)
        assert np.all(_z(g.mean_abs_gap, g.se_abs_gap, c.mean_abs_gap, c.se_abs_gap) < 4)
        assert np.all(_z(g.mean_gap_01, g.se_gap_01, c.mean_gap_01, c.se_gap_01) < 4)


@pytest.mark.parametrize("args, kwargs, match", [
    ((0, 10, 1.0, 10), {}, "d must"), ((1, 3, 1.0, 10), {}, "m_s must"),
    ((1, 10, -1.0, 10), {}, "gamma must"), ((1, 10, 1.0, 1), {}, "trials must"),
    ((1, 10, 1.0, 10), {"sigma": 0.0}, "sigma must"),
    ((1, 10, 1.0, 10), {"sigma": math.nan}, "sigma must"),
    ((1, 10, 1.0, 10), {"test_size": 0}, "test_size must"),
    ((1, 10, 1.0, 10), {"method": "exact"}, "method must"),
    ((1, 10, 1.0, 10), {"device": "tpu"}, "device must"),
    ((2, 10, 1.0, 10), {"mu": [1.0]}, "mu must"),
])
def test_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_gmm(*args, **kwargs)


def test_bad_types():
    with pytest.raises(TypeError, match="trials"):
        simulate_gmm(1, 10, 1.0, "10")
