"""Kernel dispatch (fdivtheory.kernels): one entry point, one flag table, in-kernel normalisation.

The accuracy sweeps compare with mpmath at 50 digits on the numba kernels and on the
generic array-API path (array-api-strict input): rows whose total overflows
(``normalize=True``), rows with NaN under ``normalize="check"``, and rows with negative
entries under ``invalid="nan"``.
"""

from __future__ import annotations

import math

import array_api_strict as xps
import mpmath
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory import kernels
from fdivtheory._backend import generic_path
from fdivtheory.kernels import _flags, generic
from fdivtheory.testing import as_namespace

PATHS = ["numba", "strict"]


def run(path: str, fn, *arrays, **kw):
    """``fn`` on NumPy input (numba kernels) or on array-api-strict input (generic path)."""
    if path == "numba":
        return np.asarray(fn(*arrays, **kw), dtype=np.float64)
    out = fn(*(as_namespace(a, xps) for a in arrays), **kw)
    assert type(out).__module__.startswith("array_api_strict")
    return np.asarray(out, dtype=np.float64)


# ---------------------------------------------------------------------------
# oracles (50 digits), on the exactly normalised rows
# ---------------------------------------------------------------------------


def _normalised(row):
    m = [mpmath.mpf(float(x)) for x in row]
    s = mpmath.fsum(m)
    return [x / s for x in m]


def oracle(name: str, p, q, alpha: float | None = None) -> float:
    with mpmath.workdps(50):
        P, Q = _normalised(p), _normalised(q)
        pairs = list(zip(P, Q, strict=True))
        if name == "kl":
            v = mpmath.fsum(a * mpmath.log(a / b) for a, b in pairs if a > 0)
        elif name == "tv":
            v = mpmath.fsum(abs(a - b) for a, b in pairs) / 2
        elif name == "chi2":
            v = mpmath.fsum((a - b) ** 2 / b for a, b in pairs)
        elif name == "js":
            v = mpmath.fsum((a * mpmath.log(2 * a / (a + b)) if a > 0 else 0)
                            + (b * mpmath.log(2 * b / (a + b)) if b > 0 else 0)
                            for a, b in pairs) / 2
        elif name == "renyi":
            if alpha == 0:
                v = -mpmath.log(mpmath.fsum(b for a, b in pairs if a > 0))
            elif alpha == math.inf:
                v = mpmath.log(max(a / b for a, b in pairs if a > 0))
            else:
                a_ = mpmath.mpf(alpha)
                v = mpmath.log(mpmath.fsum(a ** a_ * b ** (1 - a_) for a, b in pairs
                                           if a > 0)) / (a_ - 1)
        else:
            raise KeyError(name)
        return float(v)


def _call(name: str, alpha: float | None):
    if name == "renyi":
        return lambda p, q, **kw: fd.renyi(p, q, alpha, **kw)
    return getattr(fd, name)


# ---------------------------------------------------------------------------
# dispatch
# ---------------------------------------------------------------------------


def test_native_path_choice():
    xp_np = fd._backend.namespace(np.ones(2))
    assert kernels.native(xp_np, np.dtype(np.float64)) == "numba"
    assert kernels.native(xp_np, np.dtype(np.float32)) == "numba"
    with generic_path():
        assert kernels.native(xp_np, np.dtype(np.float64)) is None
    assert kernels.native(xp_np, np.dtype(np.float64)) == "numba"  # restored on exit
    xp_strict = fd._backend.namespace(xps.asarray([1.0]))
    assert kernels.native(xp_strict, xps.float64) is None


def test_generic_path_gives_the_generic_result():
    rng = np.random.default_rng(1)
    P, Q = rng.dirichlet(np.ones(50), size=20), rng.dirichlet(np.ones(50), size=20)
    gen = fd.get_generator("kl")
    xp = fd._backend.namespace(P)
    expect = np.sum(generic.terms(gen, P, Q, xp), axis=-1)
    with generic_path():
        got = fd.kl(P, Q)
    np.testing.assert_array_equal(got, expect)


@pytest.mark.parametrize("fn, natively", [
    (fd.f_divergence, ("numba", "cupy")), (fd.kl, ("numba", "cupy")),
    (fd.js_distance, ("numba", "cupy")), (fd.power_divergence, ("numba", "cupy")),
    (fd.hockey_stick, ("numba", "cupy")), (fd.renyi, ("numba",)), (fd.bhattacharyya, ("numba",)),
    (fd.f_divergence_log, ()), (fd.kl_log, ()), (fd.renyi_entropy, ()),
    (fd.renyi_cross_entropy, ()), (fd.hellinger_integral, ()), (fd.chernoff_information, ()),
])
def test_backends_recorded_and_documented(fn, natively):
    assert fn.__fdiv_backends__ == (*natively, "array_api")
    assert "Backends:" in fn.__doc__
    for name in natively:
        assert {"numba": "numba (CPU)", "cupy": "CuPy (GPU)"}[name] in fn.__doc__


