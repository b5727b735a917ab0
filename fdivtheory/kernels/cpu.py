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
the row sums, so that input validation costs no extra pass over memory.

Two versions of each term
-------------------------
``_t_<name>`` is the ladder above written with ``if`` statements and libm
(``math.log1p``, ``math.log``): the reference.  ``_v_<name>`` is the same
ladder written without branches (every case computed, then selected) so that
LLVM vectorises the row loop, with the logarithm and exponential below
(:func:`_ln`, :func:`_exp`: the fdlibm algorithms, < 1 ulp, on SIMD lanes).
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
from llvmlite import ir
from numba import njit, prange
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = ["renyi_rows", "rowwise_divergence", "row_flags"]

INF = math.inf
NAN = math.nan
_TINY = 2.2250738585072014e-308
_HUGE = 1.7976931348623157e308
_EXP_MAX = 700.0  # |x| up to which the fast exp is used (result stays normal)

# flag bits recorded per row
NAN_P, NAN_Q, NEG_P, NEG_Q, INF_P, INF_Q = 1, 2, 4, 8, 16, 32

_OPTS = {"inline": "always", "error_model": "numpy"}  # scalar pieces, inlined by numba
_LOOP_OPTS = {"cache": True, "error_model": "numpy", "parallel": True}  # the kernels

# ---------------------------------------------------------------------------
# Vectorisable log and exp (fdlibm e_log.c / e_exp.c, bit manipulation by
# integer casts so that LLVM keeps them on SIMD lanes)
# ---------------------------------------------------------------------------


