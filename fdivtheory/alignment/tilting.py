r"""Exponential tilting and the KL-constrained optimal policy.

For a reference pmf :math:`p` and a reward :math:`r` on a finite set,

.. math::

    p_\lambda(y) = p(y)\, e^{\lambda r(y)} / Z(\lambda), \qquad
    Z(\lambda) = \sum_y p(y) e^{\lambda r(y)},

and :math:`D(p_\lambda \| p) = \lambda\, E_{p_\lambda} r - \log Z(\lambda)`, increasing in
:math:`\lambda \ge 0` with derivative :math:`\lambda \operatorname{Var}_{p_\lambda}(r)`.
All sums are log-sum-exp sums shifted by the largest (``lam > 0``) or smallest
(``lam < 0``) reward, so that :math:`\lambda` may be huge without overflow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ._validation import as_nonnegative, as_pmf, as_reward

__all__ = [
    "KLConstrainedOptimum",
    "kl_constrained_optimum",
    "log_partition",
    "tilt",
    "tilted_kl",
]

_RTOL = 4 * np.finfo(float).eps


def _expm1_minus_id(u: np.ndarray) -> np.ndarray:
    """``expm1(u) - u`` with full relative accuracy near 0 (series for ``|u| < 0.1``)."""
    out = np.expm1(u) - u
    small = np.abs(u) < 0.1
    us = u[small]
    term = us * us / 2.0
    acc = term.copy()
    for k in range(3, 16):
        term = term * us / k
        acc = acc + term
    out[small] = acc
    return out


def _log_mass(p: np.ndarray, sel: np.ndarray) -> float:
    """``log sum p[sel]``, via ``log1p(-rest)`` when the selection holds most of the mass."""
    inside = float(p[sel].sum())
    if inside > 0.5:
        return math.log1p(-float(p[~sel].sum()))
    return math.log(inside)


class _Tilt:
    """Tilted family of one reference law, restricted to its support.

    Holds ``log p`` and ``r`` on ``supp p`` and evaluates log-partition,
    tilted log-pmf, mean, variance and ``D(p_lam || p)``.

    Two exact forms are used.  For ``|lam| (r_max - r_min) < 1/2`` the
    rewards are centred at the reference mean and ``log Z`` is
    ``log1p(sum p (expm1(u) - u))``, ``u = lam (r - mean)``, so that the
    O(lam^2) quantities (KL, mean shift) keep full relative accuracy as
    ``lam -> 0``.  Otherwise the rewards are shifted by the extreme reward
    so that every exponent is ``<= 0`` and huge ``lam`` cannot overflow.
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

    def state(self, lam: float) -> tuple[float, np.ndarray, float, float]:
        """``(log Z(lam), log p_lam, E_lam r, D(p_lam || p))`` on the support."""
        if math.isinf(lam):
            top = lam > 0
            edge = self.r_max if top else self.r_min
            log_edge = self.log_p_top if top else self.log_p_bottom
            log_pmf = np.where(self.r == edge, self.log_p - log_edge, -np.inf)
            return (math.inf if top else -math.inf), log_pmf, edge, -log_edge
        if abs(lam) * self.span < 0.5:
            u = lam * self.centred
            s = float(self.p @ _expm1_minus_id(u)) + lam * self.residual
            log_zc = math.log1p(s)
            log_pmf = self.log_p + u - log_zc
            shift = (float(self.p @ (np.expm1(u) * self.centred)) + self.residual) / (1.0 + s)
            kl = lam * shift - log_zc
            return lam * self.mean0 + log_zc, log_pmf, self.mean0 + shift, max(kl, 0.0)
        c = self.r_max if lam > 0 else self.r_min
        a = self.log_p + lam * (self.r - c)
        m = float(a.max())
        with np.errstate(under="ignore"):
            log_zc = m + math.log(float(np.exp(a - m).sum()))
            log_pmf = a - log_zc
            w = np.exp(log_pmf)
        gap = float(w @ (self.r - c))
        kl = lam * gap - log_zc
        return lam * c + log_zc, log_pmf, c + gap, max(kl, 0.0)

    def log_z(self, lam: float) -> float:
        """``log Z(lam)``."""
        return self.state(lam)[0]

    def log_pmf(self, lam: float) -> np.ndarray:
        """``log p_lam`` on the support (``lam = +-inf``: the conditional law)."""
        return self.state(lam)[1]

    def mean(self, lam: float) -> float:
        """``E_{p_lam} r``."""
        return self.state(lam)[2]

    def kl(self, lam: float) -> float:
        """``D(p_lam || p)``."""
        return self.state(lam)[3]

    def variance(self, lam: float) -> float:
        """``Var_{p_lam} r``."""
        _, log_pmf, mean, _ = self.state(lam)
        with np.errstate(under="ignore"):
            w = np.exp(log_pmf)
        d = self.r - mean
        return float(w @ (d * d))

    def full(self, values: np.ndarray, fill: float) -> np.ndarray:
        """Scatter support values back to the full outcome set."""
        out = np.full(self.size, fill)
        out[self.support] = values
        return out

    def solve_kl(self, delta: float) -> float:
        """The ``lam >= 0`` with ``D(p_lam || p) = delta`` (``inf`` when saturated)."""
        if delta == 0:
            return 0.0
        if delta >= -self.log_p_top:
            return math.inf
        lo, hi = 0.0, 2.0 * math.sqrt(2.0 * delta / self.variance(0.0))
        while self.kl(hi) < delta:
            lo, hi = hi, 2.0 * hi
        return brentq(lambda t: self.kl(t) - delta, lo, hi, xtol=1e-300, rtol=_RTOL,
                      maxiter=500)

    def solve_mean(self, x: float) -> float:
        """The ``t`` with ``E_{p_t} r = x`` for ``r_min < x < r_max``."""
        def g(t):
            return self.mean(t) - x

        if x == self.mean0:
            return 0.0
        step = 1.0 / max(self.span, 1e-300)
        if x > self.mean0:
            lo, hi = 0.0, step
            while g(hi) < 0:
                lo, hi = hi, 2.0 * hi
        else:
            lo, hi = -step, 0.0
            while g(lo) > 0:
                lo, hi = 2.0 * lo, lo
        return brentq(g, lo, hi, xtol=1e-300, rtol=_RTOL, maxiter=500)


