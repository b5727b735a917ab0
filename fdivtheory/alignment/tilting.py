r"""Exponential tilting and the KL-constrained optimal policy.

For a reference pmf :math:`p` and a reward :math:`r` on a finite set,

.. math::

    p_\lambda(y) = p(y)\, e^{\lambda r(y)} / Z(\lambda), \qquad
    Z(\lambda) = \sum_y p(y) e^{\lambda r(y)},

and :math:`D(p_\lambda \| p) = \lambda\, E_{p_\lambda} r - \log Z(\lambda)`, increasing in
:math:`\lambda \ge 0` with derivative :math:`\lambda \operatorname{Var}_{p_\lambda}(r)`.
All sums are log-sum-exp sums relative to their largest term, and the KL is
the cancellation-free :math:`\sum p\,\psi(\log(p_\lambda/p))`, so that :math:`\lambda` may be
huge or tiny (docs/theory/alignment.md, §2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from fdivtheory._arguments import nonnegative, probability_vector, real
from fdivtheory._special import exprel2, one_plus_x_log1p_minus_x

from ._logspace import kl_from_logs, logsumexp, psi
from ._validation import as_reward

__all__ = [
    "KLConstrainedOptimum",
    "TiltedFamily",
    "kl_constrained_optimum",
    "log_partition",
    "tilt",
    "tilted_kl",
]

_RTOL = 4 * np.finfo(float).eps


def _log_mass(p: np.ndarray, sel: np.ndarray) -> float:
    """``log sum p[sel]``, via ``log1p(-rest)`` when the selection holds most of the mass."""
    inside = float(p[sel].sum())
    if inside > 0.5:
        return math.log1p(-float(p[~sel].sum()))
    return math.log(inside)


class TiltedFamily:
    r"""The exponential family :math:`p_\lambda \propto p\,e^{\lambda r}` of one reference law.

    Holds :math:`\log p` and :math:`r` on :math:`\operatorname{supp} p` and evaluates
    :math:`\log Z(\lambda)`, :math:`\log p_\lambda`, the mean, the variance and
    :math:`D(p_\lambda\|p)`, and solves :math:`D(p_\lambda\|p) = \delta` and
    :math:`E_{p_\lambda} r = x` for :math:`\lambda`.  Shared by the tilting, win-rate
    and large-deviation functions (the one implementation of the tilt).

    Two exact forms (docs/theory/alignment.md, §2):

    * :math:`|\lambda|(r_{\max} - r_{\min}) < 1/2`: rewards centred at the
      reference mean, :math:`u = \lambda(r - \bar r)`, :math:`Z_c = 1 + s`,
      :math:`s = \sum p(e^u - 1)`, and
      :math:`D = (\sum p\,\psi(u) - [(1+s)\log(1+s) - s])/(1+s)`,
      :math:`\psi(u) = 1 + (u-1)e^u`: both parts are non-negative and of order
      :math:`\lambda^2`, so the KL has full relative accuracy down to
      :math:`\lambda \sim 10^{-150}`, and the rounding error of the centring
      (:math:`\sum p(r - \bar r) \ne 0` in floating point) cancels exactly.
    * otherwise: every exponent is taken relative to the largest term
      :math:`\log p_k + \lambda r_k`, the log-sum-exp is
      :math:`\log p_k + \operatorname{log1p}(\dots)`, so :math:`\log(p_\lambda/p)` is
      accurate for every outcome even at huge :math:`\lambda`, and
      :math:`D = \sum p\,\psi(\log(p_\lambda/p))` has no cancellation.

    Examples
    --------
    >>> fam = TiltedFamily(np.array([0.5, 0.5]), np.array([0.0, 1.0]))
    >>> round(fam.kl(np.log(3.0)), 12)   # KL((1/4, 3/4) || (1/2, 1/2))
    0.130812035941
    >>> round(fam.solve_kl(1e-100) * 1e50, 12)  # lam = sqrt(2 delta / Var) = sqrt(8) 1e-50
    2.828427124746
    """

    def __init__(self, p: np.ndarray, reward: np.ndarray):
        self.size = p.size
        self.support = p > 0
        self.p = p[self.support]
        self.log_p = np.log(self.p)
        self.r = reward[self.support]
        self.r_max = float(self.r.max())
        self.r_min = float(self.r.min())
        self.span = self.r_max - self.r_min
        self.log_p_top = _log_mass(self.p, self.r == self.r_max)
        self.log_p_bottom = _log_mass(self.p, self.r == self.r_min)
        mean = float(self.p @ self.r)
        mean += float(self.p @ (self.r - mean))  # one refinement step: residual ~ eps^2
        self.mean0 = mean
        self.centred = self.r - mean
        self.residual = float(self.p @ self.centred)

    def state(self, lam: float, with_kl: bool = True) -> tuple[float, np.ndarray, float, float]:
        """``(log Z(lam), log p_lam, E_lam r, D(p_lam || p))`` on the support.

        ``with_kl=False`` skips the KL (returned as NaN) for callers that need only
        the law or its mean.
        """
        if math.isinf(lam):
            top = lam > 0
            edge = self.r_max if top else self.r_min
            log_edge = self.log_p_top if top else self.log_p_bottom
            log_pmf = np.where(self.r == edge, self.log_p - log_edge, -np.inf)
            return (math.inf if top else -math.inf), log_pmf, edge, -log_edge
        if abs(lam) * self.span < 0.5:
            u = lam * self.centred
            s = float(self.p @ (u * u * exprel2(u))) + lam * self.residual  # sum p (e^u - 1 - u)
            log_zc = math.log1p(s)
            log_pmf = self.log_p + u - log_zc
            shift = (float(self.p @ (np.expm1(u) * self.centred)) + self.residual) / (1.0 + s)
            kl = math.nan
            if with_kl:
                kl = max((float(self.p @ psi(u)) - float(one_plus_x_log1p_minus_x(s))) / (1.0 + s), 0.0)
            return lam * self.mean0 + log_zc, log_pmf, self.mean0 + shift, kl
        a = self.log_p + lam * self.r
        k = int(np.argmax(a))
        r_k = float(self.r[k])
        # log(p_lam / p) = lam (r - r_k) - log(sum_j p_j e^{lam (r_j - r_k)})
        b = (self.log_p - self.log_p[k]) + lam * (self.r - r_k)
        b[k] = 0.0
        log_zc = float(self.log_p[k]) + logsumexp(b)
        rho = lam * (self.r - r_k) - log_zc
        log_pmf = self.log_p + rho
        with np.errstate(under="ignore"):
            w = np.exp(log_pmf)
        mean = r_k + float(w @ (self.r - r_k))
        kl = kl_from_logs(log_pmf, self.log_p) if with_kl else math.nan
        return lam * r_k + log_zc, log_pmf, mean, kl

    def log_z(self, lam: float) -> float:
        """``log Z(lam)``."""
        return self.state(lam, with_kl=False)[0]

    def log_pmf(self, lam: float) -> np.ndarray:
        """``log p_lam`` on the support (``lam = +-inf``: the conditional law)."""
        return self.state(lam, with_kl=False)[1]

    def mean(self, lam: float) -> float:
        """``E_{p_lam} r``."""
        return self.state(lam, with_kl=False)[2]

    def kl(self, lam: float) -> float:
        """``D(p_lam || p)``."""
        return self.state(lam)[3]

    def variance(self, lam: float) -> float:
        """``Var_{p_lam} r``."""
        _, log_pmf, mean, _ = self.state(lam, with_kl=False)
        with np.errstate(under="ignore"):
            w = np.exp(log_pmf)
        d = self.r - mean
        return float(w @ (d * d))

    def full(self, values: np.ndarray, fill: float) -> np.ndarray:
        """Scatter support values back to the full outcome set."""
        out = np.full(self.size, fill)
        out[self.support] = values
        return out

    def _bracket(self, g, start: float) -> tuple[float, float]:
        """``0 <= lo < hi`` with ``g(lo) < 0 <= g(hi)`` for increasing ``g`` on ``[0, inf)``.

        Geometric search by factors of 4 from ``start``: a few steps whatever the
        scale of the root (1e-50 or 700), never an overflowing first guess.
        """
        hi = start
        if g(hi) >= 0:
            lo = hi / 4.0
            while lo > 0 and g(lo) >= 0:
                hi, lo = lo, lo / 4.0
            return lo, hi
        lo, hi = hi, 4.0 * hi
        while g(hi) < 0:
            if hi > 1e300:
                raise ArithmeticError("no sign change below lam = 1e300")
            lo, hi = hi, 4.0 * hi
        return lo, hi

    def solve_kl(self, delta: float) -> float:
        """The ``lam >= 0`` with ``D(p_lam || p) = delta`` (``inf`` when saturated)."""
        if delta == 0:
            return 0.0
        if delta >= -self.log_p_top:
            return math.inf

        def g(t):
            return self.kl(t) - delta

        var0 = self.variance(0.0)
        start = 1.0 / self.span
        if var0 > 0:
            start = min(start, math.sqrt(2.0 * delta / var0))  # small-delta asymptote
        try:
            lo, hi = self._bracket(g, start)
        except ArithmeticError:
            # delta within rounding of the saturation value -log p(top): conditional law
            return math.inf
        if g(hi) == 0:
            return hi
        return brentq(g, lo, hi, xtol=1e-300, rtol=_RTOL, maxiter=500)

    def solve_mean(self, x: float) -> float:
        """The ``t`` with ``E_{p_t} r = x`` for ``r_min < x < r_max``.

        The direction is taken from the sign of ``E_{p_0} r - x`` as computed (not
        from comparing ``x`` with a separately rounded mean), so ``x`` within an
        ulp of the mean brackets correctly.
        """
        g0 = self.mean(0.0) - x
        if g0 == 0:
            return 0.0
        start = 1.0 / max(self.span, 1e-300)
        if g0 < 0:
            lo, hi = self._bracket(lambda t: self.mean(t) - x, start)
            if self.mean(hi) == x:
                return hi
            return brentq(lambda t: self.mean(t) - x, lo, hi, xtol=1e-300, rtol=_RTOL,
                          maxiter=500)
        lo, hi = self._bracket(lambda t: x - self.mean(-t), start)
        if self.mean(-hi) == x:
            return -hi
        return -brentq(lambda t: x - self.mean(-t), lo, hi, xtol=1e-300, rtol=_RTOL,
                       maxiter=500)


def _family(p, reward) -> TiltedFamily:
    p = probability_vector(p, "p")
    r = as_reward(reward, p.size, "reward")
    return TiltedFamily(p, r)


def log_partition(p, reward, lam: float) -> float:
    r"""Log-partition function :math:`\log Z(\lambda) = \log \sum_y p(y) e^{\lambda r(y)}`.

    Computed as a log-sum-exp shifted by the extreme reward, so it is finite
    for any finite ``lam``.  It is the cumulant generating function of
    :math:`r(Y)`, :math:`Y \sim p`.

    Examples
    --------
    >>> round(log_partition([0.5, 0.5], [0.0, 1.0], 0.0), 12)
    0.0
    >>> round(log_partition([0.5, 0.5], [0.0, 1.0], 1.0), 6)
    0.620115
    """
    return _family(p, reward).log_z(float(lam))


def tilt(p, reward, lam: float) -> np.ndarray:
    r"""Exponentially tilted law :math:`p_\lambda(y) = p(y) e^{\lambda r(y)} / Z(\lambda)`.

    ``lam = +inf`` (``-inf``) gives ``p`` conditioned on the maximisers
    (minimisers) of the reward, the limit of the family.

    Examples
    --------
    >>> tilt([0.5, 0.5], [0.0, 1.0], np.log(3.0)).round(6)
    array([0.25, 0.75])
    """
    fam = _family(p, reward)
    lam = real(lam, "lam")
    with np.errstate(under="ignore"):
        return fam.full(np.exp(fam.log_pmf(lam)), 0.0)


def tilted_kl(p, reward, lam: float) -> float:
    r"""KL of the tilted law: :math:`D(p_\lambda\|p) = \lambda E_{p_\lambda} r - \log Z(\lambda)`.

    Examples
    --------
    >>> round(tilted_kl([0.5, 0.5], [0.0, 1.0], np.log(3.0)), 6)  # KL((1/4, 3/4) || (1/2, 1/2))
    0.130812
    """
    lam = real(lam, "lam")
    return _family(p, reward).kl(lam)


@dataclass(frozen=True)
class KLConstrainedOptimum:
    r"""Solution of ``max E_phi r`` subject to ``D(phi || p) <= delta``.

    Attributes
    ----------
    lam : float
        Tilt parameter :math:`\lambda_\Delta \ge 0` (``inf`` when saturated).
    policy : ndarray
        The optimal law :math:`\phi_\Delta = p_{\lambda_\Delta}` on the outcomes of ``p``.
    expected_reward : float
        :math:`E_{\phi_\Delta} r`, the reward-KL frontier :math:`R^*(\Delta)`.
    kl : float
        :math:`D(\phi_\Delta \| p)`: equal to ``delta`` unless saturated, then
        :math:`-\log p(\arg\max r) < \Delta`.
    delta : float
        The KL budget asked for.
    saturated : bool
        True when ``delta >= -log p(argmax r)``: the optimum is ``p``
        conditioned on the maximisers and the constraint is slack.
    """

    lam: float
    policy: np.ndarray
    expected_reward: float
    kl: float
    delta: float
    saturated: bool


def kl_constrained_optimum(p, reward, delta: float) -> KLConstrainedOptimum:
    r"""Optimal policy under a KL budget: exponential tilting of the reference.

    .. math::

        \phi_\Delta = \arg\max\{E_\phi r : D(\phi\|p) \le \Delta\}
                    = p_{\lambda_\Delta}, \qquad
        D(p_{\lambda_\Delta}\|p)
            = \lambda_\Delta E_{p_{\lambda_\Delta}} r - \log Z(\lambda_\Delta) = \Delta.

    Source: [Y], closed form of the KL-constrained RL optimum (standard
    Lagrangian / Gibbs variational argument).  :math:`\lambda_\Delta` is the
    unique root on :math:`[0, \infty)` (``brentq``; the KL is increasing with
    derivative :math:`\lambda \operatorname{Var}_{p_\lambda} r`), and the frontier
    :math:`R^*(\Delta)` is concave with slope :math:`1/\lambda_\Delta`.

    Conventions: natural logarithms; ``delta = 0`` gives ``lam = 0`` and
    ``policy = p``; ``delta >= -log p(argmax r)`` (``p`` of the whole set of
    maximisers) gives the conditional law on the maximisers with ``lam = inf``
    and ``kl = -log p(argmax r)``.  Outcomes with ``p = 0`` get 0.
    For a sequence model pass the joint pmf; for a memoryless model with a
    linear reward use :class:`MemorylessModel`, whose tilt is per letter.

    Parameters
    ----------
    p : array_like
        Reference pmf (``|sum - 1| <= 1e-9``, non-negative).
    reward : array_like
        Finite rewards, same length as ``p``.
    delta : float
        KL budget, ``>= 0`` (nats).

    Examples
    --------
    >>> opt = kl_constrained_optimum([0.5, 0.3, 0.2], [0.0, 1.0, 2.0], 0.2)
    >>> round(opt.expected_reward, 12), round(opt.kl, 12)
    (1.211385505074, 0.2)
    >>> kl_constrained_optimum([0.5, 0.3, 0.2], [0.0, 1.0, 2.0], 5.0).policy
    array([0., 0., 1.])
    """
    fam = _family(p, reward)
    delta = nonnegative(delta, "delta", allow_inf=True)
    lam = fam.solve_kl(delta)
    _, log_pol, mean, kl = fam.state(lam)
    with np.errstate(under="ignore"):
        policy = fam.full(np.exp(log_pol), 0.0)
    return KLConstrainedOptimum(lam=lam, policy=policy, expected_reward=mean, kl=kl,
                                delta=delta, saturated=math.isinf(lam))
