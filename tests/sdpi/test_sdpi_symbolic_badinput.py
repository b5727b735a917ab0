"""Sympy derivations against the numeric closed forms; bad input; array API."""

import math

import numpy as np
import pytest
import sympy as sp

from fdivtheory import sdpi
from fdivtheory.sdpi import symbolic as sy


def test_binary_channel_symbolic_matches_numeric():
    expr = sp.lambdify((sy.a, sy.b), sy.binary_channel_eta(), "math")
    rng = np.random.default_rng(0)
    for a, b in rng.uniform(0.01, 0.99, size=(25, 2)):
        assert expr(a, b) == pytest.approx(sdpi.binary_asymmetric_eta_kl(a, b), abs=1e-12)


def test_bsc_symbolic():
    f = sp.lambdify(sy.delta, sy.bsc_eta(), "math")
    for d in (0.05, 0.1, 0.3, 0.45):
        assert f(d) == pytest.approx(sdpi.eta_kl(sdpi.bsc(d)), abs=1e-12)


@pytest.mark.parametrize("q", [3, 4, 5])
def test_q_ary_symbolic(q):
    f = sp.lambdify(sy.delta, sy.q_ary_symmetric_eta(q), "math")
    for d in (0.1, 0.3, 0.8):
        assert f(d) == pytest.approx(sdpi.q_ary_symmetric_eta_kl(q, d), abs=1e-12)


def test_z_dropout_gaussian_symbolic():
    z = sp.lambdify((sy.lam, sy.eps), sy.z_channel_rho2(), "math")
    assert z(0.5, 0.4) == pytest.approx(3 / 7, abs=1e-12)
    assert sp.limit(sy.z_channel_rho2(), sy.lam, 0) == 1 - sy.eps
    p = sp.symbols("p", positive=True)
    assert sp.simplify(sy.dropout_erasure_eta(3) - (1 - p**3)) == 0
    n = sp.symbols("n", positive=True)
    f = sp.lambdify(n, sy.linear_gaussian_kl_expectation(3), "math")
    assert f(10) == pytest.approx(sdpi.linear_gaussian_kl(3, 10), abs=1e-14)


@pytest.mark.parametrize("K, match", [
    ([[0.5, 0.6], [0.5, 0.5]], "sum to 1 along axis -1"),
    ([[1.2, -0.2], [0.5, 0.5]], "entries >= 0"),
    ([0.5, 0.5], "2-D"),
    ([[np.nan, 1.0], [0.5, 0.5]], "finite"),
])
def test_bad_channel(K, match):
    for fn in (sdpi.eta_tv, sdpi.eta_chi2, sdpi.eta_kl):
        with pytest.raises(ValueError, match=match):
            fn(K)


def test_row_sum_tolerance_documented():
    K = np.array([[0.5, 0.5 + 5e-10], [0.5, 0.5]])
    assert sdpi.eta_tv(K) >= 0  # within 1e-9: accepted and renormalised
    with pytest.raises(ValueError, match="1e-09"):
        sdpi.eta_tv(np.array([[0.5, 0.5 + 5e-9], [0.5, 0.5]]))


@pytest.mark.parametrize("p_x, match", [
    ([0.5, 0.6], "sum"), ([1.5, -0.5], "entries >= 0"), ([1.0], "one entry per"),
    ([[0.5, 0.5]], "1-D"),
])
def test_bad_input_law(p_x, match):
    for fn in (sdpi.eta_chi2, sdpi.eta_kl, sdpi.eta_tv):
        with pytest.raises(ValueError, match=match):
            fn(sdpi.bsc(0.1), p_x)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, math.nan])
def test_bad_dropout_probability(p):
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\)"):
        sdpi.dropout_eta(3, p)
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\)"):
        sdpi.dropout_channel(np.eye(2), [[1, 2], [3, 4]], p)
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\)"):
        sdpi.dropconnect_channel(np.eye(2), [[1, 2], [3, 4]], p)


