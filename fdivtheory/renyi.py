r"""Rényi divergences, entropies and cross entropies; Bhattacharyya and Chernoff.

.. math::

   D_\alpha(P\|Q) = \frac{1}{\alpha-1}\log\sum_i p_i^\alpha q_i^{1-\alpha},\qquad
   H_\alpha(P) = \frac{1}{1-\alpha}\log\sum_i p_i^\alpha,\qquad
   H_\alpha(P;Q) = \frac{1}{1-\alpha}\log\sum_i p_i q_i^{\alpha-1}.

Limits: :math:`D_0 = -\log Q(\mathrm{supp}\,P)`, :math:`D_1 = KL`,
:math:`D_\infty = \log\max_i p_i/q_i`.  With a support mismatch
(:math:`q_i = 0 < p_i`) :math:`D_\alpha = +\infty` for α ≥ 1 and is finite
for α < 1.  Sums are computed as log-sum-exp of
:math:`\alpha\log p + (1-\alpha)\log q` (no under/overflow).

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
from typing import Any

import numpy as np

from fdivtheory import _validation as V
from fdivtheory._backend import use_cpu_kernels
from fdivtheory.divergence import f_divergence

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


def _prepared(p, q, axis, normalize, invalid, nan_policy, base):
    V.check_options(invalid=invalid, nan_policy=nan_policy, normalize=normalize, base=base)
    prep = V.prepare_pair(p, q, axis)
    xp, P, Q = prep.xp, prep.P, prep.Q
    fl = V.flags_xp(P, Q, xp)
    bad = V.bad_rows(fl, xp, invalid=invalid, nan_policy=nan_policy, names=prep.names,
                     normalize=normalize if normalize == "check" else False)
    if nan_policy == "omit":
        mask = xp.isnan(P) | xp.isnan(Q)
        P, Q = xp.where(mask, xp.zeros_like(P), P), xp.where(mask, xp.zeros_like(Q), Q)
    if normalize is True:
        one = xp.ones_like(fl.sum_p)
        P = P / xp.where(fl.sum_p > 0, fl.sum_p, one)[..., None]
        Q = Q / xp.where(fl.sum_q > 0, fl.sum_q, one)[..., None]
    return prep, P, Q, bad


def _log_hellinger_integral(P: Array, Q: Array, a: float, xp: Any) -> Array:
    """log sum p^a q^(1-a) over the common support (-inf if empty), a not in {0, 1}."""
    both = (P > 0) & (Q > 0)
    one = xp.ones_like(P)
    e = a * xp.log(xp.where(both, P, one)) + (1.0 - a) * xp.log(xp.where(both, Q, one))
    e = xp.where(both, e, xp.full_like(P, -math.inf))
    mx = xp.max(e, axis=-1)
    mxs = xp.where(xp.isfinite(mx), mx, xp.zeros_like(mx))
    return xp.log(xp.sum(xp.exp(e - mxs[..., None]), axis=-1)) + mxs


#: Orders with |alpha - 1| up to this use the expm1 form (see _renyi_near_one).
_NEAR_ONE = 0.5


def _renyi_near_one(P: Array, Q: Array, a: float, xp: Any, fallback: Array) -> Array:
    """D_a for |a - 1| small: log1p(sum_i p_i expm1((a - 1) log(p_i/q_i))) / (a - 1).

    For probability vectors sum_i p_i = 1, so this equals the log-sum-exp form,
    but it is exactly 0 at p = q and does not amplify the rounding of sum_i p_i
    by 1/|a - 1|.  Rows where an exponent exceeds 700, or where the sum is
    below -1/2 (log1p ill-conditioned: the divergence is large and the
    log-sum-exp form is accurate), keep ``fallback``.
    """
    pos = P > 0
    both = pos & (Q > 0)
    one = xp.ones_like(P)
    lr = xp.log(xp.where(both, P, one)) - xp.log(xp.where(both, Q, one))
    x = (a - 1.0) * lr
    big = xp.any(both & (xp.abs(x) > 700.0), axis=-1)
    # q_i = 0 < p_i: for a < 1 the term p_i q_i^(1-a) vanishes, expm1(-inf) = -1
    e = xp.where(both, xp.expm1(xp.where(both, x, xp.zeros_like(x))), -one)
    s = xp.sum(xp.where(pos, P * e, xp.zeros_like(P)), axis=-1)
    near = xp.log1p(xp.maximum(s, xp.full_like(s, -1.0))) / (a - 1.0)
    return xp.where(big | (s < -0.5) | xp.isinf(fallback), fallback, near)


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
    fast = _renyi_kernel(p, q, a, axis, normalize, invalid, nan_policy)
    if fast is not None:
        prep, val, bad = fast
        return V.finish(np.maximum(val, 0.0), bad, prep, keepdims=keepdims, base=base)
    prep, P, Q, bad = _prepared(p, q, axis, normalize, invalid, nan_policy, base)
    xp = prep.xp
    with np.errstate(all="ignore"):
        if a == 0.0:
            mass = xp.sum(xp.where(P > 0, Q, xp.zeros_like(Q)), axis=-1)
            val = -xp.log(mass)
        elif a == math.inf:
            pos = P > 0
            lr = xp.where(pos & (Q > 0), xp.log(xp.where(pos, P, xp.ones_like(P)))
                          - xp.log(xp.where(Q > 0, Q, xp.ones_like(Q))),
                          xp.where(pos, xp.full_like(P, math.inf), xp.full_like(P, -math.inf)))
            val = xp.max(lr, axis=-1)
        else:
            lh = _log_hellinger_integral(P, Q, a, xp)
            val = lh / (a - 1.0)
            if abs(a - 1.0) <= _NEAR_ONE:
                val = _renyi_near_one(P, Q, a, xp, val)
            if a > 1.0:
                mism = xp.any((P > 0) & (Q == 0), axis=-1)
                val = xp.where(mism, xp.full_like(val, math.inf), val)
            val = xp.where(lh == -math.inf, xp.full_like(val, math.inf), val)
    val = xp.maximum(val, xp.zeros_like(val))
    return V.finish(val, bad, prep, keepdims=keepdims, base=base)


def _renyi_kernel(p, q, a, axis, normalize, invalid, nan_policy):
    """The fused numba path (NumPy float input), or None when it does not apply."""
    V.check_options(invalid=invalid, nan_policy=nan_policy, normalize=normalize, base=None)
    prep = V.prepare_pair(p, q, axis)
    if not use_cpu_kernels(prep.xp) or prep.P.dtype not in (np.float64, np.float32):
        return None
    from fdivtheory.kernels import cpu

    shape = prep.P.shape[:-1]
    P2 = np.ascontiguousarray(np.reshape(np.asarray(prep.P), (-1, prep.P.shape[-1])))
    Q2 = np.ascontiguousarray(np.reshape(np.asarray(prep.Q), (-1, prep.Q.shape[-1])))
    n = P2.shape[0]
    out, bits, sp, sq = np.empty(n), np.empty(n, np.int64), np.empty(n), np.empty(n)
    omit = nan_policy == "omit"
    with cpu.threads_for(P2.size):
        _renyi_rows(cpu, P2, Q2, a, omit, normalize, out, bits, sp, sq)
    fl = V.flags_from_bits(bits, sp, sq)
    bad = V.bad_rows(fl, prep.xp, invalid=invalid, nan_policy=nan_policy, names=prep.names,
                     normalize=normalize if normalize == "check" else False)
    return prep, np.reshape(out.astype(prep.P.dtype, copy=False), shape), np.reshape(bad, shape)


def _renyi_rows(cpu: Any, P2: Array, Q2: Array, a: float, omit: bool, normalize: Any,
                out: Array, bits: Array, sp: Array, sq: Array) -> None:
    """Fill ``out`` (and the flags and sums) with the row-wise Rényi divergences."""
    n = P2.shape[0]
    if normalize is True:
        cpu.row_flags(P2, Q2, omit, bits, sp, sq)
        with np.errstate(all="ignore"):
            P2 = P2 / np.where(sp > 0, sp, 1.0)[:, None]
            Q2 = Q2 / np.where(sq > 0, sq, 1.0)[:, None]
        cpu.renyi_rows(P2, Q2, a, omit, out, np.empty(n, np.int64), np.empty(n), np.empty(n))
    else:
        cpu.renyi_rows(P2, Q2, a, omit, out, bits, sp, sq)


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
    prep, P, Q, bad = _prepared(p, q, axis, normalize, invalid, nan_policy, None)
    xp = prep.xp
    with np.errstate(all="ignore"):
        val = xp.exp(_log_hellinger_integral(P, Q, a, xp))
    return V.finish(val, bad, prep, keepdims=keepdims, base=None)


def bhattacharyya_coefficient(p: Array, q: Array, **kwargs: Any) -> Array:
    r"""Bhattacharyya coefficient :math:`BC(P,Q) = \sum_i\sqrt{p_i q_i}` in [0, 1].

    >>> import fdivtheory as fd
    >>> float(fd.bhattacharyya_coefficient([1.0, 0.0], [0.0, 1.0]))
    0.0
    """
    return hellinger_integral(p, q, 0.5, **kwargs)


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
    from scipy.optimize import minimize_scalar

    prep, P, Q, bad = _prepared(p, q, axis, normalize, invalid, nan_policy, base)
    xp = prep.xp
    Pn = np.reshape(np.asarray(P, dtype=np.float64), (-1, P.shape[-1]))
    Qn = np.reshape(np.asarray(Q, dtype=np.float64), (-1, Q.shape[-1]))
    badn = np.reshape(np.asarray(bad), (-1,))
    vals = np.zeros(Pn.shape[0])
    lams = np.full(Pn.shape[0], 0.5)
    for i in range(Pn.shape[0]):
        if badn[i]:
            vals[i] = math.nan
            continue
        pi, qi = Pn[i], Qn[i]
        if not np.any((pi > 0) & (qi > 0)):
            vals[i] = math.inf
            continue

        def neg(lam, pi=pi, qi=qi):
            with np.errstate(all="ignore"):
                return float(_log_hellinger_integral(pi, qi, lam, np))

        res = minimize_scalar(neg, bounds=(1e-12, 1 - 1e-12), method="bounded",
                              options={"xatol": 1e-12})
        lam = float(res.x)
        vals[i] = max(-res.fun, 0.0)
        lams[i] = lam
    shape = P.shape[:-1]
    val = xp.asarray(np.reshape(vals, shape))
    out = V.finish(val, bad, prep, keepdims=keepdims, base=base)
    if return_lambda:
        return out, xp.asarray(np.reshape(lams, shape))
    return out


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
    prep, P, _, bad = _prepared(p, p, axis, normalize, invalid, nan_policy, base)
    xp = prep.xp
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
            val = (xp.log(xp.sum(xp.exp(e - mx[..., None]), axis=-1)) + mx) / (1.0 - a)
    val = xp.maximum(val, xp.zeros_like(val))
    return V.finish(val, bad, prep, keepdims=keepdims, base=base)


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
    prep, P, Q, bad = _prepared(p, q, axis, normalize, invalid, nan_policy, base)
    xp = prep.xp
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
            if a < 1.0:
                val = xp.where(mism, xp.full_like(val, math.inf), val)
            val = xp.where(lse == -math.inf, xp.full_like(val, math.inf), val)
    return V.finish(val, bad, prep, keepdims=keepdims, base=base)

