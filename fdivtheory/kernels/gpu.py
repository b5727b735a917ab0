"""Fused CuPy kernels for the batched reductions on an NVIDIA GPU.

The GPU counterpart of :mod:`fdivtheory.kernels.cpu`, with the same branch
ladder per coordinate (one CUDA device function per shipped term, written
from the reference ``_t_<name>`` functions there):

1. both masses zero -> 0;
2. q = 0 < p -> p (f'(∞) - f'(1)); p = 0 < q -> q (f(0+) + f'(1));
3. both positive -> the stable perspective (near ratio 1 a form without
   cancellation: log1p, or for KL ``q h((p - q)/q)`` with ``h(d) = (1 + d)
   log1p(d) - d`` summed as a series for ``|d|`` < 1/4; a log difference when the
   ratio under/overflows);
4. the result is clamped at 0 (rounding), never NaN.

An entry that is NaN, negative or infinite makes its row NaN (NaN entries
are dropped with ``omit_nan``), as on the CPU.  Kernels:

* row-wise: one ``cupy.ReductionKernel`` per term over the last axis, the
  term fused into the reduction's map step (the array is read once);
* full reduction of a 1-D pair, and rows so long and few that one block per
  row would idle the GPU: two stages (chunks of :data:`CHUNK` elements, then
  the sum of the partial sums).  A ``ReductionKernel`` that reduces a whole
  2^28 array to a scalar in one call runs ~100x slower on an H100
  (performance.md), because it gets a single block.

Validation (:func:`row_flags`: the flag bits of :mod:`fdivtheory.kernels._flags`
and the row sums, as on the CPU) is a second pass here; the values pass alone is what
``benchmarks/bench_core.py --gpu`` times.

This module imports without CuPy; :func:`available` says whether it can run.
Terms are computed in the input dtype (float32 or float64).
"""

from __future__ import annotations

import math
from functools import cache

from fdivtheory.kernels import _flags

try:  # the one optional import: everything below needs it only when called
    import cupy as cp
except Exception:  # ImportError, or a CUDA library that fails to load
    cp = None

__all__ = ["CHUNK", "TERMS", "available", "divergence_rows", "divergence_sum", "kl_rows",
           "kl_sum", "row_flags", "rowwise_divergence"]

CHUNK = 1 << 16
"""Elements per row in the first stage of a full reduction (2^15-2^18 ran best)."""


def available() -> bool:
    """CuPy imports and sees at least one CUDA device."""
    if cp is None:
        return False
    try:
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


