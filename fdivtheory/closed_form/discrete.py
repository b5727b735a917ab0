r"""Discrete families: Bernoulli, Categorical, Poisson.

Bernoulli and Categorical follow the measure-theoretic zero/support rule of
the discrete core (``p_i = q_i = 0`` contributes 0; ``q_i = 0 < p_i`` makes KL,
chi-square and Rényi of order ``>= 1`` infinite).  Their KL is summed from the
non-negative standardised terms ``q h((p - q)/q)``, ``h(y) = (1+y) log(1+y) - y``
(exact for normalised probabilities), so close pairs keep full relative
precision; two Bernoulli laws use the exact difference ``p1 - q1`` for both
coordinates (never that of the rounded complements ``1 - p1``).  Rényi of
order ``a`` (no support mismatch) is ``log(1 + S) / (a - 1)`` with
``S = (a - 1) KL + sum p E((a - 1) log(p/q))``, ``E(u) = e^u - 1 - u >= 0``, for
``a >= 1/2`` (the skew symmetry below), so it keeps relative precision for
``p ~ q`` and is continuous at ``a = 1``.

Poisson (rate ``lambda`` vs ``mu``; Gil, Alajaji & Linder 2013):

* ``KL = lambda log(lambda/mu) - lambda + mu = mu h((lambda - mu)/mu)``;
* ``D_a = (lambda^a mu^{1-a} - a lambda - (1-a) mu) / (a - 1)`` (finite for all
  ``a``), evaluated through the escort rate ``m = lambda^a mu^{1-a}``:
  ``KL(P||Q) + KL(P||M) / (a - 1)`` (``a > 1``), ``a/(1-a) KL(M||P) + KL(M||Q)``
  (``a < 1``), all in ``log(lambda/mu)``; ``D_0 = 0``;
  ``D_inf = mu - lambda`` if ``lambda <= mu`` else ``+inf``;
* ``B = (sqrt(lambda) - sqrt(mu))^2 / 2 = (lambda - mu)^2 / (2 (sqrt(lambda) +
  sqrt(mu))^2)``; ``chi^2 = exp((lambda - mu)^2/mu) - 1``;
* ``TV = F_mu(k) - F_lambda(k)`` for ``lambda > mu``, ``k = floor((lambda - mu) /
  log(lambda/mu))`` the crossing point of the mass functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp, pdtr, pdtrc

from fdivtheory._arguments import positive, probability, probability_vector
from fdivtheory._special import one_plus_x_log1p_minus_x as _one_plus_x_log1p_minus_x
from fdivtheory.closed_form._numerics import (
    expm1_minus_x,
    h,
    phi,
)
from fdivtheory.closed_form._registry import register

__all__ = ["Bernoulli", "Categorical", "Poisson"]


@dataclass(frozen=True, eq=False)
class Categorical:
    r"""Categorical law on ``{0, ..., k-1}`` with probabilities ``probs``.

    ``probs`` must be a non-empty 1-D array of finite non-negative numbers
    summing to 1 within ``1e-9`` (``ValueError`` naming ``probs`` otherwise); it
    is stored renormalised, copied and read-only.

    Examples
    --------
    >>> from fdivtheory.closed_form import Categorical, kl
    >>> round(kl(Categorical([0.5, 0.5]), Categorical([0.25, 0.75])), 12)
    0.143841036226
    """

    probs: Any

    def __post_init__(self) -> None:
        p = probability_vector(self.probs, "probs")  # a new array, divided by its sum
        p.flags.writeable = False
        object.__setattr__(self, "probs", p)

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.rv_discrete`` law on ``0..k-1``."""
        from scipy import stats
        return stats.rv_discrete(values=(np.arange(self.probs.size), self.probs))


