"""Term functions and row kernels of the numba path (see :mod:`fdivtheory.kernels.cpu`).

The per-coordinate branch ladder of each leaf generator, as the reference
``_t_<name>`` (branches, libm) and the vectorisable ``_v_<name>`` (every
branch computed, then selected; NaN where the reference must decide), and the
row kernels generated from them (:data:`_ROW_TEMPLATE`).  They live in one
file because numba's on-disk cache is keyed on the file of the cached kernel
only: an edit here must invalidate the kernels that inline these terms.
:mod:`fdivtheory.kernels.cpu` dispatches (descriptors, layout, composites).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange  # noqa: F401  (prange, NAN_BITS: in the generated kernels)

from fdivtheory.kernels._fdlibm import _exp, _fma, _ln, _radd
from fdivtheory.kernels._flags import INF_P, INF_Q, NAN_BITS, NAN_P, NAN_Q, NEG_P, NEG_Q  # noqa: F401

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
    """(1 + d) log1p(d) - d for ``|d|`` < 1/4 without cancellation (fdivtheory._special):
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
        return d * (d / q)  # d * d / q overflows where the term is finite
    return INF if p > 0.0 else 0.0


@njit(**_OPTS)
def _v_pearson(p, q, prm):
    d = p - q
    return d * (d / q) if q > 0.0 else (INF if p > 0.0 else 0.0)


@njit(**_OPTS)
def _t_neyman(p, q, prm):
    if p > 0.0:
        d = p - q
        return d * (d / p)
    return INF if q > 0.0 else 0.0


@njit(**_OPTS)
def _v_neyman(p, q, prm):
    d = p - q
    return d * (d / p) if p > 0.0 else (INF if q > 0.0 else 0.0)


@njit(**_OPTS)
def _t_hellinger_sq(p, q, prm):
    # sqrt p - sqrt q = (p - q)/(sqrt p + sqrt q): no cancellation near p = q
    s = math.sqrt(p) + math.sqrt(q)
    d = (p - q) / s if s > 0.0 else 0.0
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
        return d * (d / s)
    return 0.0


@njit(**_OPTS)
def _v_triangular(p, q, prm):
    s = p + q
    d = p - q
    return d * (d / s) if s > 0.0 else 0.0


@njit(**_OPTS)
def _h(y):
    """h(y) = (1 + y) log1p(y) - y for y >= -1 (h(-1) = 1)."""
    if abs(y) < 0.25:
        return _h_small(y)
    if y <= -1.0:
        return 1.0
    return (1.0 + y) * math.log1p(y) - y


@njit(**_OPTS)
def _h_v(y):
    """h(y) for y >= -1 without branches (log1p by _ln with its correction)."""
    s = y / (2.0 + y)
    s2 = s * s
    hs = y * y + (1.0 + y) * (-y * s + 2.0 * s * s2 * _atanh_tail(s2))
    u = 1.0 + y
    uu = u if u > 0.0 else 1.0
    hf = u * _ln(uu, (y - (uu - 1.0)) / uu) - y
    t = hs if abs(y) < 0.25 else hf
    return 1.0 if u <= 0.0 else t


@njit(**_OPTS)
def _t_skew_js(p, q, prm):
    # pi KL(p, m) + a KL(q, m) = pi m h(a (p - q)/m) + a m h(-pi (p - q)/m), p - q formed
    # once (generators.skew_js): exact to rounding near p = q
    pi = prm[0]
    a = 1.0 - pi
    m = pi * p + a * q
    if m > 0.0:
        d = p - q
        t = pi * m * _h(max(a * d / m, -1.0)) + a * m * _h(max(-pi * d / m, -1.0))
        return t if t > 0.0 else 0.0
    return 0.0


