r"""The power (α-) family and its three common parametrisations.

.. math::  f_\beta(u) = \frac{u^\beta - 1 - \beta(u - 1)}{\beta(\beta - 1)},
           \qquad D_{f_\beta}(P\|Q) = \frac{\sum_i p_i^\beta q_i^{1-\beta} - 1}{\beta(\beta-1)}
           \ \text{(probability vectors)},

continuous in β with :math:`f_1(u) = u\log u - u + 1` (KL) and
:math:`f_0(u) = u - 1 - \log u` (reverse KL).  β = 2 is half Pearson χ²,
β = -1 half Neyman χ², β = 1/2 twice the squared Hellinger distance.
"""

from __future__ import annotations

import math
from dataclasses import replace

from fdivtheory._special import (
    exprel,
    log1p_over_x,
    power_conjugate,
    power_generator,
    power_generator_log,
    power_perspective,
    power_perspective_log,
)
from fdivtheory.generators._common import inf, sym_number
from fdivtheory.generators.generator import Generator

__all__ = ["power", "power_family"]


def power(beta: float) -> Generator:
    r"""The power generator :math:`f_\beta`, any real β.

    .. math::  f_\beta(u) = \frac{u^\beta - 1 - \beta(u - 1)}{\beta(\beta - 1)}

    induces the α-divergence of Amari / Cressie–Read's power divergence
    (see :func:`power_family` for the parametrisations).  f(0+) = 1/β
    (β > 0, else +∞), f'(∞) = 1/(1 - β) (β < 1, else +∞), f'(1) = 0;
    conjugate :math:`f^*(t) = \frac{(1 + (\beta-1)t)^{\beta/(\beta-1)} - 1}{\beta}`.

    Numerical notes: the factor :math:`1/(\beta(\beta-1))` amplifies rounding
    by :math:`1/|\beta(\beta-1)|` near the removable poles β = 0, 1 (at
    β = 1 + 1e-15 the direct formula is off by 10%).  With
    :math:`L = \log u`, :math:`\phi_2(x) = (e^x - 1 - x)/x^2`,
    :math:`K = u\log u - u + 1`, :math:`R = u - 1 - \log u`:

    .. math::  \beta f_\beta = K + u L^2 (\beta-1)\phi_2((\beta-1)L), \qquad
               (1-\beta) f_\beta = R - \beta L^2\phi_2(\beta L),

    used for β ≥ 1/2 with :math:`|(\beta-1)L| \le 1` (always for β ≥ 1) and
    for β < 1/2 with :math:`|\beta L| \le 1` (always for β ≤ 0); the direct
    formula elsewhere (only inside (0, 1), where it does not cancel).  The
    perspective replaces K, R by the KL terms k(p, q), k(q, p) and L by
    log(p/q); ``f_log`` takes L = t exactly.  The conjugate is
    :math:`\ell\,\phi_1(\beta\ell)`, :math:`\ell = \log(1 + (\beta-1)t)/(\beta-1)`
    (``expm1``/``log1p`` forms).  Relative error a few ulps, at most
    ~1e-13 where :math:`|\beta L|` reaches hundreds (the conditioning of
    :math:`e^{\beta L}`).  These are the formulas of
    :mod:`fdivtheory._special` (``power_generator`` and siblings).

    References: Cressie & Read (1984), J. R. Statist. Soc. B 46:440-464;
    Amari (1985), Differential-Geometrical Methods in Statistics;
    Cichocki & Amari (2010), Entropy 12:1532-1568.

    >>> float(power(1.0 + 1e-15).f(2.0))   # KL generator at 2: 0.386294361119890...
    0.3862943611198907
    """
    b = float(beta)
    if not math.isfinite(b):
        raise ValueError(f"beta must be finite, got {beta!r}")
    e = b - 1.0

    def df(u, xp):  # (u^(b-1) - 1)/(b - 1) = L phi1((b - 1) L)
        L = xp.log(u)
        x = e * L
        small = xp.abs(x) < 1.0
        return xp.where(small, L * exprel(xp.where(small, x, xp.zeros_like(x)), xp),
                        xp.expm1(x) / (e if e != 0 else 1.0))

    def df_inv(t, xp):  # (1 + (b - 1) t)^(1/(b - 1))
        return xp.exp(t * log1p_over_x(e * t, xp))

    def conj(t, xp):
        y = e * t
        inside = y > -1.0
        val = power_conjugate(xp.where(inside, t, xp.zeros_like(t)), b, xp)
        if e > 0:  # t <= f'(0+) = -1/(b - 1): the supremum is at u = 0
            return xp.where(inside, val, xp.full_like(t, -1.0 / b))
        at_slope = (-1.0 / b) if b < 0 else inf
        return xp.where(inside, val, xp.where(y == -1.0, xp.full_like(t, at_slope),
                                              xp.full_like(t, inf)))

    def sym(u):
        import sympy as sp

        if b == 1.0:
            return u * sp.log(u) - u + 1
        if b == 0.0:
            return u - 1 - sp.log(u)
        B = sym_number(b)
        return (u**B - 1 - B * (u - 1)) / (B * (B - 1))

    kernel = ("kl",) if b == 1.0 else ("reverse_kl",) if b == 0.0 else ("power", b)
    return Generator(
        name=f"power(beta={b:g})",
        f_fn=lambda u, xp: power_generator(u, b, xp),
        df_fn=df,
        d2f_fn=lambda u, xp: u ** (b - 2.0),
        df_inv_fn=df_inv,
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: power_perspective(p, q, b, xp),
        perspective_log_fn=lambda lp, lq, xp: power_perspective_log(lp, lq, b, xp),
        f_log_fn=lambda t, xp: power_generator_log(t, b, xp),
        value_at_zero=(1.0 / b) if b > 0 else inf,
        slope_at_infinity=(1.0 / (1.0 - b)) if b < 1 else inf,
        slope_at_zero=(-1.0 / (b - 1.0)) if b > 1 else -inf,
        slope_at_one=0.0,
        conjugate_at_slope=(-1.0 / b) if b < 0 else inf,  # lim c (1 - b) - c u^b
        sympy_fn=sym, kernel=kernel, params={"beta": b},
        bounded=0.0 < b < 1.0, symmetric=b == 0.5, sqrt_is_metric=b == 0.5,
        references=("Cressie & Read (1984), J. R. Statist. Soc. B 46:440-464",
                    "Amari (1985), Differential-Geometrical Methods in Statistics",
                    "Cichocki & Amari (2010), Entropy 12:1532-1568"),
        description="power (alpha-) divergence with exponent beta",
    )


