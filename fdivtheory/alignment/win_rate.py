r"""Win rates against the reference and the optimal win-rate / KL trade-off.

The win rate of a policy :math:`\phi` against the reference :math:`p` is

.. math::

    W(\phi) = P(r(Y) > r(Z)) + \tfrac12 P(r(Y) = r(Z)) = E_\phi[w], \qquad
    w(y) = F^-(y) + \tfrac12 P_p(r(Z) = r(y)),

:math:`Y \sim \phi`, :math:`Z \sim p` independent.  Since :math:`W` is linear in
:math:`\phi`, the largest win rate under a KL budget is the KL-constrained optimum
for the *win-rate reward* :math:`w` (an exponential tilt of :math:`p` on :math:`w`;
[B], win-rate vs KL trade-offs).  In the continuum limit (quantile reward
:math:`u \in [0, 1]`) the tilted density is :math:`\lambda e^{\lambda u}/(e^\lambda - 1)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from fdivtheory._arguments import nonnegative, probability_vector, real

from ._validation import as_reward, resolve_log_n
from .tilting import kl_constrained_optimum

__all__ = [
    "ContinuumWinRates",
    "OptimalWinRate",
    "continuum_optimal_win_rate",
    "continuum_tilt",
    "continuum_win_rates",
    "win_rate",
    "win_rate_optimal_tilt",
    "win_rate_reward",
]


def win_rate_reward(p, reward) -> np.ndarray:
    r"""Per-outcome win probability :math:`w(y) = P_p(r(Z) < r(y)) + \tfrac12 P_p(r(Z) = r(y))`.

    With distinct rewards this is [B]'s :math:`F^-(y) + p(y)/2`.  Defined for every
    outcome (also those with ``p(y) = 0``).

    Examples
    --------
    >>> win_rate_reward([0.1, 0.2, 0.3, 0.4], [0, 1, 2, 3])
    array([0.05, 0.2 , 0.45, 0.8 ])
    """
    p = probability_vector(p, "p")
    r = as_reward(reward, p.size, "reward")
    levels, inverse = np.unique(r, return_inverse=True)
    mass = np.bincount(inverse, weights=p, minlength=levels.size)
    below = np.concatenate([[0.0], np.cumsum(mass)[:-1]])
    return (below + 0.5 * mass)[inverse]


def win_rate(phi, p, reward) -> float:
    r"""Win rate of ``phi`` against ``p``, a tie counting one half.

    .. math::

        W(\phi) = P(r(Y) > r(Z)) + \tfrac12 P(r(Y) = r(Z)), \quad Y \sim \phi,\ Z \sim p.

    Computed as :math:`E_\phi[w]` with :func:`win_rate_reward`.  Source: [B],
    win rate of the best-of-n policy.  That a tie counts one half is the
    library's convention (it makes :math:`W(p) = 1/2` for every reference and
    :math:`W` of best-of-N equal to :math:`N/(N+1)` in the continuum limit);
    docs/theory/alignment.md, §1.

    Examples
    --------
    >>> win_rate([0.25, 0.75], [0.5, 0.5], [0.0, 1.0])
    0.625
    """
    w = win_rate_reward(p, reward)
    phi = probability_vector(phi, "phi")
    if phi.size != w.size:
        raise ValueError(f"phi must have the same length as p ({w.size}), got {phi.size}")
    return float(phi @ w)


@dataclass(frozen=True)
class OptimalWinRate:
    r"""Largest win rate at a KL budget: the tilt of ``p`` on the win-rate reward.

    Attributes
    ----------
    lam : float
        Tilt parameter on :math:`w` (``inf`` when the budget saturates).
    policy : ndarray
        :math:`p_\lambda \propto p\, e^{\lambda w}`.
    kl : float
        :math:`D(p_\lambda\|p)` (the budget unless saturated).
    win_rate : float
        :math:`W(p_\lambda) = E_{p_\lambda} w`.
    saturated : bool
        True when the budget exceeds :math:`-\log p(\text{top level})`.
    """

    lam: float
    policy: np.ndarray
    kl: float
    win_rate: float
    saturated: bool


def win_rate_optimal_tilt(p, reward, kl: float) -> OptimalWinRate:
    r"""Policy with the largest win rate against ``p`` among :math:`D(\phi\|p) \le` ``kl``.

    .. math::

        \max\{W(\phi) : D(\phi\|p) \le \kappa\} \text{ is attained by }
        \phi \propto p\,e^{\lambda w}, \quad w = F^- + \tfrac12 P_p(\text{level}),

    because :math:`W(\phi) = E_\phi w` is linear (:func:`kl_constrained_optimum` with
    reward :math:`w`).  Source: [B], win-rate vs KL trade-offs.  Comparing with
    best-of-N at the same KL shows how far best-of-N is from the optimal trade-off.

    Examples
    --------
    >>> p, r = [0.1, 0.2, 0.3, 0.4], [0, 1, 2, 3]
    >>> round(win_rate_optimal_tilt(p, r, 0.17602587400978478).win_rate, 5)
    0.65591
    """
    kl = nonnegative(kl, "kl", allow_inf=True)
    w = win_rate_reward(p, reward)
    opt = kl_constrained_optimum(p, w, kl)
    return OptimalWinRate(lam=opt.lam, policy=opt.policy, kl=opt.kl,
                          win_rate=opt.expected_reward, saturated=opt.saturated)


def continuum_tilt(lam: float) -> tuple[float, float]:
    r"""KL and win rate of the continuum tilt :math:`\lambda e^{\lambda u}/(e^\lambda-1)` on [0, 1].

    .. math::

        E[u] = \frac{1}{1-e^{-\lambda}} - \frac1\lambda, \qquad
        \mathrm{KL}(\lambda) = \lambda E[u] - \log\frac{e^\lambda - 1}{\lambda}.

    The win rate against the uniform reference is :math:`E[u]`.  Source: [B],
    win-rate vs KL trade-offs (continuum limit; formulas derived in
    docs/theory/alignment.md, §7).  Taylor series for :math:`|\lambda| < 0.05`
    (:math:`\mathrm{KL} = \lambda^2/24 - \lambda^4/960 + \dots`); ``lam < 0`` mirrors.

    Returns
    -------
    (kl, win_rate) : tuple of float

    Examples
    --------
    >>> kl, win = continuum_tilt(0.0)
    >>> kl, win
    (0.0, 0.5)
    """
    lam = real(lam, "lam")
    if lam < 0:
        kl, win = continuum_tilt(-lam)
        return kl, 1.0 - win
    if math.isinf(lam):
        return math.inf, 1.0
    if lam < 0.05:
        l2 = lam * lam
        win = 0.5 + lam / 12 - lam * l2 / 720 + lam * l2 * l2 / 30240 - lam * l2**3 / 1209600
        kl = l2 / 24 - l2**2 / 960 + l2**3 / 36288 - l2**4 / 1382400
        return kl, win
    win = 1.0 / (-math.expm1(-lam)) - 1.0 / lam
    if lam < 1.0:
        log_norm = math.log(math.expm1(lam) / lam)
    else:
        log_norm = lam + math.log(-math.expm1(-lam)) - math.log(lam)
    return lam * win - log_norm, win


def continuum_optimal_win_rate(kl: float) -> float:
    r"""Best win rate at KL budget ``kl`` in the continuum limit.

    Solves :math:`\mathrm{KL}(\lambda) = ` ``kl`` (monotone in :math:`\lambda \ge 0`; ``brentq``)
    and returns :math:`E_\lambda[u]` (:func:`continuum_tilt`).  Source: [B], win-rate
    vs KL trade-offs (continuum limit).

    Examples
    --------
    >>> round(continuum_optimal_win_rate(np.log(16) - 15 / 16), 6)
    0.941287
    """
    kl = nonnegative(kl, "kl", allow_inf=True)
    if kl == 0:
        return 0.5
    if math.isinf(kl):
        return 1.0
    hi = 1.0
    while continuum_tilt(hi)[0] < kl:
        hi *= 2.0
    lam = brentq(lambda t: continuum_tilt(t)[0] - kl, 0.0, hi, xtol=1e-300,
                 rtol=4 * np.finfo(float).eps, maxiter=500)
    return continuum_tilt(lam)[1]


@dataclass(frozen=True)
class ContinuumWinRates:
    r"""Win rates at the best-of-N KL :math:`\log N - (N-1)/N` in the continuum limit.

    Attributes
    ----------
    kl : float
        :math:`\log N - (N-1)/N`, the best-of-N KL of an atomless reference.
    best_of_n : float
        :math:`N/(N+1)`, the mean of :math:`\mathrm{Beta}(N, 1)`.
    optimal : float
        The tilted (optimal) win rate at the same KL.
    rewind_and_repeat : float
        :math:`1 - \varepsilon/2` with :math:`\varepsilon = e^{-\mathrm{KL}}`: conditioning on
        the top :math:`\varepsilon`-quantile at the same KL; exactly
        :math:`1 - e^{1-1/N}/(2N)` (about :math:`1 - 1.36/N` only for large :math:`N`).
    """

    kl: float
    best_of_n: float
    optimal: float
    rewind_and_repeat: float


def continuum_win_rates(n=None, *, log_n: float | None = None) -> ContinuumWinRates:
    r"""Best-of-N, optimal tilt and rewind-and-repeat win rates at equal KL (continuum).

    Best-of-N has KL :math:`\log N - (N-1)/N` and win rate :math:`N/(N+1)`;
    conditioning on the top :math:`\varepsilon`-quantile has KL :math:`\log(1/\varepsilon)`
    and win rate :math:`1 - \varepsilon/2`; the tilt on the quantile is optimal.
    Source: [B], rewind-and-repeat and win-rate vs KL trade-offs (continuum limit,
    docs/theory/alignment.md, §7).  Best-of-N is nearly optimal (N = 16: 0.941176 vs 0.941287).

    Examples
    --------
    >>> c = continuum_win_rates(100)
    >>> round(c.best_of_n, 7), round(c.optimal, 7), round(c.rewind_and_repeat, 4)
    (0.990099, 0.9900995, 0.9865)
    """
    ln = resolve_log_n(n, log_n, "n")
    kl = ln + math.expm1(-ln)
    bon = 1.0 / (1.0 + math.exp(-ln))
    return ContinuumWinRates(kl=kl, best_of_n=bon, optimal=continuum_optimal_win_rate(kl),
                             rewind_and_repeat=1.0 - 0.5 * math.exp(-kl))
