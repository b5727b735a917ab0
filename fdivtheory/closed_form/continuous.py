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

Numerical evaluation (the formulas above are the definitions; they are not
evaluated as written, because their terms cancel):

* differences of ``log Gamma`` enter only through the Bregman remainder
  ``lgamma(b) - lgamma(a) - (b - a) psi(a) >= 0``
  (:func:`~fdivtheory.closed_form._numerics.lgamma_bregman`); where the shape
  and rate parts of the Gamma KL both grow like the shape (or the Dirichlet
  parts like the concentration), Stirling's series regroups them into
  non-negative terms, the cross differences ``dk b1 - db k1`` formed exactly;
* ratios enter through ``phi(u) = u - log(1 + u)`` with ``log(1 + u)`` taken
  from the ratio itself, so rate or scale ratios of 1e-300 .. 1e300 lose nothing;
* Rényi (Gamma, Exponential, Dirichlet, Beta: exponential families) through the
  escort ``M_a`` with natural parameter ``a theta_p + (1 - a) theta_q``:
  ``D_a = KL(P||Q) + KL(P||M_a) / (a - 1)`` for ``a > 1`` and
  ``D_a = a/(1 - a) KL(M_a||P) + KL(M_a||Q)`` for ``a < 1`` (both sums of
  non-negative terms, continuous at ``a = 1`` with no ``1/(a - 1)`` blow-up);
  Laplace through an expansion anchored at ``a = 1`` and the skew symmetry
  ``(1 - a) D_a(P||Q) = a D_{1-a}(Q||P)`` for ``a < 1/2``.
  The guaranteed errors are stated in the accuracy contract of the documentation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.special import gammainc, gammaincc, gammaln

from fdivtheory._arguments import finite, positive
from fdivtheory.closed_form._numerics import (
    diff_of_products,
    expm1_minus_x,
    frozen_array,
    h,
    lgamma_bregman,
    phi,
    stirling_tail,
    tv_from_crossings,
)
from fdivtheory.closed_form._registry import register

__all__ = ["Beta", "Dirichlet", "Exponential", "Gamma", "Laplace"]


# --------------------------------------------------------------------------- Gamma, Exponential

