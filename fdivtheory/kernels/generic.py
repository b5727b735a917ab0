"""The generic array-API path: the reference semantics the compiled kernels are tested against.

Written once against the array API standard, so it runs on any namespace
(NumPy, CuPy, array-api-strict, ...); :mod:`fdivtheory.kernels` sends a
reduction here when no compiled kernel applies.  Per row it records the same
:class:`~fdivtheory.kernels._flags.RowFlags` as the kernels; NaN entries are
dropped with ``omit_nan``; ``normalize`` divides each row by its total (a
total that overflows is taken of the masses times 2^-600, exact, so that
``[1e308, 1e308]`` normalises to ``[1/2, 1/2]``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fdivtheory.kernels._flags import RowFlags

__all__ = ["log_hellinger_integral", "normalized", "omit_nan", "prepared", "renyi_rows", "row_flags",
           "rowwise", "scales", "terms"]

Array = Any

_DOWN = 2.0 ** -600
"""Pre-scale of a row whose total overflows (as in :mod:`fdivtheory.kernels.cpu`)."""

#: Orders with ``|alpha - 1|`` up to this use the expm1 form (see :func:`_renyi_near_one`).
NEAR_ONE = 0.5


def row_flags(P: Array, Q: Array, xp: Any) -> RowFlags:
    """Row flags by array operations; totals over the pairs without NaN."""
    nan_P, nan_Q = xp.isnan(P), xp.isnan(Q)
    ok = ~(nan_P | nan_Q)
    zero = xp.zeros_like(P)
    with np.errstate(over="ignore"):  # an overflowing total is handled by scales()
        return RowFlags(
            nan_p=xp.any(nan_P, axis=-1), nan_q=xp.any(nan_Q, axis=-1),
            neg_p=xp.any(P < 0, axis=-1), neg_q=xp.any(Q < 0, axis=-1),
            inf_p=xp.any(xp.isinf(P), axis=-1), inf_q=xp.any(xp.isinf(Q), axis=-1),
            sum_p=xp.sum(xp.where(ok, P, zero), axis=-1),
            sum_q=xp.sum(xp.where(ok, Q, zero), axis=-1),
        )


def omit_nan(P: Array, Q: Array, xp: Any) -> tuple[Array, Array]:
    """Zero both masses of every pair where p or q is NaN (the pair drops out)."""
    mask = xp.isnan(P) | xp.isnan(Q)
    zero = xp.zeros_like(P)
    return xp.where(mask, zero, P), xp.where(mask, zero, Q)


def scales(X: Array, total: Array, xp: Any) -> tuple[Array, Array]:
    """(k, t) per row with ``X k / t`` the normalised row; (1, 1) where the row is flagged."""
    one = xp.ones_like(total)
    ok = (total > 0) & (total < math.inf)
    k, t = one, xp.where(ok, total, one)
    over = total == math.inf
    if bool(xp.any(over)):  # finite masses whose total overflows: sum them scaled down
        down = xp.sum(xp.where(xp.isnan(X), xp.zeros_like(X), X * _DOWN), axis=-1)
        fix = over & (down < math.inf)
        k = xp.where(fix, xp.full_like(total, _DOWN), k)
        t = xp.where(fix, down, t)
    return k, t


def normalized(P: Array, Q: Array, fl: RowFlags, xp: Any) -> tuple[Array, Array]:
    """Each row divided by its total (the totals of ``fl``)."""
    kp, tp = scales(P, fl.sum_p, xp)
    kq, tq = scales(Q, fl.sum_q, xp)
    return P * kp[..., None] / tp[..., None], Q * kq[..., None] / tq[..., None]


def terms(gen: Any, P: Array, Q: Array, xp: Any) -> Array:
    """Standardised per-coordinate terms of generator ``gen`` with the zero/support rule."""
    c = gen.slope_at_one
    zero = xp.zeros_like(P)
    one = xp.ones_like(P)
    pos_p, pos_q = P > 0, Q > 0
    both = pos_p & pos_q
    with np.errstate(all="ignore"):
        inner = gen.perspective(xp.where(both, P, one), xp.where(both, Q, one))
        t_q0 = xp.where(pos_p, P, one) * (gen.slope_at_infinity - c)
        t_p0 = xp.where(pos_q, Q, one) * (gen.value_at_zero + c)
    out = xp.where(both, inner, xp.where(pos_p, t_q0, xp.where(pos_q, t_p0, zero)))
    out = xp.maximum(out, zero)
    invalid = xp.isnan(P) | xp.isnan(Q) | (P < 0) | (Q < 0) | xp.isinf(P) | xp.isinf(Q)
    return xp.where(invalid, xp.full_like(P, math.nan), out)


def prepared(P: Array, Q: Array, *, omit: bool, normalize: bool,
             xp: Any) -> tuple[Array, Array, RowFlags]:
    """(P, Q, flags) after dropping NaN pairs and normalising: for reductions without a kernel."""
    fl = row_flags(P, Q, xp)
    if omit:
        P, Q = omit_nan(P, Q, xp)
    if normalize:
        P, Q = normalized(P, Q, fl, xp)
    return P, Q, fl


def rowwise(gen: Any, P: Array, Q: Array, *, omit: bool, normalize: bool, xp: Any,
            per_coordinate: bool = False) -> tuple[Array, RowFlags]:
    """(row sums of the terms, or the terms themselves, and the row flags)."""
    P, Q, fl = prepared(P, Q, omit=omit, normalize=normalize, xp=xp)
    t = terms(gen, P, Q, xp)
    return (t if per_coordinate else xp.sum(t, axis=-1)), fl


# ---------------------------------------------------------------------------
# Rényi
# ---------------------------------------------------------------------------


def _logs(X: Array, shift: Array | None, xp: Any) -> Array:
    """log x (+ the per-row shift; 0 where x = 0, which callers mask)."""
    pos = X > 0
    lx = xp.log(xp.where(pos, X, xp.ones_like(X)))
    return lx if shift is None else lx + shift[..., None]


def log_hellinger_integral(P: Array, Q: Array, a: float, xp: Any,
                           logs: tuple[Array, Array] | None = None) -> Array:
    """log sum p^a q^(1-a) over the common support (-inf if empty), a not in {0, 1}.

    ``logs``: (log P, log Q) where the supports are P > 0, Q > 0 (the logs of
    normalised masses formed as log x + log(k/t), so that a mass whose
    normalised value underflows still counts).
    """
    both = (P > 0) & (Q > 0)
    LP, LQ = logs if logs is not None else (_logs(P, None, xp), _logs(Q, None, xp))
    e = a * LP + (1.0 - a) * LQ
    e = xp.where(both, e, xp.full_like(P, -math.inf))
    mx = xp.max(e, axis=-1)
    mxs = xp.where(xp.isfinite(mx), mx, xp.zeros_like(mx))
    return xp.log(xp.sum(xp.exp(e - mxs[..., None]), axis=-1)) + mxs


def _renyi_near_one(P: Array, Q: Array, a: float, xp: Any, fallback: Array,
                    LP: Array, LQ: Array) -> Array:
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
    lr = xp.where(both, LP - LQ, xp.zeros_like(P))
    x = (a - 1.0) * lr
    big = xp.any(both & (xp.abs(x) > 700.0), axis=-1)
    # q_i = 0 < p_i: for a < 1 the term p_i q_i^(1-a) vanishes, expm1(-inf) = -1
    e = xp.where(both, xp.expm1(xp.where(both, x, xp.zeros_like(x))), -one)
    s = xp.sum(xp.where(pos, P * e, xp.zeros_like(P)), axis=-1)
    near = xp.log1p(xp.maximum(s, xp.full_like(s, -1.0))) / (a - 1.0)
    return xp.where(big | (s < -0.5) | xp.isinf(fallback), fallback, near)


def renyi_rows(P: Array, Q: Array, a: float, *, omit: bool, normalize: bool,
               xp: Any) -> tuple[Array, RowFlags]:
    """Row-wise Rényi divergence of order a (not 1), unclamped, and the row flags."""
    # supports and logarithms of the masses given (log x + log(k/t) when normalising):
    # a mass whose normalised value underflows still counts (it matters for orders
    # near 0, where p^a does not vanish with p, and for q at every order)
    fl = row_flags(P, Q, xp)
    if omit:
        P, Q = omit_nan(P, Q, xp)
    sp = sq = None
    with np.errstate(all="ignore"):
        if normalize:
            kp, tp = scales(P, fl.sum_p, xp)
            kq, tq = scales(Q, fl.sum_q, xp)
            sp, sq = xp.log(kp) - xp.log(tp), xp.log(kq) - xp.log(tq)
        LP, LQ = _logs(P, sp, xp), _logs(Q, sq, xp)
        support, supq = P > 0, Q > 0
        if normalize:
            P, Q = P * kp[..., None] / tp[..., None], Q * kq[..., None] / tq[..., None]
        if a == 0.0:
            mass = xp.sum(xp.where(support, Q, xp.zeros_like(Q)), axis=-1)
            val = -xp.log(mass)
        elif a == math.inf:
            lr = xp.where(support & supq, LP - LQ,
                          xp.where(support, xp.full_like(P, math.inf), xp.full_like(P, -math.inf)))
            val = xp.max(lr, axis=-1)
        else:
            # the supports of the masses given: (P > 0) of the normalised masses could drop one
            Ps = xp.where(support, xp.maximum(P, xp.full_like(P, 5e-324)), P)
            Qs = xp.where(supq, xp.maximum(Q, xp.full_like(Q, 5e-324)), Q)
            lh = log_hellinger_integral(Ps, Qs, a, xp, logs=(LP, LQ))
            val = lh / (a - 1.0)
            if abs(a - 1.0) <= NEAR_ONE:
                val = _renyi_near_one(Ps, Qs, a, xp, val, LP, LQ)
            if a > 1.0:
                mism = xp.any(support & ~supq, axis=-1)
                val = xp.where(mism, xp.full_like(val, math.inf), val)
            val = xp.where(lh == -math.inf, xp.full_like(val, math.inf), val)
    return val, fl

