"""The one table of per-row flag bits, and the row record built from it.

Every kernel (numba, CuPy) and the generic array-API path describe a row by
the same record, :class:`RowFlags`: whether the row met a NaN, a negative or
an infinite entry in p or in q, and the totals of p and q over the pairs
where neither is NaN (negative and infinite masses included, so that a row
with such an entry is never mistaken for a probability vector).  The
compiled kernels write the booleans as the bits below, OR-ed over a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["INF_P", "INF_Q", "NAN_BITS", "NAN_P", "NAN_Q", "NEG_P", "NEG_Q", "RowFlags",
           "from_bits"]

NAN_P, NAN_Q, NEG_P, NEG_Q, INF_P, INF_Q = 1, 2, 4, 8, 16, 32
NAN_BITS = NAN_P | NAN_Q


@dataclass(frozen=True)
class RowFlags:
    """Per row (batch shape): what the row of p and of q contains, and their totals."""

    nan_p: Any
    nan_q: Any
    neg_p: Any
    neg_q: Any
    inf_p: Any
    inf_q: Any
    sum_p: Any
    sum_q: Any


def from_bits(bits: Any, sum_p: Any, sum_q: Any) -> RowFlags:
    """The record of a kernel's bit field (an integer array of any array library)."""
    return RowFlags(
        nan_p=(bits & NAN_P) != 0, nan_q=(bits & NAN_Q) != 0,
        neg_p=(bits & NEG_P) != 0, neg_q=(bits & NEG_Q) != 0,
        inf_p=(bits & INF_P) != 0, inf_q=(bits & INF_Q) != 0,
        sum_p=sum_p, sum_q=sum_q,
    )