def power_family(alpha: float, convention: str = "cressie_read") -> Generator:
    """The power/α-divergence generator in one of three parametrisations.

    ``"cressie_read"``: λ = alpha, generator :math:`(u^{λ+1}-1-(λ+1)(u-1))/(λ(λ+1))`
    (β = λ + 1; Cressie & Read 1984, ``scipy.stats.power_divergence``);
    ``"amari"``: :math:`\\frac{4}{1-α^2}[\\frac{1-α}2 u+\\frac{1+α}2-u^{(1-α)/2}]`
    (β = (1 - α)/2; α = -1 → KL(P‖Q), α = 1 → KL(Q‖P); Amari 1985);
    ``"tsallis"`` (α > 0): :math:`(u^α-1-α(u-1))/(α-1) = α f_{β=α}` (Tsallis
    relative entropy; α = 2 gives Pearson χ²).

    Every convention is accurate through its poles (λ = 0, -1; α = ±1;
    Tsallis α = 1): a grid such as ``np.arange(-1, 1.01, .1)`` that contains
    λ = -2.2e-16 gives KL(Q‖P) to full precision.

    >>> power_family(1.0, "cressie_read").name   # λ = 1: half Pearson chi^2
    'power(beta=2)'
    """
    a = float(alpha)
    if not math.isfinite(a):
        raise ValueError(f"alpha must be finite, got {alpha!r}")
    if convention == "cressie_read":
        return power(a + 1.0)
    if convention == "amari":
        return power((1.0 - a) / 2.0)
    if convention == "tsallis":
        if not a > 0:
            raise ValueError(f"alpha must be > 0 for the tsallis convention, got {alpha!r}")
        g = power(a)
        return replace(g.scaled(a), name=f"tsallis(alpha={a:g})", params={"alpha": a})
    raise ValueError(
        f"convention must be 'cressie_read', 'amari' or 'tsallis', got {convention!r}"
    )
