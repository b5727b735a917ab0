"""Fused numba kernels for the batched reductions on the CPU.

One scalar *term* function per shipped generator computes the standardised
contribution ``q f(p/q) - f'(1)(p - q)`` of one coordinate, with the same
branch ladder as the array-API code in :mod:`fdivtheory.generators`:

1. both masses zero -> 0;
2. q = 0 < p -> p (f'(∞) - f'(1)); p = 0 < q -> q (f(0+) + f'(1));
3. both positive -> the stable perspective (near ratio 1 a form without
   cancellation: log1p; for KL ``q h((p - q)/q)`` with
   ``h(d) = (1 + d) log1p(d) - d`` summed as a series for |d| < 1/4; for the
   power family ``q f(1 + d)`` by its Taylor series for small |d|; a log
   difference when the ratio under/overflows);
4. the result is clamped at 0 (rounding), never NaN.

A row kernel (``parallel=True``, one pass over each row) adds the terms, and
also records per row whether it met NaN, negative or infinite entries and
the row sums (the bits of :mod:`fdivtheory.kernels._flags`), so that input
validation costs no extra pass over memory.  With ``normalize`` each row is
scaled inside the kernel: its totals are taken first (the row then sits in
cache for the pass over the terms) and each mass enters the term as
``p k r`` (k a power of two, r the reciprocal of the scaled total); no normalised copy of the input is made.

Two versions of each term
-------------------------
``_t_<name>`` is the ladder above written with ``if`` statements and libm
(``math.log1p``, ``math.log``): the reference.  ``_v_<name>`` is the same
ladder written without branches (every case computed, then selected) so that
LLVM vectorises the row loop, with the logarithm and exponential of
:mod:`fdivtheory.kernels._fdlibm` (``_ln``, ``_exp``: the fdlibm algorithms,
< 1 ulp, on SIMD lanes).
A fast term returns NaN where it does not apply: an invalid entry (NaN,
negative, infinite), a ratio or mass outside the normal float64 range (the
log-difference rung of the ladder), an exponent beyond ±700.  A row (or
column chunk) whose fast sum is NaN is recomputed with the reference terms,
which also set the flag bits; so the fast pass decides nothing but speed.
Results agree with the reference to rounding (a few ulp per term; the sums
in another order).  Far from ratio 1 the power terms use ``q exp(b log(p/q))``
(one logarithm) for the reference's ``exp(b log p + (1-b) log q)``; at
b = 1/2, 2, -1 exact closed forms.

Floating-point flags: the only fast-math flag is ``reassoc`` on the additions
that accumulate the sums (:func:`_radd`), so that they vectorise (summation
order changes, by rounding).  No flag that lets LLVM assume the absence of
NaN or Inf is used anywhere, and the terms carry no flag at all, so
``d - (u - 1)`` and the NaN tests survive; they are inlined by numba
(``inline="always"``), so LLVM sees one loop body.  ``error_model="numpy"``:
a division by zero gives inf/NaN (then selected away) instead of raising,
which is what lets the ladder run without branches.

Generators are described by small tuples (``Generator.kernel``), e.g.
``("kl",)``, ``("power", beta)``, ``("reversed", inner)``,
``("scaled", c, inner)``, ``("sum", a, b)``.  Each leaf term has one
module-level row kernel, generated from :data:`_ROW_TEMPLATE` and cached on
disk (``cache=True``: compiled once per machine, 1-3 s each, then loaded in
~0.01 s); composites are evaluated from their leaves (swap p and q, scale,
add the rows).  Parameters travel at run time in a float64 array, so one
compiled kernel serves every parameter value.  Inputs of any float dtype are
computed in float64.  Rows are the parallel tasks; a few long rows are split
into column chunks (:func:`_layout`) so that a single long vector also uses
every thread.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit, prange

from fdivtheory.kernels._fdlibm import _exp, _fma, _ln, _radd
from fdivtheory.kernels._flags import INF_P, INF_Q, NAN_BITS, NAN_P, NAN_Q, NEG_P, NEG_Q

__all__ = ["SERIAL_BELOW", "row_flags", "rowwise_divergence", "threads_for"]

INF = math.inf
NAN = math.nan
_TINY = 2.2250738585072014e-308
_HUGE = 1.7976931348623157e308
_EXP_MAX = 700.0  # |x| up to which the fast exp is used (result stays normal)

_OPTS = {"inline": "always", "error_model": "numpy"}  # scalar pieces, inlined by numba
_LOOP_OPTS = {"cache": True, "error_model": "numpy", "parallel": True}  # the kernels


# ---------------------------------------------------------------------------
# The ladder, reference version (branches, libm)
# ---------------------------------------------------------------------------


@njit(**_OPTS)
def _log_ratio(p, q):
    r = p / q
    if r > 0.5 and r < 2.0:
        return math.log1p((p - q) / q)
    if r > _TINY and r < _HUGE:
        return math.log(r)
    return math.log(p) - math.log(q)


_ATANH_C = tuple(1.0 / (2 * k + 3) for k in range(12, -1, -1))  # Horner order


@njit(**_OPTS)
def _atanh_tail(s2):
    """sum_{k=0}^{12} s2^k / (2k + 3): (atanh(s) - s) / s^3 for s^2 = s2 < 0.021."""
    series = 0.0
    for c in _ATANH_C:
        series = series * s2 + c
    return series


@njit(**_OPTS)
def _h_small(d):
    """(1 + d) log1p(d) - d for |d| < 1/4 without cancellation (fdivtheory._special):
    d^2 + (1 + d)(log1p(d) - d), log1p(d) - d = -d^2/(2 + d) + 2 (atanh(s) - s)."""
    s = d / (2.0 + d)
    s2 = s * s
    return d * d + (1.0 + d) * (-d * d / (2.0 + d) + 2.0 * s * s2 * _atanh_tail(s2))


@njit(**_OPTS)
def _kl(p, q):
    # p log(p/q) - p + q; near ratio 1 as q h(d), d = (p - q)/q (generators._kl_perspective)
    if p > 0.0:
        if q > 0.0:
            r = p / q
            if r > 0.5 and r < 2.0:
                d = (p - q) / q
                if abs(d) < 0.25:
                    t = q * _h_small(d)
                else:
                    t = q * ((1.0 + d) * math.log1p(d) - d)
            else:
                t = p * _log_ratio(p, q) - p + q
            return t if t > 0.0 else 0.0
        return INF
    return q


# ---------------------------------------------------------------------------
# The ladder, vectorisable version (every branch computed, then selected;
# NaN where the reference must decide)
# ---------------------------------------------------------------------------


@njit(**_OPTS)
def _log_ratio_v(p, q):
    """log(p/q) for p, q > 0; NaN where p/q under/overflows."""
    r = p / q
    d = (p - q) / q
    near = (r > 0.5) & (r < 2.0)
    u = 1.0 + d if near else r
    lr = _ln(u, (d - (u - 1.0)) / u if near else 0.0)
    return lr if (r > _TINY) & (r < _HUGE) else NAN


@njit(**_OPTS)
def _clamp(t):
    """max(t, 0) that keeps NaN (the reference clamps values that are never NaN)."""
    return 0.0 if t < 0.0 else t


@njit(**_OPTS)
def _kl_v(p, q):
    r = p / q
    d = (p - q) / q
    near = (r > 0.5) & (r < 2.0)
    s = d / (2.0 + d)
    s2 = s * s
    h_small = d * d + (1.0 + d) * (-d * s + 2.0 * s * s2 * _atanh_tail(s2))
    u = 1.0 + d if near else r
    lu = _ln(u, (d - (u - 1.0)) / u if near else 0.0)  # log1p(d) near ratio 1, else log(r)
    t_near = q * (h_small if abs(d) < 0.25 else (1.0 + d) * lu - d)
    t_far = p * lu - p + q if (r > _TINY) & (r < _HUGE) else NAN
    t = _clamp(t_near if near else t_far)
    return t if (p > 0.0) & (q > 0.0) else (INF if p > 0.0 else q)


@njit(**_OPTS)
def _normal(x):
    """x is a positive normal float (the fast log applies)."""
    return (x >= _TINY) & (x <= _HUGE)


# ---- terms: signature (p, q, prm) -> float; parameters in prm (see _params) ----


@njit(**_OPTS)
def _t_kl(p, q, prm):
    return _kl(p, q)


@njit(**_OPTS)
def _v_kl(p, q, prm):
    return _kl_v(p, q)


@njit(**_OPTS)
def _t_reverse_kl(p, q, prm):
    return _kl(q, p)


@njit(**_OPTS)
def _v_reverse_kl(p, q, prm):
    return _kl_v(q, p)


@njit(**_OPTS)
def _t_tv(p, q, prm):
    return 0.5 * abs(p - q)


_v_tv = _t_tv


@njit(**_OPTS)
def _t_pearson(p, q, prm):
    if q > 0.0:
        d = p - q
        return d * d / q
    return INF if p > 0.0 else 0.0


@njit(**_OPTS)
def _v_pearson(p, q, prm):
    d = p - q
    return d * d / q if q > 0.0 else (INF if p > 0.0 else 0.0)


@njit(**_OPTS)
def _t_neyman(p, q, prm):
    if p > 0.0:
        d = p - q
        return d * d / p
    return INF if q > 0.0 else 0.0


@njit(**_OPTS)
def _v_neyman(p, q, prm):
    d = p - q
    return d * d / p if p > 0.0 else (INF if q > 0.0 else 0.0)


@njit(**_OPTS)
def _t_hellinger_sq(p, q, prm):
    d = math.sqrt(p) - math.sqrt(q)
    return d * d


_v_hellinger_sq = _t_hellinger_sq


@njit(**_OPTS)
def _t_jeffreys(p, q, prm):
    if p > 0.0 and q > 0.0:
        t = (p - q) * _log_ratio(p, q)
        return t if t > 0.0 else 0.0
    if p > 0.0 or q > 0.0:
        return INF
    return 0.0


@njit(**_OPTS)
def _v_jeffreys(p, q, prm):
    t = _clamp((p - q) * _log_ratio_v(p, q))
    return t if (p > 0.0) & (q > 0.0) else (INF if (p > 0.0) | (q > 0.0) else 0.0)


@njit(**_OPTS)
def _t_triangular(p, q, prm):
    s = p + q
    if s > 0.0:
        d = p - q
        return d * d / s
    return 0.0


@njit(**_OPTS)
def _v_triangular(p, q, prm):
    s = p + q
    d = p - q
    return d * d / s if s > 0.0 else 0.0


@njit(**_OPTS)
def _t_skew_js(p, q, prm):
    pi = prm[0]
    a = 1.0 - pi
    m = pi * p + a * q
    t = pi * _kl(p, m) + a * _kl(q, m)
    return t if t > 0.0 else 0.0


@njit(**_OPTS)
def _v_skew_js(p, q, prm):
    pi = prm[0]
    a = 1.0 - pi
    m = pi * p + a * q
    return _clamp(pi * _kl_v(p, m) + a * _kl_v(q, m))


@njit(**_OPTS)
def _t_hockey_stick(p, q, prm):
    t = p - prm[0] * q
    return t if t > 0.0 else 0.0


_v_hockey_stick = _t_hockey_stick


@njit(**_OPTS)
def _t_chi_alpha(p, q, prm):
    # q |p/q - 1|^a (generators._chi_alpha): no 0 * inf at tiny masses
    if q > 0.0:
        return q * abs(p / q - 1.0) ** prm[0]
    return INF if p > 0.0 else 0.0


@njit(**_OPTS)
def _v_chi_alpha(p, q, prm):
    a = prm[0]
    v = abs(p / q - 1.0)
    x = a * _ln(v, 0.0)
    t = q * _exp(x) if _normal(v) & (abs(x) <= _EXP_MAX) else NAN
    t = 0.0 if v == 0.0 else t
    return t if q > 0.0 else (INF if p > 0.0 else 0.0)


_NCOEF = 24  # series terms of the power generator near u = 1 (generators._power)
_COEF = 5  # prm[_COEF:_COEF + _NCOEF]: a_2 .. a_25; prm[4]: the series radius


_NFAST = 18  # terms in the fast path: |a_k d^k| < 1e-17 |a_2 d^2| from k = 18 on, |b| <= 200


@njit(**_OPTS)
def _power_series(d, prm):
    """f(1 + d) = sum_{k>=2} a_k d^k for |d| < prm[4], as generators._power."""
    acc = 0.0
    for k in range(_NCOEF - 1, -1, -1):
        acc = acc * d + prm[_COEF + k]
    return d * d * acc


@njit(**_OPTS)
def _power_series_fast(d, prm):
    """The same series, its first 18 terms by fused multiply-adds (2.6e-16 relative)."""
    acc = 0.0
    for k in range(_NFAST - 1, -1, -1):
        acc = _fma(acc, d, prm[_COEF + k])
    return d * d * acc


@njit(**_OPTS)
def _t_power(p, q, prm):
    # ratio in (1/2, 2): q f(1 + d), d = (p - q)/q, by the series or c ((1 + d)^b - 1 - b d);
    # otherwise c (p^b q^(1-b) - q - b (p - q))  (generators._power)
    b = prm[0]
    if p > 0.0 and q > 0.0:
        c = prm[1]  # 1 / (b (b - 1))
        r = p / q
        if r > 0.5 and r < 2.0:
            d = (p - q) / q
            if abs(d) < prm[4]:
                t = q * _power_series(d, prm)
            else:
                t = q * (c * (math.exp(b * math.log1p(d)) - 1.0 - b * d))
        else:
            t = c * (math.exp(b * math.log(p) + (1.0 - b) * math.log(q)) - q - b * (p - q))
        return t if t > 0.0 else 0.0
    if p > 0.0:
        return p / (1.0 - b) if b < 1.0 else INF
    if q > 0.0:
        return q / b if b > 0.0 else INF
    return 0.0


@njit(**_OPTS)
def _v_power(p, q, prm):
    # far from ratio 1, p^b q^(1-b) = q exp(b log(p/q)): one logarithm instead of two
    b = prm[0]
    c = prm[1]
    r = p / q
    d = (p - q) / q
    near = (r > 0.5) & (r < 2.0)
    u = 1.0 + d if near else r
    x = b * _ln(u, (d - (u - 1.0)) / u if near else 0.0)  # b log1p(d) near 1, b log(r) far
    e = _exp(x)
    fast = (near | (_normal(r) & _normal(q))) & (abs(x) <= _EXP_MAX)
    # both forms are finite near ratio 1: blend them by arithmetic, which LLVM keeps in
    # the vector loop (a select here becomes a branch around the series)
    small = 1.0 if abs(d) < prm[4] else 0.0
    h = small * _power_series_fast(d, prm) + (1.0 - small) * (c * (e - 1.0 - b * d))
    t = (q * h if near else c * (q * e - q - b * (p - q))) if fast else NAN
    t = _clamp(t)
    edge_p = p * prm[2] if b < 1.0 else INF  # prm[2] = 1 / (1 - b)
    edge_q = q * prm[3] if b > 0.0 else INF  # prm[3] = 1 / b
    return t if (p > 0.0) & (q > 0.0) else (edge_p if p > 0.0 else (edge_q if q > 0.0 else 0.0))


# power(beta) at beta = 1/2, 2, -1: (q (p/q)^b - q - b (p - q)) / (b (b - 1)) is
# 2 (sqrt p - sqrt q)^2, (p - q)^2 / (2 q), (p - q)^2 / (2 p): no log/exp, no
# cancellation, no series.  The reference stays _t_power, and decides every value
# above _BIG (where the two forms may round to inf differently) through the NaN.
_BIG = 1e300


@njit(**_OPTS)
def _v_power_half(p, q, prm):
    d = math.sqrt(p) - math.sqrt(q)
    t = 2.0 * d * d
    t = t if t <= _BIG else NAN
    return t if (p > 0.0) & (q > 0.0) else (p * prm[2] if p > 0.0 else q * prm[3])


@njit(**_OPTS)
def _v_power_2(p, q, prm):
    d = p - q
    t = 0.5 * (d * d / q)
    t = t if t <= _BIG else NAN
    return t if (p > 0.0) & (q > 0.0) else (INF if p > 0.0 else q * prm[3])


@njit(**_OPTS)
def _v_power_m1(p, q, prm):
    d = p - q
    t = 0.5 * (d * d / p)
    t = t if t <= _BIG else NAN
    return t if (p > 0.0) & (q > 0.0) else (p * prm[2] if p > 0.0 else (INF if q > 0.0 else 0.0))


_POWER_LEAF = {0.5: "power_half", 2.0: "power_2", -1.0: "power_m1"}


_LEAVES = {"kl": 0, "reverse_kl": 0, "tv": 0, "pearson": 0, "neyman": 0, "hellinger_sq": 0,
           "jeffreys": 0, "triangular": 0, "skew_js": 1, "hockey_stick": 1, "chi_alpha": 1,
           "power": 1, "power_half": 1, "power_2": 1, "power_m1": 1}
"""Leaf terms and their number of run-time parameters."""
_REFERENCE = {"power_half": "power", "power_2": "power", "power_m1": "power"}
"""The reference term of a leaf whose fast term is a special case of another."""


# ---------------------------------------------------------------------------
# Row kernels, one per leaf term, from one template (numba cannot cache a
# kernel that closes over its term, so each gets its own module-level code)
# ---------------------------------------------------------------------------


@njit(**_OPTS)
def _entry_bits(p, q):
    """Flag bits of one (p, q) pair: NaN bits if either is NaN, else negative/infinite bits."""
    fl = 0
    if p != p or q != q:
        if p != p:
            fl |= NAN_P
        if q != q:
            fl |= NAN_Q
        return fl
    if p < 0.0:
        fl |= NEG_P
    if q < 0.0:
        fl |= NEG_Q
    if p == INF:
        fl |= INF_P
    if q == INF:
        fl |= INF_Q
    return fl


_DOWN = 2.0 ** -600
_UP = 2.0 ** 600
_BIG_TOTAL = 2.0 ** 1000
_SMALL_TOTAL = 2.0 ** -1000
"""Row totals outside [2^-1000, 2^1000] (overflowed ones included) are taken of the masses
times 2^-600 or 2^600: exact (a power of two), and the reciprocal of the total stays a
normal float; a mass sent below the normal range is one whose normalised value
underflows anyway."""


@njit(**_OPTS)
def _one_scale(s, s_down, s_up):
    """(k, r) with x k r the normalised mass x of a row with total s (s_down, s_up: the
    totals of the masses times 2^-600, 2^600); (1, 1) for a row flagged in any case."""
    if s > _SMALL_TOTAL and s < _BIG_TOTAL:
        return 1.0, 1.0 / s
    if s >= _BIG_TOTAL and s_down < INF:  # a huge total, or finite masses whose sum overflows
        return _DOWN, 1.0 / s_down
    if s > 0.0 and s <= _SMALL_TOTAL:
        return _UP, 1.0 / s_up
    return 1.0, 1.0


@njit(error_model="numpy")
def _exact_scale(P, Q, i, sc):
    """Row totals over the pairs without NaN (as the flags), and the scales from them."""
    t = np.zeros(6)  # sum p, p 2^-600, p 2^600, then the same for q
    for j in range(P.shape[1]):
        p = np.float64(P[i, j])
        q = np.float64(Q[i, j])
        if p != p or q != q:
            continue
        t[0] += p
        t[1] += p * _DOWN
        t[2] += p * _UP
        t[3] += q
        t[4] += q * _DOWN
        t[5] += q * _UP
    sc[i, 0], sc[i, 1] = _one_scale(t[0], t[1], t[2])
    sc[i, 2], sc[i, 3] = _one_scale(t[3], t[4], t[5])


@njit(**_OPTS)
def _fill_scale(P, Q, i, sc):
    """Scales of row i for normalisation (one vectorised pass, the exact one if needed)."""
    pr = P[i]  # views indexed from 0: no wraparound check, the loop vectorises
    qr = Q[i]
    sp = 0.0
    sq = 0.0
    for j in range(pr.size):
        sp = _radd(sp, np.float64(pr[j]))
        sq = _radd(sq, np.float64(qr[j]))
    if (sp > _SMALL_TOTAL) & (sp < _BIG_TOTAL) & (sq > _SMALL_TOTAL) & (sq < _BIG_TOTAL):
        sc[i, 0], sc[i, 1], sc[i, 2], sc[i, 3] = 1.0, 1.0 / sp, 1.0, 1.0 / sq
    else:
        _exact_scale(P, Q, i, sc)


_ROW_TEMPLATE = '''
@njit(error_model="numpy")
def _exact_{name}(P, Q, i, lo, hi, prm, omit_nan, kp, rp, kq, rq):
    """Reference ladder over P[i, lo:hi] (masses p k r): (sum, flag bits, sum p, sum q)."""
    acc = 0.0
    fl = 0
    sp = 0.0
    sq = 0.0
    for j in range(lo, hi):
        p = np.float64(P[i, j])
        q = np.float64(Q[i, j])
        if p >= 0.0 and q >= 0.0 and p < INF and q < INF:
            acc += _t_{ref}(p * kp * rp, q * kq * rq, prm)
            sp += p
            sq += q
            continue
        e = _entry_bits(p, q)
        fl |= e
        if e & NAN_BITS:
            if omit_nan:
                continue
        else:  # negative and infinite masses stay in the totals (the row is flagged)
            sp += p
            sq += q
        acc = NAN
    return acc, fl, sp, sq


@njit(**_LOOP_OPTS)
def _rows_{name}(P, Q, prm, omit_nan, width, scale, scale_given, out, flags, sums_p, sums_q):
    """Term sums over column chunks of ``width``: out[i, c] for P[i, c*width:(c+1)*width].

    ``scale`` None: the masses as given; else per row (k_p, r_p, k_q, r_q), the masses
    p k_p r_p and q k_q r_q (r: the reciprocal of the scaled total), filled here from
    the row unless ``scale_given``.
    """
    n, m = P.shape
    nc = out.shape[1]
    for task in prange(n * nc):
        i = task // nc
        c = task - i * nc
        lo = c * width
        hi = min(lo + width, m)
        pr = P[i, lo:hi]  # a view: indices from 0 let LLVM drop the wraparound and vectorise
        qr = Q[i, lo:hi]
        acc = 0.0
        sp = 0.0
        sq = 0.0
        if scale is None:
            kp, rp, kq, rq = 1.0, 1.0, 1.0, 1.0
            for j in range(pr.size):
                p = np.float64(pr[j])
                q = np.float64(qr[j])
                # the term is computed for every entry and NaN added for an invalid one: a
                # select around the term would become a branch and stop the vectorisation
                bad = NAN if not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF)) else 0.0
                acc = _radd(acc, _v_{name}(p, q, prm) + bad)
                sp = _radd(sp, p)
                sq = _radd(sq, q)
        else:
            if not scale_given:  # the row is in cache for the pass below
                _fill_scale(P, Q, i, scale)
            kp, rp, kq, rq = scale[i, 0], scale[i, 1], scale[i, 2], scale[i, 3]
            for j in range(pr.size):
                p = np.float64(pr[j])
                q = np.float64(qr[j])
                bad = NAN if not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF)) else 0.0
                acc = _radd(acc, _v_{name}(p * kp * rp, q * kq * rq, prm) + bad)
                sp = _radd(sp, p)
                sq = _radd(sq, q)
        fl = 0
        if acc != acc:
            acc, fl, sp, sq = _exact_{name}(P, Q, i, lo, hi, prm, omit_nan, kp, rp, kq, rq)
        out[i, c] = acc
        flags[i, c] = fl
        sums_p[i, c] = sp
        sums_q[i, c] = sq
'''

for _name in _LEAVES:
    # compiled with this file as its source, so that numba's on-disk cache applies
    _ref = _REFERENCE.get(_name, _name)
    _src = _ROW_TEMPLATE.format(name=_name, ref=_ref)
    exec(compile(_src, __file__, "exec"), globals())
del _name, _ref, _src

_ROWS = {name: globals()[f"_rows_{name}"] for name in _LEAVES}

_CHUNK = 1 << 14  # columns per task when a few long rows are split


def _layout(n: int, m: int) -> tuple[int, int]:
    """(chunks per row, chunk width): split rows only when there are too few of them."""
    tasks = 4 * numba.get_num_threads()
    if n >= tasks or m < 2 * _CHUNK:
        return 1, max(m, 1)
    nc = min(-(-m // _CHUNK), -(-tasks // n))
    width = -(-m // nc)
    return -(-m // width), width


def _leaf(name: str, prm: np.ndarray, P: np.ndarray, Q: np.ndarray, omit_nan: bool,
          scale: np.ndarray | None, given: bool):
    n, m = P.shape
    nc, width = _layout(n, m)
    if scale is not None and not given and nc > 1:  # a row's chunks need its total first
        _scales(P, Q, scale)
        given = True
    out = np.empty((n, nc))
    flags = np.empty((n, nc), dtype=np.int64)
    sp = np.empty((n, nc))
    sq = np.empty((n, nc))
    _ROWS[name](P, Q, prm, bool(omit_nan), width, scale, given, out, flags, sp, sq)
    if nc == 1:
        return out[:, 0], flags[:, 0], sp[:, 0], sq[:, 0]
    return (out.sum(axis=1), np.bitwise_or.reduce(flags, axis=1), sp.sum(axis=1),
            sq.sum(axis=1))


def _swap_bits(fl: np.ndarray) -> np.ndarray:
    p_bits, q_bits = NAN_P | NEG_P | INF_P, NAN_Q | NEG_Q | INF_Q
    return ((fl & p_bits) << 1) | ((fl & q_bits) >> 1)


def _params(kind: str, args: tuple) -> np.ndarray:
    """Run-time parameters of a leaf: its arguments, then values derived from them."""
    prm = [float(x) for x in args]
    if kind.startswith("power"):
        b = prm[0]
        prm += [1.0 / (b * (b - 1.0)) if b not in (0.0, 1.0) else math.inf,
                1.0 / (1.0 - b) if b != 1.0 else math.inf, 1.0 / b if b != 0.0 else math.inf,
                min(0.05, 0.5 / max(1.0, abs(b)))]
        coef = [0.5]  # a_k = prod_{j=2}^{k-1} (b - j) / k!, exactly as generators._power
        for k in range(3, 3 + _NCOEF - 1):
            coef.append(coef[-1] * (b - (k - 1)) / k)
        prm += coef
    return np.array(prm + [0.0], dtype=np.float64)


def _evaluate(desc: tuple, P: np.ndarray, Q: np.ndarray, omit_nan: bool,
              scale: np.ndarray | None, given: bool):
    """``scale``: None, or the per-row scales (filled by the first leaf unless ``given``)."""
    kind = desc[0]
    if kind in _LEAVES:
        prm = _params(kind, desc[1:1 + _LEAVES[kind]])
        if kind == "power":
            kind = _POWER_LEAF.get(prm[0], kind)
        return _leaf(kind, prm, P, Q, omit_nan, scale, given)
    if kind == "reversed":
        swapped = scale
        if scale is not None:
            swapped = (np.ascontiguousarray(scale[:, [2, 3, 0, 1]]) if given
                       else np.empty_like(scale))
        vals, fl, sq, sp = _evaluate(desc[1], Q, P, omit_nan, swapped, given)
        return vals, _swap_bits(fl), sp, sq
    if kind == "scaled":
        vals, fl, sp, sq = _evaluate(desc[2], P, Q, omit_nan, scale, given)
        return float(desc[1]) * vals, fl, sp, sq
    if kind == "sum":
        if scale is not None and not given:  # both parts read the same scales
            _scales(P, Q, scale)
        va, fl, sp, sq = _evaluate(desc[1], P, Q, omit_nan, scale, True)
        vb, _, _, _ = _evaluate(desc[2], P, Q, omit_nan, scale, True)
        return va + vb, fl, sp, sq
    raise KeyError(f"unknown kernel descriptor {desc!r}")


#: Below this many elements a kernel runs on the calling thread only: waking the
#: thread pool costs ~0.2 ms, more than the work (3 elements: 230 us -> 16 us).
SERIAL_BELOW = 1 << 15


@contextmanager
def threads_for(n_elements: int) -> Iterator[None]:
    """Run the kernels in the block on one thread when the input is small."""
    if n_elements >= SERIAL_BELOW:
        yield
        return
    k = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(k)


def rowwise_divergence(desc, P: np.ndarray, Q: np.ndarray, omit_nan: bool,
                       normalize: bool = False):
    """Row sums of the standardised terms of generator ``desc`` over 2-D P, Q.

    Returns ``(values, flags, sums_p, sums_q)``; rows with NaN (unless
    omitted), negative or infinite entries get NaN values and their flag bits;
    the sums are the totals of the masses as given (pairs with a NaN left
    out).  ``normalize``: the terms of ``p / sum p`` and ``q / sum q``, each
    row scaled inside the kernel (no normalised copy; a total outside
    [2^-1000, 2^1000], one that overflows included, is taken of the masses
    times 2^-600 or 2^600, so that the reciprocal of the total is a normal float).
    """
    scale = np.empty((P.shape[0], 4)) if normalize else None
    with threads_for(P.size):
        return _evaluate(_freeze(desc), P, Q, omit_nan, scale, False)


def _freeze(desc):
    return tuple(_freeze(d) if isinstance(d, (tuple, list)) else d for d in desc)


@njit(**_LOOP_OPTS)
def _scales(P, Q, sc):
    """Per row (k_p, r_p, k_q, r_q): the normalised masses are p k_p r_p, q k_q r_q."""
    for i in prange(P.shape[0]):
        _fill_scale(P, Q, i, sc)




# ---------------------------------------------------------------------------
# Validation flags alone
# ---------------------------------------------------------------------------


@njit(error_model="numpy")
def _flags_exact(P, Q, i):
    fl = 0
    sp = 0.0
    sq = 0.0
    for j in range(P.shape[1]):
        p = np.float64(P[i, j])
        q = np.float64(Q[i, j])
        e = _entry_bits(p, q)
        fl |= e
        if e & NAN_BITS:
            continue
        sp += p
        sq += q
    return fl, sp, sq


@njit(**_LOOP_OPTS)
def _row_flags(P, Q, flags, sums_p, sums_q):
    n, m = P.shape
    for i in prange(n):
        sp = 0.0
        sq = 0.0
        bad = False
        for j in range(m):
            p = np.float64(P[i, j])
            q = np.float64(Q[i, j])
            bad |= not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF))
            sp = _radd(sp, p)
            sq = _radd(sq, q)
        fl = 0
        if bad:
            fl, sp, sq = _flags_exact(P, Q, i)
        flags[i] = fl
        sums_p[i] = sp
        sums_q[i] = sq


def row_flags(P: np.ndarray, Q: np.ndarray):
    """(flag bits, sum p, sum q) per row: the same bits and totals as the divergence kernels."""
    n = P.shape[0]
    out = (np.empty(n, dtype=np.int64), np.empty(n), np.empty(n))
    with threads_for(P.size):
        _row_flags(P, Q, *out)
    return out


numba_version = numba.__version__
