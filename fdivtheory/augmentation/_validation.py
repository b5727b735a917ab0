"""The two argument rules of the augmentation modules that the core's checks do not cover.

Every other argument is checked with :mod:`fdivtheory._arguments`, so that
errors read as everywhere else in the library.
"""

from __future__ import annotations

import numpy as np

from fdivtheory._arguments import finite_array


def as_gammas(gamma: object) -> tuple[np.ndarray, bool]:
    """``gamma`` as a 1-D float array of ratios ``>= 0`` and whether it was a scalar.

    >>> as_gammas(2)
    (array([2.]), True)
    >>> as_gammas([0, -1])
    Traceback (most recent call last):
    ...
    ValueError: gamma must be >= 0 (m_G = int(gamma * m_S)), got -1.0
    """
    arr = finite_array(gamma, "gamma", ndim=(0, 1), nonempty=True)
    if np.any(arr < 0):
        raise ValueError(f"gamma must be >= 0 (m_G = int(gamma * m_S)), got {float(arr.min())!r}")
    return np.atleast_1d(arr), arr.ndim == 0


def class_sizes(n: int) -> tuple[int, int]:
    """``(n_minus, n_plus)``: ``n // 2`` points per class, the odd one to class -1.

    This is the split of scikit-learn's blob generator with the centres in the
    order (-1, +1), which the reference code uses for the generated data.

    >>> class_sizes(7)
    (4, 3)
    """
    return n - n // 2, n // 2