def test_one_flag_table():
    bits = np.array([0, _flags.NAN_P | _flags.NEG_Q, _flags.INF_P | _flags.INF_Q, _flags.NAN_Q])
    fl = _flags.from_bits(bits, np.zeros(4), np.zeros(4))
    np.testing.assert_array_equal(fl.nan_p, [False, True, False, False])
    np.testing.assert_array_equal(fl.neg_q, [False, True, False, False])
    np.testing.assert_array_equal(fl.inf_p & fl.inf_q, [False, False, True, False])
    np.testing.assert_array_equal(fl.nan_q, [False, False, False, True])
    from fdivtheory.kernels import gpu  # imports without CuPy; its CUDA source uses the table

    for name in ("NAN_P", "NAN_Q", "NEG_P", "NEG_Q", "INF_P", "INF_Q"):
        assert f"#define FD_{name} {getattr(_flags, name)}\n" in gpu._PREAMBLE


def test_kernel_flags_match_generic_flags():
    P = np.array([[0.5, 0.5, 0.0], [0.5, np.nan, 0.5], [1.5, -0.5, 0.0], [np.inf, 1.0, 0.0],
                  [0.2, 0.3, 0.5]])
    Q = np.array([[0.2, 0.3, 0.5], [0.5, 0.25, 0.25], [0.2, 0.3, 0.5], [0.2, 0.3, 0.5],
                  [np.nan, -1.0, 2.0]])
    xp = fd._backend.namespace(P)
    for omit in (False, True):
        _, fk = kernels.rowwise(fd.get_generator("kl"), P, Q, omit_nan=omit, normalize=False,
                                xp=xp)
        fg = generic.row_flags(P, Q, xp)
        for field in ("nan_p", "nan_q", "neg_p", "neg_q", "inf_p", "inf_q"):
            np.testing.assert_array_equal(getattr(fk, field), getattr(fg, field), err_msg=field)
        # totals over the pairs without NaN, negative entries included
        np.testing.assert_allclose(fk.sum_p, fg.sum_p, rtol=1e-15)
        np.testing.assert_allclose(fk.sum_q, fg.sum_q, rtol=1e-15)
    _, fr = kernels.renyi(P, Q, 2.0, omit_nan=False, normalize=False, xp=xp)
    np.testing.assert_allclose(fr.sum_p, fg.sum_p, rtol=1e-15)


# ---------------------------------------------------------------------------
# normalize=True inside the kernel equals dividing first
# ---------------------------------------------------------------------------

GENERATORS = [("kl", {}), ("reverse_kl", {}), ("js", {}), ("tv", {}), ("pearson", {}),
              ("le_cam", {}), ("jeffreys", {}), ("power", {"beta": 0.3}),
              ("power", {"beta": 2.0}), ("chi_alpha", {"alpha": 2.5}),
              ("skew_js", {"pi": 0.3})]


def _composites():
    g = fd.get_generator
    return [g("power", beta=3.0).reversed(), g("kl").symmetrized(), g("tv").scaled(2.0)]


@pytest.mark.parametrize("shape", [(40, 30), (1, 70_000), (3, 40_000)], ids=str)
def test_in_kernel_normalisation_equals_normalised_copy(shape):
    # (1, 70000) and (3, 40000) take the column-chunk layout (totals computed first)
    rng = np.random.default_rng(7)
    P = rng.random(shape) * 10.0 ** rng.uniform(-3, 3, size=(shape[0], 1))
    Q = rng.random(shape) * 10.0 ** rng.uniform(-3, 3, size=(shape[0], 1))
    P[:, ::7] = 0.0
    gens = [fd.get_generator(n, **kw) for n, kw in GENERATORS] + _composites()
    Pn, Qn = P / P.sum(-1, keepdims=True), Q / Q.sum(-1, keepdims=True)
    for g in gens:
        got = np.asarray(fd.f_divergence(P, Q, g, normalize=True))
        ref = np.asarray(fd.f_divergence(Pn, Qn, g))
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0, err_msg=g.name)
    for a in (0.0, 0.5, 0.9, 2.0, math.inf):
        got = np.asarray(fd.renyi(P, Q, a, normalize=True))
        np.testing.assert_allclose(got, np.asarray(fd.renyi(Pn, Qn, a)), rtol=1e-12,
                                   atol=1e-15, err_msg=str(a))


def test_normalize_true_float32():
    rng = np.random.default_rng(2)
    P = rng.random((30, 20)).astype(np.float32)
    Q = rng.random((30, 20)).astype(np.float32)
    got = fd.kl(P, Q, normalize=True)
    assert got.dtype == np.float32
    ref = fd.kl(P.astype(np.float64), Q.astype(np.float64), normalize=True)
    np.testing.assert_allclose(got, ref, rtol=1e-5)


# ---------------------------------------------------------------------------
# issue 13, class 15: normalize=True when a row total overflows
# ---------------------------------------------------------------------------


