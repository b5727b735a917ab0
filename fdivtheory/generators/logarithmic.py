r"""Generators built from logarithms: KL, reverse KL, Jeffreys, (skew) Jensen–Shannon.

Each factory returns a frozen :class:`~fdivtheory.generators.Generator`; look
them up by name with :func:`fdivtheory.get_generator`.  Their numerics rest on
the KL term :math:`k(p, q) = p\log(p/q) - p + q \ge 0`
(:func:`fdivtheory._special.kl_perspective`), evaluated with SciPy's ratio
regimes: ``log1p`` near p/q = 1, a log-difference where p/q under/overflows.
"""

from __future__ import annotations

import math

import numpy as np

from fdivtheory._special import (
    kl_perspective,
    kl_perspective_log,
    log_ratio,
    one_plus_x_log1p_minus_x,
)
from fdivtheory.generators._common import inf, sym_number
from fdivtheory.generators.generator import Generator

__all__ = ["jeffreys", "kl", "reverse_kl", "skew_js"]

_LOG2 = math.log(2.0)


def kl() -> Generator:
    r"""Kullback–Leibler: :math:`f(u) = u\log u`.

    .. math::  D_f(P\|Q) = \sum_i p_i \log\frac{p_i}{q_i} = \mathrm{KL}(P\|Q).

    f(0+) = 0, f'(∞) = +∞ (a mass of P where Q has none makes it infinite),
    f'(1) = 1; conjugate :math:`f^*(t) = e^{t-1}`.

    Numerical notes: terms are the standardised :math:`p\log(p/q) - p + q`
    (``scipy.special.kl_div``), ≥ 0 for unnormalised measures;
    ``f_log(t) = t e^t`` is exact for any finite t.

    References: Kullback & Leibler (1951), Ann. Math. Statist. 22:79-86.

    >>> float(kl().f(2.0))
    1.3862943611198906
    """
    def sym(u):
        import sympy as sp

        return u * sp.log(u)

    return Generator(
        name="kl",
        f_fn=lambda u, xp: u * xp.log(u),
        df_fn=lambda u, xp: xp.log(u) + 1.0,
        d2f_fn=lambda u, xp: 1.0 / u,
        df_inv_fn=lambda t, xp: xp.exp(t - 1.0),
        conjugate_fn=lambda t, xp: xp.exp(t - 1.0),
        f_log_fn=lambda t, xp: t * xp.exp(t),
        perspective_fn=kl_perspective,
        perspective_log_fn=kl_perspective_log,
        value_at_zero=0.0, slope_at_infinity=inf, slope_at_zero=-inf, slope_at_one=1.0,
        sympy_fn=sym, kernel=("kl",),
        references=("Kullback & Leibler (1951), Ann. Math. Statist. 22:79-86",),
        description="Kullback-Leibler divergence KL(P||Q)",
    )


def reverse_kl() -> Generator:
    r"""Reverse Kullback–Leibler: :math:`f(u) = -\log u`.

    .. math::  D_f(P\|Q) = \sum_i q_i \log\frac{q_i}{p_i} = \mathrm{KL}(Q\|P).

    f(0+) = +∞, f'(∞) = 0, f'(1) = -1; conjugate
    :math:`f^*(t) = -1 - \log(-t)` for t < 0, +∞ otherwise.

    Numerical notes: the KL term with p and q swapped; ``f_log(t) = -t`` exactly.

    References: Kullback & Leibler (1951).
    """
    def sym(u):
        import sympy as sp

        return -sp.log(u)

    def conj(t, xp):
        neg = t < 0
        ts = xp.where(neg, t, -xp.ones_like(t))
        return xp.where(neg, -1.0 - xp.log(-ts), xp.full_like(t, inf))

    return Generator(
        name="reverse_kl",
        f_fn=lambda u, xp: -xp.log(u),
        df_fn=lambda u, xp: -1.0 / u,
        d2f_fn=lambda u, xp: 1.0 / (u * u),
        df_inv_fn=lambda t, xp: -1.0 / t,
        conjugate_fn=conj,
        f_log_fn=lambda t, xp: -t,
        perspective_fn=lambda p, q, xp: kl_perspective(q, p, xp),
        perspective_log_fn=lambda lp, lq, xp: kl_perspective_log(lq, lp, xp),
        value_at_zero=inf, slope_at_infinity=0.0, slope_at_zero=-inf, slope_at_one=-1.0,
        conjugate_at_slope=inf,
        sympy_fn=sym, kernel=("reverse_kl",),
        references=("Kullback & Leibler (1951)",),
        description="reverse Kullback-Leibler divergence KL(Q||P)",
    )


