r"""Univariate and simplex families: Exponential, Gamma, Beta, Dirichlet, Laplace.

Formulas (``P`` first; ``psi`` digamma; rates, not scales, for Gamma and
Exponential; Gil, Alajaji & Linder 2013 for the Rényi forms):

* Gamma(k, beta): ``KL = (k_p - k_q) psi(k_p) - log Gamma(k_p) + log Gamma(k_q)
  + k_q log(beta_p / beta_q) + k_p (beta_q - beta_p) / beta_p``;
  ``log \int p^a q^{1-a} = a k_p log(beta_p/beta_a) + (1-a) k_q log(beta_q/beta_a)
  + log Gamma(k_a) - a log Gamma(k_p) - (1-a) log Gamma(k_q)`` with
  ``k_a = a k_p + (1-a) k_q``, ``beta_a = a beta_p + (1-a) beta_q`` (``+inf``
  unless both are positive).  Exponential(rate) is Gamma(1, rate).
* Dirichlet(alpha): ``KL = log B(q) - log B(p) + sum (p_i - q_i)(psi(p_i) - psi(p_0))``,
  ``log \int p^a q^{1-a} = log B(a p + (1-a) q) - a log B(p) - (1-a) log B(q)``,
  ``B`` the multivariate Beta function.  Beta(a, b) is Dirichlet((a, b)).
* Laplace(m, b): ``KL = log(b_q/b_p) + |dm|/b_q + (b_p/b_q) e^{-|dm|/b_p} - 1``;
  with ``u = a/b_p``, ``v = (1-a)/b_q`` (``+inf`` unless ``u + v > 0``),
  ``\int p^a q^{1-a} = (2 b_p^a b_q^{1-a})^{-1} \int e^{-u|x| - v|x - dm|} dx`` and
  ``\int e^{-u|x| - v|x - dm|} dx = 2 (v e^{-u|dm|} - u e^{-v|dm|}) / ((u+v)(v-u))``,
  evaluated as ``2/(u+v) e^{-w_0|dm|} (1 + w_0 (1 - e^{-|u-v||dm|})/|u-v|)``,
  ``w_0 = min(u, v)``.
* ``D_inf = log sup p/q``: Gamma (maximum of ``(k_p - k_q) log x - (beta_p -
  beta_q) x``), Dirichlet (``sum d_i log(d_i / sum d)``, ``d = p - q >= 0``),
  Laplace (``log(b_q/b_p) + |dm|/b_q`` if ``b_p <= b_q``).  ``D_0 = 0`` (common
  support).
* TV through the crossing points of the densities: Exponential
  ``r^{r/(1-r)} (1 - r)``, ``r`` the ratio of the smaller to the larger rate;
  Gamma (one or two crossings, roots of ``c + (k_p-k_q) log x - (beta_p-beta_q) x``
  by Brent's method); Laplace (piecewise linear log-ratio).  Beta and Dirichlet:
  no exact TV (use ``tv_bounds``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.special import digamma, gammainc, gammaincc, gammaln

from fdivtheory.closed_form._numerics import (
    frozen_array,
    positive_scalar,
    tv_from_crossings,
    x_minus_log1p,
)
from fdivtheory.closed_form._registry import register

__all__ = ["Beta", "Dirichlet", "Exponential", "Gamma", "Laplace"]


# --------------------------------------------------------------------------- Gamma, Exponential

@dataclass(frozen=True, eq=False)
class Gamma:
    """Gamma law with ``shape`` k > 0 and ``rate`` beta > 0 (density ∝ x^(k-1) e^(-beta x)).

    Example
    -------
    >>> from fdivtheory.closed_form import Gamma, kl
    >>> round(kl(Gamma(2.0, 1.0), Gamma(2.0, 2.0)), 12)   # 2 (log(1/2) + 1)
    0.61370563888
    """

    shape: float
    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", positive_scalar(self.shape, "shape"))
        object.__setattr__(self, "rate", positive_scalar(self.rate, "rate"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.gamma`` law."""
        from scipy import stats
        return stats.gamma(self.shape, scale=1.0 / self.rate)