@njit(**_OPTS)
def _v_skew_js(p, q, prm):
    pi = prm[0]
    a = 1.0 - pi
    m = pi * p + a * q
    d = p - q
    ms = m if m > 0.0 else 1.0
    t = pi * ms * _h_v(max(a * d / ms, -1.0)) + a * ms * _h_v(max(-pi * d / ms, -1.0))
    # subnormal m: the reference (a relative difference loses bits there)
    t = _clamp(t) if _normal(m) else NAN
    return t if m > 0.0 else 0.0


@njit(**_OPTS)
def _t_hockey_stick(p, q, prm):
    t = p - prm[0] * q
    return t if t > 0.0 else 0.0


_v_hockey_stick = _t_hockey_stick


@njit(**_OPTS)
def _t_chi_alpha(p, q, prm):
    # |p - q| (|p - q|/q)^(a - 1) (generators.chi_alpha): q |p/q - 1|^a overflows in
    # |p/q - 1|^a where the term is finite, and rounds p/q - 1 near p = q
    if q > 0.0:
        d = abs(p - q)
        if d == 0.0:
            return 0.0
        r = d / q
        t = d * r ** (prm[0] - 1.0)
        if t < INF and r < INF and r > 0.0:
            return t
        # (d/q)^(a - 1) over/underflows where the term may be finite: in logs
        return math.exp(math.log(d) + (prm[0] - 1.0) * (math.log(d) - math.log(q)))
    return INF if p > 0.0 else 0.0


@njit(**_OPTS)
def _v_chi_alpha(p, q, prm):
    a = prm[0]
    d = abs(p - q)
    v = d / q
    x = (a - 1.0) * _ln(v, 0.0)
    t = d * _exp(x) if _normal(v) & (abs(x) <= _EXP_MAX) else NAN
    t = 0.0 if d == 0.0 else t
    return t if q > 0.0 else (INF if p > 0.0 else 0.0)


_NCOEF = 24  # series terms of the power generator near u = 1 (generators._power)
_COEF = 5  # prm[_COEF:_COEF + _NCOEF]: a_2 .. a_25; prm[4]: the series radius


_NFAST = 18  # terms in the fast path: |a_k d^k| < 1e-17 |a_2 d^2| from k = 18 on, |b| <= 200


@njit(**_OPTS)
def _power_series_fast(d, prm):
    """The same series, its first 18 terms by fused multiply-adds (2.6e-16 relative)."""
    acc = 0.0
    for k in range(_NFAST - 1, -1, -1):
        acc = _fma(acc, d, prm[_COEF + k])
    return d * d * acc


_PHI2_C = tuple(1.0 / math.factorial(k + 2) for k in range(18, -1, -1))  # Horner order


@njit(**_OPTS)
def _phi2_series(x):
    """sum_{k=0}^{18} x^k/(k+2)!, unrolled (a loop over the coefficients stops LLVM
    from vectorising the row loop)."""
    s = 4.110317623312165e-19
    s = s * x + 8.22063524662433e-18
    s = s * x + 1.5619206968586225e-16
    s = s * x + 2.8114572543455206e-15
    s = s * x + 4.779477332387385e-14
    s = s * x + 7.647163731819816e-13
    s = s * x + 1.1470745597729725e-11
    s = s * x + 1.6059043836821613e-10
    s = s * x + 2.08767569878681e-09
    s = s * x + 2.505210838544172e-08
    s = s * x + 2.755731922398589e-07
    s = s * x + 2.7557319223985893e-06
    s = s * x + 2.48015873015873e-05
    s = s * x + 0.0001984126984126984
    s = s * x + 0.001388888888888889
    s = s * x + 0.008333333333333333
    s = s * x + 0.041666666666666664
    s = s * x + 0.16666666666666666
    s = s * x + 0.5
    return s


@njit(**_OPTS)
def _phi2(x):
    """phi2(x) = (e^x - 1 - x)/x^2: sum_{k=0}^{18} x^k/(k+2)! for |x| < 1, else
    (expm1(x)/x - 1)/x (fdivtheory._special.exprel2)."""
    if abs(x) < 1.0:
        s = 0.0
        for c in _PHI2_C:
            s = s * x + c
        return s
    return (math.expm1(x) / x - 1.0) / x