@dataclass(frozen=True, eq=False)
class Bernoulli:
    """Bernoulli law with success probability ``p`` in ``[0, 1]``.

    Examples
    --------
    >>> from fdivtheory.closed_form import Bernoulli, tv
    >>> round(tv(Bernoulli(0.2), Bernoulli(0.5)), 12)
    0.3
    """

    p: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", probability(self.p, "p"))

    @property
    def probs(self) -> np.ndarray:
        """``[1 - p, p]``."""
        return np.array([1.0 - self.p, self.p])

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.bernoulli`` law."""
        from scipy import stats
        return stats.bernoulli(self.p)


def _probs(P: Any, Q: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``p, q`` and ``d = p - q``; for two Bernoulli laws ``d = (q1 - p1, p1 - q1)`` exactly.

    (``(1 - p1) - (1 - q1)`` of the rounded complements would lose ``|p1 - q1| / eps``
    of the digits for close laws.)
    """
    p, q = P.probs, Q.probs
    if p.shape != q.shape:
        raise ValueError(f"Q has {q.size} categories but P has {p.size}")
    if isinstance(P, Bernoulli) and isinstance(Q, Bernoulli):
        d1 = P.p - Q.p
        return p, q, np.array([-d1, d1])
    return p, q, p - q


def _kl_probs(p: np.ndarray, q: np.ndarray, d: np.ndarray | None = None) -> float:
    if np.any((q == 0) & (p > 0)):
        return math.inf
    if d is None:
        d = p - q
    m = q > 0
    return math.fsum(q[m] * _one_plus_x_log1p_minus_x(d[m] / q[m]))


def _renyi_probs(p: np.ndarray, q: np.ndarray, alpha: float, e: float | None = None,
                 d: np.ndarray | None = None) -> float:
    """``D_alpha(p || q)``; ``e = alpha - 1`` and ``d = p - q`` may be passed exactly."""
    if d is None:
        d = p - q
    sp = p > 0
    if alpha == 0.0:
        mass = float(q[sp].sum())
        return math.inf if mass == 0 else -math.log(mass)
    mismatch = bool(np.any(sp & (q == 0)))
    if math.isinf(alpha):
        if mismatch:
            return math.inf
        y = d[sp] / q[sp]
        return float(np.max(np.where(np.abs(y) < 0.25, np.log1p(y),
                                     np.log(p[sp]) - np.log(q[sp]))))
    if alpha > 1 and mismatch:
        return math.inf
    both = sp & (q > 0)
    if not np.any(both):
        return math.inf
    if not mismatch and not np.any((p == 0) & (q > 0)):
        if alpha < 0.5:
            # skew symmetry (1 - a) D_a(P||Q) = a D_{1-a}(Q||P) keeps alpha - 1 in [-1/2, inf)
            return alpha / (1.0 - alpha) * _renyi_probs(q, p, 1.0 - alpha, -alpha, -d)
        # D = log(1 + S) / e, S = sum p expm1(e l) = e KL + sum p E(e l), l = log(p/q),
        # E(u) = e^u - 1 - u >= 0: no cancellation near p = q, continuous at alpha = 1
        if e is None:
            e = alpha - 1.0
        pb, qb = p[sp], q[sp]
        y = d[sp] / qb
        ell = np.where(np.abs(y) < 0.25, np.log1p(y), np.log(pb) - np.log(qb))
        if float(np.max(e * ell)) < 700.0:
            kl = _kl_probs(p, q, d)
            ex = math.fsum(float(pi) * expm1_minus_x(e * float(li))
                           for pi, li in zip(pb, ell, strict=True))
            S = e * kl + ex
            if abs(e) <= 0.25:
                return kl + (ex - phi(S)) / e
            return math.log1p(S) / e
    log_int = float(logsumexp(alpha * np.log(p[both]) + (1.0 - alpha) * np.log(q[both])))
    return log_int / (alpha - 1.0)


