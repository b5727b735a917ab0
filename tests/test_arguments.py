"""Accept / reject cases of every check in :mod:`fdivtheory._arguments`."""

from __future__ import annotations

import decimal
import fractions
import math
import re

import numpy as np
import pytest

import fdivtheory._validation as core_validation
from fdivtheory import _arguments as A
from fdivtheory._arguments import ArgumentTypeError

WRONG_KIND = [True, np.bool_(False), "3", b"3", 1j, np.complex128(1.0), None, object(),
              [1.0], np.array([1.0])]


def test_argument_type_error_is_both_type_and_value_error():
    assert issubclass(ArgumentTypeError, TypeError)
    assert issubclass(ArgumentTypeError, ValueError)


def test_sum_tolerance_is_the_core_one():
    assert A.SUM_TOL == core_validation.SUM_TOL == 1e-9


# --------------------------------------------------------------------------- real / finite

@pytest.mark.parametrize("value, expected", [
    (3, 3.0), (-2.5, -2.5), (np.float32(0.5), 0.5), (np.int64(-7), -7.0),
    (np.array(4.0), 4.0), (np.array(2), 2.0), (fractions.Fraction(1, 4), 0.25),
    (decimal.Decimal("1.5"), 1.5), (math.inf, math.inf), (-math.inf, -math.inf),
    (10**400, math.inf), (-(10**400), -math.inf),
])
def test_real_accepts_real_numbers(value, expected):
    v = A.real(value, "x")
    assert type(v) is float and v == expected


@pytest.mark.parametrize("value", WRONG_KIND)
def test_real_refuses_wrong_kinds_naming_the_argument(value):
    with pytest.raises(ArgumentTypeError, match=r"^x must be a real number, got "):
        A.real(value, "x")


def test_real_refuses_nan_and_optionally_inf():
    with pytest.raises(ValueError, match=r"^x must not be NaN, got nan$") as info:
        A.real(math.nan, "x")
    assert not isinstance(info.value, TypeError)
    with pytest.raises(ValueError, match=r"^x must be finite, got inf$"):
        A.real(math.inf, "x", allow_inf=False)


def test_finite():
    assert A.finite(-1e308, "loc") == -1e308
    for bad in (math.inf, -math.inf, np.float64(np.inf)):
        with pytest.raises(ValueError, match=r"^loc must be finite, got "):
            A.finite(bad, "loc")
    with pytest.raises(ValueError, match="^loc must not be NaN"):
        A.finite(math.nan, "loc")
    with pytest.raises(TypeError, match="^loc must be a real number"):
        A.finite("0", "loc")


# --------------------------------------------------------------------------- positive / nonnegative

def test_positive():
    assert A.positive(5e-324, "lam") == 5e-324
    assert A.positive(np.int8(2), "lam") == 2.0
    assert A.positive(math.inf, "lam", allow_inf=True) == math.inf
    for bad in (0, 0.0, -0.0, -1.0, -math.inf, math.nan):
        with pytest.raises(ValueError, match=r"^lam must be > 0, got ") as info:
            A.positive(bad, "lam")
        assert not isinstance(info.value, TypeError)
    assert str(pytest.raises(ValueError, A.positive, -1.0, "lam").value) == \
        "lam must be > 0, got -1.0"
    with pytest.raises(ValueError, match=r"^lam must be finite, got inf$"):
        A.positive(math.inf, "lam")
    for bad in WRONG_KIND:
        with pytest.raises(ArgumentTypeError, match="^lam must be a real number"):
            A.positive(bad, "lam")


def test_nonnegative():
    assert A.nonnegative(0, "rho") == 0.0
    assert A.nonnegative(-0.0, "rho") == 0.0
    assert A.nonnegative(math.inf, "delta", allow_inf=True) == math.inf
    for bad in (-5e-324, -1, -math.inf, math.nan):
        with pytest.raises(ValueError, match=r"^rho must be >= 0, got "):
            A.nonnegative(bad, "rho")
    with pytest.raises(ValueError, match=r"^rho must be finite, got inf$"):
        A.nonnegative(math.inf, "rho")
    for bad in WRONG_KIND:
        with pytest.raises(ArgumentTypeError, match="^rho must be a real number"):
            A.nonnegative(bad, "rho")