@njit(**_OPTS)
def _power_direct(p, q, b):
    """(b (p - q) + q - p^b q^(1-b)) / (b (1 - b)), the power term far from the poles
    (p^b q^(1-b) / |b (1 - b)| formed in logs: it may be finite where p^b q^(1-b) is not)."""
    c = b * (1.0 - b)
    e = math.exp(b * math.log(p) + (1.0 - b) * math.log(q) - math.log(abs(c)))
    return (b * (p - q) + q) / c - (e if c > 0.0 else -e)


@njit(**_OPTS)
def _t_power(p, q, prm):
    # The pole-free ladder of fdivtheory._special.power_perspective, L = log(p/q),
    # corr(s) = L (s L) phi2(s L):
    #   (E) b >= 1, or 1/2 <= b < 1 with |(b - 1) L| <= 1:  (KL(p, q) + p corr(b - 1)) / b
    #   (D) b <= 0, or 0 < b < 1/2 with |b L| <= 1:        (KL(q, p) - q corr(b)) / (1 - b)
    #   otherwise the direct form (b (p - q) + q - p^b q^(1-b)) / (b (1 - b)),
    # which also takes (E)/(D) points whose exponent s L exceeds 700 (there p^b q^(1-b)
    # dominates and nothing cancels)
    b = prm[0]
    if p > 0.0 and q > 0.0:
        L = _log_ratio(p, q)
        if b >= 1.0 or (b >= 0.5 and abs((b - 1.0) * L) <= 1.0):
            x = (b - 1.0) * L
            if x <= _EXP_MAX:
                t = _kl(p, q) / b + p * (L * (x * _phi2(x)) / b)  # / b first: no overflow
            else:
                t = _power_direct(p, q, b)
        elif b <= 0.0 or (b < 0.5 and abs(b * L) <= 1.0):
            x = b * L
            if x <= _EXP_MAX:
                t = _kl(q, p) / (1.0 - b) - q * (L * (x * _phi2(x)) / (1.0 - b))
            else:
                t = _power_direct(p, q, b)
        else:
            t = _power_direct(p, q, b)
        return t if t > 0.0 else 0.0
    if p > 0.0:
        return p / (1.0 - b) if b < 1.0 else INF
    if q > 0.0:
        return q / b if b > 0.0 else INF
    return 0.0


@njit(**_OPTS)
def _phi2_v(x):
    """phi2(x) without branches, for |x| <= _EXP_MAX (the fast exp; e^x - 1 is
    accurate for |x| >= 1)."""
    small = abs(x) < 1.0
    s = _phi2_series(x if small else 0.0)
    xl = 1.0 if small else x
    far = ((_exp(xl) - 1.0) / xl - 1.0) / xl
    return s if small else far


@njit(**_OPTS)
def _v_power_pole1(p, q, prm):
    """Ladder (E) of _t_power without branches, for |b - 1| < 0.05 (where the fast form
    of _v_power loses 1/``|b (b - 1)|`` of relative accuracy); NaN where the reference takes
    the direct form (b < 1 and |(b - 1) L| > 1, i.e. p/q beyond e^20) or p/q is not a
    normal float."""
    b = prm[0]
    L = _log_ratio_v(p, q)
    x = (b - 1.0) * L
    t = _kl_v(p, q) * prm[3] + p * (L * (x * _phi2_v(x)) * prm[3])  # prm[3] = 1 / b
    fast = _normal(q) & ((b >= 1.0) | (abs(x) <= 1.0)) & (abs(x) <= _EXP_MAX)
    t = _clamp(t) if fast else NAN
    edge_p = p * prm[2] if b < 1.0 else INF
    edge_q = q * prm[3]
    return t if (p > 0.0) & (q > 0.0) else (edge_p if p > 0.0 else (edge_q if q > 0.0 else 0.0))


