"""The one reduction path of the core: options -> prepare -> kernel -> input rules -> finish.

Every reduction over a pair of measures (``f_divergence``, ``f_divergence_log``,
the named divergences, the Rényi family) is :func:`reduce_pair` with a
*row function* that computes per-row values and flags; the sequence around
it is written once here, in the spirit of SciPy's axis / nan-policy
decorator:

1. :func:`check_options` validates the keywords;
2. :func:`prepare_pair` converts, checks shapes, moves ``axis`` last and
   broadcasts the batch dimensions;
3. the row function (usually :func:`fdivtheory.kernels.rowwise` or
   :func:`fdivtheory.kernels.renyi`, which pick numba, CuPy or the generic
   array-API path) returns the row values and a
   :class:`~fdivtheory.kernels.RowFlags` record, having dropped NaN pairs
   (``nan_policy="omit"``) and normalised (``normalize=True``) itself;
4. :func:`bad_rows` applies the input rules below to the flags;
5. :func:`finish` sets the rows that broke a rule to NaN, converts units and
   restores the reduced axis with ``keepdims``.

Inputs are finite non-negative measures along ``axis``:

* ``invalid="raise"`` (default): a negative or infinite mass, a measure with
  no mass, a shape mismatch or an empty axis raises ``ValueError`` naming the
  argument; ``invalid="nan"``: such rows give NaN.
* ``nan_policy="propagate"`` (NaN in a row -> NaN result), ``"raise"``,
  ``"omit"`` (coordinates where p or q is NaN are dropped), as in SciPy.
* ``normalize=False`` uses the measures as given, ``True`` divides each by
  its total along ``axis``, ``"check"`` raises if the total of a row that
  gives a value (not a NaN row) differs from 1 by more than :data:`SUM_TOL`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fdivtheory._backend import asarray, namespace
from fdivtheory.kernels import RowFlags

__all__ = ["SUM_TOL", "Prepared", "RowFlags", "bad_rows", "check_options", "finish",
           "prepare_pair", "reduce_pair"]

#: Tolerance of ``normalize="check"`` on |sum - 1|.
SUM_TOL = 1e-9

_INVALID = ("raise", "nan")
_NAN_POLICIES = ("propagate", "raise", "omit")


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
    bad = fl.inf_p | fl.inf_q | empty_p | empty_q
    if not log_input:
        bad = bad | fl.neg_p | fl.neg_q
    if nan_policy == "propagate":
        bad = bad | fl.nan_p | fl.nan_q
    if normalize == "check":  # only rows that give a value: a NaN row stays NaN
        for s, name in ((fl.sum_p, a), (fl.sum_q, b)):
            dev = xp.abs(s - 1.0)
            dev = xp.where(xp.isnan(dev) | bad, xp.zeros_like(dev), dev)
            if _any(xp, dev > SUM_TOL):
                raise ValueError(
                    f"{name} does not sum to 1 along the reduced axis (max |sum - 1| = "
                    f"{float(xp.max(dev)):.3g} > {SUM_TOL:g}); pass normalize=True to normalise"
                )
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


#: A row function: (P, Q, xp=, omit_nan=, normalize=) -> (values, RowFlags), the
#: reduced axis last; ``normalize`` is True or False ("check" is a rule on the flags).
RowFunction = Callable[..., tuple[Any, RowFlags]]


def reduce_pair(rows: RowFunction, p: Any, q: Any, *, axis: int, keepdims: bool,
                normalize: Any, base: Any, invalid: str, nan_policy: str,
                names: tuple[str, str] = ("p", "q"), log_input: bool = False,
                per_coordinate: bool = False) -> Any:
    """The whole reduction of ``p``, ``q`` along ``axis`` around the row function ``rows``.

    ``per_coordinate``: ``rows`` returns one value per coordinate (the reduced
    axis kept, e.g. ``return_terms=True``); its bad rows are NaN throughout
    and the axis goes back to its place.
    """
    check_options(invalid=invalid, nan_policy=nan_policy, normalize=normalize, base=base)
    prep = prepare_pair(p, q, axis, names)
    xp = prep.xp
    value, fl = rows(prep.P, prep.Q, xp=xp, omit_nan=nan_policy == "omit",
                     normalize=normalize is True)
    bad = bad_rows(fl, xp, invalid=invalid, nan_policy=nan_policy, names=prep.names,
                   normalize=normalize, log_input=log_input)
    if per_coordinate:
        value = xp.where(bad[..., None], xp.full_like(value, math.nan), value)
        if base is not None:
            value = value / math.log(float(base))
        return xp.moveaxis(value, -1, prep.axis)
    return finish(value, bad, prep, keepdims=keepdims, base=base)