@dataclass(frozen=True, eq=False)
class Exponential:
    """Exponential law with ``rate`` > 0 (mean 1/rate); Gamma(1, rate).

    Example
    -------
    >>> from fdivtheory.closed_form import Exponential, tv
    >>> round(tv(Exponential(1.0), Exponential(2.0)), 12)   # (1/2)^1 (1 - 1/2)
    0.25
    """

    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", positive_scalar(self.rate, "rate"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.expon`` law."""
        from scipy import stats
        return stats.expon(scale=1.0 / self.rate)


def _as_gamma(X: Gamma | Exponential) -> Gamma:
    return X if isinstance(X, Gamma) else Gamma(1.0, X.rate)


def _kl_gamma(P: Any, Q: Any) -> float:
    P, Q = _as_gamma(P), _as_gamma(Q)
    kp, kq, bp, bq = P.shape, Q.shape, P.rate, Q.rate
    z = (bq - bp) / bp  # beta_q/beta_p - 1
    shape_part = (kp - kq) * float(digamma(kp)) - float(gammaln(kp)) + float(gammaln(kq))
    return shape_part + kq * x_minus_log1p(z) + (kp - kq) * z


def _renyi_gamma(P: Any, Q: Any, alpha: float) -> float:
    P, Q = _as_gamma(P), _as_gamma(Q)
    kp, kq, bp, bq = P.shape, Q.shape, P.rate, Q.rate
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return _renyi_inf_gamma(kp, bp, kq, bq)
    ka = alpha * kp + (1.0 - alpha) * kq
    ba = alpha * bp + (1.0 - alpha) * bq
    if ka <= 0 or ba <= 0:
        return math.inf
    log_int = (alpha * kp * math.log(bp / ba) + (1.0 - alpha) * kq * math.log(bq / ba)
               + float(gammaln(ka)) - alpha * float(gammaln(kp))
               - (1.0 - alpha) * float(gammaln(kq)))
    return log_int / (alpha - 1.0)


def _log_c_gamma(kp: float, bp: float, kq: float, bq: float) -> float:
    """``log p(x)/q(x) - (kp-kq) log x + (bp-bq) x``."""
    return kp * math.log(bp) - kq * math.log(bq) - float(gammaln(kp)) + float(gammaln(kq))


def _renyi_inf_gamma(kp: float, bp: float, kq: float, bq: float) -> float:
    dk, db = kp - kq, bp - bq
    if dk < 0 or (dk == 0 and db < 0) or (dk > 0 and db <= 0):
        return math.inf
    if dk == 0:
        return kp * math.log(bp / bq)
    x = dk / db
    return _log_c_gamma(kp, bp, kq, bq) + dk * math.log(x) - dk


def _root_from(g, x0: float, toward_zero: bool) -> float | None:
    """The root of a monotone ``g`` between ``x0`` and 0 (or +inf), by doubling then Brent.

    ``None`` when ``g`` keeps the sign of ``g(x0)`` over the whole double range.
    """
    s0, x = g(x0), x0
    while True:
        x_new = x / 2.0 if toward_zero else x * 2.0
        if x_new == 0.0 or math.isinf(x_new):
            return None
        if g(x_new) * s0 <= 0.0:
            a, b = sorted((x, x_new))
            return brentq(g, a, b, xtol=1e-300, rtol=8.9e-16)
        x = x_new


def _gamma_crossings(kp: float, bp: float, kq: float, bq: float) -> list[float]:
    """Roots in (0, inf) of ``g(x) = c + dk log x - db x`` (= log p - log q).

    ``g`` is concave (``dk > 0``) or convex (``dk < 0``) with its extremum at
    ``x* = dk / db``: two roots around ``x*`` when ``x* > 0``, at most one
    otherwise.
    """
    c, dk, db = _log_c_gamma(kp, bp, kq, bq), kp - kq, bp - bq
    if dk == 0:
        return [c / db] if db != 0 and c / db > 0 else []
    if db == 0:
        e = -c / dk
        return [math.exp(e)] if -745.0 < e < 709.0 else []
    g = lambda x: c + dk * math.log(x) - db * x
    x_star = dk / db
    if x_star > 0:
        if g(x_star) == 0.0:
            return []
        found = [_root_from(g, x_star, True), _root_from(g, x_star, False)]
    else:
        found = [_root_from(g, 1.0, True) or _root_from(g, 1.0, False)]
    return [x for x in found if x is not None]


