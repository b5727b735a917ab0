"""Argument checks specific to the alignment modules.

The general checks (probability vectors, numbers >= 0, positive integers) are
those of :mod:`fdivtheory._arguments`, shared by the whole library; here are
the two that only alignment needs: a reward vector aligned with a reference
law, and the sample size ``N`` given either directly or as ``log N``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from fdivtheory._arguments import ArgumentTypeError, finite_array, nonnegative, real


def as_reward(reward, size: int, name: str = "reward") -> np.ndarray:
    """``reward`` as a finite 1-D float64 array with one entry per outcome of ``p`` (``size``).

    >>> as_reward([0, 1, 2], 2)
    Traceback (most recent call last):
    ...
    ValueError: reward must have the same length as p (2), got 3
    """
    arr = finite_array(reward, name, ndim=1)
    if arr.size != size:
        raise ValueError(f"{name} must have the same length as p ({size}), got {arr.size}")
    return arr


def resolve_log_n(n, log_n, name: str = "n") -> float:
    """``log N`` from exactly one of ``n`` (real, ``>= 1``) and ``log_n`` (finite, ``>= 0``).

    ``n`` may be a Python int of any size: ``math.log`` handles it without
    forming a float.

    >>> round(resolve_log_n(10**400, None), 6)   # 400 log 10
    921.034037
    """
    if (n is None) == (log_n is None):
        raise ValueError(f"give exactly one of {name} and log_{name}")
    if log_n is not None:
        return nonnegative(log_n, f"log_{name}")
    if isinstance(n, numbers.Integral) and not isinstance(n, bool | np.bool_):
        value: float | int = n
    else:
        try:
            value = real(n, name)
        except ArgumentTypeError:
            raise
        except ValueError:  # NaN
            value = math.nan
    if not (value >= 1 and (isinstance(value, numbers.Integral) or math.isfinite(value))):
        raise ValueError(f"{name} must be a finite number >= 1, got {n!r}")
    return math.log(value)
