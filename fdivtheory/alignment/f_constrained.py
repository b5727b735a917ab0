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
closed form to every strictly convex generator of the core (``f'`` invertible;
``tv`` and other piecewise-linear generators are rejected).  Derivation, the
parametrisation used and the dual certificate of optimality:
docs/theory/alignment.md, §3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from fdivtheory._arguments import nonnegative, probability_vector

from ._validation import as_reward

__all__ = ["FConstrainedOptimum", "f_constrained_optimum"]

_LOG_BETA_MIN = -700.0


@dataclass(frozen=True)
class FConstrainedOptimum:
    r"""Solution of :math:`\max E_\phi r` subject to :math:`D_f(\phi\|p) \le \delta`.

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
    r"""The program on ``supp p``, solved from an anchor level whose value is exact.

    Stationarity gives :math:`f'(u_y) = f'(u_a) + (r(y) - r_a)/\beta` for every outcome
    (clipped at :math:`f'(0^+)`), for any anchor level :math:`a`; the mass
    :math:`\sum_y p(y) u_y` increases with the anchor's parameter.  Two anchors
    (docs/theory/alignment.md, §3):

    * **top** (used when :math:`f'(\infty) < \infty`): the ratio :math:`u_*` of the top
      reward level, in :math:`[1, 1/p_*]`.  When :math:`p_*` is tiny the optimal
      :math:`u_*` is huge and :math:`f'(u_*)` lies within rounding of
      :math:`f'(\infty)`: no floating-point :math:`\nu` represents it, but :math:`u_*` does.
    * **mode** (used when :math:`f'(\infty) = \infty`): :math:`\tau = f'(u_a)` of the level
      with the largest reference mass.  With :math:`f'` unbounded (Pearson) and a tiny
      top mass, :math:`f'(u_*)` is huge (1e23) and the other levels'
      :math:`f'(u_*) - \text{gap}/\beta` would cancel; from the mode nothing cancels.

    If the preferred anchor cannot meet the normalisation to 1e-12, the other is
    tried; a policy is never renormalised into a plausible one.
    """

    def __init__(self, p: np.ndarray, r: np.ndarray, gen):
        self.gen = gen
        self.size = p.size
        self.sup = p > 0
        self.p = p[self.sup]
        self.r = r[self.sup]
        self.s0 = float(gen.slope_at_zero)
        self.r_max = float(self.r.max())
        self.top = self.r == self.r_max
        self.p_top = float(self.p[self.top].sum())
        self.p_low = self.p[~self.top]
        self.gaps = self.r_max - self.r[~self.top]  # > 0
        self.span = float(self.gaps.max()) if self.gaps.size else 0.0
        self.s1 = float(gen.df(1.0))
        self.r_mode = float(self.r[int(np.argmax(self.p))])
        self.finite_slope = math.isfinite(float(gen.slope_at_infinity))

    def ratios_mode(self, beta: float, tau: float) -> np.ndarray:
        """``phi / p`` for ``f'`` = ``tau`` at the mode level (``f'(inf) = inf`` only)."""
        with np.errstate(over="ignore"):
            t = tau + (self.r - self.r_mode) / beta
        u = np.zeros(t.size)
        inside = t > self.s0
        if np.any(inside):
            u[inside] = np.asarray(self.gen.df_inv(t[inside]), dtype=np.float64)
        return u

    def mass_excess_mode(self, beta: float, tau: float) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            return float(self.p @ self.ratios_mode(beta, tau)) - 1.0

    def solve_mode(self, beta: float) -> float:
        """Normalisation for the mode anchor: ``tau`` by bracket expansion and ``brentq``."""
        def h(tau):
            return self.mass_excess_mode(beta, tau)

        step = 1.0
        lo = hi = self.s1
        while h(hi) < 0:
            lo, hi = hi, hi + step
            step *= 2.0
            if step > 1e300:
                raise ArithmeticError("normalisation: no bracket for the mode anchor")
        step = 1.0
        while h(lo) > 0:
            hi, lo = lo, lo - step
            step *= 2.0
            if step > 1e300:
                raise ArithmeticError("normalisation: no bracket for the mode anchor")
        if h(lo) == 0:
            return lo
        return brentq(h, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)

    def ratios(self, beta: float, u_top: float) -> np.ndarray:
        """``phi / p`` on the support for top ratio ``u_top`` (``<= u_top`` below the top)."""
        u = np.empty(self.p.size)
        u[self.top] = u_top
        if self.gaps.size:
            t_top = float(self.gen.df(u_top))
            with np.errstate(over="ignore"):
                t = t_top - self.gaps / beta
            low = np.zeros(t.size)
            inside = t > self.s0
            if np.any(inside):
                vals = np.asarray(self.gen.df_inv(t[inside]), dtype=np.float64)
                low[inside] = np.minimum(vals, u_top)  # monotone: never above the top
            u[~self.top] = low
        return u

    def mass_excess(self, beta: float, u_top: float) -> float:
        """``sum_y phi(y) - 1``, the top level's share formed exactly."""
        u = self.ratios(beta, u_top)
        low = float(self.p_low @ u[~self.top]) if self.gaps.size else 0.0
        return (self.p_top * u_top - 1.0) + low

    def solve_top(self, beta: float) -> float:
        """Normalisation: the ``u_top in [1, 1/p_top]`` with ``sum phi = 1``.

        ``brentq`` on ``log u_top`` (the range may span 300 decades), then on
        ``u_top`` itself inside the bracket so found, to full relative accuracy.
        """
        x_max = -math.log(self.p_top)

        def h(x):
            return self.mass_excess(beta, math.exp(x))

        if h(0.0) >= 0:
            return 1.0
        if h(x_max) <= 0:
            return 1.0 / self.p_top
        x = brentq(h, 0.0, x_max, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
        u = math.exp(x)
        width = 1e-12 * max(1.0, x)
        lo, hi = max(1.0, u * (1.0 - width)), min(1.0 / self.p_top, u * (1.0 + width))
        e_lo, e_hi = self.mass_excess(beta, lo), self.mass_excess(beta, hi)
        if e_lo < 0 < e_hi:
            u = brentq(lambda v: self.mass_excess(beta, v), lo, hi, xtol=1e-300,
                       rtol=4 * np.finfo(float).eps, maxiter=500)
        return u

    def policy(self, beta: float) -> tuple[np.ndarray, float]:
        """Optimal ``phi`` on the support and ``nu`` for multiplier ``beta``.

        Raises ``ArithmeticError`` if the normalisation cannot be met to 1e-12
        (never renormalises a wrong policy into a plausible one).
        """
        anchors = ("top", "mode") if self.finite_slope else ("mode", "top")
        residual = math.nan
        for anchor in anchors:
            try:
                if anchor == "top":
                    u_top = self.solve_top(beta)
                    u = self.ratios(beta, u_top)
                    nu = self.r_max - beta * float(self.gen.df(u_top))
                else:
                    tau = self.solve_mode(beta)
                    u = self.ratios_mode(beta, tau)
                    nu = self.r_mode - beta * tau
            except (ArithmeticError, ValueError, RuntimeError):
                continue
            phi = self.p * u
            residual = float(phi.sum()) - 1.0
            if abs(residual) <= 1e-12 and np.all(np.isfinite(phi)):
                return phi / phi.sum(), nu  # removes the last <= 1e-12 of rounding
        raise ArithmeticError(f"normalisation not met: |sum phi - 1| = {abs(residual):.3g}")

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
    registered name; it must be **strictly convex** (``f'`` invertible, ``df_inv``
    available): ``"tv"`` and other non-smooth generators raise ``ValueError``.
    The normalisation is solved from an anchor level known exactly (the ratio
    :math:`u_* = \phi/p` of the top level when :math:`f'(\infty)` is finite, :math:`f'` at
    the modal level otherwise), so references with tiny masses (``1e-150``) are
    solved to full accuracy, certified by weak duality in the tests; a policy that
    misses the budget or the normalisation is never returned (``ArithmeticError``).
    Limit: with :math:`f(0^+) = \infty` (reverse KL), a budget that drives a mass
    below the float range raises ``ValueError``.

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

    p = probability_vector(p, "p")
    r = as_reward(reward, p.size, "reward")
    delta = nonnegative(delta, "delta", allow_inf=True)
    try:
        gen = fd.get_generator(f)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"f: {exc}") from None
    if not gen.smooth:
        raise ValueError(f"f: {gen.name} is not strictly convex (f' is not invertible)")
    prob = _Problem(p, r, gen)
    top, p_top = prob.top, prob.p_top
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
    divergence = prob.divergence(phi)
    if divergence > delta * (1.0 + 1e-10):
        raise ArithmeticError(f"f_constrained_optimum: the policy found has divergence "
                              f"{divergence!r} > delta = {delta!r}; not returned")
    return FConstrainedOptimum(prob.full(phi), beta, nu, float(phi @ prob.r),
                               divergence, gen.name, False)
