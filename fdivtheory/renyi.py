r"""Rényi divergences, entropies and cross entropies; Bhattacharyya and Chernoff.

.. math::

   D_\alpha(P\|Q) = \frac{1}{\alpha-1}\log\sum_i p_i^\alpha q_i^{1-\alpha},\qquad
   H_\alpha(P) = \frac{1}{1-\alpha}\log\sum_i p_i^\alpha,\qquad
   H_\alpha(P;Q) = \frac{1}{1-\alpha}\log\sum_i p_i q_i^{\alpha-1}.

Limits: :math:`D_0 = -\log Q(\mathrm{supp}\,P)`, :math:`D_1 = KL`,
:math:`D_\infty = \log\max_i p_i/q_i`.  With a support mismatch
(:math:`q_i = 0 < p_i`) :math:`D_\alpha = +\infty` for α ≥ 1 and is finite
for α < 1.  Sums are computed as log-sum-exp of
:math:`\alpha\log p + (1-\alpha)\log q` (no under/overflow); where the sum is
near 1 (p ≈ q, or α near 1) as
:math:`D_\alpha = \log\!\big(1 + \alpha(\alpha-1)\,T_\alpha\big)/(\alpha-1)`
with :math:`T_\alpha = \sum_i q_i f_\alpha(p_i/q_i)` the power divergence
(non-negative terms, formed without cancellation), which keeps full relative
accuracy down to :math:`D_\alpha \approx 10^{-300}` and is exactly 0 at p = q.
The entropies use :math:`\log(1 + \sum_i p_i\,\mathrm{expm1}((\alpha-1)\log x_i))`
(terms of one sign) near α = 1 and near a point mass.

These are defined for probability vectors: by default
``normalize="check"`` raises if a total differs from 1 by more than 1e-9;
``normalize=True`` normalises; ``normalize=False`` skips the check (the
result is clamped at 0 against rounding).

References: Rényi (1961), Proc. 4th Berkeley Symp. 1:547-561; van Erven &
Harremoës (2014), IEEE Trans. Inf. Theory 60:3797-3820; Thierrin, Alajaji &
Linder (2022), "Rényi cross-entropy measures for common distributions and
processes with memory", Entropy 24:1417.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np

from fdivtheory import _validation as V
from fdivtheory import kernels
from fdivtheory.divergence import f_divergence
from fdivtheory.kernels import generic

__all__ = [
    "bhattacharyya",
    "bhattacharyya_coefficient",
    "chernoff_information",
    "hellinger_integral",
    "renyi",
    "renyi_cross_entropy",
    "renyi_entropy",
]

Array = Any
_OPTS_DOC = """axis, keepdims, normalize, base, invalid, nan_policy
        As in :func:`fdivtheory.f_divergence` (``normalize`` defaults to ``"check"``)."""


def _alpha(alpha: Any, *, lo: float = 0.0, allow_neg: bool = False) -> float:
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise TypeError(f"alpha must be a real number, got {alpha!r}") from None
    if math.isnan(a) or (not allow_neg and a < lo) or a == -math.inf:
        rng = "a real number or +inf" if allow_neg else "in [0, inf]"
        raise ValueError(f"alpha must be {rng}, got {alpha!r}")
    return a


def _reduce(rows: V.RowFunction, p: Array, q: Array, *, axis: int, keepdims: bool,
            normalize: Any, base: Any, invalid: str, nan_policy: str) -> Array:
    return V.reduce_pair(rows, p, q, axis=axis, keepdims=keepdims, normalize=normalize,
                         base=base, invalid=invalid, nan_policy=nan_policy)


_NEAR_LOG = 0.05
"""Rows with |log sum p^a q^(1-a)| below this take the power-divergence form."""


def _log1p_power_form(P: Array, Q: Array, a: float, *, xp: Any, omit_nan: bool,
                      normalize: bool) -> Array:
    """``a (a - 1) T`` with T the power divergence of order a (standardised terms).

    For probability vectors ``sum_i p_i^a q_i^(1-a) = 1 + a (a - 1) T``: each
    term ``q ((p/q)^a - 1 - a (p/q - 1))`` is formed without cancellation (the
    pole-free power ladder), so ``log1p`` of it keeps full relative accuracy
    where the sum is near 1 (p ~ q, or a near 1), and is exactly 0 at p = q.
    """
    from fdivtheory.generators import get_generator

    T, _ = kernels.rowwise(get_generator("power", beta=a), P, Q, omit_nan=omit_nan,
                           normalize=normalize, xp=xp)
    return (a * (a - 1.0)) * T


def _power_form_log(P: Array, Q: Array, a: float, fl: V.RowFlags, xp: Any,
                    omit_nan: bool) -> Array:
    """``a (a - 1) T`` of the normalised rows, T from the log-masses ``log x + log(k/t)``."""
    from fdivtheory.divergence import _log_rows
    from fdivtheory.generators import get_generator

    def logs(X, total):
        k, t = generic.scales(X, total, xp)
        shift = (xp.log(k) - xp.log(t))[..., None]
        pos = X > 0
        lx = xp.log(xp.where(pos, X, xp.ones_like(X))) + shift
        return xp.where(pos, lx, xp.where(X == 0, xp.full_like(X, -math.inf), X))

    T, _ = _log_rows(get_generator("power", beta=a), logs(P, fl.sum_p), logs(Q, fl.sum_q),
                     xp=xp, omit_nan=omit_nan, normalize=False, per_coordinate=False)
    return (a * (a - 1.0)) * T


def _lost_mass(X: Array, total: Array, xp: Any) -> Array:
    """Rows with a positive mass whose normalised value is below the normal range."""
    k, t = generic.scales(X, total, xp)
    Xn = X * k[..., None] / t[..., None]
    return xp.any((X > 0) & (Xn < 2.2250738585072014e-308), axis=-1)


def _renyi_values(P: Array, Q: Array, a: float, *, xp: Any, omit_nan: bool,
                normalize: bool) -> tuple[Array, V.RowFlags]:
    val, fl = kernels.renyi(P, Q, a, omit_nan=omit_nan, normalize=normalize, xp=xp)
    if 0.0 < a < math.inf:
        # log s = (a - 1) D small: log s loses eps/|log s| of relative accuracy; there
        # D = log1p(a (a - 1) T)/(a - 1) (a second pass, for such rows only)
        with np.errstate(all="ignore"):
            small = xp.abs(val * (a - 1.0)) < _NEAR_LOG
        if bool(xp.any(small)):
            S = _log1p_power_form(P, Q, a, xp=xp, omit_nan=omit_nan, normalize=normalize)
            with np.errstate(all="ignore"):
                if normalize:  # the f-divergence terms take a mass that underflows as 0:
                    # such rows from the log-masses log x + log(k/t) (generic path)
                    lost = small & (_lost_mass(P, fl.sum_p, xp) | _lost_mass(Q, fl.sum_q, xp))
                    if bool(xp.any(lost)):
                        S = xp.where(lost, _power_form_log(P, Q, a, fl, xp, omit_nan), S)
                use = small & (S >= -0.5) & (S < math.inf)
                near = xp.log1p(xp.where(use, S, xp.zeros_like(S))) / (a - 1.0)
            val = xp.where(use, near, val)
    return xp.maximum(val, xp.zeros_like(val)), fl


@kernels.runs_on("numba")
def renyi(p: Array, q: Array, alpha: float, *, axis: int = -1, keepdims: bool = False,
          normalize: bool | str = "check", base: float | None = None,
          invalid: str = "raise", nan_policy: str = "propagate") -> Array:
    r"""Rényi divergence :math:`D_\alpha(P\|Q)` of order α ∈ [0, ∞].

    Parameters
    ----------
    p, q : array_like
        Probability vectors along ``axis``.
    alpha : float
        Order; 0, 1 (KL) and ``inf`` included.
    """ + _OPTS_DOC + r"""

    Returns
    -------
    array
        ≥ 0, non-decreasing in α; ``+inf`` for α ≥ 1 when some q_i = 0 < p_i.

    Examples
    --------
    >>> import numpy as np, fdivtheory as fd
    >>> p, q = [0.5, 0.5], [0.9, 0.1]
    >>> round(float(fd.renyi(p, q, 1.0)), 10) == round(float(fd.kl(p, q)), 10)
    True
    >>> round(float(fd.renyi(p, q, np.inf)), 10)   # log max p/q = log 5
    1.6094379124
    >>> float(fd.renyi([1.0, 0.0], [0.5, 0.5], 0.0))
    0.6931471805599453
    """
    a = _alpha(alpha)
    if a == 1.0:
        return f_divergence(p, q, "kl", axis=axis, keepdims=keepdims, normalize=normalize,
                            base=base, invalid=invalid, nan_policy=nan_policy)
    return _reduce(partial(_renyi_values, a=a), p, q, axis=axis, keepdims=keepdims,
                   normalize=normalize, base=base, invalid=invalid, nan_policy=nan_policy)


@kernels.runs_on()
def hellinger_integral(p: Array, q: Array, alpha: float, *, axis: int = -1,
                       keepdims: bool = False, normalize: bool | str = "check",
                       invalid: str = "raise", nan_policy: str = "propagate") -> Array:
    r"""Hellinger integral :math:`H_\alpha(P,Q) = \sum_i p_i^\alpha q_i^{1-\alpha}`, α ∈ (0, 1).

    :math:`D_\alpha = \log H_\alpha/(\alpha-1)`; :math:`H_{1/2}` is the
    Bhattacharyya coefficient.

    >>> import fdivtheory as fd
    >>> float(fd.hellinger_integral([0.5, 0.5], [0.5, 0.5], 0.3))
    1.0
    """
    a = _alpha(alpha)
    if not 0.0 < a < 1.0:
        raise ValueError(f"alpha must lie in (0, 1) for the Hellinger integral, got {alpha!r}")

    def rows(P, Q, *, xp, omit_nan, normalize):
        P, Q, fl = generic.prepared(P, Q, omit=omit_nan, normalize=normalize, xp=xp)
        with np.errstate(all="ignore"):
            return xp.exp(generic.log_hellinger_integral(P, Q, a, xp)), fl

    return _reduce(rows, p, q, axis=axis, keepdims=keepdims, normalize=normalize, base=None,
                   invalid=invalid, nan_policy=nan_policy)


@kernels.runs_on()
def bhattacharyya_coefficient(p: Array, q: Array, **kwargs: Any) -> Array:
    r"""Bhattacharyya coefficient :math:`BC(P,Q) = \sum_i\sqrt{p_i q_i}` in [0, 1].

    >>> import fdivtheory as fd
    >>> float(fd.bhattacharyya_coefficient([1.0, 0.0], [0.0, 1.0]))
    0.0
    """
    return hellinger_integral(p, q, 0.5, **kwargs)


@kernels.runs_on("numba")
def bhattacharyya(p: Array, q: Array, *, axis: int = -1, keepdims: bool = False,
                  normalize: bool | str = "check", base: float | None = None,
                  invalid: str = "raise", nan_policy: str = "propagate") -> Array:
    r"""Bhattacharyya distance :math:`-\log\sum_i\sqrt{p_i q_i} = \tfrac12 D_{1/2}(P\|Q)`.

    +inf for disjoint supports.

    >>> import fdivtheory as fd
    >>> round(float(fd.bhattacharyya([0.5, 0.5], [0.9, 0.1])), 10)  # -log(sqrt(.45) + sqrt(.05))
    0.1115717757
    """
    d = renyi(p, q, 0.5, axis=axis, keepdims=keepdims, normalize=normalize, base=base,
              invalid=invalid, nan_policy=nan_policy)
    return d / 2.0


@kernels.runs_on()
def chernoff_information(p: Array, q: Array, *, axis: int = -1, keepdims: bool = False,
                         normalize: bool | str = "check", base: float | None = None,
                         invalid: str = "raise", nan_policy: str = "propagate",
                         return_lambda: bool = False) -> Array | tuple[Array, Array]:
    r"""Chernoff information :math:`C(P,Q) = \max_{\lambda\in[0,1]} -\log\sum_i p_i^\lambda q_i^{1-\lambda}`.

    The best error exponent of Bayesian binary hypothesis testing
    (Cover & Thomas, *Elements of Information Theory*, §11.9).  The objective
    is concave in λ; it is maximised by bounded Brent search to 1e-12 in λ
    on each row (NumPy round trip for other array libraries).
    ``return_lambda=True`` also returns the maximiser λ*.

    >>> import fdivtheory as fd
    >>> round(float(fd.chernoff_information([0.5, 0.5], [0.9, 0.1])), 8)
    0.11237745
    """
    lams: list[Any] = []

    def rows(P, Q, *, xp, omit_nan, normalize):
        P, Q, fl = generic.prepared(P, Q, omit=omit_nan, normalize=normalize, xp=xp)
        vals, lam = _chernoff_rows(np.asarray(P, dtype=np.float64),
                                   np.asarray(Q, dtype=np.float64))
        lams.append(xp.asarray(lam))
        return xp.asarray(vals), fl

    out = _reduce(rows, p, q, axis=axis, keepdims=keepdims, normalize=normalize, base=base,
                  invalid=invalid, nan_policy=nan_policy)
    return (out, lams[0]) if return_lambda else out


def _chernoff_rows(P: np.ndarray, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(max_lambda -log sum p^lambda q^(1-lambda), the maximiser) per row, by Brent search;
    NaN for a row with an invalid entry (flagged by the caller)."""
    from scipy.optimize import minimize_scalar

    shape = P.shape[:-1]
    Pn = np.reshape(P, (-1, P.shape[-1]))
    Qn = np.reshape(Q, (-1, Q.shape[-1]))
    vals = np.zeros(Pn.shape[0])
    lams = np.full(Pn.shape[0], 0.5)
    for i in range(Pn.shape[0]):
        pi, qi = Pn[i], Qn[i]
        if not (np.all(np.isfinite(pi) & (pi >= 0)) and np.all(np.isfinite(qi) & (qi >= 0))):
            vals[i] = math.nan
            continue
        if not np.any((pi > 0) & (qi > 0)):
            vals[i] = math.inf
            continue

        def neg(lam, pi=pi, qi=qi):
            with np.errstate(all="ignore"):
                lh = float(generic.log_hellinger_integral(pi, qi, lam, np))
            if abs(lh) < _NEAR_LOG:  # near p = q: log1p of the power form (see renyi)
                S = float(_log1p_power_form(pi[None, :], qi[None, :], lam, xp=np,
                                            omit_nan=False, normalize=False)[0])
                if -0.5 <= S < math.inf:
                    lh = math.log1p(S)
            return lh

        res = minimize_scalar(neg, bounds=(1e-12, 1 - 1e-12), method="bounded",
                              options={"xatol": 1e-12})
        vals[i] = max(-res.fun, 0.0)
        lams[i] = float(res.x)
    return np.reshape(vals, shape), np.reshape(lams, shape)


