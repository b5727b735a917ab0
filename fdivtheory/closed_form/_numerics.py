"""Numerical helpers shared by the closed-form families.

Argument checks are those of :mod:`fdivtheory._arguments`; here is only
:func:`frozen_array`, the read-only copy a frozen parameter dataclass stores.

The array forms of the cancellation-free kernels (``y - log1p(y)``,
``(1+y) log1p(y) - y``) live in :mod:`fdivtheory._special`; here are scalar
forms taking ``log(1 + u)`` from the caller (for ratios that under/overflow),
the Bregman remainder of ``log Gamma`` (:func:`lgamma_bregman`), exact
differences of products and differences of the normal CDF at close points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from fdivtheory._arguments import finite_array
from fdivtheory._special import one_plus_x_log1p_minus_x as _one_plus_x_log1p_minus_x
from fdivtheory._special import x_minus_log1p as _x_minus_log1p

__all__ = [
    "diff_of_products",
    "expm1_minus_x",
    "frozen_array",
    "h",
    "lgamma_bregman",
    "ndtr_diff",
    "phi",
    "phi_array",
    "stirling_tail",
    "two_product",
    "interval_prob",
    "one_plus_x_log1p_minus_x",
    "tv_from_crossings",
    "x_minus_log1p",
]


def x_minus_log1p(y: float) -> float:
    """``y - log(1 + y)`` (>= 0), accurate near 0."""
    return float(_x_minus_log1p(y))


def one_plus_x_log1p_minus_x(y: float) -> float:
    """``(1 + y) log(1 + y) - y`` (>= 0), accurate near 0."""
    return float(_one_plus_x_log1p_minus_x(y))


def frozen_array(x: ArrayLike, name: str, *, ndim: int | None = None) -> np.ndarray:
    """A read-only float64 copy of ``x``, checked by :func:`fdivtheory._arguments.finite_array`.

    >>> frozen_array([1, 2], "mean").flags.writeable
    False
    """
    a = finite_array(x, name, ndim=ndim).copy()
    a.flags.writeable = False
    return a


def interval_prob(cdf: Callable[[float], float], sf: Callable[[float], float],
                  a: float, b: float) -> float:
    """``P((a, b])`` from a CDF and a survival function, avoiding ``1 - 1`` cancellation.

    Both ends in the lower half: ``F(b) - F(a)``; both in the upper half:
    ``S(a) - S(b)``; straddling the median: ``1 - F(a) - S(b)``.
    """
    fa = 0.0 if a == -math.inf else cdf(a)
    fb = 1.0 if b == math.inf else cdf(b)
    if fb <= 0.5:
        return fb - fa
    sa = 1.0 if a == -math.inf else sf(a)
    sb = 0.0 if b == math.inf else sf(b)
    if fa >= 0.5:
        return sa - sb
    return 1.0 - fa - sb


def tv_from_crossings(points: Sequence[float], logratio: Callable[[float], float],
                      p_cdf: Callable[[float], float], p_sf: Callable[[float], float],
                      q_cdf: Callable[[float], float], q_sf: Callable[[float], float],
                      lo: float = -math.inf, hi: float = math.inf) -> float:
    """``TV = sum over {p > q} of (P - Q)`` for 1-D laws whose densities cross at ``points``.

    ``points`` are the crossing points of the densities inside ``(lo, hi)``
    (the support); between consecutive points the sign of
    ``logratio = log p - log q`` is constant and is read at an interior point.
    """
    edges = [lo, *sorted(x for x in points if lo < x < hi), hi]
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if math.isinf(a) and math.isinf(b):
            t = 0.0
        elif math.isinf(a):
            t = b - max(1.0, abs(b))
        elif math.isinf(b):
            t = a + max(1.0, abs(a))
        else:
            t = 0.5 * (a + b)
        if logratio(t) > 0.0:
            total += interval_prob(p_cdf, p_sf, a, b) - interval_prob(q_cdf, q_sf, a, b)
    return max(0.0, min(1.0, total))


# --------------------------------------------------------------------------- scalar kernels
# Pure-``math`` scalar forms (the closed forms evaluate a handful of terms, so a
# call into the array-API helpers would cost more than the arithmetic).

def _log1p_minus_x_small(y: float) -> float:
    """``log(1 + y) - y`` for ``|y| < 1/4`` by the atanh series (see ``fdivtheory._special``)."""
    s = y / (2.0 + y)
    s2 = s * s
    series = 0.0
    for k in range(12, -1, -1):
        series = series * s2 + 1.0 / (2 * k + 3)
    return -y * y / (2.0 + y) + 2.0 * s * s2 * series


def phi(u: float, log_r: float | None = None) -> float:
    """``phi(u) = u - log(1 + u) >= 0`` for ``u = r - 1 > -1``, accurate everywhere.

    Near ``u = 0`` a series; elsewhere ``u - log r`` with ``log r`` supplied by
    the caller when ``r = 1 + u`` is tiny or huge (``1 + u`` would round, e.g.
    ``u = -1 + 1e-17``), else ``log1p(u)``.

    >>> phi(1e-10)                         # u^2 / 2 - u^3 / 3
    4.999999999666667e-21
    >>> round(phi(-1.0, math.log(1e-17)), 12)  # r = 1e-17: -1 - log(1e-17)
    38.143946580899
    """
    if abs(u) < 0.25:
        return -_log1p_minus_x_small(u)
    if log_r is None:
        log_r = math.log1p(u)
    return u - log_r


def h(u: float, r: float | None = None, log_r: float | None = None) -> float:
    """``h(u) = (1 + u) log(1 + u) - u >= 0`` (``r = 1 + u`` and ``log r`` optional, as in :func:`phi`).

    >>> h(1e-10)
    4.999999999833333e-21
    """
    if abs(u) < 0.25:
        return u * u + (1.0 + u) * _log1p_minus_x_small(u)
    if r is None:
        r = 1.0 + u
    if r == 0.0:
        return -u
    if log_r is None:
        log_r = math.log(r)
    return r * log_r - u


def expm1_minus_x(u: float) -> float:
    """``e^u - 1 - u >= 0``, by its Taylor series for ``|u| < 1/2``.

    >>> expm1_minus_x(1e-10)
    5.000000000166667e-21
    """
    if abs(u) >= 0.5:
        return math.expm1(u) - u
    term, total = u * u / 2.0, 0.0
    k = 2
    while True:
        total += term
        k += 1
        term *= u / k
        if abs(term) <= 1e-17 * abs(total):
            return total + term


def phi_array(u: np.ndarray, log_r: np.ndarray) -> np.ndarray:
    """Elementwise :func:`phi` for arrays (``log_r = log(1 + u)`` supplied)."""
    u = np.asarray(u, dtype=float)
    small = np.abs(u) < 0.25
    out = np.asarray(u - log_r, dtype=float).copy()
    if np.any(small):
        out[small] = np.asarray(_x_minus_log1p(u[small]), dtype=float)
    return out


# --------------------------------------------------------------------------- lgamma differences

#: ``B_{2k} / (2k (2k - 1))``, the Stirling coefficients of ``log Gamma``.
_STIRLING = (1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0, 1.0 / 1188.0,
             -691.0 / 360360.0, 1.0 / 156.0, -3617.0 / 122400.0, 43867.0 / 244188.0,
             -174611.0 / 125400.0)
#: Below this the argument is shifted up by the recurrence before Stirling's series.
_STIRLING_MIN = 12.0


def _power_bregman(m: int, t: float, log_r: float) -> float:
    """``(1 + t)^{-m} - 1 + m t >= 0`` (``log_r = log(1 + t)``) without cancellation."""
    return expm1_minus_x(-m * log_r) + m * phi(t, log_r)


def lgamma_bregman(a: float, b: float, d: float | None = None) -> float:
    r"""The Bregman divergence of ``log Gamma``: ``lgamma(b) - lgamma(a) - (b - a) psi(a) >= 0``.

    This is ``KL(Gamma(a, 1) || Gamma(b, 1))``.  ``d = b - a`` may be passed
    when it is known more accurately than the rounded difference.  Computed
    without subtracting values of ``lgamma``: the recurrence
    ``lgamma(x) = lgamma(x + 1) - log x`` gives
    ``breg(a, b) = phi(d / a) + breg(a + 1, b + 1)`` (``phi(u) = u - log(1+u)``),
    applied until both arguments exceed 12; there Stirling's series gives
    ``breg = a h(t) + phi(t) / 2 + sum_k c_k a^{1-2k} [(1+t)^{1-2k} - 1 + (2k-1) t]``
    with ``t = d / a``, ``h(t) = (1+t) log(1+t) - t``: every term is a
    non-negative Bregman remainder except the tiny alternating corrections
    (relative size ``< a^{-2} / 12``), so the result has full relative precision
    for every ``a, b > 0`` (including ``a ~ 1e6``, ``d ~ 1``, where the direct
    difference loses 7 digits).

    >>> round(lgamma_bregman(1e6, 1e6 + 1.0) * 1e7, 13)  # mpmath: 5.000000833333333333e-07
    5.0000008333333
    """
    if d is None:
        d = b - a
    if d == 0.0:
        return 0.0
    total = 0.0
    n = 0
    while min(a, b) + n < _STIRLING_MIN:
        an = a + n
        u = d / an
        total += phi(u, None if abs(u) < 0.25 else math.log((b + n) / an))
        n += 1
    A = a + n
    t = d / A
    log_r = math.log1p(t) if abs(t) < 0.25 else math.log((b + n) / A)
    r = 1.0 + t if abs(t) < 0.25 else (b + n) / A
    return total + A * h(t, r, log_r) + stirling_tail(A, t, log_r)


def stirling_tail(a: float, t: float, log_r: float) -> float:
    """``lgamma_bregman(a, a (1 + t)) - a h(t)`` for ``a, a (1 + t) >= 12`` (``log_r = log(1+t)``).

    ``phi(t) / 2 + sum_k c_k a^{1-2k} [(1+t)^{1-2k} - 1 + (2k-1) t]`` (Stirling).
    """
    head = 0.5 * phi(t, log_r)
    corr = 0.0
    inv_a2 = 1.0 / (a * a)
    scale = 1.0 / a
    for k, c in enumerate(_STIRLING, start=1):
        term = c * scale * _power_bregman(2 * k - 1, t, log_r)
        corr += term
        scale *= inv_a2
        if abs(term) <= 1e-18 * (head + abs(corr)):
            break
    return head + corr


# --------------------------------------------------------------------------- exact products

def _split(x: float) -> tuple[float, float]:
    c = 134217729.0 * x  # 2^27 + 1 (Dekker)
    hi = c - (c - x)
    return hi, x - hi


def two_product(a: float, b: float) -> tuple[float, float]:
    """``(p, e)`` with ``p = fl(a b)`` and ``a b = p + e`` exactly (Dekker, no FMA needed)."""
    p = a * b
    if not math.isfinite(p) or abs(a) > 1e150 or abs(b) > 1e150:
        return p, 0.0
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def diff_of_products(a: float, b: float, c: float, d: float) -> float:
    """``a b - c d`` to a few ulps even when the two products nearly cancel.

    >>> diff_of_products(1e8 + 1.0, 1e8 - 1.0, 1e8, 1e8)   # exactly -1
    -1.0
    """
    p1, e1 = two_product(a, b)
    p2, e2 = two_product(c, d)
    return (p1 - p2) + (e1 - e2)


# --------------------------------------------------------------------------- normal CDF differences

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(12)


def ndtr_diff(a: float, b: float, b_minus_a: float | None = None) -> float:
    """``Phi(b) - Phi(a)`` (signed) without cancellation when ``a`` and ``b`` are close.

    Short intervals (``|m h| <= 1``, ``h <= 1``; ``m`` the midpoint, ``h`` the
    half-width) by ``2 h phi(m) K``, ``K = (1/2) int_{-1}^{1} exp(-m h s - h^2 s^2 / 2) ds``
    (12-point Gauss–Legendre: the integrand is entire and varies by at most
    ``e^{1.5}``); otherwise from whichever tail keeps the two values apart.
    ``b_minus_a`` may be passed when known more accurately than ``b - a``.

    >>> ndtr_diff(0.0, 1e-12)   # phi(0) * 1e-12
    3.989422804014327e-13
    """
    from scipy.special import ndtr
    if b_minus_a is None:
        b_minus_a = b - a
    if b_minus_a == 0.0:
        return 0.0
    m, hw = 0.5 * (a + b), 0.5 * b_minus_a
    if abs(m * hw) <= 1.0 and abs(hw) <= 1.0:
        s = _GL_NODES
        k = 0.5 * float(np.dot(_GL_WEIGHTS, np.exp(-m * hw * s - 0.5 * hw * hw * s * s)))
        return 2.0 * hw * math.exp(-0.5 * m * m) / math.sqrt(2.0 * math.pi) * k
    if m > 0:
        return float(ndtr(-a)) - float(ndtr(-b))
    return float(ndtr(b)) - float(ndtr(a))
