"""Log-space helpers: cumulative sums, tails, ``log(1 - e^x)``, binomial log-pmf.

Tail probabilities of sums of many tokens reach ``e^(-10^5)``; everything
here works on logarithms and never forms such numbers.  The binomial log-pmf
uses Loader's saddle-point form (as R's ``dbinom``), accurate to a few ulps
relative for every ``k`` and ``n``; SciPy's ``binom.logpmf`` goes through
``gammaln(n + 1) - gammaln(k + 1) - ...`` and loses ``~1e-9`` absolute at
``n = 10^6``, and ``binom.logsf`` / ``logcdf`` underflow in the far tail.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

_LOG_2PI = math.log(2.0 * math.pi)

# stirlerr(k) = log k! - (k + 1/2) log k + k - log(2 pi)/2 for k = 0..15 (mpmath, 40 digits)
_STIRLERR_TABLE = np.array([
    0.0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834,
    0.020790672103765093, 0.016644691189821193, 0.013876128823070748,
    0.01189670994589177, 0.010411265261972096, 0.009255462182712733,
    0.00833056343336287, 0.007573675487951841, 0.00694284010720953,
    0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
])


def log_cumsum(log_a: np.ndarray) -> np.ndarray:
    """``log(cumsum(exp(log_a)))`` without leaving log space."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.logaddexp.accumulate(log_a)


def log_sf_strict(log_pmf: np.ndarray) -> np.ndarray:
    """``log P(R > v_j)`` for sorted levels ``v_j``: reverse cumulative log-sum, shifted."""
    rev = log_cumsum(log_pmf[::-1])[::-1]
    return np.concatenate([rev[1:], [-np.inf]])


def log1mexp(x: np.ndarray) -> np.ndarray:
    """``log(1 - exp(x))`` for ``x <= 0``, accurate on both sides of ``-log 2``."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > -math.log(2.0), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def logsumexp(a: np.ndarray) -> float:
    """``log(sum(exp(a)))`` of a 1-D array; ``-inf`` when every entry is ``-inf``."""
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return -math.inf
    m = float(np.max(a))
    if not math.isfinite(m):
        return m
    with np.errstate(under="ignore"):
        return m + math.log(float(np.sum(np.exp(a - m))))


def _stirlerr(k: np.ndarray) -> np.ndarray:
    """``log k! - log(sqrt(2 pi k) (k/e)^k)`` for integer ``k >= 0`` (Loader 2000)."""
    k = np.asarray(k, dtype=np.float64)
    out = np.empty_like(k)
    small = k <= 15
    out[small] = _STIRLERR_TABLE[k[small].astype(np.int64)]
    big = ~small
    kb = k[big]
    kk = kb * kb
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    out[big] = (s0 - (s1 - (s2 - (s3 - s4 / kk) / kk) / kk) / kk) / kb
    return out


def _bd0(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Deviance term ``x log(x/m) + m - x`` without cancellation when ``x ~ m``."""
    x = np.asarray(x, dtype=np.float64)
    m = np.broadcast_to(np.asarray(m, dtype=np.float64), x.shape)
    out = np.empty_like(x)
    near = np.abs(x - m) < 0.1 * (x + m)
    xn, mn = x[near], m[near]
    v = (xn - mn) / (xn + mn)
    s = (xn - mn) * v
    ej = 2.0 * xn * v
    v2 = v * v
    # |v| < 0.1, so 12 more terms of the odd series reach far below one ulp.
    for j in range(1, 13):
        ej = ej * v2
        s = s + ej / (2 * j + 1)
    out[near] = s
    xf, mf = x[~near], m[~near]
    out[~near] = xf * np.log(xf / mf) + mf - xf
    return out


def binomial_logpmf(n: int, p: float, q: float | None = None) -> np.ndarray:
    """``log P(K = k)``, ``k = 0..n``, for ``K ~ Binomial(n, p)`` (Loader's form).

    ``q`` is ``1 - p`` when known more accurately than by subtraction.
    Degenerate ``p`` in ``{0, 1}`` gives a point mass (``-inf`` elsewhere).
    """
    if q is None:
        q = 1.0 - p
    k = np.arange(n + 1, dtype=np.float64)
    if p <= 0.0 or q <= 0.0:
        out = np.full(n + 1, -np.inf)
        out[0 if p <= 0.0 else n] = 0.0
        return out
    out = np.empty(n + 1)
    out[0] = n * math.log(q)
    out[n] = n * math.log(p)
    if n >= 2:
        ki = k[1:n]
        lc = (_stirlerr(np.array([float(n)]))[0] - _stirlerr(ki) - _stirlerr(n - ki)
              - _bd0(ki, n * p) - _bd0(n - ki, n * q))
        lf = _LOG_2PI + np.log(ki) + np.log1p(-ki / n)
        out[1:n] = lc - 0.5 * lf
    return out


def log_multinomial_coefficients(counts: np.ndarray) -> np.ndarray:
    """``log(n! / prod_a k_a!)`` for each row of non-negative integer ``counts``."""
    counts = np.asarray(counts)
    n = counts.sum(axis=1)
    return gammaln(n + 1.0) - gammaln(counts + 1.0).sum(axis=1)


def kl_from_logs(log_a: np.ndarray, log_b: np.ndarray) -> float:
    """``sum a (log a - log b)`` over ``a > 0``; ``inf`` where ``b = 0 < a``."""
    pos = log_a > -np.inf
    if np.any(log_b[pos] == -np.inf):
        return math.inf
    with np.errstate(under="ignore"):
        w = np.exp(log_a[pos])
    return max(float(w @ (log_a[pos] - log_b[pos])), 0.0)  # >= 0; rounding can give -1e-16
