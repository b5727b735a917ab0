r"""Inequalities between f-divergences, as functions of numbers.

Every function takes a number or an array of numbers (a divergence value in
nats, a total variation, a squared Hellinger distance) and returns the bound,
elementwise: a Python ``float`` for a scalar input, a NumPy array otherwise.

Conventions (the same as the discrete core, :mod:`fdivtheory.divergence`):

* ``TV(P, Q) = sup_A |P(A) - Q(A)| = (1/2) sum |p - q|``, in ``[0, 1]``;
* ``KL(P || Q)`` in nats;
* ``H^2(P, Q) = sum (sqrt p - sqrt q)^2 = 2 (1 - BC)``, in ``[0, 2]``, with
  ``BC = sum sqrt(p q)`` the Bhattacharyya coefficient;
* Pearson ``chi^2(P || Q) = sum (p - q)^2 / q``.

The exact lower boundary of the joint range of (TV, KL),
``L(v) = inf {KL(P || Q) : TV(P, Q) = v}``, is :func:`kl_lower_from_tv`; its
inverse, the best upper bound on TV given KL, is :func:`tv_upper_from_kl`.
Pinsker, Bretagnolle–Huber and Vajda are weaker closed-form relaxations of it.

Examples
--------
>>> from fdivtheory import inequalities as ineq
>>> round(ineq.pinsker_tv_upper(0.02), 6)
0.1
>>> b = ineq.tv_bounds_from_kl(0.02)
>>> b.joint_range <= b.pinsker
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from fdivtheory._special import log1p_minus_x as _log1p_minus_x
from fdivtheory._special import one_plus_x_log1p_minus_x as _one_plus_x_log1p_minus_x

__all__ = [
    "TVUpperBounds",
    "bretagnolle_huber_tv_upper",
    "chi2_kl_upper",
    "kl_lower_from_hellinger_sq",
    "kl_lower_from_tv",
    "kl_tv_extremal_pair",
    "le_cam_tv_bounds",
    "pinsker_kl_lower",
    "pinsker_tv_upper",
    "tv_bounds_from_kl",
    "tv_upper_from_kl",
    "vajda_kl_lower",
]

Number = float | np.ndarray




def _ret(x: np.ndarray) -> Number:
    """A Python float for a 0-d result, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


def _nonneg(x: ArrayLike, name: str, upper: float = math.inf) -> np.ndarray:
    """``x`` as a float array; ValueError naming ``name`` if outside ``[0, upper]`` (NaN passes)."""
    a = np.asarray(x, dtype=float)
    if np.any(a < 0) or np.any(a > upper):
        hi = "inf" if math.isinf(upper) else f"{upper:g}"
        raise ValueError(f"{name} must lie in [0, {hi}], got values in "
                         f"[{np.nanmin(a):g}, {np.nanmax(a):g}]")
    return a


# --------------------------------------------------------------------------- upper bounds on TV

def pinsker_tv_upper(kl: ArrayLike) -> Number:
    r"""Pinsker's inequality: ``TV(P, Q) <= sqrt(KL(P || Q) / 2)``.

    Tight to first order as ``KL -> 0`` (two-point distributions near
    ``(1/2, 1/2)``); exceeds the trivial bound 1 for ``KL > 2`` (not clipped
    here; :func:`tv_bounds_from_kl` clips).  KL in nats.

    Source: Pinsker (1964), with the sharp constant by Csiszár (1967) and
    Kullback (1967).  Tsybakov, *Introduction to Nonparametric Estimation*
    (2009), Lemma 2.5.

    >>> pinsker_tv_upper(0.5)
    0.5
    """
    k = _nonneg(kl, "kl")
    return _ret(np.sqrt(k / 2.0))


