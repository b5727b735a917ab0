"""Numba kernels for the two hot loops of :mod:`fdivtheory.sdpi` (CPU only).

* :func:`tv_max` -- Dobrushin's max over input pairs of ``0.5 * ||K_x - K_x'||_1``,
  visiting each unordered pair once, rows in parallel.
* :func:`pair_sup` -- the concave binary-input problem of every pair of inputs
  (bisection on the derivative, as :func:`fdivtheory.sdpi.tv_chi2._pair_problem`).

Both have NumPy reference implementations in :mod:`.coefficients`, used when
numba is unavailable or ``FDIVTHEORY_DISABLE_NUMBA=1``; the tests compare the two.
"""

from __future__ import annotations

import os

import numpy as np

try:
    from numba import njit, prange

    AVAILABLE = True
except ImportError:  # pragma: no cover
    AVAILABLE = False


def enabled() -> bool:
    """Whether the numba kernels run (numba importable and not disabled)."""
    return AVAILABLE and os.environ.get("FDIVTHEORY_DISABLE_NUMBA", "") != "1"


if AVAILABLE:
    @njit(cache=True, parallel=True)
    def _tv_rows(K):  # pragma: no cover - compiled
        n, m = K.shape
        best = np.zeros(n)
        for i in prange(n):
            b = 0.0
            for j in range(i + 1, n):
                s = 0.0
                for y in range(m):
                    s += abs(K[i, y] - K[j, y])
                if s > b:
                    b = s
            best[i] = b
        return best

    @njit(cache=True)
    def _der(a, b, lam):  # pragma: no cover - compiled
        s = 0.0
        for y in range(a.shape[0]):
            d = b[y] - a[y]
            if d != 0.0:
                D = (1 - lam) * a[y] + lam * b[y]
                s += d * d * ((1 - 2 * lam) * D - lam * (1 - lam) * d) / (D * D)
        return s

    @njit(cache=True)
    def _val(a, b, lam):  # pragma: no cover - compiled
        s = 0.0
        for y in range(a.shape[0]):
            d = b[y] - a[y]
            if d != 0.0:
                s += d * d * lam * (1 - lam) / ((1 - lam) * a[y] + lam * b[y])
        return s

    @njit(cache=True, parallel=True)
    def _pair_rows(A, B, iters):  # pragma: no cover - compiled
        n = A.shape[0]
        out = np.zeros(n)
        for k in prange(n):
            a, b = A[k], B[k]
            d0 = 0.0
            d1 = 0.0
            lim0 = 0.0
            lim1 = 0.0
            for y in range(a.shape[0]):
                d = b[y] - a[y]
                if a[y] > 0:
                    d0 += d * d / a[y]
                else:
                    d0 -= b[y]
                    lim0 += b[y]
                if b[y] > 0:
                    d1 -= d * d / b[y]
                else:
                    d1 += a[y]
                    lim1 += a[y]
            if d0 <= 0:
                out[k] = lim0
            elif d1 >= 0:
                out[k] = lim1
            else:
                lo, hi = 0.0, 1.0
                for _ in range(iters):
                    mid = 0.5 * (lo + hi)
                    if _der(a, b, mid) > 0:
                        lo = mid
                    else:
                        hi = mid
                out[k] = max(_val(a, b, lo), _val(a, b, hi))
        return out


def tv_max(K: np.ndarray) -> float:
    """Dobrushin's coefficient of one channel (numba)."""
    return 0.5 * float(_tv_rows(np.ascontiguousarray(K, dtype=np.float64)).max())


def pair_sup(A: np.ndarray, B: np.ndarray, iters: int = 60) -> np.ndarray:
    """Maximum over lambda of the binary-input rho^2 of each row pair (numba)."""
    return _pair_rows(np.ascontiguousarray(A, dtype=np.float64),
                      np.ascontiguousarray(B, dtype=np.float64), iters)
