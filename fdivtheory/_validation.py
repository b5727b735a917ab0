"""Input handling shared by every reduction: one implementation of the conventions.

Inputs are finite non-negative measures along ``axis``.  This module turns
``(p, q, axis)`` into two broadcast arrays with the reduced axis last,
records per row which rules were broken, and turns those records into the
documented behaviour:

* ``invalid="raise"`` (default): a negative or infinite mass, a measure with
  no mass, a shape mismatch or an empty axis raises ``ValueError`` naming the
  argument; ``invalid="nan"``: such rows give NaN.
* ``nan_policy="propagate"`` (NaN in a row -> NaN result), ``"raise"``,
  ``"omit"`` (coordinates where p or q is NaN are dropped), as in SciPy.
* ``normalize=False`` uses the measures as given, ``True`` divides each by
  its total along ``axis``, ``"check"`` raises if a total differs from 1 by
  more than :data:`SUM_TOL`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from fdivtheory._backend import asarray, namespace

__all__ = ["SUM_TOL", "RowFlags", "Prepared", "prepare_pair", "finish"]

#: Tolerance of ``normalize="check"`` on |sum - 1|.
SUM_TOL = 1e-9

_INVALID = ("raise", "nan")
_NAN_POLICIES = ("propagate", "raise", "omit")


@dataclass
class RowFlags:
    """Booleans per row (batch shape) describing what each row contains."""

    nan_p: Any
    nan_q: Any
    neg_p: Any
    neg_q: Any
    inf_p: Any
    inf_q: Any
    sum_p: Any
    sum_q: Any


@dataclass
class Prepared:
    xp: Any
    P: Any  # reduced axis last, broadcast
    Q: Any
    axis: int  # normalised axis of the broadcast input
    names: tuple[str, str]


def check_options(*, invalid: str, nan_policy: str, normalize: Any, base: Any) -> None:
    """Validate the keyword options shared by every reduction."""
    if invalid not in _INVALID:
        raise ValueError(f"invalid must be 'raise' or 'nan', got {invalid!r}")
    if nan_policy not in _NAN_POLICIES:
        raise ValueError(
            f"nan_policy must be 'propagate', 'raise' or 'omit', got {nan_policy!r}"
        )
    if normalize not in (True, False, "check"):
        raise ValueError(f"normalize must be True, False or 'check', got {normalize!r}")
    if base is not None:
        b = float(base)
        if not (b > 0 and b != 1 and math.isfinite(b)):
            raise ValueError(f"base must be a positive finite number other than 1, got {base!r}")


def prepare_pair(p: Any, q: Any, axis: int, names: tuple[str, str] = ("p", "q")) -> Prepared:
    """Convert, check shapes, move ``axis`` last and broadcast the batch dimensions."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an integer, got {axis!r}")
    xp = namespace(p, q)
    P = asarray(p, xp, names[0])
    Q = asarray(q, xp, names[1])
    for X, name in ((P, names[0]), (Q, names[1])):
        if X.ndim == 0:
            raise ValueError(f"{name} must have at least one dimension (got a scalar)")
        if not -X.ndim <= axis < X.ndim:
            raise ValueError(f"axis {axis} is out of range for {name} with {X.ndim} dimension(s)")
    P = xp.moveaxis(P, int(axis), -1)
    Q = xp.moveaxis(Q, int(axis), -1)
    if P.shape[-1] != Q.shape[-1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same length along axis {axis} "
            f"(got {P.shape[-1]} and {Q.shape[-1]})"
        )
    if P.shape[-1] == 0:
        raise ValueError(f"{names[0]} and {names[1]} are empty along axis {axis}")
    if P.shape != Q.shape:
        try:
            P, Q = xp.broadcast_arrays(P, Q)
        except ValueError:
            raise ValueError(
                f"{names[0]} and {names[1]} have incompatible batch shapes "
                f"{tuple(P.shape[:-1])} and {tuple(Q.shape[:-1])}"
            ) from None
    dt = xp.result_type(P.dtype, Q.dtype)
    if P.dtype != dt:
        P = xp.astype(P, dt)
    if Q.dtype != dt:
        Q = xp.astype(Q, dt)
    return Prepared(xp, P, Q, int(axis) % P.ndim, names)