def bretagnolle_huber_tv_upper(kl: ArrayLike) -> Number:
    r"""Bretagnolle–Huber: ``TV(P, Q) <= sqrt(1 - exp(-KL(P || Q)))``.

    Always at most 1, so better than Pinsker for large KL (for ``KL > ~1.6``).

    Source: Bretagnolle & Huber (1979), "Estimation des densités: risque
    minimax", Z. Wahrsch. 47; Tsybakov (2009), Lemma 2.6 (in the weaker form
    ``1 - TV >= exp(-KL) / 2``); Canonne (2022), "A short note on an inequality
    between KL and TV", arXiv:2202.07198.

    >>> round(bretagnolle_huber_tv_upper(float("inf")), 3)
    1.0
    """
    k = _nonneg(kl, "kl")
    return _ret(np.sqrt(-np.expm1(-k)))


def le_cam_tv_bounds(hellinger_sq: ArrayLike) -> tuple[Number, Number]:
    r"""Le Cam's Hellinger–TV sandwich ``H^2/2 <= TV <= H sqrt(1 - H^2/4)``.

    With ``H^2 = sum (sqrt p - sqrt q)^2 = 2 (1 - BC)`` in ``[0, 2]`` this is
    ``1 - BC <= TV <= sqrt(1 - BC^2)``.  Returns ``(lower, upper)``.

    Source: Le Cam (1973); Tsybakov (2009), Lemma 2.3 (same ``[0, 2]``
    convention for ``H^2``).

    >>> le_cam_tv_bounds(0.5)
    (0.25, 0.6614378277661477)
    """
    h2 = _nonneg(hellinger_sq, "hellinger_sq", upper=2.0 + 1e-12)
    h2 = np.minimum(h2, 2.0)
    lower = h2 / 2.0
    upper = np.sqrt(h2 * (1.0 - h2 / 4.0))
    return _ret(lower), _ret(upper)


# --------------------------------------------------------------------------- lower bounds on KL

def pinsker_kl_lower(tv: ArrayLike) -> Number:
    r"""Pinsker's inequality read as a lower bound: ``KL(P || Q) >= 2 TV^2``.

    >>> pinsker_kl_lower(0.1)
    0.020000000000000004
    """
    v = _nonneg(tv, "tv", upper=1.0)
    return _ret(2.0 * v * v)


def vajda_kl_lower(tv: ArrayLike) -> Number:
    r"""Vajda's bound ``KL >= log((1 + V) / (1 - V)) - 2V / (1 + V)``, ``V = TV``.

    Unlike Pinsker it tends to ``+inf`` as ``TV -> 1``.  (Vajda states it with
    the L1 distance ``2V``.)

    Source: I. Vajda (1970), "Note on discrimination information and
    variation", IEEE Trans. Inf. Theory 16, 771–773.

    >>> round(vajda_kl_lower(0.5), 6)
    0.431946
    """
    v = _nonneg(tv, "tv", upper=1.0)
    # log((1+V)/(1-V)) = 2 atanh(V), so the bound is 2 V^2 / (1 + V) + 2 (atanh(V) - V):
    # two non-negative terms (the direct form cancels to 2 V^2 from terms of size 2 V)
    return _ret(2.0 * v * v / (1.0 + v) + 2.0 * _atanh_minus_x(v))


def _atanh_minus_x(v: np.ndarray) -> np.ndarray:
    """``atanh(v) - v = v^3/3 + v^5/5 + ...`` (>= 0 on [0, 1]), series for ``v < 1/4``."""
    v = np.asarray(v, dtype=float)
    small = v < 0.25
    vs = np.where(small, v, 0.0)
    v2 = vs * vs
    series = np.zeros_like(vs)
    for k in range(14, -1, -1):
        series = series * v2 + 1.0 / (2 * k + 3)
    with np.errstate(divide="ignore"):
        far = np.arctanh(np.where(small, 0.5, v)) - np.where(small, 0.5, v)
    return np.where(small, vs * v2 * series, far)