@kernels.runs_on()
def renyi_entropy(p: Array, alpha: float, *, axis: int = -1, keepdims: bool = False,
                  normalize: bool | str = "check", base: float | None = None,
                  invalid: str = "raise", nan_policy: str = "propagate") -> Array:
    r"""Rényi entropy :math:`H_\alpha(P) = \frac{1}{1-\alpha}\log\sum_i p_i^\alpha`, α ∈ [0, ∞].

    α = 0: log of the support size; α = 1: Shannon entropy
    :math:`-\sum p\log p`; α = 2: collision entropy; α = ∞: min-entropy
    :math:`-\log\max_i p_i`.

    >>> import fdivtheory as fd
    >>> float(fd.renyi_entropy([0.25] * 4, 2.0, base=2))
    2.0
    """
    a = _alpha(alpha)
    return _reduce(partial(_entropy_rows, a=a), p, p, axis=axis, keepdims=keepdims,
                   normalize=normalize, base=base, invalid=invalid, nan_policy=nan_policy)


def _entropy_rows(P: Array, _: Array, a: float, *, xp: Any, omit_nan: bool,
                  normalize: bool) -> tuple[Array, V.RowFlags]:
    P, _, fl = generic.prepared(P, P, omit=omit_nan, normalize=normalize, xp=xp)
    pos = P > 0
    one = xp.ones_like(P)
    lp = xp.log(xp.where(pos, P, one))
    with np.errstate(all="ignore"):
        if a == 0.0:
            val = xp.log(xp.sum(xp.astype(pos, P.dtype), axis=-1))
        elif a == 1.0:
            val = -xp.sum(xp.where(pos, P * lp, xp.zeros_like(P)), axis=-1)
        elif a == math.inf:
            val = -xp.log(xp.max(P, axis=-1))
        else:
            e = xp.where(pos, a * lp, xp.full_like(P, -math.inf))
            mx = xp.max(e, axis=-1)
            lse = xp.log(xp.sum(xp.exp(e - mx[..., None]), axis=-1)) + mx
            val = lse / (1.0 - a)
            # sum p^a = 1 + S, S = sum p expm1((a - 1) log p): terms of one sign, no
            # cancellation; log1p(S)/(1 - a) near a = 1 and near a point mass (lse ~ 0)
            x = (a - 1.0) * lp
            S = xp.sum(xp.where(pos, P * xp.expm1(xp.where(pos, x, xp.zeros_like(x))),
                                xp.zeros_like(P)), axis=-1)
            big = xp.any(pos & (xp.abs(x) > 700.0), axis=-1)
            use = (~big & (S >= -0.5) & (S < math.inf)
                   & ((abs(a - 1.0) <= 0.5) | (xp.abs(lse) < 0.5)))
            near = xp.log1p(xp.where(use, S, xp.zeros_like(S))) / (1.0 - a)
            val = xp.where(use, near, val)
    return xp.maximum(val, xp.zeros_like(val)), fl


