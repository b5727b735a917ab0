"""Cancellation-free elementary functions shared by the core, closed forms and bounds.

Each is written with array-API operations (every branch computed, then
selected), so the same code serves NumPy, CuPy and array-api-strict.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fdivtheory._backend import namespace

__all__ = ["log1p_minus_x", "one_plus_x_log1p_minus_x", "x_minus_log1p"]


def _as(y: Any, xp: Any) -> tuple[Any, Any]:
    if xp is None:
        xp = namespace(y)
    if not hasattr(y, "dtype"):
        y = xp.asarray(y, dtype=xp.float64)
    return y, xp


def log1p_minus_x(y: Any, xp: Any = None) -> Any:
    """``log(1 + y) - y`` (<= 0) to full relative precision, also for small ``|y|``.

    With ``s = y/(2 + y)``, ``log1p(y) = 2 atanh(s)``, so
    ``log1p(y) - y = -y^2/(2 + y) + 2 (atanh(s) - s)`` and
    ``atanh(s) - s = s^3/3 + s^5/5 + ...`` is summed for ``|y| < 1/4``
    (``s^2 < 0.021``, 13 terms reach double precision); ``-inf`` at ``y = -1``.

    >>> float(log1p_minus_x(1e-10))   # mpmath: -4.99999999966666703e-21
    -4.999999999666667e-21
    """
    y, xp = _as(y, xp)
    small = xp.abs(y) < 0.25
    zero = xp.zeros_like(y)
    ys = xp.where(small, y, zero)
    s = ys / (2.0 + ys)
    s2 = s * s
    series = zero
    for k in range(12, -1, -1):
        series = series * s2 + 1.0 / (2 * k + 3)
    near = -ys * ys / (2.0 + ys) + 2.0 * s * s2 * series
    yl = xp.where(small, zero, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = xp.log1p(yl) - yl
    return xp.where(small, near, far)


def x_minus_log1p(y: Any, xp: Any = None) -> Any:
    """``y - log(1 + y)`` (>= 0) to full relative precision; ``+inf`` at ``y = -1``."""
    return -log1p_minus_x(y, xp)


def one_plus_x_log1p_minus_x(y: Any, xp: Any = None) -> Any:
    """``(1 + y) log(1 + y) - y`` (>= 0; 1 at ``y = -1``), accurate for small ``|y|``.

    This is the standardised KL term per unit of q, ``q h((p - q)/q) = p log(p/q) - p + q``.
    For ``|y| < 1/4`` it is ``y^2 + (1 + y)(log1p(y) - y)``, whose parts do not cancel.

    >>> float(one_plus_x_log1p_minus_x(1e-10))   # mpmath: 4.99999999983333370e-21
    4.999999999833334e-21
    """
    y, xp = _as(y, xp)
    small = xp.abs(y) < 0.25
    zero = xp.zeros_like(y)
    ys = xp.where(small, y, zero)
    near = ys * ys + (1.0 + ys) * log1p_minus_x(ys, xp)
    yl = xp.where(small, zero, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = xp.where(yl == -1.0, xp.ones_like(yl), (1.0 + yl) * xp.log1p(yl) - yl)
    return xp.where(small, near, far)
