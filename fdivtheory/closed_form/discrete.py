r"""Discrete families: Bernoulli, Categorical, Poisson.

Bernoulli and Categorical follow the measure-theoretic zero/support rule of
the discrete core (``p_i = q_i = 0`` contributes 0; ``q_i = 0 < p_i`` makes KL,
chi-square and Rényi of order ``>= 1`` infinite).  Their KL is summed from the
non-negative standardised terms ``q h((p - q)/q)``, ``h(y) = (1+y) log(1+y) - y``
(exact for normalised probabilities), so close pairs keep full relative
precision.

Poisson (rate ``lambda`` vs ``mu``; Gil, Alajaji & Linder 2013):

* ``KL = lambda log(lambda/mu) - lambda + mu = mu h((lambda - mu)/mu)``;
* ``D_a = (lambda^a mu^{1-a} - a lambda - (1-a) mu) / (a - 1)`` (finite for all
  ``a``); ``D_0 = 0``; ``D_inf = mu - lambda`` if ``lambda <= mu`` else ``+inf``;
* ``B = (sqrt(lambda) - sqrt(mu))^2 / 2``; ``chi^2 = exp((lambda - mu)^2/mu) - 1``;
* ``TV = F_mu(k) - F_lambda(k)`` for ``lambda > mu``, ``k = floor((lambda - mu) /
  log(lambda/mu))`` the crossing point of the mass functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp, pdtr, pdtrc

from fdivtheory._special import one_plus_x_log1p_minus_x as _one_plus_x_log1p_minus_x
from fdivtheory.closed_form._numerics import (
    frozen_array,
    one_plus_x_log1p_minus_x,
    positive_scalar,
)
from fdivtheory.closed_form._registry import register

__all__ = ["Bernoulli", "Categorical", "Poisson"]

#: Tolerance on ``|sum(probs) - 1|``.
SUM_ATOL = 1e-9


@dataclass(frozen=True, eq=False)
class Categorical:
    r"""Categorical law on ``{0, ..., k-1}`` with probabilities ``probs``.

    ``probs`` must be a non-empty 1-D array of finite non-negative numbers
    summing to 1 within ``1e-9`` (``ValueError`` naming ``probs`` otherwise); it
    is stored renormalised, copied and read-only.

    Example
    -------
    >>> from fdivtheory.closed_form import Categorical, kl
    >>> round(kl(Categorical([0.5, 0.5]), Categorical([0.25, 0.75])), 12)
    0.143841036226
    """

    probs: Any

    def __post_init__(self) -> None:
        p = frozen_array(self.probs, "probs", ndim=1)
        if p.size == 0:
            raise ValueError("probs must not be empty")
        if np.any(p < 0):
            raise ValueError("probs must be non-negative")
        total = float(p.sum())
        if abs(total - 1.0) > SUM_ATOL:
            raise ValueError(f"probs must sum to 1, got sum {total!r}")
        p = p / total
        p.flags.writeable = False
        object.__setattr__(self, "probs", p)

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.rv_discrete`` law on ``0..k-1``."""
        from scipy import stats
        return stats.rv_discrete(values=(np.arange(self.probs.size), self.probs))