def kl_lower_from_hellinger_sq(hellinger_sq: ArrayLike) -> Number:
    r"""``KL(P || Q) >= -2 log(1 - H^2 / 2) = 2 * Bhattacharyya distance``.

    Rényi divergences are non-decreasing in the order, so
    ``KL = D_1 >= D_{1/2} = -2 log BC`` with ``BC = 1 - H^2 / 2``.

    Source: van Erven & Harremoës (2014), "Rényi divergence and
    Kullback–Leibler divergence", IEEE Trans. Inf. Theory 60, Theorem 3.

    >>> round(kl_lower_from_hellinger_sq(0.5), 6)
    0.575364
    """
    h2 = _nonneg(hellinger_sq, "hellinger_sq", upper=2.0 + 1e-12)
    with np.errstate(divide="ignore"):
        return _ret(-2.0 * np.log1p(-np.minimum(h2, 2.0) / 2.0))


def chi2_kl_upper(chi2: ArrayLike) -> Number:
    r"""``KL(P || Q) <= log(1 + chi^2(P || Q))`` (Pearson chi-square).

    By Jensen, ``KL = E_P log(p/q) <= log E_P (p/q) = log(1 + chi^2)``;
    equivalently ``D_1 <= D_2`` for Rényi divergences.

    Source: Gibbs & Su (2002), "On choosing and bounding probability metrics",
    Int. Stat. Review 70, Theorem 5.

    >>> round(chi2_kl_upper(1.0), 6)
    0.693147
    """
    c = _nonneg(chi2, "chi2")
    return _ret(np.log1p(c))


# --------------------------------------------------------------------------- exact joint range

def _ell(y: float, one_plus_y: float) -> float:
    """``log(1 + y) - y`` with ``1 + y`` supplied exactly (for ``y`` near -1)."""
    if abs(y) < 0.25:
        return float(_log1p_minus_x(y))
    if one_plus_y == 0.0:
        return -math.inf
    return math.log(one_plus_y) - y


def _h(y: float, one_plus_y: float) -> float:
    """``(1 + y) log(1 + y) - y`` with ``1 + y`` supplied exactly."""
    if abs(y) < 0.25:
        return float(_one_plus_x_log1p_minus_x(y))
    if one_plus_y == 0.0:
        return -y
    return one_plus_y * math.log(one_plus_y) - y


def _two_point(v: float, s: float) -> tuple[float, float, float, float, float, float]:
    """The pair P = (q + v, 1 - q - v), Q = (q, 1 - q) with q = (1 - v) s.

    Returns ``q, 1 - q, a, 1 + a, b, 1 + b`` with ``a = v / q`` and
    ``b = -v / (1 - q)`` (so ``p1 / q1 = 1 + a``, ``p2 / q2 = 1 + b``), every
    quantity computed without cancellation.
    """
    q = (1.0 - v) * s
    one_minus_q = v + (1.0 - v) * (1.0 - s)
    a = v / q
    b = -v / one_minus_q
    one_plus_b = (1.0 - v) * (1.0 - s) / one_minus_q
    return q, one_minus_q, a, 1.0 + a, b, one_plus_b


def _kl_two_point(v: float, s: float) -> float:
    q, one_minus_q, a, opa, b, opb = _two_point(v, s)
    return q * _h(a, opa) + one_minus_q * _h(b, opb)


def _optimal_s(v: float) -> float:
    """Minimiser over ``s`` in (0, 1] of the two-point KL at total variation ``v``.

    ``g(q) = KL((q + v, 1 - q - v) || (q, 1 - q))`` is convex in ``q`` with
    ``g'(q) = ell(v / q) - ell(-v / (1 - q))``, ``ell(y) = log(1 + y) - y``
    (the terms linear in ``v`` cancel exactly), so the minimiser is the root of
    ``g'`` found by Brent's method.  When ``g'`` is still negative at the upper
    end of the bracket (``v`` within ~1e-9 of 1: the optimal ``P`` has a second
    atom below the double range) the minimiser is the endpoint ``s = 1``.
    """
    def dg(s: float) -> float:
        _, _, a, opa, b, opb = _two_point(v, s)
        return _ell(a, opa) - _ell(b, opb)

    lo, hi = 1e-200, 1.0 - 2.0**-53
    if dg(hi) <= 0.0:
        return 1.0
    return brentq(dg, lo, hi, xtol=1e-300, rtol=8.9e-16, maxiter=500)


