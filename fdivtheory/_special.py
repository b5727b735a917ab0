"""Cancellation-free elementary functions shared by the core, closed forms and bounds.

Each is written with array-API operations (every branch computed, then
selected), so the same code serves NumPy, CuPy and array-api-strict.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fdivtheory._backend import namespace

__all__ = [
    "exprel",
    "exprel2",
    "kl_perspective",
    "kl_perspective_log",
    "log1p_minus_x",
    "log1p_over_x",
    "log_ratio",
    "one_plus_x_log1p_minus_x",
    "power_conjugate",
    "power_generator",
    "power_generator_log",
    "power_perspective",
    "power_perspective_log",
    "x_minus_log1p",
]

_LOG2 = math.log(2.0)
_TINY = 2.2250738585072014e-308  # smallest normal double
_HUGE = 1.7976931348623157e308


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


# ---------------------------------------------------------------------------
# exp and log divided differences
# ---------------------------------------------------------------------------

def exprel(x: Any, xp: Any = None) -> Any:
    """``phi1(x) = (e^x - 1)/x`` (1 at x = 0), to full relative precision.

    ``expm1`` is accurate to the last bit, so one division suffices;
    ``+inf`` for ``x > 709.78``, ``-1/x`` rounding to 0 as ``x -> -inf``.

    >>> float(exprel(1e-20)), float(exprel(-800.0))
    (1.0, 0.00125)
    """
    x, xp = _as(x, xp)
    zero = x == 0.0
    xs = xp.where(zero, xp.ones_like(x), x)
    with np.errstate(over="ignore", invalid="ignore"):
        return xp.where(zero, xp.ones_like(x), xp.expm1(xs) / xs)


def exprel2(x: Any, xp: Any = None) -> Any:
    """``phi2(x) = (e^x - 1 - x)/x^2`` (1/2 at x = 0), to full relative precision.

    The Taylor series ``sum_k x^k/(k+2)!`` for ``|x| < 1`` (18 terms reach
    double precision), ``(expm1(x) - x)/x^2`` elsewhere (at most a factor 3
    of cancellation).  ``phi2 > 0``; ``~ 1/|x|`` as ``x -> -inf``.

    >>> float(exprel2(1e-9))   # mpmath: 0.500000000166666666708
    0.5000000001666667
    """
    x, xp = _as(x, xp)
    small = xp.abs(x) < 1.0
    zero = xp.zeros_like(x)
    xs = xp.where(small, x, zero)
    series = zero
    fact = [1.0]
    for k in range(1, 22):
        fact.append(fact[-1] * k)
    for k in range(18, -1, -1):
        series = series * xs + 1.0 / fact[k + 2]
    xl = xp.where(small, xp.ones_like(x), x)
    with np.errstate(over="ignore", invalid="ignore"):
        # (e^x - 1 - x)/x^2 as ((e^x - 1)/x - 1)/x: no overflow of x^2
        far = (xp.expm1(xl) / xl - 1.0) / xl
    return xp.where(small, series, far)


def log1p_over_x(y: Any, xp: Any = None) -> Any:
    """``log(1 + y)/y`` (1 at y = 0; NaN for y < -1), to full relative precision.

    >>> float(log1p_over_x(-1e-300))
    1.0
    """
    y, xp = _as(y, xp)
    zero = y == 0.0
    ys = xp.where(zero, xp.ones_like(y), y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return xp.where(zero, xp.ones_like(y), xp.log1p(ys) / ys)


# ---------------------------------------------------------------------------
# Log-ratio and the KL term (SciPy's regimes)
# ---------------------------------------------------------------------------

def log_ratio(p: Any, q: Any, xp: Any) -> Any:
    """``log(p/q)`` for p, q > 0: log1p near ratio 1, log-difference when p/q over/underflows."""
    with np.errstate(all="ignore"):
        r = p / q
        near = (r > 0.5) & (r < 2.0)
        finite = (r > _TINY) & (r < _HUGE)
        direct = xp.where(near, xp.log1p((p - q) / q),
                          xp.log(xp.where(finite, r, xp.ones_like(r))))
        return xp.where(finite, direct, xp.log(p) - xp.log(q))


def kl_perspective(p: Any, q: Any, xp: Any) -> Any:
    """``p log(p/q) - p + q`` (``scipy.special.kl_div``) for p, q > 0, accurate in every regime.

    Ratio in (1/2, 2): ``q h(d)``, ``d = (p - q)/q`` (exact there by Sterbenz's
    lemma), ``h = one_plus_x_log1p_minus_x``; otherwise ``p log(p/q) - p + q``
    with :func:`log_ratio`.
    """
    with np.errstate(all="ignore"):
        r = p / q
        near = (r > 0.5) & (r < 2.0)
        d = xp.where(near, (p - q) / q, xp.zeros_like(r))
        return xp.where(near, q * one_plus_x_log1p_minus_x(d, xp),
                        p * log_ratio(p, q, xp) - p + q)


def kl_perspective_log(lp: Any, lq: Any, xp: Any) -> Any:
    """``p log(p/q) - p + q`` from finite ``log p``, ``log q``.

    Near ``t = log p - log q = 0`` it is ``q h(expm1(t))``; elsewhere
    ``p (t - 1) + q`` (no ``inf - inf`` when ``p`` overflows).
    """
    with np.errstate(all="ignore"):
        t = lp - lq
        near = xp.abs(t) < _LOG2
        d = xp.expm1(xp.where(near, t, xp.zeros_like(t)))
        p, q = xp.exp(lp), xp.exp(lq)
        return xp.where(near, q * one_plus_x_log1p_minus_x(d, xp), p * (t - 1.0) + q)


# ---------------------------------------------------------------------------
# The power (alpha-) family
# ---------------------------------------------------------------------------
#
# f_b(u) = (u^b - 1 - b (u - 1)) / (b (b - 1)) has removable poles at b = 0 and
# b = 1: near them the numerator is O(b - 1) (or O(b)) and the quotient loses
# |b (b - 1)|^-1 of relative accuracy.  With L = log u, e = b - 1 and the
# divided differences phi1, phi2 of exp, the identities
#
#   (E)  b f_b(u)       = K(u) + u L . (e L) phi2(e L),      K(u) = u log u - u + 1
#   (D)  (1 - b) f_b(u) = R(u) - L . (b L) phi2(b L),        R(u) = u - 1 - log u
#
# hold for every b and have no pole.  K, R >= 0; the second term of (E) has the
# sign of e, that of (D) the sign of -b.  So (E) adds two non-negative terms for
# b >= 1, (D) for b <= 0; inside (0, 1) they cancel by at most a factor
# 2/min(b, 1 - b) + 1 when |e L| <= 1 (E, b >= 1/2) or |b L| <= 1 (D, b < 1/2), and
# the direct form (u^b - 1 - b (u - 1)) / (b (b - 1)) takes the rest (there u^b and
# b u differ by a factor e^{+-1} at least).  Multiplying by q gives the perspective
# with K -> kl_perspective(p, q), R -> kl_perspective(q, p), L -> log(p/q).

def _power_regime(beta: float, L: Any, xp: Any) -> tuple[str, Any]:
    """Which identity: ``("E"|"D", mask of the points where the direct form is used)``."""
    if beta >= 0.5:
        return "E", (xp.abs((beta - 1.0) * L) > 1.0) if beta < 1.0 else xp.zeros_like(L) > 0
    return "D", (xp.abs(beta * L) > 1.0) if beta > 0.0 else xp.zeros_like(L) > 0


def _correction(L: Any, s: float, xp: Any) -> Any:
    """``L (s L) phi2(s L) = L (phi1(s L) - 1)`` (0 at s = 0)."""
    x = s * L
    return L * (x * exprel2(x, xp))


def power_generator(u: Any, beta: float, xp: Any = None) -> Any:
    r"""The power generator :math:`f_\beta(u) = \frac{u^\beta - 1 - \beta(u-1)}{\beta(\beta-1)}`, u > 0.

    Accurate to a few ulps for every real ``beta`` (continuous through the
    removable poles: ``beta = 1`` gives ``u log u - u + 1``, ``beta = 0``
    ``u - 1 - log u``) and every u, from the identities (E)/(D) above.

    >>> float(power_generator(2.0, 1.0 + 1e-15))   # mpmath: 0.38629436111989071299
    0.3862943611198907
    """
    u, xp = _as(u, xp)
    b = float(beta)
    with np.errstate(all="ignore"):
        L = xp.log(u)
        d = u - 1.0
        near = (u > 0.5) & (u < 2.0)
        dn = xp.where(near, d, xp.zeros_like(u))
        which, direct = _power_regime(b, L, xp)
        if which == "E":
            K = xp.where(near, one_plus_x_log1p_minus_x(dn, xp), u * L - d)
            val = (K + u * _correction(L, b - 1.0, xp)) / b
        else:
            R = xp.where(near, x_minus_log1p(dn, xp), d - L)
            val = (R - _correction(L, b, xp)) / (1.0 - b)
        if 0.0 < b < 1.0:
            val = xp.where(direct, (b * d + 1.0 - u**b) / (b * (1.0 - b)), val)
        return val


def power_generator_log(t: Any, beta: float, xp: Any = None) -> Any:
    r""":math:`f_\beta(e^t)` for finite t, without overflow of e^t where the value is finite.

    The identities (E)/(D) with ``L = t`` exact; ``K(e^t) = t^2 (phi1(t) - phi2(t))``
    and ``R(e^t) = t^2 phi2(t)`` for ``|t| < 1``; beyond, (E) is evaluated as
    ``(e^t (t - 1 + corr) + 1)/b`` and ``R(e^t) = expm1(t) - t``.

    >>> float(power_generator_log(-1e5, -1e-6))   # mpmath: 105169.81290583471874
    105169.81290583473
    """
    t, xp = _as(t, xp)
    b = float(beta)
    with np.errstate(all="ignore"):
        small = xp.abs(t) < 1.0
        ts = xp.where(small, t, xp.zeros_like(t))
        tl = xp.where(small, xp.ones_like(t), t)
        which, direct = _power_regime(b, t, xp)
        if which == "E":
            corr = _correction(t, b - 1.0, xp)
            # |t| >= 1: K + e^t corr = e^t (t - 1 + corr) + 1, no inf - inf where e^t overflows
            near = ts * (ts * (exprel(ts, xp) - exprel2(ts, xp))) + xp.exp(ts) * xp.where(
                small, corr, xp.zeros_like(t))
            far = xp.exp(tl) * ((tl - 1.0) + xp.where(small, xp.zeros_like(t), corr)) + 1.0
            val = xp.where(small, near, far) / b
        else:
            R = xp.where(small, ts * (ts * exprel2(ts, xp)), xp.expm1(tl) - tl)
            val = (R - _correction(t, b, xp)) / (1.0 - b)
        if 0.0 < b < 1.0:
            # b (e^t - 1) + 1 - e^(b t), arranged so that no inf - inf or 0 inf occurs
            pos = t > 0.0
            tp = xp.where(pos, t, xp.zeros_like(t))
            tn = xp.where(pos, xp.zeros_like(t), t)
            up = xp.exp(tp) * (b - xp.exp((b - 1.0) * tp)) + (1.0 - b)
            dn = b * xp.expm1(tn) + 1.0 - xp.exp(b * tn)
            val = xp.where(direct, xp.where(pos, up, dn) / (b * (1.0 - b)), val)
        return val


def power_perspective(p: Any, q: Any, beta: float, xp: Any) -> Any:
    r"""The standardised perspective :math:`q f_\beta(p/q)` for p, q > 0 (no overflow of p/q)."""
    b = float(beta)
    with np.errstate(all="ignore"):
        L = log_ratio(p, q, xp)
        which, direct = _power_regime(b, L, xp)
        # divided before the product: p corr / b may be finite where p corr is not
        if which == "E":
            val = kl_perspective(p, q, xp) / b + p * (_correction(L, b - 1.0, xp) / b)
        else:
            val = kl_perspective(q, p, xp) / (1.0 - b) - q * (_correction(L, b, xp) / (1.0 - b))
        if 0.0 < b < 1.0:
            pb = xp.exp(b * xp.log(p) + (1.0 - b) * xp.log(q))
            val = xp.where(direct, (b * (p - q) + q - pb) / (b * (1.0 - b)), val)
        return val


def _mass_times_correction(lm: Any, m: Any, L: Any, s: float, div: float, xp: Any) -> Any:
    """``m L (s L) phi2(s L) / div`` for the mass ``m = e^lm`` (div > 0), without 0 * inf:
    in logs where m is not a normal float or the product is not finite;
    ``log(phi1(x) - 1) = x - log x`` to double precision for x > 700."""
    corr = _correction(L, s, xp)
    prod = m * (corr / div)
    ok = (m >= _TINY) & (m <= _HUGE) & (prod == prod) & (xp.abs(prod) < math.inf)
    x = s * L
    big = x > 700.0
    xb = xp.where(big, x, xp.ones_like(x))
    xs = xp.where(big, xp.ones_like(x), x)
    logc = xp.log(xp.abs(L)) + xp.where(big, xb - xp.log(xb), xp.log(xp.abs(xs * exprel2(xs, xp))))
    far = math.copysign(1.0, s) * xp.exp(lm + logc - math.log(div))
    return xp.where(corr == 0.0, xp.zeros_like(L), xp.where(ok, prod, far))


def power_perspective_log(lp: Any, lq: Any, beta: float, xp: Any) -> Any:
    r""":math:`q f_\beta(p/q)` from finite ``log p`` and ``log q``."""
    b = float(beta)
    with np.errstate(all="ignore"):
        L = lp - lq
        p, q = xp.exp(lp), xp.exp(lq)
        which, direct = _power_regime(b, L, xp)
        if which == "E":
            val = (kl_perspective_log(lp, lq, xp) / b
                   + _mass_times_correction(lp, p, L, b - 1.0, b, xp))
        else:
            val = (kl_perspective_log(lq, lp, xp) / (1.0 - b)
                   - _mass_times_correction(lq, q, L, b, 1.0 - b, xp))
        if 0.0 < b < 1.0:
            # p (b - e^((b-1)L)) + q (1 - b) for L > 0, q (b expm1(L) + 1 - e^(bL)) for
            # L <= 0: no inf - inf where p or q overflows
            pos = L > 0.0
            Lp = xp.where(pos, L, xp.zeros_like(L))
            Ln = xp.where(pos, xp.zeros_like(L), L)
            up = p * (b - xp.exp((b - 1.0) * Lp)) + q * (1.0 - b)
            dn = q * (b * xp.expm1(Ln) + 1.0 - xp.exp(b * Ln))
            val = xp.where(direct, xp.where(pos, up, dn) / (b * (1.0 - b)), val)
        return val


def power_conjugate(t: Any, beta: float, xp: Any = None) -> Any:
    r"""Fenchel conjugate :math:`f_\beta^*(t) = \frac{(1 + (\beta-1)t)^{\beta/(\beta-1)} - 1}{\beta}`.

    Written as :math:`\ell\,\phi_1(\beta\ell)` with
    :math:`\ell = \log(1 + (\beta-1)t)/(\beta-1)` (``t log1p_over_x((b-1) t)``), so
    that it is accurate at and near the poles: ``expm1(t)`` at beta = 1,
    ``-log1p(-t)`` at beta = 0.  Valid where ``1 + (beta - 1) t > 0``; the
    caller handles the rest of the line.

    >>> float(power_conjugate(1e-20, 1.0))
    1e-20
    """
    t, xp = _as(t, xp)
    b = float(beta)
    e = b - 1.0
    with np.errstate(all="ignore"):
        y = e * t
        if e < 0:
            # near the edge t = 1/(1 - b): 1 + (b - 1) t = (1 - t) + b t without the
            # rounding of b - 1 (e.g. b = 1e-15, t = 1 - 1e-12)
            far = xp.abs(y) >= 0.5
            one_plus_y = (1.0 - t) + b * t
            ell = xp.where(far, xp.log(xp.where(far, one_plus_y, xp.ones_like(t))) / e,
                           t * log1p_over_x(xp.where(far, xp.zeros_like(t), y), xp))
        else:
            ell = t * log1p_over_x(y, xp)
        x = b * ell
        small = xp.abs(x) < 1.0
        return xp.where(small, ell * exprel(xp.where(small, x, xp.zeros_like(x)), xp),
                        xp.expm1(x) / b)
