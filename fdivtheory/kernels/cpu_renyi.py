"""Fused numba kernel for the Rényi divergence of every order, row by row.

``log sum_i p_i^alpha q_i^(1-alpha) / (alpha - 1)`` in one pass over each row
(no shift: the plain sum of ``p exp((alpha - 1) log(p/q))``, accepted when it
lies in [1e-250, inf), else an online log-sum-exp reference); near alpha = 1
the expm1 form ``log1p(sum_i p_i expm1((alpha - 1) log(p_i/q_i))) / (alpha - 1)``
(exactly 0 at p = q); alpha = 0: ``-log Q(supp P)``; alpha = inf:
``max_{p_i > 0} log(p_i/q_i)``.  Flags, totals and the in-kernel
normalisation are those of :mod:`fdivtheory.kernels.cpu`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from fdivtheory.kernels._fdlibm import _bits, _exp, _from_bits, _ln, _radd
from fdivtheory.kernels._flags import NAN_BITS
from fdivtheory.kernels.cpu import (
    _EXP_MAX,
    _LOOP_OPTS,
    _OPTS,
    _entry_bits,
    _fill_scale,
    _normal,
    threads_for,
)

__all__ = ["renyi_rows"]

INF = math.inf
NAN = math.nan

_NEAR_ONE = 0.5
"""Orders with ``|alpha - 1|`` up to this use the expm1 form (as the generic path)."""


@njit(error_model="numpy")
def _renyi_exact(P, Q, i, alpha, omit_nan, kp, rp, kq, rq):
    """Reference row: (value, flag bits, sum p, sum q), online log-sum-exp.

    Near alpha = 1 also ``log1p(sum_i p_i expm1((alpha - 1) log(p_i/q_i))) / (alpha - 1)``
    (exactly 0 at p = q), kept unless an exponent exceeds 700, the sum is below
    -1/2 or the log-sum-exp value is infinite.  Masses enter as p kp rp, q kq rq,
    their logarithms as log p + log(kp rp) and their supports as given, so that a
    mass whose normalised value underflows still counts (orders near 0: p^alpha
    does not vanish with p; every order: q).
    """
    lkp = math.log(kp) + math.log(rp)
    lkq = math.log(kq) + math.log(rq)
    fl = 0
    sp = 0.0
    sq = 0.0
    mx = -INF
    s = 0.0
    s1 = 0.0  # near alpha = 1: sum p expm1((alpha - 1) log(p/q))
    big = False
    mass = 0.0  # alpha = 0: Q(supp P)
    lr_max = -INF  # alpha = inf: max log(p/q) over supp P
    infinite = False
    bad = False
    for j in range(P.shape[1]):
        p0 = np.float64(P[i, j])
        q0 = np.float64(Q[i, j])
        if p0 >= 0.0 and q0 >= 0.0 and p0 < INF and q0 < INF:
            sp += p0
            sq += q0
            p = p0 * kp * rp
            q = q0 * kq * rq
            if alpha == 0.0:
                if p0 > 0.0:  # the support of the masses given (p may underflow to 0)
                    mass += q
            elif p0 > 0.0:
                lp = math.log(p0) + lkp
                lq = math.log(q0) + lkq if q0 > 0.0 else -INF
                if alpha == INF:
                    lr = lp - lq if q0 > 0.0 else INF
                    if lr > lr_max:
                        lr_max = lr
                elif q0 > 0.0:
                    e = alpha * lp + (1.0 - alpha) * lq
                    if e > mx:
                        s = s * math.exp(mx - e) + 1.0
                        mx = e
                    else:
                        s += math.exp(e - mx)
                    x = (alpha - 1.0) * (lp - lq)
                    if abs(x) > 700.0:
                        big = True
                    else:
                        s1 += p * math.expm1(x)
                else:
                    s1 -= p
                    if alpha > 1.0:
                        infinite = True
            continue
        e = _entry_bits(p0, q0)
        fl |= e
        if e & NAN_BITS:
            if omit_nan:
                continue
        else:  # negative and infinite masses stay in the totals (the row is flagged)
            sp += p0
            sq += q0
        bad = True
    if bad:
        val = NAN
    elif alpha == 0.0:
        val = -math.log(mass)
    elif alpha == INF:
        val = lr_max
    elif infinite or mx == -INF:
        val = INF
    else:
        val = (mx + math.log(s)) / (alpha - 1.0)
        if abs(alpha - 1.0) <= _NEAR_ONE and not big and s1 >= -0.5:
            val = math.log1p(s1) / (alpha - 1.0)
    return val, fl, sp, sq


_EXPM1_C = tuple(1.0 / math.factorial(k) for k in range(14, 1, -1))  # Horner order


@njit(**_OPTS)
def _expm1(x, u):
    """expm1(x) given u = exp(x): the Taylor series for |x| < 0.35 (14 terms reach
    double precision), else u - 1 (at most ~3 ulp there)."""
    c = 0.0
    for ck in _EXPM1_C:
        c = c * x + ck
    return x + x * x * c if abs(x) < 0.35 else u - 1.0


_S_MIN = 1e-250  # below this the fast sum may have lost terms to underflow
_TINY = 2.2250738585072014e-308


@njit(**_OPTS)
def _renyi_term(p, q, alpha):
    """(x, exp(x), p^alpha q^(1-alpha)) with x = (alpha - 1) log(p/q); the term is NaN
    where the fast exp does not apply, +inf for q = 0 < p and alpha > 1, else 0 off
    the common support."""
    r = p / q  # p^alpha q^(1-alpha) = p exp((alpha - 1) log(p/q))
    x = (alpha - 1.0) * _ln(r, 0.0)
    u = _exp(x)
    fast = _normal(r) & _normal(p) & (abs(x) <= _EXP_MAX)
    t = (p * u if fast else NAN) if (p > 0.0) & (q > 0.0) else (
        INF if (p > 0.0) & (alpha > 1.0) else 0.0)
    return x, u, t


@njit(**_LOOP_OPTS)
def _renyi_rows(P, Q, alpha, omit_nan, scale, out, flags, sums_p, sums_q):
    """Row-wise Rényi divergence of order alpha in [0, 1) or (1, inf], one pass.

    ``log sum_i p_i^alpha q_i^(1-alpha) / (alpha - 1)``; q_i = 0 < p_i gives
    +inf for alpha > 1 and drops the term for alpha < 1; disjoint supports
    give +inf.  Near alpha = 1 (``|alpha - 1|`` <= 1/2) the expm1 form of
    :func:`_renyi_exact`.  alpha = 0: ``-log Q(supp P)``; alpha = inf:
    ``max_{p_i > 0} log(p_i/q_i)``.  Fast pass: the plain sum of
    ``p exp((alpha - 1) log(p/q))`` (no shift), accepted when it lies in
    [1e-250, inf) so that no term that matters under/overflowed; otherwise (and
    for rows with invalid entries or an exponent beyond ±700) the reference.
    ``scale`` None: masses as given; else filled here per row (k_p, r_p, k_q, r_q)
    and the masses are p k_p r_p, q k_q r_q (constants 1 fold away for None).
    """
    n, m = P.shape
    near_one = abs(alpha - 1.0) <= _NEAR_ONE
    for i in prange(n):
        if scale is None:
            kp, rp, kq, rq = 1.0, 1.0, 1.0, 1.0
        else:
            _fill_scale(P, Q, i, scale)
            kp, rp, kq, rq = scale[i, 0], scale[i, 1], scale[i, 2], scale[i, 3]
        sp = 0.0
        sq = 0.0
        bad = False
        lost = False  # a positive mass whose scaled value left the normal range
        val = NAN
        if alpha == 0.0:
            mass = 0.0
            for j in range(m):
                p0 = np.float64(P[i, j])
                q0 = np.float64(Q[i, j])
                p = p0 * kp * rp
                q = q0 * kq * rq
                lost |= ((p0 > 0.0) & (p < _TINY)) | ((q0 > 0.0) & (q < _TINY))
                bad |= not ((p0 >= 0.0) & (q0 >= 0.0) & (p0 < INF) & (q0 < INF))
                mass = _radd(mass, q if p0 > 0.0 else 0.0)  # support of p as given
                sp = _radd(sp, p0)
                sq = _radd(sq, q0)
            val = -math.log(mass)
        elif alpha == INF:
            # max of p/q through its bits (monotone for non-negative floats):
            # an integer max reduction vectorises without any fast-math flag
            rb = 0
            for j in range(m):
                p0 = np.float64(P[i, j])
                q0 = np.float64(Q[i, j])
                p = p0 * kp * rp
                q = q0 * kq * rq
                lost |= ((p0 > 0.0) & (p < _TINY)) | ((q0 > 0.0) & (q < _TINY))
                bad |= not ((p0 >= 0.0) & (q0 >= 0.0) & (p0 < INF) & (q0 < INF))
                r = (p / q if q > 0.0 else INF) if p > 0.0 else 0.0
                rb = max(rb, _bits(r))
                sp = _radd(sp, p0)
                sq = _radd(sq, q0)
            r = _from_bits(rb)
            bad |= not _normal(r)  # overflow, underflow or an empty support: reference
            val = math.log(r)
        elif near_one:  # the same sum as below, and the expm1 form beside it
            s = 0.0
            s1 = 0.0
            for j in range(m):
                p0 = np.float64(P[i, j])
                q0 = np.float64(Q[i, j])
                p = p0 * kp * rp
                q = q0 * kq * rq
                lost |= ((p0 > 0.0) & (p < _TINY)) | ((q0 > 0.0) & (q < _TINY))
                bad = NAN if not ((p0 >= 0.0) & (q0 >= 0.0) & (p0 < INF) & (q0 < INF)) else 0.0
                x, u, t = _renyi_term(p, q, alpha)
                s = _radd(s, t + bad)
                # p expm1(x) on the common support, -p off it (q = 0 < p), blended by
                # arithmetic on a finite x so that no branch forms around expm1
                w = 1.0 if (p > 0.0) & (q > 0.0) & (abs(x) <= _EXP_MAX) else 0.0
                e1 = p * _expm1(x * w, u if w == 1.0 else 1.0)
                s1 = _radd(s1, w * e1 - (1.0 - w) * p)
                sp = _radd(sp, p0)
                sq = _radd(sq, q0)
            bad = not (s >= _S_MIN and s < INF)
            val = (math.log1p(s1) if s1 >= -0.5 else math.log(s)) / (alpha - 1.0)
        else:
            s = 0.0
            for j in range(m):
                p0 = np.float64(P[i, j])
                q0 = np.float64(Q[i, j])
                p = p0 * kp * rp
                q = q0 * kq * rq
                lost |= ((p0 > 0.0) & (p < _TINY)) | ((q0 > 0.0) & (q < _TINY))
                bad = NAN if not ((p0 >= 0.0) & (q0 >= 0.0) & (p0 < INF) & (q0 < INF)) else 0.0
                s = _radd(s, _renyi_term(p, q, alpha)[2] + bad)
                sp = _radd(sp, p0)
                sq = _radd(sq, q0)
            bad = not (s >= _S_MIN and s < INF)
            val = math.log(s) / (alpha - 1.0)
        if scale is not None and not bad:  # the reference takes logs from mass and scale
            bad = lost
        fl = 0
        if bad:
            val, fl, sp, sq = _renyi_exact(P, Q, i, alpha, omit_nan, kp, rp, kq, rq)
        out[i] = val
        flags[i] = fl
        sums_p[i] = sp
        sums_q[i] = sq


def renyi_rows(P: np.ndarray, Q: np.ndarray, alpha: float, omit_nan: bool,
               normalize: bool = False):
    """Row-wise Rényi divergence of order alpha (not 1) over 2-D P, Q.

    Returns ``(values, flags, sums_p, sums_q)`` as
    :func:`fdivtheory.kernels.cpu.rowwise_divergence` (``normalize``: each
    row scaled inside the kernel).
    """
    n = P.shape[0]
    out, bits, sp, sq = np.empty(n), np.empty(n, np.int64), np.empty(n), np.empty(n)
    scale = np.empty((n, 4)) if normalize else None
    with threads_for(P.size):
        _renyi_rows(P, Q, float(alpha), bool(omit_nan), scale, out, bits, sp, sq)
    return out, bits, sp, sq
