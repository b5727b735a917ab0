"""Kernel dispatch: the one place that picks numba, CuPy or the generic array-API path.

Every row-wise reduction of the core goes through two functions here:

* :func:`rowwise` — row sums of the standardised terms of an f-divergence
  generator;
* :func:`renyi` — the Rényi divergence of any order α ≠ 1.

Both take 2-D-or-more arrays with the reduced axis last (already validated
for shape by :func:`fdivtheory._validation.prepare_pair`) and return
``(values, flags)``: the row values, and a
:class:`~fdivtheory.kernels._flags.RowFlags` record (NaN / negative / infinite
entries and row totals, the one table of flag bits in
:mod:`fdivtheory.kernels._flags`) from which the caller applies the
documented input rules.  ``omit_nan`` drops pairs with a NaN; ``normalize``
computes the divergence of the rows divided by their totals — on the
compiled paths by a per-row scale inside the kernel, without a normalised
copy of the input.

Which path runs (:func:`native`):

=========  ==========================================  ==================================
path       when                                        module
=========  ==========================================  ==================================
numba      NumPy float32/float64 input                 :mod:`~fdivtheory.kernels.cpu`,
                                                       :mod:`~fdivtheory.kernels.cpu_renyi`
CuPy       CuPy arrays on a CUDA device                :mod:`~fdivtheory.kernels.gpu`
generic    everything else, and inside                 :mod:`~fdivtheory.kernels.generic`
           :func:`fdivtheory._backend.generic_path`
=========  ==========================================  ==================================

The generic path is the reference semantics; the compiled kernels agree
with it to rounding (parity tests in ``tests/test_kernels.py``).
:func:`runs_on` writes the backends that run a public function natively
into its docstring.  Only this package and :mod:`fdivtheory._backend` know
that CuPy exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fdivtheory import _backend
from fdivtheory.kernels import generic
from fdivtheory.kernels._flags import RowFlags, from_bits

__all__ = ["RowFlags", "native", "renyi", "rowwise", "runs_on"]

Array = Any

#: Backends with a compiled kernel for each reduction (the generic path runs everything).
KERNELS = {"rowwise": ("numba", "cupy"), "renyi": ("numba",)}


def native(xp: Any, dtype: Any) -> str | None:
    """``"numba"``, ``"cupy"`` or None (generic path) for arrays of ``xp`` and ``dtype``."""
    if _backend.use_cpu_kernels(xp):
        return "numba" if dtype in (np.float64, np.float32) else None
    if _backend.use_gpu_kernels(xp) and xp.isdtype(dtype, "real floating"):
        return "cupy"
    return None


def _numba_in(P: Array, Q: Array) -> tuple[Array, Array]:
    return (np.ascontiguousarray(np.reshape(np.asarray(P), (-1, P.shape[-1]))),
            np.ascontiguousarray(np.reshape(np.asarray(Q), (-1, Q.shape[-1]))))


def _finish(vals: Array, bits: Array, sp: Array, sq: Array, P: Array,
            xp: Any) -> tuple[Array, RowFlags]:
    shape = P.shape[:-1]
    fl = from_bits(xp.reshape(bits, shape), xp.reshape(sp, shape), xp.reshape(sq, shape))
    return xp.reshape(xp.astype(vals, P.dtype), shape), fl


def rowwise(gen: Any, P: Array, Q: Array, *, omit_nan: bool, normalize: bool,
            xp: Any, per_coordinate: bool = False) -> tuple[Array, RowFlags]:
    """Row sums of the standardised terms of ``gen`` (a Generator) over the last axis.

    The compiled kernels run where ``gen.kernel`` describes the generator;
    any other generator, and ``per_coordinate=True`` (the terms themselves,
    not their sums), take the generic path on every backend.
    """
    path = native(xp, P.dtype) if gen.kernel is not None and not per_coordinate else None
    if path == "numba":
        from fdivtheory.kernels import cpu

        P2, Q2 = _numba_in(P, Q)
        out = cpu.rowwise_divergence(gen.kernel, P2, Q2, omit_nan, normalize)
        return _finish(*out, P, np)
    if path == "cupy":
        import cupy

        from fdivtheory.kernels import gpu

        P2 = cupy.ascontiguousarray(xp.reshape(P, (-1, P.shape[-1])))
        Q2 = cupy.ascontiguousarray(xp.reshape(Q, (-1, Q.shape[-1])))
        out = gpu.rowwise_divergence(gen.kernel, P2, Q2, omit_nan, normalize)
        return _finish(*out, P, xp)
    return generic.rowwise(gen, P, Q, omit=omit_nan, normalize=normalize, xp=xp,
                           per_coordinate=per_coordinate)


def renyi(P: Array, Q: Array, alpha: float, *, omit_nan: bool, normalize: bool,
          xp: Any) -> tuple[Array, RowFlags]:
    """Row-wise Rényi divergence of order ``alpha`` in [0, 1) or (1, inf] (not clamped)."""
    if native(xp, P.dtype) == "numba":
        from fdivtheory.kernels import cpu_renyi

        P2, Q2 = _numba_in(P, Q)
        out = cpu_renyi.renyi_rows(P2, Q2, alpha, omit_nan, normalize)
        return _finish(*out, P, np)
    return generic.renyi_rows(P, Q, alpha, omit=omit_nan, normalize=normalize, xp=xp)


_NAMES = {"numba": "numba (CPU)", "cupy": "CuPy (GPU)"}


def runs_on(*kernels: str) -> Callable[[Callable], Callable]:
    """Decorator: record and document which backends run a public function natively.

    ``kernels`` are the compiled paths (``"numba"``, ``"cupy"``); every
    function also runs on any array-API namespace through the generic path.
    The line goes after the docstring's summary and the tuple kept as
    ``fn.__fdiv_backends__`` for the test suite.
    """
    unknown = set(kernels) - set(_NAMES)
    if unknown:
        raise ValueError(f"unknown kernel backend(s) {sorted(unknown)}")

    def deco(fn: Callable) -> Callable:
        compiled = ", ".join(_NAMES[k] for k in kernels)
        line = (f"Backends: {compiled} kernels; other array-API namespaces by the generic path."
                if kernels else "Backends: the generic array-API path (no compiled kernel).")
        doc = fn.__doc__ or ""
        cut = doc.find("\n\n")  # after the summary, before the parameters and examples
        cut = len(doc.rstrip()) if cut < 0 else cut
        fn.__doc__ = doc[:cut] + "\n\n    " + line + doc[cut:]
        fn.__fdiv_backends__ = (*kernels, "array_api")
        return fn

    return deco