_PREAMBLE = r"""
template <typename T> struct fd_lim;
template <> struct fd_lim<float> {
    static __device__ float tiny() { return 1.17549435e-38f; }
    static __device__ float huge() { return 3.40282347e+38f; }
    static __device__ float inf() { return __int_as_float(0x7f800000); }
    static __device__ float nan() { return __int_as_float(0x7fc00000); }
    static __device__ float expmax() { return 80.0f; }
};
template <> struct fd_lim<double> {
    static __device__ double tiny() { return 2.2250738585072014e-308; }
    static __device__ double huge() { return 1.7976931348623157e+308; }
    static __device__ double inf() { return __longlong_as_double(0x7ff0000000000000LL); }
    static __device__ double nan() { return __longlong_as_double(0x7ff8000000000000LL); }
    static __device__ double expmax() { return 700.0; }
};

template <typename T> __device__ T fd_log_ratio(T p, T q) {
    T r = p / q;
    if (r > T(0.5) && r < T(2)) return log1p((p - q) / q);
    if (r > fd_lim<T>::tiny() && r < fd_lim<T>::huge()) return log(r);
    return log(p) - log(q);
}

template <typename T> __device__ T fd_clamp(T t) { return t > T(0) ? t : T(0); }

// (1 + d) log1p(d) - d for ``|d|`` < 1/4 without cancellation (fdivtheory._special):
// d^2 + (1 + d)(log1p(d) - d), log1p(d) - d = -d^2/(2 + d) + 2 s^3 sum_k s^(2k)/(2k+3)
template <typename T> __device__ T fd_h_small(T d) {
    T s = d / (T(2) + d), s2 = s * s, series = T(0);
    for (int k = 12; k >= 0; --k) series = series * s2 + T(1) / T(2 * k + 3);
    return d * d + (T(1) + d) * (-d * d / (T(2) + d) + T(2) * s * s2 * series);
}

// p log(p/q) - p + q; near ratio 1 as q h(d), d = (p - q)/q (generators._kl_perspective)
template <typename T> __device__ T fd_kl(T p, T q) {
    if (p > T(0)) {
        if (q > T(0)) {
            T r = p / q, t;
            if (r > T(0.5) && r < T(2)) {
                T d = (p - q) / q;
                t = fabs(d) < T(0.25) ? q * fd_h_small(d) : q * ((T(1) + d) * log1p(d) - d);
            } else {
                t = p * fd_log_ratio(p, q) - p + q;
            }
            return fd_clamp(t);
        }
        return fd_lim<T>::inf();
    }
    return q;
}

// h(y) = (1 + y) log1p(y) - y for y >= -1 (h(-1) = 1): the KL term per unit of mass
template <typename T> __device__ T fd_h(T y) {
    if (fabs(y) < T(0.25)) return fd_h_small(y);
    if (y <= T(-1)) return T(1);
    return (T(1) + y) * log1p(y) - y;
}

// phi2(x) = (e^x - 1 - x)/x^2: sum_{k=0}^{18} x^k/(k+2)! for |x| < 1, else (expm1(x)/x - 1)/x
template <typename T> __device__ T fd_phi2(T x) {
    if (fabs(x) < T(1)) {
        T s = T(0);
        for (int k = 18; k >= 0; --k) s = s * x + T(fd_phi2_c[k]);
        return s;
    }
    return (expm1(x) / x - T(1)) / x;
}

// (b (p - q) + q - p^b q^(1-b)) / (b (1 - b)): the power term far from the poles
template <typename T> __device__ T fd_power_direct(T p, T q, double b) {
    // p^b q^(1-b) / |b (1 - b)| in logs: it may be finite where p^b q^(1-b) is not
    double c = b * (1.0 - b);
    T e = exp(T(b) * log(p) + T(1.0 - b) * log(q) - T(log(fabs(c))));
    return (T(b) * (p - q) + q) / T(c) - (c > 0.0 ? e : -e);
}

// ---- terms: (p, q, parameters a0..a3 as in cpu._params) ------------------
template <typename T> __device__ T fd_term_kl(T p, T q, double a0, double a1, double a2, double a3) {
    return fd_kl(p, q);
}
template <typename T> __device__ T fd_term_reverse_kl(T p, T q, double a0, double a1, double a2, double a3) {
    return fd_kl(q, p);
}
template <typename T> __device__ T fd_term_tv(T p, T q, double a0, double a1, double a2, double a3) {
    return T(0.5) * fabs(p - q);
}
template <typename T> __device__ T fd_term_pearson(T p, T q, double a0, double a1, double a2, double a3) {
    if (q > T(0)) { T d = p - q; return d * (d / q); }  // d * d / q overflows first
    return p > T(0) ? fd_lim<T>::inf() : T(0);
}
template <typename T> __device__ T fd_term_neyman(T p, T q, double a0, double a1, double a2, double a3) {
    if (p > T(0)) { T d = p - q; return d * (d / p); }
    return q > T(0) ? fd_lim<T>::inf() : T(0);
}
template <typename T> __device__ T fd_term_hellinger_sq(T p, T q, double a0, double a1, double a2, double a3) {
    // sqrt p - sqrt q = (p - q)/(sqrt p + sqrt q): no cancellation near p = q
    T s = sqrt(p) + sqrt(q);
    T d = s > T(0) ? (p - q) / s : T(0);
    return d * d;
}
template <typename T> __device__ T fd_term_jeffreys(T p, T q, double a0, double a1, double a2, double a3) {
    if (p > T(0) && q > T(0)) return fd_clamp((p - q) * fd_log_ratio(p, q));
    if (p > T(0) || q > T(0)) return fd_lim<T>::inf();
    return T(0);
}
template <typename T> __device__ T fd_term_triangular(T p, T q, double a0, double a1, double a2, double a3) {
    T s = p + q;
    if (s > T(0)) { T d = p - q; return d * (d / s); }
    return T(0);
}
template <typename T> __device__ T fd_term_skew_js(T p, T q, double a0, double a1, double a2, double a3) {
    // pi KL(p, m) + a KL(q, m) = pi m h(a (p - q)/m) + a m h(-pi (p - q)/m), p - q once
    T pi = T(a0), a = T(1.0 - a0);
    T m = pi * p + a * q;
    if (!(m > T(0))) return T(0);
    T d = p - q;
    return fd_clamp(pi * m * fd_h(fmax(a * d / m, T(-1))) + a * m * fd_h(fmax(-pi * d / m, T(-1))));
}
template <typename T> __device__ T fd_term_hockey_stick(T p, T q, double a0, double a1, double a2, double a3) {
    return fd_clamp(p - T(a0) * q);
}
template <typename T> __device__ T fd_term_chi_alpha(T p, T q, double a0, double a1, double a2, double a3) {
    // |p - q| (|p - q|/q)^(a - 1): no overflow of |p/q - 1|^a, no rounding of p/q - 1
    if (q > T(0)) {
        T d = fabs(p - q);
        if (!(d > T(0))) return T(0);
        T r = d / q, t = d * pow(r, T(a0 - 1.0));
        if (t < fd_lim<T>::inf() && r < fd_lim<T>::inf() && r > T(0)) return t;
        return exp(log(d) + T(a0 - 1.0) * (log(d) - log(q)));  // (d/q)^(a-1) over/underflows
    }
    return p > T(0) ? fd_lim<T>::inf() : T(0);
}
// power family: the pole-free ladder of cpu_terms._t_power (fdivtheory._special),
// L = log(p/q), corr(s) = L (s L) phi2(s L):
//   b >= 1, or 1/2 <= b < 1 with |(b - 1) L| <= 1: (KL(p, q) + p corr(b - 1)) / b
//   b <= 0, or 0 < b < 1/2 with |b L| <= 1:        (KL(q, p) - q corr(b)) / (1 - b)
//   otherwise, or an exponent s L beyond expmax:  the direct form fd_power_direct
template <typename T> __device__ T fd_term_power(T p, T q, double a0, double a1, double a2, double a3) {
    double b = a0;
    if (p > T(0) && q > T(0)) {
        T L = fd_log_ratio(p, q), t;
        T xe = T(b - 1.0) * L, xd = T(b) * L;
        if (b >= 1.0 || (b >= 0.5 && fabs(xe) <= T(1))) {
            t = xe <= fd_lim<T>::expmax() ? fd_kl(p, q) / T(b) + p * (L * (xe * fd_phi2(xe)) / T(b))
                                          : fd_power_direct(p, q, b);
        } else if (b <= 0.0 || (b < 0.5 && fabs(xd) <= T(1))) {
            t = xd <= fd_lim<T>::expmax() ? fd_kl(q, p) / T(1.0 - b) - q * (L * (xd * fd_phi2(xd)) / T(1.0 - b))
                                          : fd_power_direct(p, q, b);
        } else {
            t = fd_power_direct(p, q, b);
        }
        return fd_clamp(t);
    }
    if (p > T(0)) return b < 1.0 ? p / T(1.0 - b) : fd_lim<T>::inf();
    if (q > T(0)) return b > 0.0 ? q / T(b) : fd_lim<T>::inf();
    return T(0);
}

// ---- one coordinate of a row: the term of the masses p kp / tp, q kq / tq (the
// per-row normalisation; 1, 1 without it), NaN for an invalid entry ------------
#define FD_MAP(NAME)                                                              \
    ((p >= T(0) && q >= T(0) && p < fd_lim<T>::inf() && q < fd_lim<T>::inf())   \
         ? fd_term_##NAME(T(p * kp / tp), T(q * kq / tq), a0, a1, a2, a3)         \
         : ((omit && (p != p || q != q)) ? T(0) : fd_lim<T>::nan()))

__device__ long long fd_bits(double p, double q) {
    if (p != p || q != q) return (p != p ? FD_NAN_P : 0) | (q != q ? FD_NAN_Q : 0);
    return (p < 0 ? FD_NEG_P : 0) | (q < 0 ? FD_NEG_Q : 0)
           | (p == fd_lim<double>::inf() ? FD_INF_P : 0)
           | (q == fd_lim<double>::inf() ? FD_INF_Q : 0);
}
"""
# the flag bits of kernels._flags, the one table; the Taylor coefficients 1/(k+2)! of phi2
_PREAMBLE = ("".join(f"#define FD_{name} {getattr(_flags, name)}\n"
                     for name in ("NAN_P", "NAN_Q", "NEG_P", "NEG_Q", "INF_P", "INF_Q"))
             + "__device__ const double fd_phi2_c[19] = {"
             + ", ".join(repr(1.0 / math.factorial(k + 2)) for k in range(19)) + "};\n"
             + _PREAMBLE)