@njit(**_OPTS)
def _v_power_pole0(p, q, prm):
    """Ladder (D) of _t_power without branches, for |b| < 0.05 (as _v_power_pole1)."""
    b = prm[0]
    L = _log_ratio_v(p, q)
    x = b * L
    t = _kl_v(q, p) * prm[2] - q * (L * (x * _phi2_v(x)) * prm[2])  # prm[2] = 1 / (1 - b)
    fast = _normal(q) & ((b <= 0.0) | (abs(x) <= 1.0)) & (abs(x) <= _EXP_MAX)
    t = _clamp(t) if fast else NAN
    edge_p = p * prm[2]
    edge_q = q * prm[3] if b > 0.0 else INF
    return t if (p > 0.0) & (q > 0.0) else (edge_p if p > 0.0 else (edge_q if q > 0.0 else 0.0))


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
    t = _clamp(t) if t < INF else NAN  # q e may overflow where c q e does not: the reference
    edge_p = p * prm[2] if b < 1.0 else INF  # prm[2] = 1 / (1 - b)
    edge_q = q * prm[3] if b > 0.0 else INF  # prm[3] = 1 / b
    return t if (p > 0.0) & (q > 0.0) else (edge_p if p > 0.0 else (edge_q if q > 0.0 else 0.0))


# power(beta) at beta = 1/2, 2, -1: (q (p/q)^b - q - b (p - q)) / (b (b - 1)) is
# 2 ((p - q)/(sqrt p + sqrt q))^2, (p - q)^2 / (2 q), (p - q)^2 / (2 p): no log/exp, no
# cancellation, no series.  The reference stays _t_power, and decides every value
# above _BIG (where the two forms may round to inf differently) through the NaN.
_BIG = 1e300


@njit(**_OPTS)
def _v_power_half(p, q, prm):
    d = (p - q) / (math.sqrt(p) + math.sqrt(q))  # sqrt p - sqrt q without cancellation
    t = 2.0 * d * d
    t = t if t <= _BIG else NAN
    return t if (p > 0.0) & (q > 0.0) else (p * prm[2] if p > 0.0 else q * prm[3])


@njit(**_OPTS)
def _v_power_2(p, q, prm):
    d = p - q
    t = 0.5 * (d * (d / q))
    t = t if t <= _BIG else NAN
    return t if (p > 0.0) & (q > 0.0) else (INF if p > 0.0 else q * prm[3])


@njit(**_OPTS)
def _v_power_m1(p, q, prm):
    d = p - q
    t = 0.5 * (d * (d / p))
    t = t if t <= _BIG else NAN
    return t if (p > 0.0) & (q > 0.0) else (p * prm[2] if p > 0.0 else (INF if q > 0.0 else 0.0))


_POWER_LEAF = {0.5: "power_half", 2.0: "power_2", -1.0: "power_m1"}
_POLE = 0.05
"""Orders b with min(|b|, |b - 1|) below this take the ladder in the
fast pass (``power_pole1`` near 1, ``power_pole0`` near 0): the fast form loses
~1e-15/``|b (b - 1)|`` relative accuracy (< 1e-11 beyond)."""


def power_leaf(b: float) -> str:
    """The leaf term that computes the power generator of order ``b`` in the fast pass."""
    if b in _POWER_LEAF:
        return _POWER_LEAF[b]
    if abs(b - 1.0) < _POLE:
        return "power_pole1"
    return "power_pole0" if abs(b) < _POLE else "power"



_LEAVES = {"kl": 0, "reverse_kl": 0, "tv": 0, "pearson": 0, "neyman": 0, "hellinger_sq": 0,
           "jeffreys": 0, "triangular": 0, "skew_js": 1, "hockey_stick": 1, "chi_alpha": 1,
           "power": 1, "power_half": 1, "power_2": 1, "power_m1": 1, "power_pole1": 1,
           "power_pole0": 1}
"""Leaf terms and their number of run-time parameters."""
_REFERENCE = {"power_half": "power", "power_2": "power", "power_m1": "power",
              "power_pole1": "power", "power_pole0": "power"}
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
