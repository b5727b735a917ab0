"""Argument checks shared by the augmentation modules.

Every error is a ``ValueError`` (or ``TypeError`` for a wrong type) whose
message starts with the argument's name and states the rule that was broken.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def as_int(value: object, name: str, low: int) -> int:
    """``value`` as an ``int >= low`` (bools and non-integral floats rejected)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if isinstance(value, float | np.floating):
        if not math.isfinite(value) or value != int(value):
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    v = int(value)
    if v < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {v}")
    return v


def as_real(value: object, name: str, *, low: float | None = None, strict: bool = False,
            high: float | None = None, high_strict: bool = False) -> float:
    """``value`` as a finite float in the stated interval."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v!r}")
    if low is not None and (v < low or (strict and v == low)):
        rel = ">" if strict else ">="
        raise ValueError(f"{name} must be {rel} {low:g}, got {v!r}")
    if high is not None and (v > high or (high_strict and v == high)):
        rel = "<" if high_strict else "<="
        raise ValueError(f"{name} must be {rel} {high:g}, got {v!r}")
    return v


def as_sigma(sigma: object) -> float:
    """The noise level: a finite float ``> 0``."""
    return as_real(sigma, "sigma", low=0.0, strict=True)


def as_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}, "
                         f"got {value!r}")
    return value


def as_gammas(gamma: object) -> tuple[np.ndarray, bool]:
    """``gamma`` as a 1-D float array of ratios ``>= 0`` and whether it was a scalar."""
    scalar = np.ndim(gamma) == 0
    try:
        arr = np.atleast_1d(np.asarray(gamma, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"gamma must be a real number or a 1-D sequence of them, "
                        f"got {gamma!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"gamma must be a scalar or a non-empty 1-D sequence, got shape "
                         f"{arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("gamma must be finite")
    if np.any(arr < 0):
        raise ValueError(f"gamma must be >= 0 (m_G = int(gamma * m_S)), got {arr.min()!r}")
    return arr, scalar


def class_sizes(n: int) -> tuple[int, int]:
    """``(n_minus, n_plus)``: ``n // 2`` points per class, the odd one to class -1.

    This is the split of scikit-learn's blob generator with the centres in the
    order (-1, +1), which the reference code uses for the generated data.
    """
    return n - n // 2, n // 2