@kernels.runs_on()
def renyi_cross_entropy(p: Array, q: Array, alpha: float, *, axis: int = -1,
                        keepdims: bool = False, normalize: bool | str = "check",
                        base: float | None = None, invalid: str = "raise",
                        nan_policy: str = "propagate") -> Array:
    r"""Rényi cross entropy :math:`H_\alpha(P;Q) = \frac{1}{1-\alpha}\log\sum_i p_i q_i^{\alpha-1}`.

    The Thierrin–Alajaji–Linder form; α = 1 is the cross entropy
    :math:`-\sum_i p_i\log q_i`, α = ∞ gives :math:`-\log\max_{p_i>0} q_i`.
    Any real α is accepted (α = 1 + θ with θ < 0 appears in scaled cumulant
    generating functions).  +inf when some :math:`q_i = 0 < p_i` and α ≤ 1,
    or when :math:`\sum_i p_i q_i^{\alpha-1} = 0`.  Non-negative for
    probability vectors and α ≥ 0.

    >>> import fdivtheory as fd
    >>> round(float(fd.renyi_cross_entropy([0.5, 0.5], [0.5, 0.5], 3.0)), 12)  # = H_3(uniform) = log 2
    0.69314718056
    """
    a = _alpha(alpha, allow_neg=True)
    return _reduce(partial(_cross_entropy_rows, a=a), p, q, axis=axis, keepdims=keepdims,
                   normalize=normalize, base=base, invalid=invalid, nan_policy=nan_policy)