def _overflow_rows():
    rng = np.random.default_rng(15)
    rows = [([1e308, 1e308], [1.0, 3.0]), ([1.0, 3.0], [1e308, 1e308]),
            ([1.7e308, 1.7e308, 1e300], [1e308, 1e308, 1e308]),
            ([1e308, 1e-300, 5e307], [1.0, 1.0, 2.0])]
    for scale in (1e307, 8e307, 1.79e308):
        for k in (2, 5, 17):
            p = rng.uniform(0.05, 1.0, k) * scale
            q = rng.uniform(0.05, 1.0, k) * (scale if rng.random() < 0.5 else 1.0)
            rows.append((list(p), list(q)))
    return rows


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name, alpha", [("kl", None), ("tv", None), ("chi2", None),
                                         ("js", None), ("renyi", 0.0), ("renyi", 0.5),
                                         ("renyi", 2.0), ("renyi", math.inf)])
def test_normalize_overflowing_totals_match_mpmath(path, name, alpha):
    fn = _call(name, alpha)
    for p, q in _overflow_rows():
        p, q = np.array(p), np.array(q)
        got = float(run(path, fn, p, q, normalize=True))
        ref = oracle(name, p, q, alpha)
        assert got == pytest.approx(ref, rel=1e-12, abs=1e-15), (p, q)


@pytest.mark.parametrize("path", PATHS)
def test_normalize_overflow_issue_example(path):
    got = float(run(path, fd.kl, np.array([1e308, 1e308]), np.array([1.0, 3.0]),
                    normalize=True))
    # p / sum p = (1/2, 1/2), q / sum q = (1/4, 3/4)
    assert got == pytest.approx(0.5 * math.log(2.0) + 0.5 * math.log(2 / 3), rel=1e-14)


# ---------------------------------------------------------------------------
# issue 13, class 8: normalize="check" and NaN / invalid rows
# ---------------------------------------------------------------------------


def _grid_with_nan():
    """Probability rows (pairs) and, in between, rows with a NaN at some position."""
    rng = np.random.default_rng(8)
    P, Q, nan_row = [], [], []
    for k in range(12):
        p, q = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
        if k % 3 == 1:
            (p if k % 2 else q)[k % 4] = np.nan
        P.append(p)
        Q.append(q)
        nan_row.append(bool(np.isnan(p).any() or np.isnan(q).any()))
    return np.array(P), np.array(Q), np.array(nan_row)


FAMILY = [("kl", None), ("tv", None), ("js", None), ("renyi", 0.0), ("renyi", 0.5),
          ("renyi", 0.999), ("renyi", 2.0), ("renyi", math.inf)]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name, alpha", FAMILY)
def test_check_gives_nan_for_nan_rows(path, name, alpha):
    P, Q, nan_row = _grid_with_nan()
    got = run(path, _call(name, alpha), P, Q, normalize="check")
    assert np.all(np.isnan(got[nan_row]))
    for i in np.flatnonzero(~nan_row):
        assert got[i] == pytest.approx(oracle(name, P[i], Q[i], alpha), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("path", PATHS)
def test_check_issue_example(path):
    got = run(path, fd.renyi, np.array([[0.5, 0.5], [0.5, np.nan]]),
              np.array([[0.25, 0.75], [0.5, 0.5]]), alpha=2.0)
    # D_2 = log sum p^2 / q = log(0.25/0.25 + 0.25/0.75) = log(4/3)
    assert got[0] == pytest.approx(math.log(4 / 3), rel=1e-14)
    assert np.isnan(got[1])


@pytest.mark.parametrize("path", PATHS)
def test_check_still_raises_for_a_valid_row_off_one(path):
    P = np.array([[0.5, 0.5], [0.5, 0.6]])
    Q = np.array([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="p does not sum to 1"):
        run(path, fd.renyi, P, Q, alpha=2.0)
    with pytest.raises(ValueError, match="p does not sum to 1"):  # omit: the rest must sum to 1
        run(path, fd.renyi, np.array([[0.5, np.nan]]), np.array([[0.5, 0.5]]), alpha=2.0,
            nan_policy="omit")


def _grid_with_negatives():
    """Rows with negative entries whose totals are 1 (or not), beside probability rows."""
    rng = np.random.default_rng(9)
    P, Q, neg = [], [], []
    for k in range(12):
        p, q = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
        if k % 3 == 0:
            p = np.array([1.5, -0.5, 0.0]) if k % 2 else np.array([0.7, 0.6, -0.3])
        if k % 4 == 1:
            q = np.array([-0.25, 0.75, 0.5])
        P.append(p)
        Q.append(q)
        neg.append(bool((p < 0).any() or (q < 0).any()))
    return np.array(P), np.array(Q), np.array(neg)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name, alpha", FAMILY)
@pytest.mark.parametrize("normalize", [False, "check", True])
def test_invalid_nan_rows_with_negative_entries_are_nan(path, name, alpha, normalize):
    P, Q, neg = _grid_with_negatives()
    got = run(path, _call(name, alpha), P, Q, invalid="nan", normalize=normalize)
    assert np.all(np.isnan(got[neg]))
    for i in np.flatnonzero(~neg):
        assert got[i] == pytest.approx(oracle(name, P[i], Q[i], alpha), rel=1e-12, abs=1e-15)