TERMS: dict[str, int] = {"kl": 0, "reverse_kl": 0, "tv": 0, "pearson": 0, "neyman": 0,
                         "hellinger_sq": 0, "jeffreys": 0, "triangular": 0, "skew_js": 1,
                         "hockey_stick": 1, "chi_alpha": 1, "power": 1}
"""Leaf descriptors with a GPU term, and their number of parameters."""


def _need_cupy() -> None:
    if cp is None:
        raise RuntimeError("fdivtheory.kernels.gpu needs CuPy (pip install fdivtheory[gpu])")


@cache
def _row_kernel(name: str):
    _need_cupy()
    return cp.ReductionKernel(
        "T p, T q, float64 a0, float64 a1, float64 a2, float64 a3, bool omit, "
        "float64 kp, float64 tp, float64 kq, float64 tq", "T y",
        f"FD_MAP({name})", "a + b", "y = a", "0", f"fdiv_rows_{name}", preamble=_PREAMBLE)


@cache
def _flag_kernels():
    _need_cupy()
    bits = cp.ReductionKernel("T p, T q", "int64 y", "fd_bits(double(p), double(q))", "a | b",
                              "y = a", "0", "fdiv_row_bits", preamble=_PREAMBLE)
    # the sums of cpu.row_flags: pairs with a NaN are left out
    sums = tuple(
        cp.ReductionKernel("T p, T q", "float64 y", f"(p == p && q == q) ? double({x}) : 0.0",
                           "a + b", "y = a", "0", f"fdiv_row_sum_{x}")
        for x in ("p", "q"))
    return bits, sums