def _kl_lower_scalar(v: float) -> float:
    if math.isnan(v):
        return math.nan
    if v == 0.0:
        return 0.0
    if v >= 1.0:
        return math.inf
    s = _optimal_s(v)
    if s == 1.0:
        return -math.log1p(-v)
    return _kl_two_point(v, s)


def kl_lower_from_tv(tv: ArrayLike) -> Number:
    r"""Exact lower boundary of the (TV, KL) joint range: ``min {KL(P||Q) : TV(P,Q) = v}``.

    The minimum over all pairs of distributions (any support) is attained by
    two-point distributions, so

    .. math::  L(v) = \min_{0 < q \le 1 - v} \mathrm{kl}(q + v \,\|\, q),\qquad
               \mathrm{kl}(a\|b) = a\log\tfrac{a}{b} + (1-a)\log\tfrac{1-a}{1-b}.

    The objective is convex in ``q``; its derivative is
    ``ell(v/q) - ell(-v/(1-q))`` with ``ell(y) = log(1+y) - y`` (the terms of
    order ``v`` cancel exactly), whose root is found by Brent's method, and the
    value is summed from non-negative standardised terms
    ``q h(v/q) + (1-q) h(-v/(1-q))``, ``h(y) = (1+y) log(1+y) - y``, so that the
    result keeps full relative precision also for ``v -> 0`` (where
    ``L(v) = 2v^2 + 4v^4/9 + 32v^6/135 + ...``).  ``L(0) = 0``, ``L(1) = +inf``.
    It is the sharpest lower bound on KL in terms of TV alone: Pinsker
    (``2 v^2``) and Vajda are relaxations of it.

    Sources: Vajda (1970); Fedotov, Harremoës & Topsøe (2003), "Refinements of
    Pinsker's inequality", IEEE Trans. Inf. Theory 49, 1491–1498 (parametric
    form of the boundary); Reid & Williamson (2009), "Generalised Pinsker
    inequalities", COLT.

    >>> round(kl_lower_from_tv(0.5), 6)
    0.532298
    >>> kl_lower_from_tv(0.1) > pinsker_kl_lower(0.1)
    True
    """
    v = _nonneg(tv, "tv", upper=1.0)
    out = np.vectorize(_kl_lower_scalar, otypes=[float])(v)
    return _ret(out)


def kl_tv_extremal_pair(tv: float) -> tuple[np.ndarray, np.ndarray]:
    r"""The two-point pair ``(p, q)`` attaining :func:`kl_lower_from_tv` at ``tv``.

    ``p = (q1 + v, 1 - q1 - v)``, ``q = (q1, 1 - q1)``; ``TV(p, q) = v`` and
    ``KL(p || q) = L(v)`` (to rounding; for ``v`` within ~1e-9 of 1 the
    minimiser is the limit ``p = (1, 0)``, ``q = (1 - v, v)``).

    >>> p, q = kl_tv_extremal_pair(0.3)
    >>> round(float(0.5 * abs(p - q).sum()), 12)
    0.3
    """
    v = float(_nonneg(tv, "tv", upper=1.0))
    if v == 0.0:
        return np.array([0.5, 0.5]), np.array([0.5, 0.5])
    if v >= 1.0:
        return np.array([1.0, 0.0]), np.array([0.0, 1.0])
    s = _optimal_s(v)
    q, one_minus_q, *_ = _two_point(v, s)
    return (np.array([q + v, (1.0 - v) * (1.0 - s)]), np.array([q, one_minus_q]))


