r"""Reward maximisation under an f-divergence budget (beyond KL).

.. math::

    \max_\phi E_\phi r \quad\text{s.t.}\quad D_f(\phi\|p) = \sum_y p(y) f(\phi(y)/p(y)) \le \delta.

The Lagrangian :math:`E_\phi r - \beta(D_f(\phi\|p) - \delta) - \nu(\sum\phi - 1)`
gives, by stationarity and complementary slackness on :math:`\phi \ge 0`,

.. math::

    \phi(y) = p(y)\,\max\Bigl\{0,\; (f')^{-1}\Bigl(\frac{r(y) - \nu}{\beta}\Bigr)\Bigr\},

with :math:`\nu` fixed by normalisation (the mass is decreasing in :math:`\nu`) and
:math:`\beta > 0` by the active constraint (the divergence is decreasing in
:math:`\beta`).  For KL, :math:`(f')^{-1}(t) = e^{t-1}` and this is the exponential tilt
with :math:`\lambda = 1/\beta` (:func:`kl_constrained_optimum`).  Generalises [Y]'s
closed form to every strictly convex generator of the core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ._validation import as_nonnegative, as_pmf, as_reward

__all__ = ["FConstrainedOptimum", "f_constrained_optimum"]

_HUGE = 1e300
_LOG_BETA_MIN = -700.0


@dataclass(frozen=True)
class FConstrainedOptimum:
    r"""Solution of :math:`\max E_\phi r` s.t. :math:`D_f(\phi\|p) \le \delta`.

    Attributes
    ----------
    policy : ndarray
        Optimal :math:`\phi` on the outcomes of ``p``.
    beta : float
        Multiplier of the divergence constraint (``0`` when saturated, ``inf``
        at ``delta = 0``).
    nu : float
        Multiplier of the normalisation (NaN when saturated or ``delta = 0``).
    expected_reward : float
        :math:`E_\phi r`.
    divergence : float
        :math:`D_f(\phi\|p)` (``delta`` unless saturated).
    generator : str
        Name of the generator.
    saturated : bool
        True when ``delta`` allows ``p`` conditioned on the maximisers of ``r``.
    """

    policy: np.ndarray
    beta: float
    nu: float
    expected_reward: float
    divergence: float
    generator: str
    saturated: bool


class _Problem:
    """The program on ``supp p``; the normalisation multiplier is ``nu = r_max + beta s``.

    Solving for ``s`` rather than ``nu`` keeps the problem well conditioned when
    ``beta`` is tiny (budgets near saturation): ``nu - r_max`` is then far below
    one ulp of ``r_max`` while ``s`` stays of order one.
    """

    def __init__(self, p: np.ndarray, r: np.ndarray, gen):
        self.gen = gen
        self.size = p.size
        self.sup = p > 0
        self.p = p[self.sup]
        self.r = r[self.sup]
        self.s0 = float(gen.slope_at_zero)
        self.sinf = float(gen.slope_at_infinity)
        self.s1 = float(gen.df(1.0))
        self.r_max = float(self.r.max())
        self.gaps = self.r - self.r_max  # <= 0
        self.span = self.r_max - float(self.r.min())

    def ratio(self, beta: float, s: float) -> np.ndarray:
        """``phi / p = (f')^{-1}((r - nu) / beta)``, 0 below ``f'(0+)``, inf above ``f'(inf)``."""
        with np.errstate(over="ignore"):
            t = self.gaps / beta - s
        inside = (t > self.s0) & (t < self.sinf)
        u = np.zeros_like(t)
        if np.any(inside):
            u[inside] = np.asarray(self.gen.df_inv(t[inside]), dtype=np.float64)
        u[t >= self.sinf] = np.inf
        return u

    def mass(self, beta: float, s: float) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            m = float(self.p @ self.ratio(beta, s))
        return min(m, _HUGE)

    def solve_s(self, beta: float) -> float:
        """Normalisation: the ``s`` with ``sum p u = 1`` (the mass decreases in ``s``)."""
        hi = -self.s1  # top ratio 1, all others <= 1: mass <= 1
        lo = -self.s1 - min(self.span / beta, _HUGE)  # every ratio >= 1: mass >= 1
        if math.isfinite(self.sinf):
            lo = max(lo, -self.sinf)  # top ratio -> inf: mass -> inf
        if self.mass(beta, hi) == 1.0:
            return hi
        return brentq(lambda v: self.mass(beta, v) - 1.0, lo, hi, xtol=1e-300,
                      rtol=4 * np.finfo(float).eps, maxiter=500)

    def policy(self, beta: float) -> tuple[np.ndarray, float]:
        s = self.solve_s(beta)
        phi = self.p * self.ratio(beta, s)
        return phi / phi.sum(), self.r_max + beta * s

    def divergence(self, phi_s: np.ndarray) -> float:
        return float(self.p @ np.asarray(self.gen.f(phi_s / self.p), dtype=np.float64))

    def full(self, phi_s: np.ndarray) -> np.ndarray:
        out = np.zeros(self.size)
        out[self.sup] = phi_s
        return out


def f_constrained_optimum(p, reward, delta: float, f="kl") -> FConstrainedOptimum:
    r"""Optimal policy under an f-divergence budget: :math:`\phi = p\,[(f')^{-1}((r-\nu)/\beta)]_+`.

    .. math::

        \phi = \arg\max\{E_\phi r : D_f(\phi\|p) \le \delta\}, \qquad
        \phi(y) = p(y)\max\{0, (f')^{-1}((r(y)-\nu)/\beta)\},

    :math:`\nu` solves :math:`\sum\phi = 1` and :math:`\beta` solves
    :math:`D_f(\phi\|p) = \delta` (nested ``brentq``; the mass is monotone in
    :math:`\nu`, the divergence in :math:`\log\beta`).  Source: KKT conditions of the
    convex program; for KL it is [Y]'s closed form (tilting, :math:`\lambda = 1/\beta`).
    Clipping at zero happens when :math:`f'(0^+) > -\infty` (e.g. Pearson
    :math:`\chi^2`): low-reward outcomes get no mass.

    Conventions: policies absolutely continuous w.r.t. ``p`` (outcomes with
    ``p = 0`` get 0); ``delta = 0`` gives ``p``; when
    :math:`\delta \ge D_f(p(\cdot\mid\arg\max r)\|p) = p_* f(1/p_*) + (1-p_*) f(0^+)`
    (:math:`p_*` the mass of the maximisers) the conditional law is returned
    (``saturated=True``).  ``f`` is a :class:`fdivtheory.Generator` or a
    registered name; it must be strictly convex (``df_inv`` available).

    Examples
    --------
    >>> p, r = [0.5, 0.3, 0.2], [0.0, 1.0, 2.0]
    >>> kl = f_constrained_optimum(p, r, 0.2, "kl")
    >>> round(kl.expected_reward, 10), round(1 / kl.beta, 10)
    (1.2113855051, 0.775174621)
    >>> chi2 = f_constrained_optimum(p, r, 2.0, "pearson")  # f'(0+) = -2: clipping
    >>> float(chi2.policy[0]), round(chi2.divergence, 9)
    (0.0, 2.0)
    """
    import fdivtheory as fd

    p = as_pmf(p, "p")
    r = as_reward(reward, p.size, "reward")
    delta = as_nonnegative(delta, "delta")
    try:
        gen = fd.get_generator(f)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"f: {exc}") from None
    if not gen.smooth:
        raise ValueError(f"f: {gen.name} is not strictly convex (f' is not invertible)")
    prob = _Problem(p, r, gen)
    top = prob.r == prob.r_max
    p_top = float(prob.p[top].sum())
    if delta == 0 or prob.span == 0:
        saturated = delta > 0
        phi = prob.p.copy() if not saturated else np.where(top, prob.p / p_top, 0.0)
        return FConstrainedOptimum(prob.full(phi), 0.0 if saturated else math.inf, math.nan,
                                   float(phi @ prob.r), prob.divergence(phi), gen.name,
                                   saturated)
    f0 = float(gen.value_at_zero)
    d_max = p_top * float(gen.f(1.0 / p_top)) + ((1.0 - p_top) * f0 if p_top < 1 else 0.0)
    if delta >= d_max:
        phi = np.where(top, prob.p / p_top, 0.0)
        return FConstrainedOptimum(prob.full(phi), 0.0, math.nan, prob.r_max, d_max,
                                   gen.name, True)

    def excess(log_beta: float) -> float:
        return prob.divergence(prob.policy(math.exp(log_beta))[0]) - delta

    scale = math.log(prob.span)
    lo, hi = scale - 1.0, scale + 1.0
    while excess(hi) > 0:
        lo, hi = hi, hi + 2.0 * (hi - scale + 1.0)
    while excess(lo) < 0:
        if lo <= _LOG_BETA_MIN:
            raise ValueError(f"delta: {delta!r} is too close to the saturation value "
                             f"{d_max!r} to be resolved in floating point")
        lo, hi = max(lo - 2.0 * (scale + 1.0 - lo), _LOG_BETA_MIN), lo
    log_beta = brentq(excess, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)
    beta = math.exp(log_beta)
    phi, nu = prob.policy(beta)
    return FConstrainedOptimum(prob.full(phi), beta, nu, float(phi @ prob.r),
                               prob.divergence(phi), gen.name, False)