def _tv_gamma(P: Any, Q: Any) -> float:
    if isinstance(P, Exponential) and isinstance(Q, Exponential):
        return _tv_exponential(P, Q)
    P, Q = _as_gamma(P), _as_gamma(Q)
    kp, kq, bp, bq = P.shape, Q.shape, P.rate, Q.rate
    if kp == kq and bp == bq:
        return 0.0
    c, dk, db = _log_c_gamma(kp, bp, kq, bq), kp - kq, bp - bq
    return tv_from_crossings(
        _gamma_crossings(kp, bp, kq, bq), lambda x: c + dk * math.log(x) - db * x,
        lambda x: float(gammainc(kp, bp * x)), lambda x: float(gammaincc(kp, bp * x)),
        lambda x: float(gammainc(kq, bq * x)), lambda x: float(gammaincc(kq, bq * x)),
        lo=0.0)


def _tv_exponential(P: Exponential, Q: Exponential) -> float:
    r = min(P.rate, Q.rate) / max(P.rate, Q.rate)
    if r == 1.0:
        return 0.0
    return math.exp(r * math.log(r) / (1.0 - r)) * (1.0 - r)


for _tp in (Gamma, Exponential):
    for _tq in (Gamma, Exponential):
        register("kl", _tp, _tq)(_kl_gamma)
        register("renyi", _tp, _tq, note="all orders in [0, inf]")(_renyi_gamma)
        register("tv", _tp, _tq)(_tv_gamma)


# --------------------------------------------------------------------------- Dirichlet, Beta

@dataclass(frozen=True, eq=False)
class Dirichlet:
    """Dirichlet law on the simplex with concentration ``alpha`` (1-D, length >= 2, > 0).

    Example
    -------
    >>> from fdivtheory.closed_form import Dirichlet, kl
    >>> kl(Dirichlet([1.0, 1.0, 1.0]), Dirichlet([1.0, 1.0, 1.0]))
    0.0
    """

    alpha: Any

    def __post_init__(self) -> None:
        a = frozen_array(self.alpha, "alpha", ndim=1)
        if a.size < 2:
            raise ValueError(f"alpha must have at least 2 entries, got {a.size}")
        if not np.all(a > 0):
            raise ValueError("alpha must be positive")
        object.__setattr__(self, "alpha", a)

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.dirichlet`` law."""
        from scipy import stats
        return stats.dirichlet(self.alpha)


@dataclass(frozen=True, eq=False)
class Beta:
    """Beta law with shapes ``a`` > 0 and ``b`` > 0; Dirichlet((a, b)) on its first coordinate.

    Example
    -------
    >>> from fdivtheory.closed_form import Beta, renyi
    >>> renyi(Beta(1.0, 1.0), Beta(1.0, 1.0), 2.0)
    0.0
    """

    a: float
    b: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "a", positive_scalar(self.a, "a"))
        object.__setattr__(self, "b", positive_scalar(self.b, "b"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.beta`` law."""
        from scipy import stats
        return stats.beta(self.a, self.b)


def _conc(P: Any, Q: Any) -> tuple[np.ndarray, np.ndarray]:
    p = P.alpha if isinstance(P, Dirichlet) else np.array([P.a, P.b])
    q = Q.alpha if isinstance(Q, Dirichlet) else np.array([Q.a, Q.b])
    if p.shape != q.shape:
        raise ValueError(f"Q.alpha has {q.size} entries but P.alpha has {p.size}")
    return p, q


def _log_beta(a: np.ndarray) -> float:
    return float(np.sum(gammaln(a)) - gammaln(np.sum(a)))


def _kl_dirichlet(P: Any, Q: Any) -> float:
    p, q = _conc(P, Q)
    return (_log_beta(q) - _log_beta(p)
            + float(np.sum((p - q) * (digamma(p) - digamma(np.sum(p))))))


def _renyi_dirichlet(P: Any, Q: Any, alpha: float) -> float:
    p, q = _conc(P, Q)
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        d = p - q
        if np.any(d < 0):
            return math.inf
        total = float(d.sum())
        pos = d > 0
        entropy_part = float(np.sum(d[pos] * np.log(d[pos] / total))) if total > 0 else 0.0
        return entropy_part + _log_beta(q) - _log_beta(p)
    mix = alpha * p + (1.0 - alpha) * q
    if np.any(mix <= 0):
        return math.inf
    log_int = _log_beta(mix) - alpha * _log_beta(p) - (1.0 - alpha) * _log_beta(q)
    return log_int / (alpha - 1.0)


