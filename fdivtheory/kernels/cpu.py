"""Fused numba kernels for the batched reductions on the CPU.

One scalar *term* function per shipped generator computes the standardised
contribution ``q f(p/q) - f'(1)(p - q)`` of one coordinate, with the same
branch ladder as the array-API code in :mod:`fdivtheory.generators`:

1. both masses zero -> 0;
2. q = 0 < p -> p (f'(∞) - f'(1)); p = 0 < q -> q (f(0+) + f'(1));
3. both positive -> the stable perspective (near ratio 1 a form without
   cancellation: log1p; for KL ``q h((p - q)/q)`` with
   ``h(d) = (1 + d) log1p(d) - d`` summed as a series for ``|d|`` < 1/4; for the
   power family ``q f(1 + d)`` by its Taylor series for small ``|d|``; a log
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
(one logarithm) for ``p^b q^(1-b)``; at b = 1/2, 2, -1 exact closed forms.
The power reference, and the fast term within 0.05 of the poles b = 0, 1
(``power_pole1``, ``power_pole0``), is the pole-free ladder of
:func:`fdivtheory._special.power_perspective` (KL plus a ``phi2`` correction);
the other fast power terms are accurate to ~1e-15/``|b (b - 1)|``.

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
module-level row kernel in :mod:`~fdivtheory.kernels.cpu_terms` (the terms
and the kernels, one file so that the on-disk cache sees an edit of a term),
generated from its ``_ROW_TEMPLATE`` and cached on
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

from fdivtheory.kernels._fdlibm import _radd
from fdivtheory.kernels._flags import INF_P, INF_Q, NAN_BITS, NAN_P, NAN_Q, NEG_P, NEG_Q
from fdivtheory.kernels.cpu_terms import (  # noqa: F401  (re-exported to cpu_renyi)
    _EXP_MAX,
    _LEAVES,
    _LOOP_OPTS,
    _NCOEF,
    _OPTS,
    _ROWS,
    INF,
    NAN,
    _entry_bits,
    _fill_scale,
    _normal,
    power_leaf,
)

__all__ = ["SERIAL_BELOW", "row_flags", "rowwise_divergence", "threads_for"]

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
            kind = power_leaf(prm[0])
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
