"""Discrete f-divergences: SciPy parity, mpmath oracles, the zero/support rule, bad input."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.spatial.distance as ssd
import scipy.special as sc
import scipy.stats as st

import fdivtheory as fd

RNG = np.random.default_rng(20261127)
P = RNG.dirichlet(np.ones(7), size=50)
Q = RNG.dirichlet(np.ones(7), size=50)


# --- parity with SciPy / NumPy compositions --------------------------------

SCIPY = {
    "kl": lambda p, q: st.entropy(p, q, axis=-1),
    "reverse_kl": lambda p, q: st.entropy(q, p, axis=-1),
    "js": lambda p, q: ssd.jensenshannon(p, q, axis=-1) ** 2,
    "js_distance": lambda p, q: ssd.jensenshannon(p, q, axis=-1),
    "tv": lambda p, q: 0.5 * np.abs(p - q).sum(-1),
    "chi2": lambda p, q: ((p - q) ** 2 / q).sum(-1),
    "neyman_chi2": lambda p, q: ((p - q) ** 2 / p).sum(-1),
    "hellinger_sq": lambda p, q: ((np.sqrt(p) - np.sqrt(q)) ** 2).sum(-1),
    "hellinger": lambda p, q: np.sqrt(((np.sqrt(p) - np.sqrt(q)) ** 2).sum(-1) / 2),
    "jeffreys": lambda p, q: sc.rel_entr(p, q).sum(-1) + sc.rel_entr(q, p).sum(-1),
    "le_cam": lambda p, q: 0.5 * ((p - q) ** 2 / (p + q)).sum(-1),
}


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_named_match_scipy(name, path):
    got = getattr(fd, name)(P, Q)
    np.testing.assert_allclose(got, SCIPY[name](P, Q), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_log_entry_points_match(name):
    got = getattr(fd, name + "_log")(np.log(P), np.log(Q))
    np.testing.assert_allclose(got, SCIPY[name](P, Q), rtol=1e-12, atol=1e-15)


def test_js_bits_matches_scipy_base2():
    np.testing.assert_allclose(fd.js_distance(P, Q, base=2),
                               ssd.jensenshannon(P, Q, axis=1, base=2), rtol=1e-12)
    assert float(fd.js([1, 0], [0, 1], base=2)) == pytest.approx(1.0, abs=1e-15)


def test_kl_base_two_is_bits():
    np.testing.assert_allclose(fd.kl(P, Q, base=2), st.entropy(P, Q, axis=1, base=2),
                               rtol=1e-12)


@pytest.mark.parametrize("lam", [-2.0, -1.0, -0.5, 0.0, 2 / 3, 1.0, 2.5])
def test_cressie_read_matches_scipy_power_divergence(lam):
    n = 1000.0
    stat, _ = st.power_divergence(n * P, n * Q, lambda_=lam, axis=1)
    got = fd.power_divergence(P, Q, lam, "cressie_read")
    np.testing.assert_allclose(2 * n * got, stat, rtol=1e-10)


def test_power_conventions_relations(path):
    np.testing.assert_allclose(fd.power_divergence(P, Q, 0.0, "amari"),
                               2 * fd.hellinger_sq(P, Q), rtol=1e-12)
    np.testing.assert_allclose(fd.power_divergence(P, Q, -1.0, "amari"), fd.kl(P, Q),
                               rtol=1e-12)
    np.testing.assert_allclose(fd.power_divergence(P, Q, 1.0, "amari"), fd.kl(Q, P),
                               rtol=1e-12)
    np.testing.assert_allclose(fd.power_divergence(P, Q, 2.0, "tsallis"), fd.chi2(P, Q),
                               rtol=1e-12)
    ts = (np.sum(P**3 * Q**-2, axis=1) - 1) / 2
    np.testing.assert_allclose(fd.power_divergence(P, Q, 3.0, "tsallis"), ts, rtol=1e-12)


def test_hockey_stick(path):
    for g in (1.0, 1.5, 4.0):
        np.testing.assert_allclose(fd.hockey_stick(P, Q, g),
                                   np.maximum(P - g * Q, 0).sum(1), rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(fd.hockey_stick(P, Q, 1.0), fd.tv(P, Q), rtol=1e-12)
    with pytest.raises(ValueError, match="gamma"):
        fd.hockey_stick(P, Q, 0.5)


# --- the zero / support rule ------------------------------------------------

@pytest.mark.parametrize("name, q0, p0", [
    # (name, value for q_i = 0 < p_i = 0.5, value for p_i = 0 < q_i = 0.5), per coordinate
    ("kl", math.inf, 0.5),                   # f'(inf) = inf ; f(0+) + f'(1) = 1 (kl_div(0, q) = q)
    ("reverse_kl", 0.5, math.inf),
    ("tv", 0.25, 0.25),
    ("chi2", math.inf, 0.5),
    ("neyman_chi2", 0.5, math.inf),
    ("hellinger_sq", 0.5, 0.5),
    ("le_cam", 0.25, 0.25),
    ("js", 0.25 * math.log(2), 0.25 * math.log(2)),  # p f'(inf) = 0.5 * (log 2)/2
    ("jeffreys", math.inf, math.inf),
])
def test_zero_support_rule(name, q0, p0, path):
    fn = getattr(fd, name)
    terms = fn([0.5, 0.5, 0.0], [0.0, 0.5, 0.5], return_terms=True)
    assert terms[0] == pytest.approx(q0, rel=1e-14)
    assert terms[1] == 0.0
    assert terms[2] == pytest.approx(p0, rel=1e-14)
    total = fn([0.5, 0.5, 0.0], [0.0, 0.5, 0.5])
    assert float(total) == pytest.approx(q0 + p0, rel=1e-14)


def test_both_zero_contribute_nothing(path):
    assert float(fd.kl([0.5, 0.5, 0.0], [0.5, 0.5, 0.0])) == 0.0
    assert float(fd.chi2([0.0, 1.0], [0.0, 1.0])) == 0.0


def test_infinite_divergence_is_inf(path):
    assert float(fd.kl([1.0, 0.0], [0.0, 1.0])) == math.inf
    assert float(fd.renyi([1.0, 0.0], [0.0, 1.0], 2.0)) == math.inf
    assert float(fd.tv([1.0, 0.0], [0.0, 1.0])) == 1.0


def test_unnormalised_measures_generalised_kl(path):
    p = np.array([2.0, 1.0, 0.5])
    q = np.array([1.0, 3.0, 0.25])
    expected = np.sum(sc.kl_div(p, q))
    assert float(fd.kl(p, q)) == pytest.approx(expected, rel=1e-13)
    # standardised terms are non-negative even when sum p != sum q
    for name in SCIPY:
        if name in ("js_distance", "hellinger"):
            continue
        t = getattr(fd, name)(p, q, return_terms=True)
        assert np.all(t >= 0)


# --- extreme ratios against mpmath ----------------------------------------

mp.mp.dps = 50


def _mp_kl_term(p, q):
    p, q = mp.mpf(p), mp.mpf(q)
    return p * mp.log(p / q) - p + q


@pytest.mark.parametrize("p, q", [
    (1e-300, 1e300), (1e300, 1e-300), (1e-300, 1e-310), (1e-310, 1e-300),
    (1.0, 1.0 + 1e-9), (1e-200, 1e-200 * (1 + 1e-7)), (5e-324, 1.0), (1.0, 5e-324),
    (0.3, 0.7), (1e-20, 0.5),
])
def test_kl_term_extreme_ratios(p, q, path):
    got = float(fd.kl([p], [q]))
    ref = float(_mp_kl_term(p, q))
    assert got == pytest.approx(ref, rel=1e-13, abs=0)
    assert got >= 0


def test_scipy_kl_div_defect_fixed():
    assert sc.kl_div(1e-300, 1e300) == -math.inf  # the SciPy defect this library beats
    assert float(fd.kl([1e-300], [1e300])) == pytest.approx(1e300, rel=1e-15)


@pytest.mark.parametrize("lp, lq", [(-800.0, 0.0), (0.0, -800.0), (-1000.0, -1001.0),
                                    (-745.5, -700.0)])
def test_log_space_accuracy(lp, lq):
    p, q = mp.exp(lp), mp.exp(lq)
    ref_kl = p * (lp - lq) - p + q
    ref_rkl = q * (lq - lp) - q + p
    assert float(fd.kl_log([lp], [lq])) == pytest.approx(float(ref_kl), rel=1e-13)
    assert float(fd.reverse_kl_log([lp], [lq])) == pytest.approx(float(ref_rkl), rel=1e-13)


def test_log_space_minus_inf_is_zero_mass():
    assert float(fd.kl_log([0.0, -np.inf], [np.log(0.5), np.log(0.5)])) == pytest.approx(
        math.log(2), rel=1e-15)
    assert float(fd.kl_log([np.log(0.5), np.log(0.5)], [0.0, -np.inf])) == math.inf
    assert float(fd.tv_log([0.0, -np.inf], [-np.inf, 0.0])) == 1.0


# --- shapes, axes, dtypes, options ------------------------------------------

def test_axis_keepdims_and_broadcast(path):
    got = fd.kl(P.T, Q.T, axis=0)
    np.testing.assert_allclose(got, st.entropy(P, Q, axis=1), rtol=1e-13)
    kd = fd.kl(P, Q, keepdims=True)
    assert kd.shape == (50, 1)
    b = fd.kl(P[:, None, :], Q[None, :5, :])
    assert b.shape == (50, 5)
    np.testing.assert_allclose(b[3, 4], st.entropy(P[3], Q[4]), rtol=1e-13)
    one = fd.kl(P[0], Q[0])
    assert isinstance(one, np.ndarray) and one.shape == ()


def test_float32_in_float32_out(path):
    got = fd.kl(P.astype(np.float32), Q.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, st.entropy(P, Q, axis=1), rtol=1e-5)


def test_lists_and_ints_accepted():
    assert float(fd.tv([1, 0], [0, 1])) == 1.0


def test_normalize_options(path):
    p = np.array([2.0, 2.0])
    q = np.array([9.0, 1.0])
    assert float(fd.kl(p, q, normalize=True)) == pytest.approx(
        float(fd.kl([0.5, 0.5], [0.9, 0.1])), rel=1e-14)
    with pytest.raises(ValueError, match="p does not sum to 1"):
        fd.kl(p, [0.9, 0.1], normalize="check")
    with pytest.raises(ValueError, match="q does not sum to 1"):
        fd.kl([0.5, 0.5], q, normalize="check")
    fd.kl([0.5, 0.5], [0.9, 0.1], normalize="check")


def test_nan_policies(path):
    p = np.array([[0.5, np.nan, 0.5], [0.5, 0.25, 0.25]])
    q = np.array([[0.5, 0.2, 0.5], [0.25, 0.25, 0.5]])
    prop = fd.kl(p, q)
    assert np.isnan(prop[0]) and np.isfinite(prop[1])
    omit = fd.kl(p, q, nan_policy="omit")
    assert omit[0] == pytest.approx(0.0, abs=1e-16)
    assert omit[1] == pytest.approx(st.entropy(p[1], q[1]), rel=1e-13)
    with pytest.raises(ValueError, match=r"p contains NaN"):
        fd.kl(p, q, nan_policy="raise")
    with pytest.raises(ValueError, match=r"q contains NaN"):
        fd.kl(q, p, nan_policy="raise")


# --- bad input ---------------------------------------------------------------

@pytest.mark.parametrize("p, q, match", [
    ([0.5, -0.1, 0.6], [0.3, 0.3, 0.4], "p has negative entries"),
    ([0.3, 0.3, 0.4], [0.5, -0.1, 0.6], "q has negative entries"),
    ([np.inf, 0.0], [0.5, 0.5], "p has infinite"),
    ([0.5, 0.5], [0.5, np.inf], "q has infinite"),
    ([0.0, 0.0], [0.5, 0.5], "p has no mass"),
    ([0.5, 0.5], [0.0, 0.0], "q has no mass"),
    ([0.5, 0.5], [0.2, 0.3, 0.5], "same length along axis"),
    ([], [], "empty"),
])
def test_bad_input_raises_naming_argument(p, q, match, path):
    for name in ("kl", "tv", "js", "hellinger"):
        with pytest.raises(ValueError, match=match):
            getattr(fd, name)(p, q)
    with pytest.raises(ValueError, match=match):
        fd.renyi(p, q, 0.5, normalize=False)


def test_invalid_nan_mode_gives_nan_rows(path):
    p = np.array([[0.5, -0.1, 0.6], [0.3, 0.3, 0.4]])
    q = np.array([[0.3, 0.3, 0.4], [0.3, 0.3, 0.4]])
    got = fd.kl(p, q, invalid="nan")
    assert np.isnan(got[0]) and got[1] == 0.0


@pytest.mark.parametrize("kwargs, match", [
    ({"invalid": "ignore"}, "invalid must be"),
    ({"nan_policy": "skip"}, "nan_policy must be"),
    ({"normalize": "yes"}, "normalize must be"),
    ({"base": 1.0}, "base must be"),
    ({"base": -2}, "base must be"),
    ({"axis": 3}, "axis 3 is out of range"),
])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fd.kl([0.5, 0.5], [0.5, 0.5], **kwargs)


def test_type_errors():
    with pytest.raises(TypeError, match="p must contain real numbers"):
        fd.kl(np.array([0.5 + 1j, 0.5]), [0.5, 0.5])
    with pytest.raises(TypeError, match="axis must be an integer"):
        fd.kl([0.5, 0.5], [0.5, 0.5], axis=0.5)
    with pytest.raises(ValueError, match="unknown generator"):
        fd.f_divergence([0.5, 0.5], [0.5, 0.5], "kullback")
    with pytest.raises(ValueError, match="scalar"):
        fd.kl(0.5, 0.5)


def test_incompatible_batch_shapes():
    with pytest.raises(ValueError, match="incompatible batch shapes"):
        fd.kl(np.full((3, 2), 0.5), np.full((4, 2), 0.5))


# --- never negative, never NaN from rounding ----------------------------------

def test_never_negative_near_equal(path):
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(1000), size=20)
    q = p * (1 + 1e-15 * rng.standard_normal(p.shape))
    for name in SCIPY:
        v = getattr(fd, name)(p, q)
        assert np.all(v >= 0) and not np.any(np.isnan(v)), name
    assert np.all(fd.js_distance(p, p) == 0) and np.all(fd.hellinger(p, p) == 0)


# --- array-API namespaces ------------------------------------------------------

def test_array_api_strict_in_strict_out():
    xps = pytest.importorskip("array_api_strict")
    p, q = xps.asarray(P), xps.asarray(Q)
    for name in SCIPY:
        got = getattr(fd, name)(p, q)
        assert type(got).__module__.startswith("array_api_strict"), name
        np.testing.assert_allclose(np.asarray(got), SCIPY[name](P, Q), rtol=1e-12, atol=1e-15)
    got = fd.renyi(p, q, 0.5)
    assert type(got).__module__.startswith("array_api_strict")


def test_mixed_namespaces_rejected():
    xps = pytest.importorskip("array_api_strict")
    with pytest.raises(TypeError, match="mix array libraries"):
        fd.kl(xps.asarray(P[0]), P[0])


@pytest.mark.gpu
def test_cupy_in_cupy_out():
    cp = pytest.importorskip("cupy")
    p, q = cp.asarray(P), cp.asarray(Q)
    for name in SCIPY:
        got = getattr(fd, name)(p, q)
        assert isinstance(got, cp.ndarray)
        np.testing.assert_allclose(cp.asnumpy(got), SCIPY[name](P, Q), rtol=1e-12, atol=1e-15)
