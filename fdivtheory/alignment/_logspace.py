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
    """``log(sum(exp(a)))`` of a 1-D array; ``-inf`` when every entry is ``-inf``.

    The one log-sum-exp of the package.  Written as
    ``m + log1p(sum_{j != k} exp(a_j - m))``, ``m = a_k`` the largest entry, so
    that a sum dominated by one term keeps full *relative* accuracy in its small
    correction (``log(1 + 1e-30)`` is ``1e-30``, not 0).
    """
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return -math.inf
    k = int(np.argmax(a))
    m = float(a[k])
    if not math.isfinite(m):
        return m
    with np.errstate(under="ignore"):
        e = np.exp(a - m)
    e[k] = 0.0
    return m + math.log1p(float(np.sum(e)))


# psi(x) / x^2 = sum_{k>=2} (k-1) x^(k-2) / k!; for |x| < 1/2 the terms k <= 19 reach
# 1e-20 relative (Horner coefficients, highest degree first)
_PSI_SERIES = tuple((k - 1) / math.factorial(k) for k in range(19, 1, -1))


def psi(x: np.ndarray) -> np.ndarray:
    r"""``psi(x) = 1 + (x - 1) e^x >= 0``, with full relative accuracy (series for ``|x| < 1/2``).

    For laws ``a``, ``b`` with ``rho = log(a/b)``, :math:`D(a\|b) = \sum_y b(y)\,\psi(\rho(y))`:
    a sum of non-negative terms (no cancellation), first-order insensitive to a
    rounding error in the normalisation of ``a`` (:math:`\psi'(x) = x e^x`).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1 and x.size <= 32:  # small arrays: scalar loop, ~30x less overhead
        return np.array([_psi_scalar(float(v)) for v in x])
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out = 1.0 + (x - 1.0) * np.exp(x)
    small = np.abs(x) < 0.5
    if small.any():
        xs = x[small]
        acc = np.full_like(xs, _PSI_SERIES[0])
        for c in _PSI_SERIES[1:]:
            acc *= xs
            acc += c
        out[small] = acc * xs * xs
    return out


def _psi_scalar(v: float) -> float:
    """:func:`psi` of one float."""
    if abs(v) < 0.5:
        acc = 0.0
        for c in _PSI_SERIES:
            acc = acc * v + c
        return acc * v * v
    if v > 709.0:
        return math.inf
    return 1.0 + (v - 1.0) * math.exp(v)


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


def kl_from_logs(log_a: np.ndarray, log_b: np.ndarray, rho: np.ndarray | None = None) -> float:
    r"""The package's one KL: :math:`D(a\|b) = \sum_y b(y)\,\psi(\log a(y) - \log b(y))`.

    ``log_a`` and ``log_b`` are log-pmfs on the same outcomes (``-inf`` for a
    zero mass); ``inf`` where ``b = 0 < a``.  Every term is non-negative, so the
    result keeps full relative accuracy also when ``a`` and ``b`` are nearly equal
    (KL of order 1e-25), where :math:`\sum a \log(a/b)` cancels; see
    docs/theory/alignment.md, §6.  Terms with ``a > 0`` and huge ratios are
    written :math:`a(\rho - 1) + b`, so :math:`b e^{\rho}` never overflows.  ``rho``, when
    given, is :math:`\log(a/b)` computed directly (more accurately than
    ``log_a - log_b`` when it is tiny).
    """
    log_a = np.asarray(log_a, dtype=np.float64)
    log_b = np.asarray(log_b, dtype=np.float64)
    rho = None if rho is None else np.asarray(rho, dtype=np.float64)
    pos_a, pos_b = log_a > -np.inf, log_b > -np.inf
    if pos_a.all() and pos_b.all():  # common case: no zero masses
        return _kl_terms(log_a, log_b, log_a - log_b if rho is None else rho)
    if np.any(pos_a & ~pos_b):
        return math.inf
    # outcomes with a = 0 < b contribute b psi(-inf) = b
    with np.errstate(under="ignore"):
        rest = float(np.sum(np.exp(log_b[pos_b & ~pos_a])))
    la, lb = log_a[pos_a], log_b[pos_a]
    return rest + _kl_terms(la, lb, la - lb if rho is None else rho[pos_a])


def _kl_terms(la: np.ndarray, lb: np.ndarray, rho: np.ndarray) -> float:
    """``sum b psi(rho)`` over outcomes with ``a, b > 0``; ``a (rho - 1) + b`` where ``rho > 1``."""
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        terms = np.exp(lb) * psi(rho)  # NaN (0 * inf) only where rho > 1, replaced below
        big = rho > 1.0
        if big.any():
            terms[big] = np.exp(la[big]) * (rho[big] - 1.0) + np.exp(lb[big])
    return float(np.sum(terms))