def _family(p, reward) -> _Tilt:
    p = as_pmf(p, "p")
    r = as_reward(reward, p.size, "reward")
    return _Tilt(p, r)


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
    lam = float(lam)
    if math.isnan(lam):
        raise ValueError("lam must not be NaN")
    with np.errstate(under="ignore"):
        return fam.full(np.exp(fam.log_pmf(lam)), 0.0)


def tilted_kl(p, reward, lam: float) -> float:
    r"""KL of the tilted law: :math:`D(p_\lambda\|p) = \lambda E_{p_\lambda} r - \log Z(\lambda)`.

    Examples
    --------
    >>> round(tilted_kl([0.5, 0.5], [0.0, 1.0], np.log(3.0)), 6)  # KL((1/4, 3/4) || (1/2, 1/2))
    0.130812
    """
    lam = float(lam)
    if math.isnan(lam):
        raise ValueError("lam must not be NaN")
    return _family(p, reward).kl(lam)


@dataclass(frozen=True)
class KLConstrainedOptimum:
    r"""Solution of ``max E_phi r  s.t.  D(phi || p) <= delta``.

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
        Reference pmf (``|sum - 1| <= 1e-10``, non-negative).
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
    delta = as_nonnegative(delta, "delta")
    lam = fam.solve_kl(delta)
    _, log_pol, mean, kl = fam.state(lam)
    with np.errstate(under="ignore"):
        policy = fam.full(np.exp(log_pol), 0.0)
    return KLConstrainedOptimum(lam=lam, policy=policy, expected_reward=mean, kl=kl,
                                delta=delta, saturated=math.isinf(lam))