def _tv_probs(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> float:
    return 0.5 * math.fsum(np.abs(d))


def _hellinger_sq_probs(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> float:
    # sqrt(p) - sqrt(q) = (p - q) / (sqrt(p) + sqrt(q)): no cancellation for p ~ q
    den = np.sqrt(p) + np.sqrt(q)
    m = den > 0
    return math.fsum((d[m] / den[m]) ** 2)


def _chi2_probs(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> float:
    if np.any((q == 0) & (p > 0)):
        return math.inf
    m = q > 0
    return math.fsum(d[m] ** 2 / q[m])


_FINITE = {"kl": _kl_probs, "tv": _tv_probs, "hellinger_sq": _hellinger_sq_probs,
           "chi2": _chi2_probs}

for _tp in (Categorical, Bernoulli):
    for _tq in (Categorical, Bernoulli):
        for _qty, _fn in _FINITE.items():
            register(_qty, _tp, _tq)(lambda P, Q, _fn=_fn: _fn(*_probs(P, Q)))
        register("renyi", _tp, _tq, note="all orders in [0, inf]")(
            lambda P, Q, alpha: _renyi_probs(*_probs(P, Q)[:2], alpha, d=_probs(P, Q)[2]))


@dataclass(frozen=True, eq=False)
class Poisson:
    """Poisson law with mean ``rate > 0``.

    Examples
    --------
    >>> from fdivtheory.closed_form import Poisson, kl
    >>> round(kl(Poisson(2.0), Poisson(1.0)), 12)   # 2 log 2 - 1
    0.38629436112
    """

    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", positive(self.rate, "rate"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.poisson`` law."""
        from scipy import stats
        return stats.poisson(self.rate)


def _log_rate_ratio(lam: float, mu: float) -> float:
    """``log(lam / mu)``: log1p near 1, the log of the quotient, or a difference of logs."""
    y = (lam - mu) / mu
    if abs(y) < 0.25:
        return math.log1p(y)
    r = lam / mu
    return math.log(r) if 1e-300 < r < 1e300 else math.log(lam) - math.log(mu)


def _kl_poisson_log(mu: float, log_ratio: float, log_mu: float | None = None) -> float:
    """``KL(Poisson(mu e^L) || Poisson(mu)) = mu h(e^L - 1)``, ``L = log_ratio``.

    ``log_mu`` replaces ``mu`` when ``mu`` itself under- or overflows.
    """
    if log_ratio > 700.0:  # h(e^L - 1) = e^L (L - 1) + 1
        lm = math.log(mu) if log_mu is None else log_mu
        return math.exp(lm + log_ratio + math.log(log_ratio - 1.0))
    if log_mu is not None:
        mu = math.exp(log_mu)
    return mu * h(math.expm1(log_ratio), math.exp(log_ratio), log_ratio)


@register("kl", Poisson, Poisson)
def _kl_poisson(P: Poisson, Q: Poisson) -> float:
    return _kl_poisson_log(Q.rate, _log_rate_ratio(P.rate, Q.rate))


@register("renyi", Poisson, Poisson, note="all orders in [0, inf]")
def _renyi_poisson(P: Poisson, Q: Poisson, alpha: float) -> float:
    lam, mu = P.rate, Q.rate
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return mu - lam if lam <= mu else math.inf
    # exponential family in theta = log(rate): the escort M has rate lam^a mu^(1-a)
    L = _log_rate_ratio(lam, mu)
    if alpha > 1.0:
        # D = KL(P||Q) + KL(P||M) / (alpha - 1), log(m / lam) = (alpha - 1) L
        e = alpha - 1.0
        if e * L > 700.0:
            return math.inf
        m = lam * math.exp(e * L)
        log_m = math.log(lam) + e * L if not 1e-300 < m < 1e300 else None
        return _kl_poisson_log(mu, L) + _kl_poisson_log(m, -e * L, log_m) / e
    # D = alpha/(1-alpha) KL(M||P) + KL(M||Q), log(m/lam) = -(1-alpha) L, log(m/mu) = alpha L
    return (alpha / (1.0 - alpha) * _kl_poisson_log(lam, -(1.0 - alpha) * L)
            + _kl_poisson_log(mu, alpha * L))


@register("bhattacharyya", Poisson, Poisson)
def _bhattacharyya_poisson(P: Poisson, Q: Poisson) -> float:
    # (sqrt(l) - sqrt(m))^2 without the cancellation of the square roots
    return 0.5 * ((P.rate - Q.rate) / (math.sqrt(P.rate) + math.sqrt(Q.rate))) ** 2


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