@dataclass(frozen=True, eq=False)
class Gamma:
    """Gamma law with ``shape`` k > 0 and ``rate`` beta > 0 (density ∝ x^(k-1) e^(-beta x)).

    Examples
    --------
    >>> from fdivtheory.closed_form import Gamma, kl
    >>> round(kl(Gamma(2.0, 1.0), Gamma(2.0, 2.0)), 12)   # 2 (log(1/2) + 1)
    0.61370563888
    """

    shape: float
    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", positive(self.shape, "shape"))
        object.__setattr__(self, "rate", positive(self.rate, "rate"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.gamma`` law."""
        from scipy import stats
        return stats.gamma(self.shape, scale=1.0 / self.rate)


@dataclass(frozen=True, eq=False)
class Exponential:
    """Exponential law with ``rate`` > 0 (mean 1/rate); Gamma(1, rate).

    Examples
    --------
    >>> from fdivtheory.closed_form import Exponential, tv
    >>> round(tv(Exponential(1.0), Exponential(2.0)), 12)   # (1/2)^1 (1 - 1/2)
    0.25
    """

    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", positive(self.rate, "rate"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.expon`` law."""
        from scipy import stats
        return stats.expon(scale=1.0 / self.rate)


def _as_gamma(X: Gamma | Exponential) -> Gamma:
    return X if isinstance(X, Gamma) else Gamma(1.0, X.rate)


def _log_ratio(x2: float, x1: float) -> float:
    """``log(x2 / x1)`` for positive floats, also when the quotient over/underflows."""
    r = x2 / x1
    if 1e-300 < r < 1e300:
        return math.log(r)
    return math.log(x2) - math.log(x1)


def _kl_gamma_params(k1: float, b1: float, k2: float, b2: float,
                     dk: float | None = None, db: float | None = None,
                     cross: float | None = None) -> float:
    """``KL(Gamma(k1, b1) || Gamma(k2, b2))``; ``dk = k2 - k1``, ``db = b2 - b1`` and
    ``cross = dk b1 - db k1`` may be given when known more accurately than from the
    rounded endpoints (the escort members of the Rényi identity).

    ``lgamma_bregman(k1, k2) + k2 phi(z) - dk z`` with ``z = db / b1``
    (``phi(z) = z - log(1 + z)``, the log taken as ``log(b2 / b1)`` so that a
    rate ratio of 1e-17 or 1e300 loses nothing).  When a shape is >= 12 the
    shape and rate parts are large and cancel (e.g. close means
    ``k2 / b2 ~ k1 / b1``); there Stirling's series regroups them: after
    shifting both shapes by ``n`` (until both are >= 12, ``A = k1 + n``),
    ``KL = sum_{j<n} phi(dk / (k1 + j)) + A (1 + z) h(w) + stirling_tail(A, t)
    - n phi(z)``, ``t = dk / A``, ``w = (dk b1 - db A) / (A b2)`` (the
    numerator formed exactly), ``h(w) = (1 + w) log(1 + w) - w``.
    """
    exact_ends = dk is None
    if dk is None:
        dk = k2 - k1
    if db is None:
        db = b2 - b1
    z = db / b1
    log_rz = math.log1p(z) if abs(z) < 0.25 else _log_ratio(b2, b1)
    if max(k1, k2) < 12.0:
        return lgamma_bregman(k1, k2, dk) + k2 * phi(z, log_rz) - dk * z
    # shift both shapes by n (recurrence of lgamma), then regroup with Stirling's series:
    # KL = sum_j phi(dk / (k1 + j)) + A (1 + z) h(w) + tail(A, t) - n phi(z), A = k1 + n
    head, n = 0.0, 0
    while min(k1, k2) + n < 12.0:
        u = dk / (k1 + n)
        head += phi(u, None if abs(u) < 0.25 else _log_ratio(k2 + n, k1 + n))
        n += 1
    A = k1 + n
    t = dk / A
    log_rt = math.log1p(t) if abs(t) < 0.25 else _log_ratio(k2 + n, A)
    # dk b1 - db k1 from whichever is exact: the endpoints (given laws) or the increments
    # (the escort members of the Renyi identity)
    if cross is None:
        cross = (diff_of_products(k2, b1, b2, k1) if exact_ends
                 else diff_of_products(dk, b1, db, k1))
    w = (cross - n * db) / (A * b2)
    log_rw = math.log1p(w) if abs(w) < 0.25 else log_rt - log_rz
    one_plus_z = b2 / b1
    main = A * one_plus_z * h(w, math.exp(log_rw), log_rw) if w != 0.0 else 0.0
    return head + main + stirling_tail(A, t, log_rt) - n * phi(z, log_rz)


def _kl_gamma(P: Any, Q: Any) -> float:
    P, Q = _as_gamma(P), _as_gamma(Q)
    return _kl_gamma_params(P.shape, P.rate, Q.shape, Q.rate)


def _renyi_gamma(P: Any, Q: Any, alpha: float) -> float:
    P, Q = _as_gamma(P), _as_gamma(Q)
    kp, kq, bp, bq = P.shape, Q.shape, P.rate, Q.rate
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return _renyi_inf_gamma(kp, bp, kq, bq)
    dk, db = kp - kq, bp - bq
    cross = diff_of_products(kp, bq, kq, bp)  # kp bq - kq bp, exactly rounded
    if alpha > 1.0:
        # D = KL(P||Q) + KL(P||M) / (alpha - 1), M = P + (alpha - 1)(P - Q) (natural parameters)
        e = alpha - 1.0
        km, bm = kp + e * dk, bp + e * db
        if not (km > 0.0 and bm > 0.0):
            return math.inf
        return (_kl_gamma_params(kp, bp, kq, bq)
                + _kl_gamma_params(kp, bp, km, bm, e * dk, e * db, e * cross) / e)
    # alpha < 1: D = alpha/(1-alpha) KL(M||P) + KL(M||Q), M = alpha P + (1 - alpha) Q
    km, bm = alpha * kp + (1.0 - alpha) * kq, alpha * bp + (1.0 - alpha) * bq
    if 0.5 * kq <= kp <= 2.0 * kq and 0.5 * bq <= bp <= 2.0 * bq:
        # close laws: the differences are exact (Sterbenz), pass the increments
        to_p = _kl_gamma_params(km, bm, kp, bp, (1.0 - alpha) * dk, (1.0 - alpha) * db,
                                (1.0 - alpha) * cross)
        to_q = _kl_gamma_params(km, bm, kq, bq, -alpha * dk, -alpha * db, -alpha * cross)
    else:
        # far laws: the right side is minimal at the exact M, so rounding M costs only
        # second-order terms
        to_p, to_q = _kl_gamma_params(km, bm, kp, bp), _kl_gamma_params(km, bm, kq, bq)
    return alpha / (1.0 - alpha) * to_p + to_q


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

    Examples
    --------
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
            raise ValueError(f"alpha must have entries > 0, got {a.min()!r}")
        object.__setattr__(self, "alpha", a)

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.dirichlet`` law."""
        from scipy import stats
        return stats.dirichlet(self.alpha)


@dataclass(frozen=True, eq=False)
class Beta:
    """Beta law with shapes ``a`` > 0 and ``b`` > 0; Dirichlet((a, b)) on its first coordinate.

    Examples
    --------
    >>> from fdivtheory.closed_form import Beta, renyi
    >>> renyi(Beta(1.0, 1.0), Beta(1.0, 1.0), 2.0)
    0.0
    """

    a: float
    b: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "a", positive(self.a, "a"))
        object.__setattr__(self, "b", positive(self.b, "b"))

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


def _kl_dirichlet_params(p: np.ndarray, q: np.ndarray, d: np.ndarray | None = None) -> float:
    r"""``KL(Dir(p) || Dir(q))``, ``d = q - p`` (given when known more exactly than ``q - p``).

    ``KL = sum_i breg(p_i, q_i) - breg(p_0, q_0)`` with ``breg`` the Bregman
    divergence of ``log Gamma`` (:func:`lgamma_bregman`) and ``p_0 = sum p``:
    Dir(p) is the normalised vector of independent Gamma(p_i, 1), and this is
    the chain rule.  For ``p_0, q_0 >= 12`` the two parts cancel (both grow
    like the concentration); with ``breg(a, a(1+t)) = a h(t) + rest(a, t)``
    the leading parts combine into ``q_0 KL(q / q_0 || p / p_0)`` (a
    non-negative sum, numerators ``d_i p_0 - p_i d_0`` formed exactly), so
    ``KL = q_0 KL(rho || pi) + sum_i rest_i - rest_0``.
    """
    if d is None:
        d = q - p
    p0, q0, d0 = math.fsum(p), math.fsum(q), math.fsum(d)
    bregs = [lgamma_bregman(float(a), float(b), float(di)) for a, b, di in zip(p, q, d, strict=True)]
    if max(p0, q0) < 12.0:
        return max(0.0, math.fsum(bregs) - lgamma_bregman(p0, q0, d0))
    if min(p0, q0) < 12.0:
        # Dir(p) is also the normalised vector of Gamma(p_i, b) for any common rate b, so
        # KL = sum_i KL(Gamma(p_i, 1) || Gamma(q_i, c)) - KL(Gamma(p_0, 1) || Gamma(q_0, c))
        # for every c > 0; c = q_0 / p_0 matches the means of the sums, which removes the
        # p_0 log p_0-sized parts that cancel in the plain form (any rounding of c is exact
        # for the identity)
        c = q0 / p0
        parts = [_kl_gamma_params(float(a), 1.0, float(b), c) for a, b in zip(p, q, strict=True)]
        return max(0.0, math.fsum(parts) - _kl_gamma_params(p0, 1.0, q0, c))
    log_r0 = math.log1p(d0 / p0) if abs(d0 / p0) < 0.25 else _log_ratio(q0, p0)
    jensen, rest = [], []
    for a, b, di, bi in zip(p, q, d, bregs, strict=True):
        a, b, di = float(a), float(b), float(di)
        t = di / a
        log_rt = math.log1p(t) if abs(t) < 0.25 else _log_ratio(b, a)
        if min(a, b) >= 12.0:
            rest.append(stirling_tail(a, t, log_rt))
        else:
            rest.append(bi - a * h(t, b / a, log_rt))
        u = diff_of_products(di, p0, a, d0) / (a * q0)
        log_ru = math.log1p(u) if abs(u) < 0.25 else log_rt - log_r0
        jensen.append(a * h(u, math.exp(log_ru), log_ru))
    main = q0 / p0 * math.fsum(jensen)
    return max(0.0, main + math.fsum(rest) - stirling_tail(p0, d0 / p0, log_r0))


def _kl_dirichlet(P: Any, Q: Any) -> float:
    p, q = _conc(P, Q)
    return _kl_dirichlet_params(p, q)


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
    diff = p - q
    if alpha > 1.0:
        # D = KL(P||Q) + KL(P||M) / (alpha - 1), M = P + (alpha - 1)(P - Q)
        e = alpha - 1.0
        m = p + e * diff
        if np.any(m <= 0):
            return math.inf
        return _kl_dirichlet_params(p, q) + _kl_dirichlet_params(p, m, e * diff) / e
    # alpha < 1: D = alpha/(1-alpha) KL(M||P) + KL(M||Q), M = alpha P + (1 - alpha) Q
    m = alpha * p + (1.0 - alpha) * q
    if np.all((0.5 * q <= p) & (p <= 2.0 * q)):
        to_p = _kl_dirichlet_params(m, p, (1.0 - alpha) * diff)
        to_q = _kl_dirichlet_params(m, q, -alpha * diff)
    else:
        to_p, to_q = _kl_dirichlet_params(m, p), _kl_dirichlet_params(m, q)
    return alpha / (1.0 - alpha) * to_p + to_q


for _tp in (Dirichlet, Beta):
    for _tq in (Dirichlet, Beta):
        register("kl", _tp, _tq)(_kl_dirichlet)
        register("renyi", _tp, _tq, note="all orders in [0, inf]")(_renyi_dirichlet)


# --------------------------------------------------------------------------- Laplace

@dataclass(frozen=True, eq=False)
class Laplace:
    """Laplace law with location ``loc`` and ``scale`` b > 0 (density ``e^(-|x-loc|/b) / 2b``).

    Examples
    --------
    >>> from fdivtheory.closed_form import Laplace, tv
    >>> import math
    >>> abs(tv(Laplace(0.0, 1.0), Laplace(1.0, 1.0)) - (1 - math.exp(-0.5))) < 1e-15
    True
    """

    loc: float
    scale: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "loc", finite(self.loc, "loc"))
        object.__setattr__(self, "scale", positive(self.scale, "scale"))

    def to_scipy(self) -> Any:
        """The frozen ``scipy.stats.laplace`` law."""
        from scipy import stats
        return stats.laplace(self.loc, self.scale)


@register("kl", Laplace, Laplace)
def _kl_laplace(P: Laplace, Q: Laplace) -> float:
    # KL = phi(r - 1) + r E(-dm / b_p), r = b_p / b_q, E(x) = e^x - 1 - x: both terms >= 0
    bp, bq, dm = P.scale, Q.scale, abs(P.loc - Q.loc)
    log_r = _log_ratio(bp, bq)
    r = bp / bq
    if math.isinf(r):
        return math.inf
    return phi((bp - bq) / bq, log_r) + r * expm1_minus_x(-dm / bp)


def _renyi_laplace_near_one(bp: float, bq: float, dm: float, alpha: float,
                            e: float | None = None) -> float | None:
    """``D_alpha`` anchored at ``alpha = 1`` (``e = alpha - 1``; None if ``b_p/b_q`` overflows).

    With ``r = b_p/b_q``, ``u = alpha/b_p``, ``v = -e/b_q``, ``x = e (1 - r)``:
    if ``v <= u``, ``k = u - v``, ``w = (1 - e^{-k dm}) / k``,
    ``D = phi(r - 1) + phi(x) / e + E(-k dm) / (k b_q) - phi(-e w / b_q) / e``;
    if ``u < v``, ``k = v - u``,
    ``D = phi(r - 1) + phi(x) / e - [u E(-k dm) / k + phi(u w)] / e``
    (``phi(z) = z - log(1 + z)``, ``E(z) = e^z - 1 - z``), every term without
    cancellation and the ``1/e`` terms O(e) as ``alpha -> 1``.
    """
    if e is None:
        e = alpha - 1.0  # the reflection passes e = -alpha' exactly (1 - alpha' - 1 rounds)
    u, v = alpha / bp, -e / bq
    r = bp / bq
    if not math.isfinite(r) or r == 0.0:
        return None
    x = e * ((bq - bp) / bq)  # e (1 - r), without the rounding of r
    if x <= -1.0:
        return math.inf
    log_r = _log_ratio(bp, bq)
    if abs(x) < 0.5:
        head = phi((bp - bq) / bq, log_r) + phi(x) / e  # both O(e) pieces exact
    else:
        head = -math.log1p(x) / e - log_r  # the split would cancel when r is huge
    if v <= u:
        k = u - v
        kdm = k * dm
        w = dm if k == 0.0 else -math.expm1(-kdm) / k
        mean_part = 0.0 if k == 0.0 else expm1_minus_x(-kdm) / (k * bq)
        return head + mean_part - phi(-e * w / bq) / e
    # u < v (only for alpha < 1 and b_q < b_p): the same with the roles of u and v exchanged
    k = v - u
    kdm = k * dm
    w = -math.expm1(-kdm) / k
    return head - (u * expm1_minus_x(-kdm) / k + phi(u * w)) / e


@register("renyi", Laplace, Laplace, note="all orders in [0, inf]")
def _renyi_laplace(P: Laplace, Q: Laplace, alpha: float) -> float:
    bp, bq, dm = P.scale, Q.scale, abs(P.loc - Q.loc)
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return math.log(bq / bp) + dm / bq if bp <= bq else math.inf
    if alpha < 0.5:
        near = _renyi_laplace_near_one(bq, bp, dm, 1.0 - alpha, -alpha)
        if near is not None:
            return alpha / (1.0 - alpha) * near  # (1 - a) D_a(P||Q) = a D_{1-a}(Q||P)
    else:
        near = _renyi_laplace_near_one(bp, bq, dm, alpha)
        if near is not None:
            return near
    u, v = alpha / bp, (1.0 - alpha) / bq
    if u + v <= 0:
        return math.inf
    w0, hh = min(u, v), abs(u - v)
    w = dm if hh == 0 else -math.expm1(-hh * dm) / hh
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
