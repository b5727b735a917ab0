r"""Contraction-refined, finite-parameter and Gibbs generalization bounds.

:func:`contraction_refined_bound` multiplies the conditional information
:math:`I(W;X_i|Y_i)` by the product :math:`\bar\eta` of the layers' contraction
coefficients (the label term does not contract; docs/theory/sdpi.md, §7);
:func:`finite_parameter_bound`, :func:`gibbs_mutual_information_bound` and
:func:`gibbs_bound` are the mutual-information bounds for a finite weight set
and for the Gibbs algorithm, and :func:`deeper_narrower` compares the
Dropout-contracted bounds of networks of different width and depth (§8).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from fdivtheory._arguments import nonnegative, probability

from ._validation import sub_gaussian
from .layers import dropout_eta, network_coefficient

__all__ = [
    "contraction_refined_bound",
    "deeper_narrower",
    "finite_parameter_bound",
    "gibbs_bound",
    "gibbs_mutual_information_bound",
]


def contraction_refined_bound(label_information: float, conditional_information: float,
                              etas: Sequence[float], sigma: float, *,
                              label_term: bool = True) -> float:
    r"""Contraction-refined bound :math:`\sqrt{2\sigma^2[I(W;Y_i) + \bar\eta\, I(W;X_i|Y_i)]}`.

    :math:`\bar\eta = \prod_k \bar\eta_k` (docs/theory/sdpi.md, §7).  The label
    term does not contract.  ``label_term=False`` gives
    :math:`\sqrt{2\sigma^2\bar\eta\,[I(W;Y_i) + I(W;X_i|Y_i)]}`, valid only without labels
    (or with a separate bound on the label term): it warns.

    >>> from fdivtheory.sdpi import contraction_refined_bound
    >>> round(contraction_refined_bound(0.0, 0.02, [0.5, 0.5], 0.5), 12)
    0.05
    """
    iy = nonnegative(label_information, "label_information")
    ix = nonnegative(conditional_information, "conditional_information")
    s = sub_gaussian(sigma)
    eta = network_coefficient(etas)
    if label_term:
        return math.sqrt(2 * s * s * (iy + eta * ix))
    if iy > 0:
        warnings.warn("label_term=False contracts the label information I(W;Y), which does "
                      "not contract; the result is not a valid bound unless I(W;Y) is "
                      "bounded separately", UserWarning, stacklevel=2)
    return math.sqrt(2 * s * s * eta * (iy + ix))


def finite_parameter_bound(log_cardinality: float, n: int, sigma: float, *,
                           eta: float = 1.0, label_information: float | None = None,
                           conditional_information: float | None = None) -> float:
    r"""Finite-:math:`\mathcal W` bound :math:`\sqrt{2\sigma^2 \log|\mathcal W| / n}`.

    With the summed informations :math:`\sum_i I(W;Y_i)` and
    :math:`\sum_i I(W;X_i|Y_i)` and :math:`\bar\eta` it returns the refined
    :math:`\sqrt{2\sigma^2[\sum_i I(W;Y_i) + \bar\eta\sum_i I(W;X_i|Y_i)]/n}`
    (docs/theory/sdpi.md, §8).

    >>> from fdivtheory.sdpi import finite_parameter_bound
    >>> round(finite_parameter_bound(10 * 0.6931471805599453, 1000, 0.5), 6)
    0.058871
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    s = sub_gaussian(sigma)
    lc = nonnegative(log_cardinality, "log_cardinality")
    e = probability(eta, "eta")
    if label_information is None and conditional_information is None:
        return math.sqrt(2 * s * s * lc / n)
    iy = nonnegative(label_information or 0.0, "label_information")
    ix = nonnegative(conditional_information or 0.0, "conditional_information")
    if iy + ix > lc + 1e-12:
        raise ValueError("label_information + conditional_information must not exceed "
                         "log_cardinality (I(W;S) <= log|W|)")
    return math.sqrt(2 * s * s * (iy + e * ix) / n)


def gibbs_mutual_information_bound(gamma: float, n: int) -> float:
    r""":math:`I(W;Z_i) \le \varepsilon^2/2 = 2\gamma^2/n^2` for the Gibbs algorithm (loss in [0, 1]).

    >>> from fdivtheory.sdpi import gibbs_mutual_information_bound
    >>> gibbs_mutual_information_bound(2.0, 4)
    0.5
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    g = nonnegative(gamma, "gamma")
    return 2 * g * g / (n * n)


def gibbs_bound(gamma: float, n: int, sigma: float = 0.5, *, eta: float | None = None,
                label_information: float | None = None) -> float:
    r"""Gibbs bound :math:`|gen| \le 2\sigma\gamma/n` (loss in [0, 1]; docs/theory/sdpi.md, §8).

    With ``eta`` (and the label information :math:`I(W;Y_i)`) the contracted
    :math:`\sqrt{2\sigma^2[I(W;Y_i) + \bar\eta\cdot 2\gamma^2/n^2]}`, using
    :math:`I(W;X_i|Y_i) \le I(W;Z_i) \le 2\gamma^2/n^2`.

    >>> from fdivtheory.sdpi import gibbs_bound
    >>> gibbs_bound(2.0, 100)
    0.02
    """
    s = sub_gaussian(sigma)
    mi = gibbs_mutual_information_bound(gamma, n)
    if eta is None:
        return math.sqrt(2 * s * s * mi)
    e = probability(eta, "eta")
    iy = nonnegative(label_information or 0.0, "label_information")
    return math.sqrt(2 * s * s * (iy + e * mi))


def deeper_narrower(width: int, depth: int, p: float, *, d0: int = 10) -> dict:
    r"""Dropout network coefficient and parameter count of an MLP with ``depth`` layers of width ``width``.

    The network maps :math:`d_0 \to m \to \cdots \to m \to 1` with
    :math:`m` = ``width``: ``depth`` weight layers, no biases, dropout on every
    weight layer's input: :math:`\bar\eta = \prod_k (1 - p^{d_{k-1}})`,
    #params :math:`= d_0 m + (L-2)m^2 + m` (the library's own illustration,
    docs/theory/sdpi.md, §8).

    >>> from fdivtheory.sdpi import deeper_narrower
    >>> r = deeper_narrower(2, 12, 0.5)
    >>> r["params"], round(r["eta"], 6)
    (62, 0.042194)
    """
    for name, v, lo in (("width", width, 1), ("depth", depth, 2), ("d0", d0, 1)):
        if not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    widths = [d0] + [width] * (depth - 1)
    eta = 1.0
    for d in widths:
        eta *= dropout_eta(d, p)
    params = d0 * width + (depth - 2) * width * width + width
    return {"width": width, "depth": depth, "params": params, "eta": eta,
            "eta_times_params": eta * params}