def _tv_upper_scalar(k: float) -> float:
    if math.isnan(k):
        return math.nan
    if k == 0.0:
        return 0.0
    if math.isinf(k):
        return 1.0
    # L(v) >= max(2 v^2, -log(1 - v^2)) (Pinsker, Bretagnolle–Huber): bracket
    hi = min(math.sqrt(k / 2.0), math.sqrt(-math.expm1(-k)), math.nextafter(1.0, 0.0))
    if _kl_lower_scalar(hi) < k:
        # the bracket's end is (to rounding) the answer; for k > ~36.7, L^{-1}(k) lies above
        # the largest double below 1 and the only valid bound is 1.0
        v = hi
    else:
        v = brentq(lambda v: _kl_lower_scalar(v) - k, 0.0, hi, xtol=1e-300, rtol=8.9e-16,
                   maxiter=500)
    # an upper bound: round up, to the smallest double with L(v) >= k
    while v < 1.0 and _kl_lower_scalar(v) < k:
        v = math.nextafter(v, 2.0)
    return v


def tv_upper_from_kl(kl: ArrayLike) -> Number:
    r"""Sharpest upper bound on TV given KL: ``sup {TV(P,Q) : KL(P||Q) <= k}``.

    The inverse of the increasing function :func:`kl_lower_from_tv`, found by
    Brent's method inside the bracket ``[0, min(sqrt(k/2), sqrt(1 - e^{-k}))]``
    given by Pinsker and Bretagnolle–Huber, which it improves on for every
    ``k > 0``.  ``k = +inf`` gives 1.

    Source: as :func:`kl_lower_from_tv`.

    >>> tv_upper_from_kl(0.1) < min(pinsker_tv_upper(0.1), bretagnolle_huber_tv_upper(0.1))
    True
    """
    k = _nonneg(kl, "kl")
    out = np.vectorize(_tv_upper_scalar, otypes=[float])(k)
    return _ret(out)


@dataclass(frozen=True)
class TVUpperBounds:
    """Upper bounds on ``TV(P, Q)`` implied by ``KL(P || Q)`` alone (all clipped at 1).

    Attributes
    ----------
    kl : float or ndarray
        The KL value the bounds are computed from (nats).
    pinsker : upper bound ``min(1, sqrt(KL / 2))``.
    bretagnolle_huber : upper bound ``sqrt(1 - exp(-KL))``.
    joint_range : upper bound ``L^{-1}(KL)`` (:func:`tv_upper_from_kl`), the
        sharpest possible: attained by a two-point pair.
    upper : the best (smallest) of the three, i.e. ``joint_range``.
    """

    kl: Number
    pinsker: Number
    bretagnolle_huber: Number
    joint_range: Number
    upper: Number

    def __str__(self) -> str:
        return (f"TV upper bounds from KL = {self.kl}: Pinsker <= {self.pinsker}, "
                f"Bretagnolle-Huber <= {self.bretagnolle_huber}, "
                f"joint range (exact) <= {self.joint_range}")


def tv_bounds_from_kl(kl: ArrayLike) -> TVUpperBounds:
    r"""Upper bounds on TV from a KL value: Pinsker, Bretagnolle–Huber, exact joint range.

    KL alone gives no non-trivial lower bound on TV (TV can be arbitrarily
    small with KL infinite).  See :class:`TVUpperBounds`.

    >>> b = tv_bounds_from_kl(3.0)
    >>> b.pinsker, round(b.bretagnolle_huber, 4)
    (1.0, 0.9748)
    """
    k = _nonneg(kl, "kl")
    pinsker = np.minimum(1.0, np.sqrt(k / 2.0))
    bh = np.sqrt(-np.expm1(-k))
    exact = np.asarray(tv_upper_from_kl(k))
    upper = np.minimum(np.minimum(pinsker, bh), exact)
    return TVUpperBounds(_ret(k), _ret(pinsker), _ret(bh), _ret(exact), _ret(upper))