for _tp in (Dirichlet, Beta):
    for _tq in (Dirichlet, Beta):
        register("kl", _tp, _tq)(_kl_dirichlet)
        register("renyi", _tp, _tq, note="all orders in [0, inf]")(_renyi_dirichlet)


# --------------------------------------------------------------------------- Laplace

@dataclass(frozen=True, eq=False)
class Laplace:
    """Laplace law with location ``loc`` and ``scale`` b > 0 (density e^(-|x-loc|/b) / 2b).

    Example
    -------
    >>> from fdivtheory.closed_form import Laplace, tv
    >>> import math
    >>> abs(tv(Laplace(0.0, 1.0), Laplace(1.0, 1.0)) - (1 - math.exp(-0.5))) < 1e-15
    True
    """

    loc: float
    scale: float

    def __post_init__(self) -> None:
        try:
            loc = float(self.loc)
        except (TypeError, ValueError):
            raise ValueError(f"loc must be a real number, got {self.loc!r}") from None
        if not math.isfinite(loc):
            raise ValueError(f"loc must be finite, got {self.loc!r}")
        object.__setattr__(self, "loc", loc)
        object.__setattr__(self, "scale", positive_scalar(self.scale, "scale"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.laplace`` law."""
        from scipy import stats
        return stats.laplace(self.loc, self.scale)


@register("kl", Laplace, Laplace)
def _kl_laplace(P: Laplace, Q: Laplace) -> float:
    bp, bq, dm = P.scale, Q.scale, abs(P.loc - Q.loc)
    r = bp / bq
    return x_minus_log1p(r - 1.0) + dm / bq + r * math.expm1(-dm / bp)


@register("renyi", Laplace, Laplace, note="all orders in [0, inf]")
def _renyi_laplace(P: Laplace, Q: Laplace, alpha: float) -> float:
    bp, bq, dm = P.scale, Q.scale, abs(P.loc - Q.loc)
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return math.log(bq / bp) + dm / bq if bp <= bq else math.inf
    u, v = alpha / bp, (1.0 - alpha) / bq
    if u + v <= 0:
        return math.inf
    w0, h = min(u, v), abs(u - v)
    w = dm if h == 0 else -math.expm1(-h * dm) / h
    # p^a q^(1-a) = e^{-u|x - m_p| - v|x - m_q|} / (2 b_p^a b_q^(1-a))
    log_int = (-math.log(u + v) - w0 * dm + math.log1p(w0 * w)
               - alpha * math.log(bp) - (1.0 - alpha) * math.log(bq))
    return log_int / (alpha - 1.0)


def _laplace_cdf(m: float, b: float):
    def cdf(x: float) -> float:
        return 0.5 * math.exp((x - m) / b) if x < m else 1.0 - 0.5 * math.exp(-(x - m) / b)

    def sf(x: float) -> float:
        return 0.5 * math.exp(-(x - m) / b) if x > m else 1.0 - 0.5 * math.exp((x - m) / b)

    return cdf, sf


@register("tv", Laplace, Laplace)
def _tv_laplace(P: Laplace, Q: Laplace) -> float:
    mp, bp, mq, bq = P.loc, P.scale, Q.loc, Q.scale
    if mp == mq and bp == bq:
        return 0.0
    c = math.log(bq / bp)

    def logratio(x: float) -> float:
        return c - abs(x - mp) / bp + abs(x - mq) / bq

    # log p - log q is linear between and outside the kinks m1 <= m2: a root per piece
    m1, m2 = min(mp, mq), max(mp, mq)
    roots = []
    for lo, hi, t in ((-math.inf, m1, m1 - 1.0), (m1, m2, 0.5 * (m1 + m2)),
                      (m2, math.inf, m2 + 1.0)):
        sp = 1.0 / bp if t < mp else -1.0 / bp  # d/dx of -|x - mp| / bp
        sq = -1.0 / bq if t < mq else 1.0 / bq  # d/dx of |x - mq| / bq
        slope = sp + sq
        if slope == 0.0:
            continue
        x = t - logratio(t) / slope
        if lo <= x <= hi:
            roots.append(x)
    cp, sp_ = _laplace_cdf(mp, bp)
    cq, sq_ = _laplace_cdf(mq, bq)
    return tv_from_crossings(sorted(set(roots)), logratio, cp, sp_, cq, sq_)
