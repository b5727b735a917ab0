"""Coefficients against exact oracles (closed forms, enumeration, definitions)."""

import math

import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory.sdpi import (
    bec,
    binary_asymmetric,
    binary_asymmetric_eta_kl,
    bsc,
    erasure_product,
    eta_chi2,
    eta_f,
    eta_kl,
    eta_tv,
    maximal_correlation,
    product_channel,
    q_ary_symmetric,
    q_ary_symmetric_eta_kl,
    z_channel,
)


def _random_channel(rng, n, m):
    return rng.dirichlet(np.ones(m), size=n)


def _tv_brute(K):
    n = K.shape[0]
    return max(0.5 * np.abs(K[i] - K[j]).sum() for i in range(n) for j in range(n))


def test_bsc_values():
    K = bsc(0.1)
    assert eta_tv(K) == pytest.approx(0.8, abs=1e-12)
    assert eta_kl(K) == pytest.approx(0.64, abs=1e-10)
    assert eta_chi2(K, [0.5, 0.5]) == pytest.approx(0.64, abs=1e-12)
    assert eta_kl(K, [0.5, 0.5]) == pytest.approx(0.64, abs=1e-6)


def test_bec_every_input():
    K = bec(0.3)
    assert eta_tv(K) == pytest.approx(0.7, abs=1e-12)
    assert eta_kl(K) == pytest.approx(0.7, abs=1e-10)
    assert eta_kl(K, [0.2, 0.8]) == pytest.approx(0.7, abs=1e-8)


def test_z_channel_fixed_input_strictly_above_rho2():
    K = z_channel(0.4)
    rho2 = eta_chi2(K, [0.5, 0.5])
    assert rho2 == pytest.approx(3 / 7, abs=1e-12)
    res = eta_kl(K, [0.5, 0.5], return_info=True)
    assert res.value == pytest.approx(1 - math.log2(1.4), abs=1e-9)
    assert res.argmax[1] < 1e-6  # the vertex Q = delta_0
    assert res.value - rho2 > 0.08


def test_z_channel_sup_not_attained():
    res = eta_kl(z_channel(0.4), return_info=True)
    assert 0.6 - 1e-6 <= res.value <= 0.6 + 1e-12
    assert not res.attained
    assert res.bracket[0] <= 0.6 <= res.bracket[1]
    assert eta_tv(z_channel(0.4)) == pytest.approx(0.6, abs=1e-12)


def test_binary_channel_closed_form_random():
    rng = np.random.default_rng(3)
    for a, b in rng.random((60, 2)):
        res = eta_kl(binary_asymmetric(a, b), return_info=True)
        ref = binary_asymmetric_eta_kl(a, b)
        assert res.value == pytest.approx(ref, abs=1e-10)
        assert res.bracket[0] - 1e-10 <= ref <= res.bracket[1] + 1e-10
        assert res.bracket[1] - res.bracket[0] < 1e-10  # concave pair problem: certified


@pytest.mark.parametrize("q", [3, 4, 5])
@pytest.mark.parametrize("delta", [0.05, 0.2, 0.5, 0.7, 0.95])
def test_q_ary_symmetric(q, delta):
    assert eta_kl(q_ary_symmetric(q, delta)) == pytest.approx(q_ary_symmetric_eta_kl(q, delta),
                                                              abs=1e-10)
    assert eta_tv(q_ary_symmetric(q, delta)) == pytest.approx(abs(1 - q * delta / (q - 1)),
                                                              abs=1e-12)


def test_q_ary_trap_fails_loudly():
    v = eta_kl(q_ary_symmetric(3, 0.3))
    assert v == pytest.approx(121 / 340, abs=1e-10)
    assert abs(v - (1 - 1.5 * 0.3) ** 2) > 0.05


def test_products():
    for p, ref in ((0.5, 0.75), (0.3, 0.91)):
        K = erasure_product(p, 2)
        assert eta_kl(K) == pytest.approx(ref, abs=1e-9)
        assert eta_tv(K) == pytest.approx(ref, abs=1e-12)
        assert eta_kl(K, np.full(4, 0.25)) == pytest.approx(1 - p, abs=1e-6)
        assert eta_chi2(K, np.full(4, 0.25)) == pytest.approx(1 - p, abs=1e-10)
    for d, ref in ((0.1, 32 / 41), (0.25, 0.4)):
        v = eta_kl(product_channel(bsc(d), bsc(d)))
        assert v == pytest.approx(ref, abs=1e-9)
        assert (1 - 2 * d) ** 2 < v < 1 - (1 - (1 - 2 * d) ** 2) ** 2


def test_tv_matches_brute_force_and_batch():
    rng = np.random.default_rng(0)
    Ks = rng.dirichlet(np.ones(5), size=(20, 4))
    batch = eta_tv(Ks)
    for K, v in zip(Ks, batch, strict=True):
        assert eta_tv(K) == pytest.approx(_tv_brute(K), abs=1e-14)
        assert v == pytest.approx(_tv_brute(K), abs=1e-14)
    big = _random_channel(rng, 70, 9)
    assert eta_tv(big) == pytest.approx(_tv_brute(big), abs=1e-14)