# --------------------------------------------------------------------------- positive_int

@pytest.mark.parametrize("value", [1, 7, np.int64(5), np.uint8(3), np.array(4), 10**30])
def test_positive_int_accepts_integers_exactly(value):
    v = A.positive_int(value, "n")
    assert type(v) is int and v == int(value)


@pytest.mark.parametrize("value", [True, np.bool_(True), "3", b"3", 3.0, 2.5, np.float64(2.0),
                                   None, [3], np.array([3]), math.nan])
def test_positive_int_refuses_non_integers(value):
    with pytest.raises(ArgumentTypeError, match="^n must be an integer, got "):
        A.positive_int(value, "n")


def test_positive_int_minimum():
    with pytest.raises(ValueError, match=r"^n must be >= 1, got 0$"):
        A.positive_int(0, "n")
    with pytest.raises(ValueError, match=r"^n must be >= 1, got -3$"):
        A.positive_int(-3, "n")
    assert A.positive_int(0, "seed", minimum=0) == 0
    with pytest.raises(ValueError, match=r"^replications must be >= 2, got 1$"):
        A.positive_int(1, "replications", minimum=2)


def test_positive_int_integral_floats_on_request():
    v = A.positive_int(3.0, "k", allow_integral_float=True)
    assert type(v) is int and v == 3
    assert A.positive_int(np.float64(1e15), "k", allow_integral_float=True) == 10**15
    assert A.positive_int(np.array(2.0), "k", allow_integral_float=True) == 2
    for bad in (2.5, math.inf, math.nan, True, "2"):
        with pytest.raises(ArgumentTypeError, match="^k must be an integer"):
            A.positive_int(bad, "k", allow_integral_float=True)
    with pytest.raises(ValueError, match=r"^k must be >= 1, got -1.0$"):
        A.positive_int(-1.0, "k", allow_integral_float=True)


# --------------------------------------------------------------------------- intervals

@pytest.mark.parametrize("closed, low_ok, high_ok, shown", [
    ("both", True, True, "[0, 0.5]"), ("neither", False, False, "(0, 0.5)"),
    ("left", True, False, "[0, 0.5)"), ("right", False, True, "(0, 0.5]"),
])
def test_in_interval_ends(closed, low_ok, high_ok, shown):
    assert A.in_interval(0.25, "eps", 0.0, 0.5, closed=closed) == 0.25
    for end, ok in ((0.0, low_ok), (0.5, high_ok)):
        if ok:
            assert A.in_interval(end, "eps", 0.0, 0.5, closed=closed) == end
        else:
            with pytest.raises(ValueError, match=f"^{re.escape(f'eps must lie in {shown}, got {end}')}$"):
                A.in_interval(end, "eps", 0.0, 0.5, closed=closed)
    for bad in (-1e-12, 0.5 + 1e-12, math.nan, math.inf):
        with pytest.raises(ValueError, match="^eps must lie in "):
            A.in_interval(bad, "eps", 0.0, 0.5, closed=closed)


def test_in_interval_reason_and_bad_options():
    with pytest.raises(ValueError, match=r"got 0\.7 \(the Bayes error is at most 1/2\)$"):
        A.in_interval(0.7, "eps", 0.0, 0.5, reason="the Bayes error is at most 1/2")
    with pytest.raises(ValueError, match="^closed must be one of"):
        A.in_interval(0.1, "eps", 0.0, 0.5, closed="open")
    with pytest.raises(ArgumentTypeError, match="^eps must be a real number"):
        A.in_interval("0.1", "eps", 0.0, 0.5)