def _jeffreys_perspective_log(lp, lq, xp):
    t = lp - lq
    near = xp.abs(t) < _LOG2
    q = xp.exp(lq)
    diff = xp.where(near, q * xp.expm1(xp.where(near, t, xp.zeros_like(t))), xp.exp(lp) - q)
    return diff * t


def _jeffreys_conjugate(t, xp):
    # f'(u) = log u + 1 - 1/u = t at u = 1/w, w = W(e^(1 - t)) = omega(1 - t) (Wright's
    # omega: w + log w = 1 - t), so f*(t) = t u - (u - 1) log u = 1/w - 1 - log w,
    # without the cancellation of w + t at t -> -inf; w underflows to 0 (f* = +inf)
    # exactly where f* overflows
    from scipy.special import wrightomega

    tn = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        w = wrightomega(1.0 - tn).real
        out = np.where(w > 0, 1.0 / w - 1.0 - np.log(w), np.inf)
        # |t| < 1: 1 - t rounds; solve v - expm1(-v) = t for v = log u by Newton from
        # v = t/2 instead, and f*(t) = t e^v - v expm1(v) (f*(t) ~ t + t^2/4)
        small = np.abs(tn) < 1.0
        ts = np.where(small, tn, 0.0)
        v = ts / 2.0
        for _ in range(8):
            v = v - (v - np.expm1(-v) - ts) / (1.0 + np.exp(-v))
        out = np.where(small, ts * np.exp(v) - v * np.expm1(v), out)
    return xp.asarray(out)


def jeffreys() -> Generator:
    r"""Jeffreys: :math:`f(u) = (u - 1)\log u`.

    .. math::  D_f(P\|Q) = \sum_i (p_i - q_i)\log\frac{p_i}{q_i}
               = \mathrm{KL}(P\|Q) + \mathrm{KL}(Q\|P)

    (the full symmetrised KL; TensorFlow Probability's ``jeffreys`` is half of it).
    f(0+) = f'(∞) = +∞, f'(1) = 0.

    Numerical notes: ``f_log(t) = t expm1(t)`` for any finite t (``-t`` as
    t → -∞, where ``f(exp(t))`` would return f(0+) = inf).  The conjugate
    :math:`f^*(t) = 1/w - 1 - \log w`, :math:`w = \omega(1 - t)` (Wright's omega
    function, scipy.special.wrightomega, NumPy round trip), is +inf exactly
    where it overflows.

    References: Jeffreys (1946), Proc. R. Soc. Lond. A 186:453-461.

    >>> float(jeffreys().conjugate(1e300)), float(jeffreys().f_log(-1e5))
    (inf, 100000.0)
    """
    def sym(u):
        import sympy as sp

        return (u - 1) * sp.log(u)

    return Generator(
        name="jeffreys",
        f_fn=lambda u, xp: (u - 1.0) * xp.log(u),
        df_fn=lambda u, xp: xp.log(u) + 1.0 - 1.0 / u,
        d2f_fn=lambda u, xp: 1.0 / u + 1.0 / (u * u),
        conjugate_fn=_jeffreys_conjugate,
        f_log_fn=lambda t, xp: t * xp.expm1(t),
        perspective_fn=lambda p, q, xp: (p - q) * log_ratio(p, q, xp),
        perspective_log_fn=_jeffreys_perspective_log,
        value_at_zero=inf, slope_at_infinity=inf, slope_at_zero=-inf, slope_at_one=0.0,
        sympy_fn=sym, kernel=("jeffreys",), symmetric=True,
        references=("Jeffreys (1946), Proc. R. Soc. Lond. A 186:453-461",),
        description="Jeffreys divergence KL(P||Q) + KL(Q||P)",
    )