@pytest.mark.parametrize("sigma", [0.0, -1.0, math.inf])
def test_bad_sigma(sigma):
    with pytest.raises(ValueError, match=r"sigma must be (> 0|finite)"):
        sdpi.gaussian_injection([[1.0]], [[1.0], [2.0]], sigma)
    with pytest.raises(ValueError, match=r"sigma must be (> 0|finite)"):
        sdpi.gaussian_norm_bound(1.0, 1.0, sigma)
    with pytest.raises(ValueError, match=r"sigma must be (> 0|finite)"):
        sdpi.awgn(sigma, power=1.0)
    with pytest.raises(ValueError, match=r"sigma must be (> 0|finite)"):
        sdpi.binary_input_awgn(1.0, sigma)


def test_bad_misc():
    with pytest.raises(TypeError, match="f must be"):
        sdpi.eta_f(sdpi.bsc(0.1), 3)
    with pytest.raises(ValueError, match="delta must lie"):
        sdpi.bsc(1.2)
    with pytest.raises(ValueError, match="label_metric"):
        sdpi.wasserstein1_empirical([0.0], [1.0], labels_a=[0], labels_b=[0], label_metric="l2")
    with pytest.raises(ValueError, match="form"):
        sdpi.hierarchical_kl_bound(None, 2, gamma=1.0, form="sum_of_layers")


def test_continuous_channels():
    bi = sdpi.binary_input_awgn(1.0, 1.0)
    tv, chi, kl = sdpi.eta_tv(bi), sdpi.eta_chi2(bi), sdpi.eta_kl(bi, [0.3, 0.7])
    assert tv == pytest.approx(math.erf(1 / math.sqrt(2)), abs=1e-12)
    assert sdpi.eta_chi2(bi, [0.3, 0.7]) - 1e-10 <= kl <= chi + 1e-9 <= tv
    # binned channels are post-processings: lower estimates
    K = bi.discretize(np.linspace(-10, 10, 2001))
    assert sdpi.eta_kl(K) <= chi + 1e-9
    assert sdpi.eta_kl(K) == pytest.approx(chi, abs=1e-4)
    g = sdpi.awgn(1.0, power=1.0)
    assert sdpi.eta_kl(g, "gaussian") == 0.5
    assert sdpi.eta_kl(g) == 1.0 and not sdpi.eta_kl(g, return_info=True).attained
    amp = sdpi.awgn(1.0, amplitude=1.0).eta_kl(return_info=True)
    assert amp.bracket[0] <= amp.bracket[1] == pytest.approx(tv, abs=1e-12)


def test_array_api_strict_batched():
    xps = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(8)
    Ks = rng.dirichlet(np.ones(4), size=(12, 3))
    P = rng.dirichlet(np.ones(3), size=12)
    tv = sdpi.eta_tv(xps.asarray(Ks))
    chi = sdpi.eta_chi2(xps.asarray(Ks), xps.asarray(P))
    assert type(tv).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(tv), sdpi.eta_tv(Ks), atol=1e-14)
    np.testing.assert_allclose(np.asarray(chi), sdpi.eta_chi2(Ks, P), atol=1e-12)


@pytest.mark.gpu
def test_cupy_batched():
    cp = pytest.importorskip("cupy")
    rng = np.random.default_rng(9)
    Ks = rng.dirichlet(np.ones(4), size=(1000, 4))
    P = rng.dirichlet(np.ones(4), size=1000)
    tv = sdpi.eta_tv(cp.asarray(Ks))
    chi = sdpi.eta_chi2(cp.asarray(Ks), cp.asarray(P))
    assert isinstance(tv, cp.ndarray) and isinstance(chi, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(tv), sdpi.eta_tv(Ks), atol=1e-13)
    np.testing.assert_allclose(cp.asnumpy(chi), sdpi.eta_chi2(Ks, P), atol=1e-10)
