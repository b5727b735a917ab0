"""Validation and numerical helpers shared by the closed-form families.

The cancellation-free kernels (``y - log1p(y)``, ``(1+y) log1p(y) - y``) live
in :mod:`fdivtheory.inequalities`, which needs them too and must not import
this package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from fdivtheory._special import one_plus_x_log1p_minus_x as _one_plus_x_log1p_minus_x
from fdivtheory._special import x_minus_log1p as _x_minus_log1p

__all__ = [
    "frozen_array",
    "interval_prob",
    "one_plus_x_log1p_minus_x",
    "positive_scalar",
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
    """``x`` as a read-only float array with finite entries (ValueError naming ``name``)."""
    try:
        a = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers, got {x!r}") from None
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {x!r}")
    a.flags.writeable = False
    return a


def positive_scalar(x: object, name: str) -> float:
    """``x`` as a finite float > 0 (ValueError naming ``name``)."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive real number, got {x!r}") from None
    if not (v > 0.0 and math.isfinite(v)):
        raise ValueError(f"{name} must be positive and finite, got {x!r}")
    return v


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