def skew_js(pi: float = 0.5, name: str | None = None) -> Generator:
    r"""Skew Jensen–Shannon with weight π ∈ (0, 1) (π = 1/2: ``"js"``).

    .. math::  f(u) = \pi u\log\frac{u}{m} - (1-\pi)\log m, \qquad m = \pi u + 1 - \pi,

    .. math::  D_f(P\|Q) = \pi\,\mathrm{KL}(P\|M) + (1-\pi)\,\mathrm{KL}(Q\|M),
               \quad M = \pi P + (1-\pi) Q,

    bounded by :math:`h(\pi) = -\pi\log\pi - (1-\pi)\log(1-\pi)` (log 2 for JS,
    whose square root is a metric).  f(0+) = -(1-π) log(1-π), f'(∞) = -π log π.

    Numerical notes: f is evaluated as a sum of two non-negative KL terms,
    :math:`\pi m\,h(a(u-1)/m) + a m\,h(-\pi(u-1)/m)`, a = 1 - π,
    h(y) = (1 + y) log1p(y) - y, with u - 1 formed once: no cancellation near
    u = 1 (the direct formula returns negative values there).  The perspective
    uses the same form with p - q.  Conjugate
    :math:`f^*(t) = -(1-\pi)\,\mathrm{log1p}\bigl(-\tfrac{\pi}{1-\pi}\,\mathrm{expm1}(t/\pi)\bigr)`
    for t < -π log π.

    References: Lin (1991), IEEE Trans. Inf. Theory 37:145-151;
    Endres & Schindelin (2003), IEEE Trans. Inf. Theory 49:1858-1860.

    >>> float(skew_js(0.5).f(1.0 - 1e-15)) > 0
    True
    """
    pi = float(pi)
    if not 0.0 < pi < 1.0:
        raise ValueError(f"pi must lie in the open interval (0, 1), got {pi!r}")
    a = 1.0 - pi

    def two_kl(diff, x, y, xp):
        # pi k(x, m) + a k(y, m), m = pi x + a y, from diff = x - y (exact near x = y)
        m = pi * x + a * y
        minus_one = -xp.ones_like(m)  # the relative differences lie in [-1, a/pi], [-1, pi/a]
        return (pi * m * one_plus_x_log1p_minus_x(xp.maximum(a * diff / m, minus_one), xp)
                + a * m * one_plus_x_log1p_minus_x(xp.maximum(-pi * diff / m, minus_one), xp))

    def f(u, xp):
        return two_kl(u - 1.0, u, xp.ones_like(u), xp)

    def persp(p, q, xp):
        return two_kl(p - q, p, q, xp)

    def f_log(t, xp):
        u = xp.exp(t)
        fin = u < inf
        us = xp.where(fin, u, xp.ones_like(u))
        ts = xp.where(fin, t, xp.zeros_like(t))
        return xp.where(fin, two_kl(xp.expm1(ts), us, xp.ones_like(u), xp), xp.full_like(t, inf))

    def conj(t, xp):
        inside = t < -pi * math.log(pi)
        ts = xp.where(inside, t, xp.zeros_like(t))
        val = -a * xp.log1p(-(pi / a) * xp.expm1(ts / pi))
        return xp.where(inside, val, xp.full_like(t, inf))

    def sym(u):
        import sympy as sp

        P = sym_number(pi)
        m = P * u + 1 - P
        return P * u * sp.log(u / m) - (1 - P) * sp.log(m)

    half = pi == 0.5
    return Generator(
        name=name or f"skew_js(pi={pi:g})",
        f_fn=f,
        df_fn=lambda u, xp: pi * xp.log(u / (pi * u + a)),
        d2f_fn=lambda u, xp: pi * a / (u * (pi * u + a)),
        df_inv_fn=lambda t, xp: a * xp.exp(t / pi) / (1.0 - pi * xp.exp(t / pi)),
        conjugate_fn=conj,
        perspective_fn=persp,
        f_log_fn=f_log,
        value_at_zero=-a * math.log(a), slope_at_infinity=-pi * math.log(pi),
        slope_at_zero=-inf, slope_at_one=0.0, conjugate_at_slope=inf,
        sympy_fn=sym, kernel=("skew_js", pi), params={"pi": pi},
        symmetric=half, bounded=True, sqrt_is_metric=half,
        references=("Lin (1991), IEEE Trans. Inf. Theory 37:145-151",
                    "Endres & Schindelin (2003), IEEE Trans. Inf. Theory 49:1858-1860"),
        description="(skew) Jensen-Shannon divergence pi KL(P||M) + (1-pi) KL(Q||M)",
    )
