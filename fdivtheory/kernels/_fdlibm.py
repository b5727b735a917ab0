"""Vectorisable log and exp for the numba kernels (fdlibm ``e_log.c`` / ``e_exp.c``).

numba calls libm's ``log``/``exp`` one element at a time, which keeps LLVM
from vectorising a row loop.  :func:`_ln` and :func:`_exp` are the fdlibm
algorithms (< 1 ulp) written with integer casts of the float bits, so that
the whole computation stays on SIMD lanes.  :func:`_radd` is the one
fast-math flag of the package (``reassoc`` on the additions that accumulate
a sum); :func:`_fma` is a fused multiply-add for polynomial steps.  All are
inlined into the kernels of :mod:`fdivtheory.kernels.cpu` and
:mod:`fdivtheory.kernels.cpu_renyi`.
"""

from __future__ import annotations

from llvmlite import ir
from numba import njit
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = ["_bits", "_exp", "_fma", "_from_bits", "_ln", "_radd"]

_OPTS = {"inline": "always", "error_model": "numpy"}



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