def test_chi2_svd_equals_generalised_eigen_ratio():
    """rho_m^2 = max chi2(QK||PK)/chi2(Q||P) = top generalised eigenvalue (exact)."""
    rng = np.random.default_rng(1)
    for _ in range(10):
        K = _random_channel(rng, 4, 5)
        p = rng.dirichlet(np.ones(4))
        q = p @ K
        # chi2 ratio for Q = P + t v, v summing to 0: v^T M v / v^T D v
        M = K @ np.diag(1 / q) @ K.T
        D = np.diag(1 / p)
        # restrict to sum-zero directions
        basis = np.linalg.svd(np.ones((1, 4)))[2][1:].T
        from scipy.linalg import eigh

        lam = eigh(basis.T @ M @ basis, basis.T @ D @ basis, eigvals_only=True)[-1]
        assert eta_chi2(K, p) == pytest.approx(lam, abs=1e-9)
        # ACE (alternating conditional expectations) power iteration
        f = rng.standard_normal(4)
        for _ in range(500):
            f = f - p @ f
            g = (p[:, None] * K).T @ f / q
            f = K @ g
            f = f / math.sqrt(p @ f**2)
        g = (p[:, None] * K).T @ f / q
        rho = math.sqrt(q @ g**2)
        assert rho**2 == pytest.approx(eta_chi2(K, p), abs=1e-9)


def test_maximal_correlation_dsbs():
    J = np.array([[0.45, 0.05], [0.05, 0.45]])
    assert maximal_correlation(J) == pytest.approx(0.8, abs=1e-12)


def test_ordering_chain():
    rng = np.random.default_rng(5)
    for _ in range(8):
        K = _random_channel(rng, 4, 5)
        p = rng.dirichlet(np.ones(4))
        rho2 = eta_chi2(K, p)
        fixed = eta_kl(K, p)
        sup = eta_kl(K)
        tv = eta_tv(K)
        assert rho2 <= fixed + 1e-7
        assert fixed <= sup + 1e-7
        assert sup <= tv + 1e-7
        assert eta_chi2(K) == pytest.approx(sup, abs=1e-12)


def test_fixed_input_ratio_is_attained_value():
    """The returned argmax Q reproduces the value through the core KL."""
    rng = np.random.default_rng(9)
    K = _random_channel(rng, 3, 3)
    p = np.full(3, 1 / 3)
    res = eta_kl(K, p, return_info=True)
    if res.argmax is not None:
        Q = res.argmax
        r = float(fd.kl(Q @ K, p @ K) / fd.kl(Q, p))
        assert r == pytest.approx(res.value, rel=1e-9)


def test_eta_f_bracket():
    rng = np.random.default_rng(2)
    K = _random_channel(rng, 3, 3)
    chi, tv = eta_chi2(K), eta_tv(K)
    for name in ("hellinger_sq", "reverse_kl", "pearson"):
        assert eta_f(K, name) == pytest.approx(chi, abs=1e-12)
    res = eta_f(K, "js", return_info=True)
    assert chi - 1e-9 <= res.value <= tv + 1e-9
    assert res.method == "optimisation"
    assert eta_f(K, "tv") == pytest.approx(tv, abs=1e-15)
    p = rng.dirichlet(np.ones(3))
    v = eta_f(K, "hellinger_sq", p)
    assert eta_chi2(K, p) - 1e-10 <= v <= tv + 1e-9


def test_bec_every_f():
    for name in ("js", "hellinger_sq", "tv", "kl"):
        assert eta_f(bec(0.3), name) == pytest.approx(0.7, abs=1e-6)


def test_return_info_methods():
    assert eta_tv(bsc(0.2), return_info=True).method == "closed form"
    assert eta_chi2(bsc(0.2), [0.3, 0.7], return_info=True).method == "SVD"
    assert eta_kl(bsc(0.2), return_info=True).method == "optimisation"


def test_batched_chi2_and_sup():
    rng = np.random.default_rng(4)
    Ks = rng.dirichlet(np.ones(4), size=(30, 4))
    P = rng.dirichlet(np.ones(4), size=30)
    batch = eta_chi2(Ks, P)
    sup = eta_chi2(Ks)
    for K, p, v, s in zip(Ks, P, batch, sup, strict=True):
        assert v == pytest.approx(eta_chi2(K, p), abs=1e-12)
        assert s == pytest.approx(eta_chi2(K), abs=1e-9)


def test_tiny_mass_does_not_give_spurious_one():
    K = erasure_product(0.5, 2)
    p = np.array([0.5, 1e-14, 1e-14, 0.5 - 2e-14])
    assert eta_chi2(K, p) <= eta_tv(K) + 1e-12


# ---------------------------------------------------------------- property tests
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fdivtheory.testing import channels  # noqa: E402

_SETTINGS = settings(max_examples=15, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(channels(max_size=4), st.integers(0, 2**31 - 1))
def test_property_fixed_input_between_rho2_and_tv(K, seed):
    """rho_m^2(P_X) <= eta_KL(P_X, K) <= eta_TV(K) (F2, F4) for every channel and input."""
    p = np.random.default_rng(seed).dirichlet(np.ones(K.shape[0]))
    rho2, kl, tv = eta_chi2(K, p), eta_kl(K, p), eta_tv(K)
    assert rho2 <= kl + 1e-9
    assert kl <= tv + 1e-9


@_SETTINGS
@given(channels(max_size=4), channels(max_size=4))
def test_property_post_processing_never_increases(K1, K2):
    """Data processing: eta(K1 K2) <= min(eta(K1), eta(K2)) for TV and the best-pair chi2."""
    if K1.shape[1] != K2.shape[0]:
        K2 = np.full((K1.shape[1], K2.shape[1]), 1.0 / K2.shape[1])
    K = K1 @ K2
    assert eta_tv(K) <= min(eta_tv(K1), eta_tv(K2)) + 1e-12
    batch = eta_chi2(np.stack([K]))[0]
    assert batch <= eta_tv(K) + 1e-12


@_SETTINGS
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_property_binary_channel_closed_form(a, b):
    K = binary_asymmetric(a, b)
    assert eta_kl(K) == pytest.approx(binary_asymmetric_eta_kl(a, b), abs=1e-10)
    assert eta_kl(K) <= eta_tv(K) + 1e-12