@pytest.mark.parametrize("interval, zero_ok, one_ok", [
    ("[0, 1]", True, True), ("(0, 1)", False, False), ("[0, 1)", True, False),
    ("(0, 1]", False, True),
])
def test_probability(interval, zero_ok, one_ok):
    assert A.probability(0.3, "q", interval=interval) == 0.3
    for end, ok in ((0.0, zero_ok), (1.0, one_ok)):
        if ok:
            assert A.probability(end, "q", interval=interval) == end
        else:
            with pytest.raises(ValueError, match=f"^{re.escape(f'q must lie in {interval}, got {end}')}$"):
                A.probability(end, "q", interval=interval)
    for bad in (-0.1, 1.1, math.nan):
        with pytest.raises(ValueError, match="^q must lie in"):
            A.probability(bad, "q", interval=interval)
    with pytest.raises(ArgumentTypeError):
        A.probability(True, "q", interval=interval)


def test_probability_default_and_unknown_interval():
    with pytest.raises(ValueError, match=r"^q must lie in \[0, 1\], got 1.5$"):
        A.probability(1.5, "q")
    with pytest.raises(ValueError, match="^interval must be one of"):
        A.probability(0.5, "q", interval="0..1")


# --------------------------------------------------------------------------- choice

def test_choice():
    assert A.choice("kl", "divergence", ("tv", "kl")) == "kl"
    aliases = {"chi2": "chi2", "chi-squared": "chi2", "tv": "tv"}
    assert A.choice("chi-squared", "divergence", aliases) == "chi2"
    assert A.choice("TV", "divergence", aliases, case_sensitive=False) == "tv"
    with pytest.raises(ValueError, match=r"^divergence must be one of 'chi2', 'tv', got 'TV'$"):
        A.choice("TV", "divergence", aliases)
    for bad in ("js", None, ["kl"], 1):
        with pytest.raises(ValueError, match="^divergence must be one of 'tv', 'kl', got "):
            A.choice(bad, "divergence", ("tv", "kl"))


# --------------------------------------------------------------------------- arrays

def test_finite_array_accepts_and_converts():
    for x in ([1, 2], (1.0, 2.0), np.array([1, 2], dtype=np.int32), np.array([True, False]),
              np.array([fractions.Fraction(1), fractions.Fraction(2)], dtype=object)):
        out = A.finite_array(x, "x")
        assert out.dtype == np.float64 and out.shape == (2,)
    assert A.finite_array([], "x").shape == (0,)
    assert A.finite_array(3.0, "x").shape == ()
    assert A.finite_array(np.zeros((2, 3)), "x", ndim=(1, 2)).shape == (2, 3)


def test_finite_array_accepts_array_api_arrays():
    xp = pytest.importorskip("array_api_strict")
    out = A.finite_array(xp.asarray([0.5, 1.5]), "x")
    assert isinstance(out, np.ndarray) and out.tolist() == [0.5, 1.5]


@pytest.mark.parametrize("x", ["abc", b"ab", ["1.0", "2.0"], [1j, 2.0], [[1.0], [1.0, 2.0]],
                               np.array(["a"]), [object()]])
def test_finite_array_refuses_wrong_kinds(x):
    with pytest.raises(ArgumentTypeError, match="^x must "):
        A.finite_array(x, "x")


def test_finite_array_rules():
    with pytest.raises(ValueError, match=r"^data must be finite, got 2 NaN and 1 infinite entries$"):
        A.finite_array([[np.nan, 1.0], [np.inf, np.nan]], "data")
    with pytest.raises(ValueError, match=r"^data must be 2-D, got shape \(3,\)$"):
        A.finite_array([1, 2, 3], "data", ndim=2)
    with pytest.raises(ValueError, match=r"^data must be 1-D or 2-D, got shape \(1, 1, 1\)$"):
        A.finite_array([[[1.0]]], "data", ndim=(1, 2))
    with pytest.raises(ValueError, match=r"^data must not be empty, got shape \(0, 2\)$"):
        A.finite_array(np.zeros((0, 2)), "data", nonempty=True)


def test_check_shape():
    a = np.zeros((2, 3))
    assert A.check_shape(a, "f", (2, 3)) is a
    assert A.check_shape(a, "f", (None, 3)) is a
    with pytest.raises(ValueError, match=r"^f must have shape \(2, \?\), got shape \(3, 3\)$"):
        A.check_shape(np.zeros((3, 3)), "f", (2, None))
    with pytest.raises(ValueError, match=r"^f must have shape \(2,\), got shape \(2, 3\)$"):
        A.check_shape(a, "f", (2,))
    with pytest.raises(ValueError, match=r"got shape \(4,\) \(one per outcome\)$"):
        A.check_shape(np.zeros(4), "r", (3,), reason="one per outcome")


