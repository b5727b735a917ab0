"""Cancellation-free KL used inside every contraction ratio (docs/theory/sdpi.md, §5.3).

``D(p||q) = sum_y q_y phi(p_y / q_y)`` with ``phi(r) = r log r - r + 1 >= 0``,
evaluated with two branches: ``(1 + u) log1p(u) - u`` (``u = r - 1``) near
``r = 1``, where the naive form cancels, and ``xlogy(r, r) - r + 1`` elsewhere,
where ``log1p(r - 1)`` would round to ``-inf`` for ``r`` below ~1e-16.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy


def phi(r: np.ndarray) -> np.ndarray:
    """``r log r - r + 1`` for ``r >= 0``, accurate near ``r = 1`` and near 0."""
    r = np.asarray(r, dtype=np.float64)
    u = r - 1.0
    near = np.abs(u) < 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (1.0 + u) * np.log1p(np.where(near, u, 0.0)) - u
        b = xlogy(r, r) - r + 1.0
    return np.where(near, a, b)


def kl(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``D(p||q)`` of probability vectors along the last axis; ``+inf`` where ``p`` has mass outside ``supp q``."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    pos = q > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(pos, p / np.where(pos, q, 1.0), 0.0)
    terms = np.where(pos, q * phi(r), 0.0)
    # both are probability vectors here: the mass terms sum(p) - sum(q) are 0 in exact
    # arithmetic, and adding their rounding would swamp a KL of order 1e-12
    out = terms.sum(axis=-1)
    outside = np.any((~pos) & (p > 0), axis=-1)
    return np.where(outside, np.inf, np.maximum(out, 0.0))