def flags_xp(P: Any, Q: Any, xp: Any) -> RowFlags:
    """Row flags computed with array-API operations (the generic path)."""
    nan_P, nan_Q = xp.isnan(P), xp.isnan(Q)
    ok = ~(nan_P | nan_Q)
    zero = xp.zeros_like(P)
    return RowFlags(
        nan_p=xp.any(nan_P, axis=-1), nan_q=xp.any(nan_Q, axis=-1),
        neg_p=xp.any(P < 0, axis=-1), neg_q=xp.any(Q < 0, axis=-1),
        inf_p=xp.any(xp.isinf(P), axis=-1), inf_q=xp.any(xp.isinf(Q), axis=-1),
        sum_p=xp.sum(xp.where(ok, P, zero), axis=-1),
        sum_q=xp.sum(xp.where(ok, Q, zero), axis=-1),
    )


def flags_from_bits(bits: np.ndarray, sp: np.ndarray, sq: np.ndarray) -> RowFlags:
    """Row flags from the bit field written by the numba kernels."""
    from fdivtheory.kernels import cpu

    return RowFlags(
        nan_p=(bits & cpu.NAN_P) != 0, nan_q=(bits & cpu.NAN_Q) != 0,
        neg_p=(bits & cpu.NEG_P) != 0, neg_q=(bits & cpu.NEG_Q) != 0,
        inf_p=(bits & cpu.INF_P) != 0, inf_q=(bits & cpu.INF_Q) != 0,
        sum_p=sp, sum_q=sq,
    )


def _any(xp: Any, x: Any) -> bool:
    return bool(xp.any(x))


def bad_rows(fl: RowFlags, xp: Any, *, invalid: str, nan_policy: str, names: tuple[str, str],
             normalize: Any = False, log_input: bool = False) -> Any:
    """Raise for the rules broken (per the options) and return the mask of NaN rows."""
    a, b = names
    if nan_policy == "raise":
        for flag, name in ((fl.nan_p, a), (fl.nan_q, b)):
            if _any(xp, flag):
                raise ValueError(f"{name} contains NaN (nan_policy='raise')")
    what = "log-masses" if log_input else "masses"
    empty_p = fl.sum_p <= 0
    empty_q = fl.sum_q <= 0
    if invalid == "raise":
        checks = [
            (fl.neg_p if not log_input else None, f"{a} has negative entries; {a} must be a "
             "non-negative measure"),
            (fl.neg_q if not log_input else None, f"{b} has negative entries; {b} must be a "
             "non-negative measure"),
            (fl.inf_p, f"{a} has infinite {what}; masses must be finite"),
            (fl.inf_q, f"{b} has infinite {what}; masses must be finite"),
            (empty_p & ~fl.nan_p, f"{a} has no mass (all entries zero) along the reduced axis"),
            (empty_q & ~fl.nan_q, f"{b} has no mass (all entries zero) along the reduced axis"),
        ]
        for flag, msg in checks:
            if flag is not None and _any(xp, flag):
                raise ValueError(msg + " (invalid='raise'; pass invalid='nan' for NaN instead)")
    if normalize == "check":
        for s, name in ((fl.sum_p, a), (fl.sum_q, b)):
            dev = xp.abs(s - 1.0)
            dev = xp.where(xp.isnan(dev), xp.zeros_like(dev), dev)
            if _any(xp, dev > SUM_TOL):
                raise ValueError(
                    f"{name} does not sum to 1 along the reduced axis (max |sum - 1| = "
                    f"{float(xp.max(dev)):.3g} > {SUM_TOL:g}); pass normalize=True to normalise"
                )
    bad = fl.inf_p | fl.inf_q | empty_p | empty_q
    if not log_input:
        bad = bad | fl.neg_p | fl.neg_q
    if nan_policy == "propagate":
        bad = bad | fl.nan_p | fl.nan_q
    return bad


def finish(value: Any, bad: Any, prep: Prepared, *, keepdims: bool, base: Any) -> Any:
    """Set NaN rows, convert units, restore the reduced axis with ``keepdims``."""
    xp = prep.xp
    value = xp.where(bad, xp.full_like(value, math.nan), value)
    if base is not None:
        value = value / math.log(float(base))
    if keepdims:
        value = xp.expand_dims(value, axis=prep.axis)
    return value