def _cross_entropy_rows(P: Array, Q: Array, a: float, *, xp: Any, omit_nan: bool,
                        normalize: bool) -> tuple[Array, V.RowFlags]:
    P, Q, fl = generic.prepared(P, Q, omit=omit_nan, normalize=normalize, xp=xp)
    pos = P > 0
    one = xp.ones_like(P)
    zero = xp.zeros_like(P)
    ninf = xp.full_like(P, -math.inf)
    with np.errstate(all="ignore"):
        lq = xp.where(Q > 0, xp.log(xp.where(Q > 0, Q, one)), ninf)
        lp = xp.log(xp.where(pos, P, one))
        mism = xp.any(pos & (Q == 0), axis=-1)
        if a == 1.0:
            val = -xp.sum(xp.where(pos & (Q > 0), P * lq, zero), axis=-1)
            val = xp.where(mism, xp.full_like(val, math.inf), val)
        elif a == math.inf:
            val = -xp.max(xp.where(pos, lq, ninf), axis=-1)
        else:
            e = xp.where(pos & (Q > 0), lp + (a - 1.0) * lq, ninf)
            mx = xp.max(e, axis=-1)
            mxs = xp.where(xp.isfinite(mx), mx, xp.zeros_like(mx))
            lse = xp.log(xp.sum(xp.exp(e - mxs[..., None]), axis=-1)) + mxs
            val = lse / (1.0 - a)
            # sum p q^(a-1) = sum p + S, S = sum p expm1((a - 1) log q) (q_i = 0 < p_i:
            # -p_i for a > 1); for probability vectors log1p(S)/(1 - a), accurate near
            # a = 1 and where the sum is near 1
            both = pos & (Q > 0)
            x = (a - 1.0) * xp.where(both, lq, zero)
            em = xp.where(both, xp.expm1(x), xp.full_like(P, -1.0))
            S = xp.sum(xp.where(pos, P * em, zero), axis=-1)
            big = xp.any(both & (xp.abs(x) > 700.0), axis=-1)
            use = (~big & (S >= -0.5) & (S < math.inf)
                   & ((abs(a - 1.0) <= 0.5) | (xp.abs(lse) < 0.5)))
            near = xp.log1p(xp.where(use, S, xp.zeros_like(S))) / (1.0 - a)
            val = xp.where(use, near, val)
            if a < 1.0:
                val = xp.where(mism, xp.full_like(val, math.inf), val)
            val = xp.where(lse == -math.inf, xp.full_like(val, math.inf), val)
    return val, fl

