"""The argument checks specific to :mod:`fdivtheory.sdpi`.

The general checks (channels, probability vectors, numbers ``> 0``, choices)
are those of :mod:`fdivtheory._arguments`, shared by the whole library; here
are the mass floor used before an SVD, the check of an input law against
the channel it feeds and that of the loss's sub-Gaussian constant.
"""

from __future__ import annotations

import numpy as np

from fdivtheory._arguments import check_shape, positive, probability_vector

#: Input masses below this are treated as zero before an SVD (a tiny but non-zero
#: mass can otherwise produce a spurious second singular value of 1).
MASS_FLOOR = 1e-12


def input_law(p: object, size: int, name: str = "p_x") -> np.ndarray:
    """``p`` as a probability vector with one entry per input of a channel with ``size`` inputs.

    >>> input_law([0.25, 0.75], 2)
    array([0.25, 0.75])
    >>> input_law([1.0], 2)
    Traceback (most recent call last):
    ...
    ValueError: p_x must have shape (2,), got shape (1,) (one entry per channel input)
    """
    return check_shape(probability_vector(p, name), name, (size,),
                       reason="one entry per channel input")


def sub_gaussian(sigma) -> float:
    """The sub-Gaussian constant ``sigma`` of the loss, checked to be positive."""
    return positive(sigma, "sigma")