@intrinsic
def _bits(typingctx, x):
    if x != types.float64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, x):
    if x != types.int64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _radd(typingctx, a, b):
    """a + b marked reassociable: the one fast-math flag, on the sums only."""
    if a != types.float64 or b != types.float64:
        return None

    def codegen(context, builder, sig, args):
        return builder.fadd(args[0], args[1], flags=("reassoc",))
    return types.float64(types.float64, types.float64), codegen


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (llvm.fma): a polynomial step, not a fast-math flag."""
    if not (a == b == c == types.float64):
        return None

    def codegen(context, builder, sig, args):
        d = ir.DoubleType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(d, [d, d, d]),
                                            "llvm.fma.f64")
        return builder.call(fn, args)
    return types.float64(types.float64, types.float64, types.float64), codegen


_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG1, _LG2, _LG3, _LG4 = (6.666666666666735130e-01, 3.999999999940941908e-01,
                          2.857142874366239149e-01, 2.222219843214978396e-01)
_LG5, _LG6, _LG7 = 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01
_SQRT_HALF_BITS = 0x3FE6A09E667F3BCD
_EXP_MASK = -(1 << 52)  # sign and exponent bits


@njit(**_OPTS)
def _ln(u, cu):
    """log(u) + cu for a positive normal finite u and a small correction cu.

    u = 2^k z with z in [sqrt(1/2), sqrt(2)); log z = log1p(f), f = z - 1
    exact, by the fdlibm polynomial in s = f/(2+f).  ``cu = c/u`` corrects
    for an input u that is the rounded value of u + c (log1p); 0 otherwise.
    """
    ix = _bits(u)
    tmp = ix - _SQRT_HALF_BITS
    k = tmp >> 52
    f = _from_bits(ix - (tmp & _EXP_MASK)) - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    r = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
    dk = float(k)
    return s * (hfsq + r) + (dk * _LN2_LO + cu) - hfsq + f + dk * _LN2_HI


_INV_LN2 = 1.44269504088896338700e00
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: x + _SHIFT rounds x to an integer in the low bits
_P1, _P2, _P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
_P4, _P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08


@njit(**_OPTS)
def _exp(x):
    """exp(x) for |x| <= _EXP_MAX (callers select another value outside)."""
    kd = x * _INV_LN2 + _SHIFT
    k = _bits(kd) - _bits(_SHIFT)
    kf = kd - _SHIFT
    hi = x - kf * _LN2_HI
    lo = kf * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    return _from_bits(_bits(y) + (k << 52))


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

_NAN_BITS = NAN_P | NAN_Q


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


_ROW_TEMPLATE = '''
@njit(error_model="numpy")
def _exact_{name}(P, Q, i, lo, hi, prm, omit_nan):
    """Reference ladder over P[i, lo:hi]: (sum, flag bits, sum p, sum q)."""
    acc = 0.0
    fl = 0
    sp = 0.0
    sq = 0.0
    for j in range(lo, hi):
        p = np.float64(P[i, j])
        q = np.float64(Q[i, j])
        if p >= 0.0 and q >= 0.0 and p < INF and q < INF:
            acc += _t_{ref}(p, q, prm)
            sp += p
            sq += q
            continue
        e = _entry_bits(p, q)
        fl |= e
        if omit_nan and (e & _NAN_BITS):
            continue
        acc = NAN
    return acc, fl, sp, sq


@njit(**_LOOP_OPTS)
def _rows_{name}(P, Q, prm, omit_nan, width, out, flags, sums_p, sums_q):
    """Term sums over column chunks of ``width``: out[i, c] for P[i, c*width:(c+1)*width]."""
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
        for j in range(pr.size):
            p = np.float64(pr[j])
            q = np.float64(qr[j])
            # the term is computed for every entry and NaN added for an invalid one: a
            # select around the term would become a branch and stop the vectorisation
            bad = NAN if not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF)) else 0.0
            acc = _radd(acc, _v_{name}(p, q, prm) + bad)
            sp = _radd(sp, p)
            sq = _radd(sq, q)
        fl = 0
        if acc != acc:
            acc, fl, sp, sq = _exact_{name}(P, Q, i, lo, hi, prm, omit_nan)
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


def _leaf(name: str, prm: np.ndarray, P: np.ndarray, Q: np.ndarray, omit_nan: bool):
    n, m = P.shape
    nc, width = _layout(n, m)
    out = np.empty((n, nc))
    flags = np.empty((n, nc), dtype=np.int64)
    sp = np.empty((n, nc))
    sq = np.empty((n, nc))
    _ROWS[name](P, Q, prm, bool(omit_nan), width, out, flags, sp, sq)
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


def _evaluate(desc: tuple, P: np.ndarray, Q: np.ndarray, omit_nan: bool):
    kind = desc[0]
    if kind in _LEAVES:
        prm = _params(kind, desc[1:1 + _LEAVES[kind]])
        if kind == "power":
            kind = _POWER_LEAF.get(prm[0], kind)
        return _leaf(kind, prm, P, Q, omit_nan)
    if kind == "reversed":
        vals, fl, sq, sp = _evaluate(desc[1], Q, P, omit_nan)
        return vals, _swap_bits(fl), sp, sq
    if kind == "scaled":
        vals, fl, sp, sq = _evaluate(desc[2], P, Q, omit_nan)
        return float(desc[1]) * vals, fl, sp, sq
    if kind == "sum":
        va, fl, sp, sq = _evaluate(desc[1], P, Q, omit_nan)
        vb, _, _, _ = _evaluate(desc[2], P, Q, omit_nan)
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


def rowwise_divergence(desc, P: np.ndarray, Q: np.ndarray, omit_nan: bool):
    """Row sums of the standardised terms of generator ``desc`` over 2-D P, Q.

    Returns ``(values, flags, sums_p, sums_q)``; rows with NaN (unless
    omitted), negative or infinite entries get NaN values and their flag bits.
    """
    with threads_for(P.size):
        return _evaluate(_freeze(desc), P, Q, omit_nan)


def _freeze(desc):
    return tuple(_freeze(d) if isinstance(d, (tuple, list)) else d for d in desc)


# ---------------------------------------------------------------------------
# Validation flags alone (normalize=True needs the sums before the terms)
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
        if e & _NAN_BITS:
            continue
        sp += p
        sq += q
    return fl, sp, sq


@njit(**_LOOP_OPTS)
def row_flags(P, Q, omit_nan, flags, sums_p, sums_q):
    """Validation flags and sums per row (the same bits as the divergence kernel)."""
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


# ---------------------------------------------------------------------------
# Rényi
# ---------------------------------------------------------------------------


_NEAR_ONE = 0.5
"""Orders with |alpha - 1| up to this use the expm1 form, as renyi._renyi_near_one."""


@njit(error_model="numpy")
def _renyi_exact(P, Q, i, alpha, omit_nan):
    """Reference row: (value, flag bits, sum p, sum q), online log-sum-exp.

    Near alpha = 1 also ``log1p(sum_i p_i expm1((alpha - 1) log(p_i/q_i))) / (alpha - 1)``
    (exactly 0 at p = q), kept unless an exponent exceeds 700, the sum is below
    -1/2 or the log-sum-exp value is infinite (fdivtheory.renyi._renyi_near_one).
    """
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
        p = np.float64(P[i, j])
        q = np.float64(Q[i, j])
        if p >= 0.0 and q >= 0.0 and p < INF and q < INF:
            sp += p
            sq += q
            if p > 0.0:
                if alpha == 0.0:
                    mass += q
                elif alpha == INF:
                    lr = math.log(p) - math.log(q) if q > 0.0 else INF
                    if lr > lr_max:
                        lr_max = lr
                elif q > 0.0:
                    e = alpha * math.log(p) + (1.0 - alpha) * math.log(q)
                    if e > mx:
                        s = s * math.exp(mx - e) + 1.0
                        mx = e
                    else:
                        s += math.exp(e - mx)
                    x = (alpha - 1.0) * (math.log(p) - math.log(q))
                    if abs(x) > 700.0:
                        big = True
                    else:
                        s1 += p * math.expm1(x)
                else:
                    s1 -= p
                    if alpha > 1.0:
                        infinite = True
            continue
        e = _entry_bits(p, q)
        fl |= e
        if omit_nan and (e & _NAN_BITS):
            continue
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
def renyi_rows(P, Q, alpha, omit_nan, out, flags, sums_p, sums_q):
    """Row-wise Rényi divergence of order alpha in [0, 1) or (1, inf], one pass.

    ``log sum_i p_i^alpha q_i^(1-alpha) / (alpha - 1)``; q_i = 0 < p_i gives
    +inf for alpha > 1 and drops the term for alpha < 1; disjoint supports
    give +inf.  Near alpha = 1 (|alpha - 1| <= 1/2) the expm1 form of
    :func:`_renyi_exact`.  alpha = 0: ``-log Q(supp P)``; alpha = inf:
    ``max_{p_i > 0} log(p_i/q_i)``.  Fast pass: the plain sum of
    ``p exp((alpha - 1) log(p/q))`` (no shift), accepted when it lies in
    [1e-250, inf) so that no term that matters under/overflowed; otherwise (and
    for rows with invalid entries or an exponent beyond ±700) the reference.
    """
    n, m = P.shape
    near_one = abs(alpha - 1.0) <= _NEAR_ONE
    for i in prange(n):
        sp = 0.0
        sq = 0.0
        bad = False
        val = NAN
        if alpha == 0.0:
            mass = 0.0
            for j in range(m):
                p = np.float64(P[i, j])
                q = np.float64(Q[i, j])
                bad |= not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF))
                mass = _radd(mass, q if p > 0.0 else 0.0)
                sp = _radd(sp, p)
                sq = _radd(sq, q)
            val = -math.log(mass)
        elif alpha == INF:
            # max of p/q through its bits (monotone for non-negative floats):
            # an integer max reduction vectorises without any fast-math flag
            rb = 0
            for j in range(m):
                p = np.float64(P[i, j])
                q = np.float64(Q[i, j])
                bad |= not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF))
                r = (p / q if q > 0.0 else INF) if p > 0.0 else 0.0
                rb = max(rb, _bits(r))
                sp = _radd(sp, p)
                sq = _radd(sq, q)
            r = _from_bits(rb)
            bad |= not _normal(r)  # overflow, underflow or an empty support: reference
            val = math.log(r)
        elif near_one:  # the same sum as below, and the expm1 form beside it
            s = 0.0
            s1 = 0.0
            for j in range(m):
                p = np.float64(P[i, j])
                q = np.float64(Q[i, j])
                bad = NAN if not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF)) else 0.0
                x, u, t = _renyi_term(p, q, alpha)
                s = _radd(s, t + bad)
                # p expm1(x) on the common support, -p off it (q = 0 < p), blended by
                # arithmetic on a finite x so that no branch forms around expm1
                w = 1.0 if (p > 0.0) & (q > 0.0) & (abs(x) <= _EXP_MAX) else 0.0
                e1 = p * _expm1(x * w, u if w == 1.0 else 1.0)
                s1 = _radd(s1, w * e1 - (1.0 - w) * p)
                sp = _radd(sp, p)
                sq = _radd(sq, q)
            bad = not (s >= _S_MIN and s < INF)
            val = (math.log1p(s1) if s1 >= -0.5 else math.log(s)) / (alpha - 1.0)
        else:
            s = 0.0
            for j in range(m):
                p = np.float64(P[i, j])
                q = np.float64(Q[i, j])
                bad = NAN if not ((p >= 0.0) & (q >= 0.0) & (p < INF) & (q < INF)) else 0.0
                s = _radd(s, _renyi_term(p, q, alpha)[2] + bad)
                sp = _radd(sp, p)
                sq = _radd(sq, q)
            bad = not (s >= _S_MIN and s < INF)
            val = math.log(s) / (alpha - 1.0)
        fl = 0
        if bad:
            val, fl, sp, sq = _renyi_exact(P, Q, i, alpha, omit_nan)
        out[i] = val
        flags[i] = fl
        sums_p[i] = sp
        sums_q[i] = sq


numba_version = numba.__version__