@dataclass(frozen=True, eq=False)
class Bernoulli:
    """Bernoulli law with success probability ``p`` in ``[0, 1]``.

    Example
    -------
    >>> from fdivtheory.closed_form import Bernoulli, tv
    >>> round(tv(Bernoulli(0.2), Bernoulli(0.5)), 12)
    0.3
    """

    p: float

    def __post_init__(self) -> None:
        try:
            v = float(self.p)
        except (TypeError, ValueError):
            raise ValueError(f"p must be a real number in [0, 1], got {self.p!r}") from None
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"p must lie in [0, 1], got {self.p!r}")
        object.__setattr__(self, "p", v)

    @property
    def probs(self) -> np.ndarray:
        """``[1 - p, p]``."""
        return np.array([1.0 - self.p, self.p])

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.bernoulli`` law."""
        from scipy import stats
        return stats.bernoulli(self.p)


def _probs(P: Any, Q: Any) -> tuple[np.ndarray, np.ndarray]:
    p, q = P.probs, Q.probs
    if p.shape != q.shape:
        raise ValueError(f"Q has {q.size} categories but P has {p.size}")
    return p, q


def _kl_probs(p: np.ndarray, q: np.ndarray) -> float:
    if np.any((q == 0) & (p > 0)):
        return math.inf
    m = q > 0
    return float(np.sum(q[m] * _one_plus_x_log1p_minus_x((p[m] - q[m]) / q[m])))


def _renyi_probs(p: np.ndarray, q: np.ndarray, alpha: float) -> float:
    sp = p > 0
    if alpha == 0.0:
        mass = float(q[sp].sum())
        return math.inf if mass == 0 else -math.log(mass)
    mismatch = bool(np.any(sp & (q == 0)))
    if math.isinf(alpha):
        return math.inf if mismatch else float(np.log(np.max(p[sp] / q[sp])))
    if alpha > 1 and mismatch:
        return math.inf
    both = sp & (q > 0)
    if not np.any(both):
        return math.inf
    log_int = float(logsumexp(alpha * np.log(p[both]) + (1.0 - alpha) * np.log(q[both])))
    return log_int / (alpha - 1.0)


def _tv_probs(p: np.ndarray, q: np.ndarray) -> float:
    return 0.5 * float(np.sum(np.abs(p - q)))


def _hellinger_sq_probs(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))


def _chi2_probs(p: np.ndarray, q: np.ndarray) -> float:
    if np.any((q == 0) & (p > 0)):
        return math.inf
    m = q > 0
    return float(np.sum((p[m] - q[m]) ** 2 / q[m]))


_FINITE = {"kl": _kl_probs, "tv": _tv_probs, "hellinger_sq": _hellinger_sq_probs,
           "chi2": _chi2_probs}

for _tp in (Categorical, Bernoulli):
    for _tq in (Categorical, Bernoulli):
        for _qty, _fn in _FINITE.items():
            register(_qty, _tp, _tq)(lambda P, Q, _fn=_fn: _fn(*_probs(P, Q)))
        register("renyi", _tp, _tq, note="all orders in [0, inf]")(
            lambda P, Q, alpha: _renyi_probs(*_probs(P, Q), alpha))


@dataclass(frozen=True, eq=False)
class Poisson:
    """Poisson law with mean ``rate > 0``.

    Example
    -------
    >>> from fdivtheory.closed_form import Poisson, kl
    >>> round(kl(Poisson(2.0), Poisson(1.0)), 12)   # 2 log 2 - 1
    0.38629436112
    """

    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", positive_scalar(self.rate, "rate"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.poisson`` law."""
        from scipy import stats
        return stats.poisson(self.rate)


@register("kl", Poisson, Poisson)
def _kl_poisson(P: Poisson, Q: Poisson) -> float:
    lam, mu = P.rate, Q.rate
    return mu * one_plus_x_log1p_minus_x((lam - mu) / mu)


@register("renyi", Poisson, Poisson, note="all orders in [0, inf]")
def _renyi_poisson(P: Poisson, Q: Poisson, alpha: float) -> float:
    lam, mu = P.rate, Q.rate
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return mu - lam if lam <= mu else math.inf
    # lambda^a mu^(1-a) - a lambda - (1-a) mu = mu [expm1(a log1p(y)) - a y], y = (lam-mu)/mu
    y = (lam - mu) / mu
    t = alpha * math.log1p(y)
    if t > 700.0:
        return math.inf
    return mu * (math.expm1(t) - alpha * y) / (alpha - 1.0)


@register("bhattacharyya", Poisson, Poisson)
def _bhattacharyya_poisson(P: Poisson, Q: Poisson) -> float:
    return 0.5 * (math.sqrt(P.rate) - math.sqrt(Q.rate)) ** 2


@register("chi2", Poisson, Poisson)
def _chi2_poisson(P: Poisson, Q: Poisson) -> float:
    e = (P.rate - Q.rate) ** 2 / Q.rate
    return math.inf if e > 709.0 else math.expm1(e)


@register("tv", Poisson, Poisson)
def _tv_poisson(P: Poisson, Q: Poisson) -> float:
    hi, lo = max(P.rate, Q.rate), min(P.rate, Q.rate)
    if hi == lo:
        return 0.0
    y = (hi - lo) / lo
    k = math.floor(lo * y / math.log1p(y))  # {p_hi > p_lo} = {k' > k}
    f_lo, f_hi = float(pdtr(k, lo)), float(pdtr(k, hi))
    if max(f_lo, f_hi) <= 0.5:
        return f_lo - f_hi
    return float(pdtrc(k, hi)) - float(pdtrc(k, lo))