def test_distributions_rows_and_axis():
    rows = A.distributions([[0.25, 0.75], [1.0, 0.0]], "rows")
    assert np.array_equal(rows, [[0.25, 0.75], [1.0, 0.0]])
    cols = A.distributions([[0.25, 1.0], [0.75, 0.0]], "cols", axis=0)
    assert np.array_equal(cols, [[0.25, 1.0], [0.75, 0.0]])
    with pytest.raises(ValueError, match="^cols must sum to 1 along axis -1 within 1e-09"):
        A.distributions([[0.25, 1.0], [0.75, 0.0]], "cols")
    with pytest.raises(ValueError, match=r"^x must be 2-D"):
        A.distributions([0.5, 0.5], "x", ndim=2)


def test_distributions_tolerance_boundary_and_renormalisation():
    tol = A.SUM_TOL
    near = np.array([0.5, 0.5 + 0.5 * tol])
    out = A.distributions(near, "p")
    assert out is not near and abs(out.sum() - 1.0) <= 2.2e-16
    kept = A.distributions(near, "p", renormalize=False)
    assert np.array_equal(kept, near)
    with pytest.raises(ValueError, match=r"^p must sum to 1 within 1e-09, got sum 1\.000000002"):
        A.distributions([0.5, 0.5 + 2 * tol], "p")
    with pytest.raises(ValueError, match="^p must sum to 1 within"):
        A.distributions([0.5, 0.5 - 2 * tol], "p")


def test_distributions_rules():
    with pytest.raises(ValueError, match=r"^p must have entries >= 0, got -0\.1$"):
        A.distributions([1.1, -0.1], "p")
    with pytest.raises(ValueError, match="^p must not be empty"):
        A.distributions([], "p")
    with pytest.raises(ValueError, match="^p must have at least one axis"):
        A.distributions(1.0, "p")
    with pytest.raises(ValueError, match="^p must be finite"):
        A.distributions([0.5, np.nan], "p")
    with pytest.raises(ArgumentTypeError, match="^p must"):
        A.distributions(["0.5", "0.5"], "p")


def test_probability_vector():
    assert np.array_equal(A.probability_vector([0.2, 0.8]), [0.2, 0.8])
    assert np.array_equal(A.probability_vector([0.2, 0.8], size=2), [0.2, 0.8])
    with pytest.raises(ValueError, match=r"^p_x must have shape \(3,\), got shape \(2,\)$"):
        A.probability_vector([0.2, 0.8], "p_x", size=3)
    with pytest.raises(ValueError, match=r"^p must be 1-D, got shape \(1, 2\)$"):
        A.probability_vector([[0.2, 0.8]])
    with pytest.raises(ValueError, match=r"^p must sum to 1 within 1e-09, got sum 1\.1"):
        A.probability_vector([0.5, 0.6])


def test_channel():
    K = A.channel([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    assert K.shape == (3, 2) and np.allclose(K.sum(axis=1), 1.0, rtol=0, atol=2.2e-16)
    stack = A.channel(np.full((4, 2, 3), 1 / 3), batch=True)
    assert stack.shape == (4, 2, 3)
    with pytest.raises(ValueError, match=r"^K must be 2-D \(rows are inputs\), got shape"):
        A.channel(np.full((4, 2, 3), 1 / 3))
    with pytest.raises(ValueError, match=r"^W must be at least 2-D"):
        A.channel([0.5, 0.5], "W", batch=True)
    with pytest.raises(ValueError, match="^K must have at least one input and one output"):
        A.channel(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="^K must sum to 1 along axis -1 within 1e-09"):
        A.channel([[0.9, 0.1], [0.2, 0.9]])
    with pytest.raises(ValueError, match="^K must have entries >= 0"):
        A.channel([[1.1, -0.1], [0.5, 0.5]])
    with pytest.raises(ValueError, match="^K must be finite"):
        A.channel([[np.nan, 1.0]])
