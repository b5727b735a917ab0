"""Argument checks shared by :mod:`fdivtheory.robust_rl`.

Every error is a ``ValueError`` (or ``TypeError``) whose message starts with the
argument's name and states the rule that was broken.
"""

from __future__ import annotations

import math

import numpy as np

#: Divergences understood by the module, with accepted aliases.
DIVERGENCES = {"tv": "tv", "kl": "kl", "chi2": "chi2", "chi-squared": "chi2", "chisq": "chi2"}

#: Largest accepted ``|sum(mu0) - 1|``.
SUM_TOLERANCE = 1e-8


def divergence_name(divergence) -> str:
    """Canonical divergence name ("tv", "kl" or "chi2"), or ``ValueError``."""
    if not isinstance(divergence, str) or divergence.lower() not in DIVERGENCES:
        raise ValueError(f"divergence must be one of 'tv', 'kl', 'chi2', got {divergence!r}")
    return DIVERGENCES[divergence.lower()]


def positive(value, name: str, *, allow_inf: bool = False) -> float:
    """``value`` as a float ``> 0`` (finite unless ``allow_inf``), or ``ValueError``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive real number, got {value!r}") from None
    if math.isnan(v) or v <= 0 or (math.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be > 0{'' if allow_inf else ' and finite'}, got {value!r}")
    return v


def nonnegative(value, name: str) -> float:
    """``value`` as a finite float ``>= 0``, or ``ValueError``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number >= 0, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return v


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum``, or ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def probability(value, name: str) -> float:
    """``value`` as a float in ``[0, 1]``, or ``ValueError``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}") from None
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return v


def finite_array(x, name: str, *, ndim: int | None = None) -> np.ndarray:
    """``x`` as a finite float64 NumPy array (optionally of a given ndim)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (NaN or inf found)")
    return arr


def simplex_rows(x, name: str, *, axis: int = -1) -> np.ndarray:
    """``x`` as float64 with nonnegative entries summing to one along ``axis``."""
    arr = finite_array(x, name)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be nonnegative (a probability vector), min {arr.min():.3g}")
    err = float(np.max(np.abs(arr.sum(axis=axis) - 1.0)))
    if err > SUM_TOLERANCE:
        raise ValueError(f"{name} must sum to 1 along axis {axis} "
                         f"(|sum - 1| <= {SUM_TOLERANCE:g}), worst |sum - 1| = {err:.3g}")
    return arr
