r"""Piecewise-linear generators: total variation and the hockey-stick divergence.

They are not strictly convex: f' is a step function, f'' vanishes almost
everywhere, and ``df_inv`` does not exist; their conjugates are given in
closed form.
"""

from __future__ import annotations

import math

from fdivtheory.generators._common import REFS_CSISZAR, inf, sym_number
from fdivtheory.generators.generator import Generator

__all__ = ["hockey_stick", "tv"]


def tv() -> Generator:
    r"""Total variation: :math:`f(u) = \tfrac12|u - 1|`.

    .. math::  D_f(P\|Q) = \tfrac12\sum_i |p_i - q_i| \in [0, 1].

    f(0+) = f'(∞) = 1/2; conjugate :math:`f^*(t) = \max(t, -\tfrac12)` for
    t ≤ 1/2, +∞ beyond.

    Numerical notes: the term ½|p - q| is exact to rounding.

    References: Csiszár (1967), Studia Sci. Math. Hungar. 2:299-318.

    >>> float(tv().conjugate(-3.0))
    -0.5
    """
    def sym(u):
        import sympy as sp

        return sp.Abs(u - 1) / 2

    def conj(t, xp):
        return xp.where(t > 0.5, xp.full_like(t, inf), xp.maximum(t, xp.full_like(t, -0.5)))

    return Generator(
        name="tv",
        f_fn=lambda u, xp: 0.5 * xp.abs(u - 1.0),
        df_fn=lambda u, xp: 0.5 * xp.sign(u - 1.0),
        d2f_fn=lambda u, xp: xp.zeros_like(u),
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: 0.5 * xp.abs(p - q),
        f_log_fn=lambda t, xp: 0.5 * xp.abs(xp.expm1(t)),
        value_at_zero=0.5, slope_at_infinity=0.5, slope_at_zero=-0.5, slope_at_one=0.0,
        conjugate_at_slope=0.5, sympy_fn=sym, kernel=("tv",), symmetric=True, bounded=True,
        sqrt_is_metric=False, smooth=False, references=REFS_CSISZAR,
        description="total variation distance 1/2 ||P - Q||_1",
    )


def hockey_stick(gamma: float = 1.0) -> Generator:
    r"""Hockey-stick divergence :math:`E_\gamma`, γ ≥ 1: :math:`f(u) = (u - \gamma)_+`.

    .. math::  E_\gamma(P\|Q) = \sum_i (p_i - \gamma q_i)_+

    (γ = 1: total variation; the privacy profile of differential privacy).
    f(0+) = 0, f'(∞) = 1; conjugate :math:`\gamma\max(t, 0)` for t ≤ 1.
    For γ < 1 use :math:`E_\gamma(P\|Q) = 1 - \gamma + \gamma E_{1/\gamma}(Q\|P)`.

    References: Polyanskiy, Poor & Verdú (2010), IEEE Trans. Inf. Theory 56:2307-2359.
    """
    g = float(gamma)
    if not (g >= 1.0 and math.isfinite(g)):
        raise ValueError(
            f"gamma must be a finite number >= 1, got {gamma!r} "
            "(for gamma < 1 use E_gamma(P||Q) = 1 - gamma + gamma E_{1/gamma}(Q||P))"
        )

    def sym(u):
        import sympy as sp

        return sp.Max(u - sym_number(g), 0)

    def conj(t, xp):
        return xp.where(t > 1.0, xp.full_like(t, inf), g * xp.maximum(t, xp.zeros_like(t)))

    return Generator(
        name=f"hockey_stick(gamma={g:g})",
        f_fn=lambda u, xp: xp.maximum(u - g, xp.zeros_like(u)),
        df_fn=lambda u, xp: xp.where(u > g, xp.ones_like(u), xp.zeros_like(u)),
        d2f_fn=lambda u, xp: xp.zeros_like(u),
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: xp.maximum(p - g * q, xp.zeros_like(p)),
        # e^t - g = expm1(t) - (g - 1): exact near t = 0 for g = 1
        f_log_fn=lambda t, xp: xp.maximum(xp.expm1(t) - (g - 1.0), xp.zeros_like(t)),
        value_at_zero=0.0, slope_at_infinity=1.0, slope_at_zero=0.0, slope_at_one=0.0,
        conjugate_at_slope=g,  # lim u - (u - gamma)
        sympy_fn=sym, kernel=("hockey_stick", g), params={"gamma": g}, bounded=True,
        smooth=False,
        references=("Polyanskiy, Poor & Verdú (2010), IEEE Trans. Inf. Theory 56:2307-2359",),
        description="hockey-stick divergence E_gamma = sum (p - gamma q)_+",
    )
