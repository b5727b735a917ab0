"""Argument checks shared by the projection module (errors name the argument)."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_eps", "check_n", "check_replications", "finite_array"]


def finite_array(x, name: str, *, ndim: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """``x`` as a float array with no NaN or infinity (``ValueError`` naming ``name``)."""
    if isinstance(x, str | bytes):
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged input
        raise TypeError(f"{name} must be an array of real numbers") from exc
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain real numbers, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if arr.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dimensions, "
                         f"got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN ({int(np.isnan(arr).sum())} entries); remove "
                         f"or impute them first")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    return arr


def check_n(n, name: str = "n") -> int:
    """A positive integer sample size."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n}")
    return int(n)


def check_replications(r, name: str = "replications") -> int:
    """At least two replications (a standard error needs two)."""
    r = check_n(r, name)
    if r < 2:
        raise ValueError(f"{name} must be at least 2 (a standard error needs two), got {r}")
    return r


def check_eps(eps, name: str = "eps") -> float:
    """A Bayes-error tolerance in the open interval (0, 1/2)."""
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 0.5), got {eps!r}")
    eps = float(eps)
    if not (0.0 < eps < 0.5) or math.isnan(eps):
        raise ValueError(f"{name} must lie in the open interval (0, 0.5) (the Bayes error "
                         f"rate of two laws is at most 1/2), got {eps}")
    return eps
