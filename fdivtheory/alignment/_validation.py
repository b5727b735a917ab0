"""Argument checks shared by the alignment modules.

Every error is a ``ValueError`` whose message starts with the argument's name,
so that a user sees at once which input is wrong.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from fdivtheory._validation import SUM_TOL

#: Largest accepted ``|sum(p) - 1|``: the core's ``normalize="check"`` tolerance
#: (1e-9), so that a pmf the core accepts is accepted here.  Reason for its size:
#: a float64 pmf built by normalising K weights errs in its sum by at most about
#: K eps (2e-10 for K = 10^6), and a pmf printed to 10 decimals by at most
#: K / 2 * 1e-10; anything farther from 1 is not a probability vector (unnormalised
#: weights, a wrong axis).  Accepted inputs are divided by their sum, so nothing
#: downstream depends on the tolerance.
SUM_TOLERANCE = SUM_TOL


def as_pmf(p, name: str = "p") -> np.ndarray:
    """Return ``p`` as a normalised 1-D float64 array, or raise ``ValueError``.

    Accepts any array-like (NumPy, or an array-API array convertible with
    ``np.asarray``).  Rejects: empty, not 1-D, NaN / inf, negative entries,
    ``|sum - 1| > SUM_TOLERANCE`` (1e-9).  The accepted array is divided by its sum, so later
    sums are 1 to rounding.
    """
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of probabilities: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    if np.any(arr < 0):
        raise ValueError(f"{name} has negative entries (min {arr.min():.3g})")
    total = float(arr.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{name} must sum to 1 (|sum - 1| <= {SUM_TOLERANCE:g}), got {total!r}")
    return arr / total


def as_reward(reward, size: int, name: str = "reward") -> np.ndarray:
    """Return ``reward`` as a finite 1-D float64 array of length ``size``."""
    try:
        arr = np.asarray(reward, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of real numbers: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size != size:
        raise ValueError(f"{name} must have the same length as p ({size}), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (NaN or inf found)")
    return arr


def _reject_non_number(value, name: str, what: str) -> None:
    """``TypeError`` for a str, bool or other non-number (``float("3")`` would accept it)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | np.ndarray):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {value!r}")
    if isinstance(value, np.ndarray) and (value.ndim != 0 or value.dtype.kind not in "iuf"):
        raise TypeError(f"{name} must be {what}, got an array of shape {value.shape}")


def as_nonnegative(value, name: str) -> float:
    """Return ``value`` as a float ``>= 0`` (``inf`` allowed), or raise."""
    _reject_non_number(value, name, "a real number")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if math.isnan(v) or v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def as_positive_int(value, name: str) -> int:
    """Return ``value`` as an int ``>= 1``, or raise (``TypeError`` for a str or bool)."""
    _reject_non_number(value, name, "a positive integer")
    if not float(value).is_integer():
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    v = int(value)
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return v


def resolve_log_n(n, log_n, name: str = "n") -> float:
    """``log N`` from exactly one of ``n`` (real, ``>= 1``) and ``log_n`` (``>= 0``).

    ``n`` may be a Python int of any size: ``math.log`` handles it without
    forming a float.
    """
    if (n is None) == (log_n is None):
        raise ValueError(f"give exactly one of {name} and log_{name}")
    if n is not None:
        _reject_non_number(n, name, "a number >= 1")
        try:
            ok = n >= 1
        except TypeError:
            raise ValueError(f"{name} must be a number >= 1, got {n!r}") from None
        if not ok or (isinstance(n, float) and not math.isfinite(n)):
            raise ValueError(f"{name} must be a finite number >= 1, got {n!r}")
        return math.log(n)
    v = as_nonnegative(log_n, f"log_{name}")
    if not math.isfinite(v):
        raise ValueError(f"log_{name} must be finite, got {log_n!r}")
    return v