def _params(kind: str, args) -> tuple[float, float, float, float]:
    prm = [float(x) for x in args]
    if kind == "power":
        b = prm[0]
        prm += [1.0 / (b * (b - 1.0)) if b not in (0.0, 1.0) else math.inf,
                1.0 / (1.0 - b) if b != 1.0 else math.inf, 1.0 / b if b != 0.0 else math.inf]
    return tuple((prm + [0.0] * 4)[:4])


_NO_SCALE = (1.0, 1.0, 1.0, 1.0)


def _leaf_rows(kind: str, a, P, Q, omit_nan: bool, sc):
    kernel = _row_kernel(kind)
    k = P.shape[-1]
    col = tuple(x if isinstance(x, float) else x[..., None] for x in sc)  # broadcast on rows
    if k < 4 * CHUNK or P.size // k >= 2048:
        return kernel(P, Q, *a, omit_nan, *col, axis=-1)
    # few long rows: one block per row would leave the GPU idle; two stages instead
    full = k - k % CHUNK
    split = P.shape[:-1] + (full // CHUNK, CHUNK)
    col2 = tuple(x if isinstance(x, float) else x[..., None] for x in col)
    out = cp.sum(kernel(P[..., :full].reshape(split), Q[..., :full].reshape(split), *a,
                        omit_nan, *col2, axis=-1), axis=-1)
    if full < k:  # the tail (< CHUNK elements per row)
        out = out + kernel(P[..., full:], Q[..., full:], *a, omit_nan, *col, axis=-1)
    return out


def divergence_rows(desc, P, Q, omit_nan: bool = False, scale=_NO_SCALE):
    """Row sums of the standardised terms of descriptor ``desc`` over the last axis.

    ``desc`` is a ``Generator.kernel`` tuple (composites ``reversed``,
    ``scaled``, ``sum`` included) or a leaf name.  One fused pass per leaf;
    rows of at least 4 :data:`CHUNK` elements, when there are fewer than 2048 of
    them, are reduced in two stages (chunks of :data:`CHUNK`, then their sum).
    ``scale`` = (k_p, t_p, k_q, t_q), floats or one value per row: the terms
    of the masses p k_p / t_p and q k_q / t_q (the normalisation, no copy).
    """
    desc = (desc,) if isinstance(desc, str) else tuple(desc)
    kind = desc[0]
    if kind in TERMS:
        return _leaf_rows(kind, _params(kind, desc[1:1 + TERMS[kind]]), P, Q, bool(omit_nan),
                          scale)
    if kind == "reversed":
        kp, tp, kq, tq = scale
        return divergence_rows(desc[1], Q, P, omit_nan, (kq, tq, kp, tp))
    if kind == "scaled":
        return float(desc[1]) * divergence_rows(desc[2], P, Q, omit_nan, scale)
    if kind == "sum":
        return (divergence_rows(desc[1], P, Q, omit_nan, scale)
                + divergence_rows(desc[2], P, Q, omit_nan, scale))
    raise KeyError(f"unknown kernel descriptor {desc!r}")


def divergence_sum(desc, p, q, omit_nan: bool = False):
    """Sum of the terms over all elements of p, q (same shape): a two-stage reduction."""
    _need_cupy()
    return divergence_rows(desc, cp.ravel(p), cp.ravel(q), omit_nan)


def kl_rows(P, Q, omit_nan: bool = False):
    """Row-wise KL (standardised: sum p log(p/q) - p + q), the fused kernel."""
    return divergence_rows(("kl",), P, Q, omit_nan)


def kl_sum(p, q, omit_nan: bool = False):
    """KL over all elements, two-stage."""
    return divergence_sum(("kl",), p, q, omit_nan)


def row_flags(P, Q):
    """(flag bits, sum p, sum q) per row over the last axis, as ``cpu.row_flags``."""
    bits, (sum_p, sum_q) = _flag_kernels()
    return bits(P, Q, axis=-1), sum_p(P, Q, axis=-1), sum_q(P, Q, axis=-1)


def rowwise_divergence(desc, P, Q, omit_nan: bool, normalize: bool = False):
    """The contract of ``cpu.rowwise_divergence`` on CuPy 2-D arrays:
    ``(values, flags, sums_p, sums_q)``, rows with invalid entries NaN (their
    sums are those of :func:`row_flags`; such a row is flagged in any case).
    ``normalize``: per-row scales from those sums, applied inside the kernel."""
    fl, sp, sq = row_flags(P, Q)
    scale = _NO_SCALE
    if normalize:
        from fdivtheory.kernels.generic import scales

        kp, tp = scales(P, sp, cp)
        kq, tq = scales(Q, sq, cp)
        scale = (kp, tp, kq, tq)
    vals = divergence_rows(desc, P, Q, omit_nan, scale)
    return vals, fl, sp, sq
