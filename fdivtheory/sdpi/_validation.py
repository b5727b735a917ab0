"""Argument checks shared by :mod:`fdivtheory.sdpi`.

Every error is a ``ValueError`` (or ``TypeError`` for non-numeric input) whose
message starts with the argument's name and states the rule broken.
"""

from __future__ import annotations

import math

import numpy as np

#: Largest accepted ``|row sum - 1|`` of a channel and ``|sum - 1|`` of a law.
#: Accepted inputs are renormalised exactly, so later sums are 1 to rounding.
ROW_SUM_TOLERANCE = 1e-9

#: Input masses below this are treated as zero before an SVD (a tiny but non-zero
#: mass can otherwise produce a spurious second singular value of 1).
MASS_FLOOR = 1e-12


def _as_float_array(x, name: str) -> np.ndarray:
    if hasattr(x, "get") and hasattr(x, "__array_namespace__"):  # CuPy: copy to the host
        x = x.get()
    elif hasattr(x, "__array_namespace__") and not isinstance(x, np.ndarray):
        import array_api_compat

        try:
            x = np.asarray(array_api_compat.to_device(x, "cpu"))
        except (TypeError, ValueError, RuntimeError, AttributeError):
            x = np.asarray(x)
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be array-like of real numbers: {exc}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def as_channel(K, name: str = "K", *, batch: bool = False) -> np.ndarray:
    """``K`` as a row-stochastic float64 matrix (rows are inputs), or raise.

    Rules: 2-D (``batch=True`` also accepts a stack ``(..., n_x, n_y)``), at
    least one row and column, finite, entries ``>= 0``, every row summing to 1
    within :data:`ROW_SUM_TOLERANCE`.  Rows are renormalised.
    """
    arr = _as_float_array(K, name)
    if batch:
        if arr.ndim < 2:
            raise ValueError(f"{name} must have shape (..., n_x, n_y), got shape {arr.shape}")
    elif arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix (rows are inputs), got shape {arr.shape}")
    if arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ValueError(f"{name} must have at least one input and one output, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (NaN or inf found)")
    if np.any(arr < 0):
        raise ValueError(f"{name} must have non-negative entries (min {arr.min():.3g})")
    rows = arr.sum(axis=-1)
    bad = np.abs(rows - 1.0)
    if np.any(bad > ROW_SUM_TOLERANCE):
        raise ValueError(f"{name} must be row-stochastic: every row must sum to 1 within "
                         f"{ROW_SUM_TOLERANCE:g} (worst row sum {float(rows.flat[int(np.argmax(bad))])!r})")
    return arr / rows[..., None]


def as_law(p, size: int | None = None, name: str = "p_x") -> np.ndarray:
    """``p`` as a 1-D probability vector (of length ``size`` if given), or raise."""
    arr = _as_float_array(p, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D probability vector, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} must have one entry per channel input ({size}), got {arr.size}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (NaN or inf found)")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be a distribution: negative entry {arr.min():.3g}")
    total = float(arr.sum())
    if abs(total - 1.0) > ROW_SUM_TOLERANCE:
        raise ValueError(f"{name} must be a distribution summing to 1 within "
                         f"{ROW_SUM_TOLERANCE:g}, got sum {float(total)!r}")
    return arr / total


def as_probability(p, name: str, *, closed_right: bool = False) -> float:
    """``p`` as a float in ``[0, 1)`` (``[0, 1]`` if ``closed_right``), or raise."""
    try:
        v = float(p)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {p!r}") from None
    upper_ok = v <= 1.0 if closed_right else v < 1.0
    if not (math.isfinite(v) and v >= 0.0 and upper_ok):
        interval = "[0, 1]" if closed_right else "[0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {p!r}")
    return v


def as_positive(x, name: str) -> float:
    """``x`` as a finite float ``> 0``, or raise."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {x!r}") from None
    if not (math.isfinite(v) and v > 0.0):
        raise ValueError(f"{name} must be finite and > 0, got {x!r}")
    return v


def as_nonnegative(x, name: str) -> float:
    """``x`` as a finite float ``>= 0``, or raise."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {x!r}") from None
    if not (math.isfinite(v) and v >= 0.0):
        raise ValueError(f"{name} must be finite and >= 0, got {x!r}")
    return v


def as_choice(value, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else ``ValueError``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value
