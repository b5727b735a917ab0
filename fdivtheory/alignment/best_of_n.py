r"""Exact law, KL and win rate of best-of-N sampling, for any N (also :math:`e^{10^5}`).

Best-of-N draws :math:`Y^{(1)},\dots,Y^{(N)}` i.i.d. from the reference :math:`p` and
returns the draw with the largest reward.  With reward levels
:math:`v_1 < v_2 < \dots` and level CDF :math:`F_k = P_p(r(Y) \le v_k)`, the reward
level of the returned draw has law :math:`P_N(k) = F_k^N - F_{k-1}^N` ([B], derivation of
the best-of-n policy).  Direct evaluation cancels catastrophically when a level is
light (:math:`P(k) \ll F_k`), overflows for huge :math:`N`, and for :math:`N` close to 1
leaves nothing of :math:`\log(P_N(k)/P(k)) = O(N - 1)`.  Every quantity here is
computed from the log-ratio (docs/theory/alignment.md, §4)

.. math::

    \rho_k = \log\frac{P_N(k)}{P(k)} = m \log F_k
    + \log\Bigl(1 + \frac{1 - e^{-m L_k}}{e^{L_k} - 1}\Bigr), \qquad
    m = N - 1,\ L_k = \log\frac{F_k}{F_{k-1}},

with :math:`m \log F_k = -\exp(\log m + \log(-\log F_k))`, :math:`-\log F_k` taken from
the upper tail (``-log1p(-S_k)``) where :math:`F_k` is close to 1, and
:math:`e^{L_k} - 1 = P(k)/F_{k-1}`: no difference of large numbers.  Only
:math:`\log N` is ever used, and the KL is :math:`\sum_k P(k)\,\psi(\rho_k)`,
:math:`\psi(x) = 1 + (x-1)e^x` (full relative accuracy also for :math:`N = 1 + 10^{-12}`).

**Ties.**  ``ties="uniform"`` (the default): tied draws are broken uniformly at
random (equivalently by draw index, or by any rule that ignores which tied outcome
it is).  Then :math:`\pi_N(y) = p(y) P_N(k)/P(k)` on level :math:`k = r(y)`: the likelihood
ratio :math:`\pi_N/p` is constant on each level and KL is the KL of the level laws.
``ties="lexicographic"``: among equal rewards the outcome listed *later* in ``p``
wins (a strict order), which gives [B]'s outcome formula
:math:`\pi_N(y) = F(y)^N - F^-(y)^N` over outcomes and a larger KL.  An array of
secondary keys (higher wins, distinct within each reward level) gives any other
strict order.  The law of the reward, the expected reward and the win rate do not
depend on the convention; only the KL does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fdivtheory._arguments import probability_vector

from ._logspace import kl_from_logs, log1mexp, log_cumsum, log_sf_strict, logsumexp
from ._validation import as_reward, resolve_log_n

__all__ = [
    "BestOfN",
    "BestOfNGaps",
    "best_of_n",
    "best_of_n_gaps",
    "best_of_n_kl_bound",
    "best_of_n_kl_estimate",
    "best_of_n_kl_estimator",
    "best_of_n_level_log_pmf",
    "best_of_n_level_log_ratio",
]

_LOG_HALF = -math.log(2.0)
#: below this log N the log-ratio needs its own formula; above it the log-ratio is O(1)
#: or larger on the levels that carry the mass and the difference of the log-pmfs is as
#: accurate (and a second pass over the levels is saved)
_RATIO_FORMULA_BELOW = 1.0


def best_of_n_level_log_pmf(log_pmf, log_n: float) -> np.ndarray:
    r"""Log-pmf of the best-of-N level from the reference log-pmf on sorted levels.

    ``log_pmf[k]`` is :math:`\log P(R = v_k)` for increasing levels :math:`v_k`
    (``-inf`` allowed; it should sum to 1 in linear space).  Returns
    :math:`\log P_N(k) = A_k + \log(1 - e^{A_{k-1}-A_k})` with
    :math:`A_k = N\log F_k = -\exp(\log N + \log(-\log F_k))` and
    :math:`A_{k-1} - A_k = -N\log(1 + P(k)/F_{k-1})` formed directly: every piece is
    of the size of :math:`\log P_N(k)` itself, so each probability keeps full relative
    accuracy for any :math:`N` (the log-*ratio* to the reference, needed for the KL
    when :math:`N` is close to 1, comes from :func:`best_of_n_level_log_ratio`).  Normalised
    in log space; never forms :math:`N`.

    Examples
    --------
    >>> np.exp(best_of_n_level_log_pmf(np.log([0.5, 0.5]), np.log(2.0))).round(12)
    array([0.25, 0.75])
    """
    log_pmf = np.asarray(log_pmf, dtype=np.float64)
    log_n = float(log_n)
    log_cdf = log_cumsum(log_pmf)
    log_sf = log_sf_strict(log_pmf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # log(-log F_k): from the upper tail S_k where F_k > 1/2, else from log F_k itself
        log_neg_log_f = np.where(log_sf < _LOG_HALF, _log_neg_log1m(log_sf),
                                 np.log(-np.minimum(log_cdf, 0.0)))
        a = -np.exp(log_n + log_neg_log_f)
        # A_{k-1} - A_k = -N log(F_k / F_{k-1}) = -N log1p(P_k / F_{k-1}), formed directly
        log_step = np.empty_like(log_pmf)
        log_step[0] = np.inf
        log_step[1:] = _log_log1p(log_pmf[1:] - log_cdf[:-1])
        d_a = -np.exp(log_n + log_step)
        out = a + log1mexp(d_a)
    out[np.isnan(out)] = -np.inf
    # the two cumulative sums drift by ~(number of levels) ulps; the exact law sums to 1
    return out - logsumexp(out)


def best_of_n_level_log_ratio(log_pmf, log_n: float, *, log_bon=None) -> np.ndarray:
    r""":math:`\rho_k = \log(P_N(k)/P(k))` on sorted levels (``-inf`` where ``P(k) = 0``).

    With :math:`m = N - 1`, :math:`F_k` the level CDF and :math:`L_k = \log(F_k/F_{k-1})`,

    .. math::

        \rho_k = m \log F_k + \log\Bigl(1 + \frac{1 - e^{-m L_k}}{e^{L_k} - 1}\Bigr),

    (docs/theory/alignment.md, §4), each piece from logarithms: :math:`m\log F_k =
    -e^{\log m + \log(-\log F_k)}`, :math:`e^{L_k} - 1 = P(k)/F_{k-1}`.  Nothing
    cancels: for :math:`N = 1 + 10^{-12}` every :math:`\rho_k` is of order
    :math:`10^{-12}` and comes out to full relative accuracy (so does the KL
    :math:`\sum_k P(k)\psi(\rho_k)`), and :math:`N = e^{10^5}` needs only
    :math:`\log m`.  The result is shifted so that :math:`\sum_k P(k) e^{\rho_k} = 1`
    to rounding.
    """
    log_pmf = np.asarray(log_pmf, dtype=np.float64)
    log_n = float(log_n)
    if log_bon is not None and log_n >= _RATIO_FORMULA_BELOW:
        with np.errstate(invalid="ignore"):
            return np.asarray(log_bon, dtype=np.float64) - log_pmf
    log_cdf = log_cumsum(log_pmf)
    log_sf = log_sf_strict(log_pmf)
    log_m = log_n + math.log(-math.expm1(-log_n)) if log_n > 0 else -math.inf
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # log(-log F_k): from the upper tail S_k where F_k > 1/2, else from log F_k itself
        log_neg_log_f = np.where(log_sf < _LOG_HALF, _log_neg_log1m(log_sf),
                                 np.log(-np.minimum(log_cdf, 0.0)))
        head = -np.exp(log_m + log_neg_log_f)                       # m log F_k <= 0
        # x = log(1 - e^{-m L_k}) - log(e^{L_k} - 1); rho = head + log(1 + e^x)
        log_step = np.empty_like(log_pmf)
        log_step[0] = np.inf
        log_step[1:] = _log_log1p(log_pmf[1:] - log_cdf[:-1])        # log L_k
        log_expm1_l = np.empty_like(log_pmf)
        log_expm1_l[0] = np.inf
        log_expm1_l[1:] = log_pmf[1:] - log_cdf[:-1]
        x = log1mexp(-np.exp(log_m + log_step)) - log_expm1_l
        x[0] = -np.inf
        rho = head + np.logaddexp(0.0, x)
    rho = np.where(log_pmf > -np.inf, rho, -np.inf)
    rho[np.isnan(rho)] = -np.inf
    # the cumulative sums drift by ~(number of levels) ulps; the exact law sums to 1
    return rho - logsumexp(log_pmf + rho)


def _log_neg_log1m(log_s: np.ndarray) -> np.ndarray:
    """``log(-log(1 - s))`` from ``log s`` (``s <= 1/2``), exact also when ``s`` underflows."""
    s = np.exp(log_s)
    series = log_s + np.log1p(s * (0.5 + s * (1 / 3 + s * 0.25)))  # -log(1-s)/s = 1 + s/2 + ...
    return np.where(s < 1e-5, series, np.log(-np.log1p(-s)))


def _log_log1p(log_y: np.ndarray) -> np.ndarray:
    """``log(log(1 + y))`` from ``log y``, exact also when ``y`` underflows or overflows."""
    y = np.exp(log_y)
    series = log_y + np.log1p(y * (-0.5 + y * (1 / 3 - y * 0.25)))  # log1p(y)/y = 1 - y/2 + ...
    return np.where(y < 1e-5, series, np.log(np.logaddexp(0.0, log_y)))


@dataclass(frozen=True)
class _LevelLaw:
    levels: np.ndarray
    log_ref: np.ndarray
    log_bon: np.ndarray  # log P_N, each to full relative accuracy
    rho: np.ndarray  # log(P_N / P), each to full relative accuracy (also for N ~ 1)

    @property
    def bon(self) -> np.ndarray:
        with np.errstate(under="ignore"):
            return np.exp(self.log_bon)

    def kl(self) -> float:
        return kl_from_logs(self.log_bon, self.log_ref, self.rho)

    def win_rate(self) -> float:
        with np.errstate(under="ignore"):
            cdf = np.exp(log_cumsum(self.log_ref))
        below = np.concatenate([[0.0], cdf[:-1]])
        return float(self.bon @ (0.5 * (cdf + below)))

    def expected_reward(self) -> float:
        return float(self.bon @ self.levels)


def _levels(p_s: np.ndarray, r_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    levels, inverse = np.unique(r_s, return_inverse=True)
    mass = np.bincount(inverse, weights=p_s, minlength=levels.size)
    with np.errstate(divide="ignore"):
        return levels, np.log(mass), inverse


@dataclass(frozen=True)
class BestOfN:
    r"""Exact best-of-N law of a finite reference (see :func:`best_of_n`).

    Attributes
    ----------
    pmf, log_pmf : ndarray
        :math:`\pi_N` and its logarithm on the outcomes of ``p``.
    log_n : float
        :math:`\log N`.
    kl : float
        :math:`D(\pi_N \| p)` (nats), under the tie convention ``ties``.
    win_rate : float
        :math:`P(r(Y) > r(Z)) + \tfrac12 P(r(Y) = r(Z))`,
        :math:`Y \sim \pi_N`, :math:`Z \sim p` independent.
    expected_reward : float
        :math:`E_{\pi_N} r`.
    ties : str
        ``"uniform"``, ``"lexicographic"`` or ``"custom"``.
    levels, level_pmf, reference_level_pmf : ndarray
        Distinct rewards on ``supp p`` (increasing) and their laws under
        :math:`\pi_N` and :math:`p`.
    """

    pmf: np.ndarray
    log_pmf: np.ndarray
    log_n: float
    kl: float
    win_rate: float
    expected_reward: float
    ties: str
    levels: np.ndarray
    level_pmf: np.ndarray
    reference_level_pmf: np.ndarray

    @property
    def n(self) -> float:
        """:math:`N` as a float (``inf`` beyond the float range)."""
        return math.exp(self.log_n) if self.log_n < 709.0 else math.inf


def best_of_n(p, reward, n=None, *, log_n: float | None = None,
              ties="uniform") -> BestOfN:
    r"""Exact law of best-of-N sampling, its KL to the reference and its win rate.

    .. math::

        \pi_N(y) = p(y)\,\frac{F_R(r(y))^N - F_R(r(y)^-)^N}{P_p(R = r(y))}
        \quad\text{(uniform ties)}, \qquad
        \pi_N(y) = F(y)^N - F^-(y)^N \quad\text{(strict order)},

    :math:`D(\pi_N\|p) = \sum_y \pi_N(y) \log(\pi_N(y)/p(y))` and
    :math:`W(\pi_N) = \sum_k P_N(k)\,(F_k + F_{k-1})/2`.
    Source: [B], derivation of the best-of-n policy, exact KL and win rate; the
    tie-aware form is derived in docs/theory/alignment.md, §4, and checked by brute force.
    Stable in log space for any :math:`N` (see the module docstring): give ``n``
    (a number, Python ints of any size allowed) or ``log_n`` (e.g. ``1e5``).

    Parameters
    ----------
    p : array_like
        Reference pmf.
    reward : array_like
        Finite rewards, same length as ``p``.
    n : float, optional
        Number of draws :math:`N \ge 1` (need not be an integer).
    log_n : float, optional
        :math:`\log N \ge 0`, instead of ``n``.
    ties : {"uniform", "lexicographic"} or array_like
        Tie convention (module docstring); default ``"uniform"``.

    Examples
    --------
    >>> res = best_of_n([0.5, 0.5], [0.0, 1.0], 2)
    >>> res.pmf, round(res.kl, 10), res.win_rate
    (array([0.25, 0.75]), 0.1308120359, 0.625)
    >>> round(best_of_n([0.5, 0.5], [0.0, 1.0], log_n=1e5).kl, 12)  # N = e^100000
    0.693147180560
    """
    p = probability_vector(p, "p")
    r = as_reward(reward, p.size, "reward")
    ln = resolve_log_n(n, log_n, "n")
    sup = p > 0
    p_s, r_s = p[sup], r[sup]
    levels, log_level, inverse = _levels(p_s, r_s)
    log_bon = best_of_n_level_log_pmf(log_level, ln)
    law = _LevelLaw(levels, log_level, log_bon,
                    best_of_n_level_log_ratio(log_level, ln, log_bon=log_bon))
    log_p_s = np.log(p_s)
    if isinstance(ties, str) and ties == "uniform":
        # pi_N(y) = P_N(k) p(y) / P(k): the share of y in its level is O(1) in log space
        log_pi_s = law.log_bon[inverse] + (log_p_s - log_level[inverse])
        kl = law.kl()
        label = "uniform"
    else:
        if isinstance(ties, str):
            if ties != "lexicographic":
                raise ValueError(f"ties must be 'uniform', 'lexicographic' or an array of "
                                 f"secondary keys, got {ties!r}")
            key = np.arange(p.size, dtype=np.float64)[sup]
            label = "lexicographic"
        else:
            key = as_reward(ties, p.size, "ties")[sup]
            label = "custom"
            order = np.lexsort((key, r_s))
            same = (np.diff(r_s[order]) == 0) & (np.diff(key[order]) == 0)
            if np.any(same):
                raise ValueError("ties: secondary keys must be distinct among outcomes "
                                 "with equal reward")
        order = np.lexsort((key, r_s))
        log_unit = best_of_n_level_log_pmf(log_p_s[order], ln)
        log_pi_s = np.empty_like(log_p_s)
        log_pi_s[order] = log_unit
        rho = best_of_n_level_log_ratio(log_p_s[order], ln, log_bon=log_unit)
        kl = kl_from_logs(log_unit, log_p_s[order], rho)
    log_pi = np.full(p.size, -np.inf)
    log_pi[sup] = log_pi_s
    with np.errstate(under="ignore"):
        pmf = np.exp(log_pi)
    return BestOfN(pmf=pmf, log_pmf=log_pi, log_n=ln, kl=kl, win_rate=law.win_rate(),
                   expected_reward=law.expected_reward(), ties=label, levels=levels,
                   level_pmf=law.bon, reference_level_pmf=np.exp(law.log_ref))


def best_of_n_kl_bound(n=None, *, log_n: float | None = None) -> float:
    r"""The folk formula :math:`\log N - (N-1)/N`, an upper bound on :math:`D(\pi_N\|p)`.

    Source: [B], relations between the KL divergence and the analytical formula
    (the bound holds for every N and every reference).  It is the exact KL only for
    an atomless reward distribution, and **strict** for every finite discrete
    :math:`p` and :math:`N \ge 2` (Jensen on :math:`N u^{N-1}`, which is not constant on
    any interval); equality at :math:`N = 1` (both sides 0).  Written as
    ``log_n + expm1(-log_n)`` so that it is exact for huge and for tiny
    :math:`\log N`.

    Examples
    --------
    >>> round(best_of_n_kl_bound(4), 6)
    0.636294
    >>> best_of_n_kl_bound(log_n=1e5)
    99999.0
    """
    ln = resolve_log_n(n, log_n, "n")
    return ln + math.expm1(-ln)


def best_of_n_kl_estimator(eps, n=None, *, log_n: float | None = None):
    r"""[B]'s KL estimator :math:`\hat D(\varepsilon)`, for :math:`\varepsilon \in [0, 1]`.

    .. math::

        \hat D(\varepsilon) = (1-\varepsilon)^N \Bigl[\log N + (N-1)\log(1-\varepsilon)
        - \tfrac{N-1}{N}\Bigr] + \bigl(1-(1-\varepsilon)^N\bigr)
        \log\frac{1-(1-\varepsilon)^N}{\varepsilon}.

    Source: [B], proposed estimator for the KL divergence: plug in
    :math:`\varepsilon = p(y)` for the best-of-N output :math:`y` and average over
    draws (:func:`best_of_n_kl_estimate` does the average exactly).  It is the exact
    best-of-N KL of a reference made of an atomless continuum of mass
    :math:`1-\varepsilon` plus one top-reward atom of mass :math:`\varepsilon`;
    :math:`0 \le \hat D \le \log N - (N-1)/N`, decreasing in :math:`\varepsilon`.
    Special cases: :math:`\hat D(1) = 0` (the formula reads :math:`0 \cdot (-\infty)`)
    and :math:`\hat D(0) = \log N - (N-1)/N` (the limit).  Vectorised over ``eps``.

    Examples
    --------
    >>> best_of_n_kl_estimator([1.0, 0.0], 2).round(6)  # 0 and log 2 - 1/2
    array([0.      , 0.193147])
    """
    ln = resolve_log_n(n, log_n, "n")
    e = np.asarray(eps, dtype=np.float64)
    if np.any(~np.isfinite(e)) or np.any((e < 0) | (e > 1)):
        raise ValueError("eps must lie in [0, 1]")
    frac = -math.expm1(-ln)  # (N - 1) / N
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        l1 = np.log1p(-e)
        a = -np.exp(ln + np.log(-l1))  # N log(1 - eps), without forming N
        mass_top = -np.expm1(a)
        head = np.where(np.exp(a) > 0, np.exp(a) * (ln + a - l1 - frac), 0.0)
        tail = np.where(mass_top > 0, mass_top * (np.log(mass_top) - np.log(e)), 0.0)
        out = head + tail
    bound = ln + math.expm1(-ln)
    out = np.where(e == 0, bound, out)
    out = np.where(e == 1, 0.0, out)
    return out[()] if out.ndim == 0 else out


def best_of_n_kl_estimate(p, reward, n=None, *, log_n: float | None = None,
                          ties="uniform") -> float:
    r"""Exact expectation of [B]'s estimator, :math:`E_{y\sim\pi_N}[\hat D(p(y))]`.

    The value the Monte Carlo average of :func:`best_of_n_kl_estimator` over
    best-of-N draws converges to.  [B] conjectures it is :math:`\ge D(\pi_N\|p)`
    (the conjecture check ``alignment.C6`` tests it; it is **not** asserted here).
    For a uniform reference over :math:`L` outcomes it equals :math:`\hat D(1/L)`.

    Examples
    --------
    >>> L = 10
    >>> est = best_of_n_kl_estimate(np.full(L, 1 / L), np.arange(L), 10)
    >>> round(est, 6), round(float(best_of_n_kl_estimator(1 / L, 10)), 6)
    (1.378887, 1.378887)
    """
    res = best_of_n(p, reward, n, log_n=log_n, ties=ties)
    p = probability_vector(p, "p")
    sup = p > 0
    d_hat = best_of_n_kl_estimator(p[sup], log_n=res.log_n)
    return float(res.pmf[sup] @ d_hat)


@dataclass(frozen=True)
class BestOfNGaps:
    r"""Gaps of best-of-N to its continuum values and [B]'s bounds on them.

    Attributes
    ----------
    kl_gap : float
        :math:`G = \log N - (N-1)/N - D(\pi_N\|p)` (> 0 for :math:`N \ge 2`).
    kl_gap_upper : float
        :math:`2N(N-1)\sum_y p(y)^2` ([B]: gap upper bound via the collision entropy).
    kl_gap_lower : float
        :math:`\log(N\varepsilon_\infty) - (N-1)/N`, :math:`\varepsilon_\infty` the reference
        mass of the top reward level (exact form of [B]'s lower bound).
    win_gap : float
        :math:`N/(N+1) - W(\pi_N)` (>= 0).
    win_gap_upper : float
        :math:`\tfrac{N-1}{2}\sum_y p(y)^2` ([B]: win-rate gap bound).
    """

    kl_gap: float
    kl_gap_upper: float
    kl_gap_lower: float
    win_gap: float
    win_gap_upper: float


def best_of_n_gaps(p, reward, n=None, *, log_n: float | None = None) -> BestOfNGaps:
    r"""Best-of-N KL and win-rate gaps with [B]'s upper and lower bounds.

    .. math::

        0 < \log N - \tfrac{N-1}{N} - D(\pi_N\|p) \le 2N(N-1)e^{-H_2(p)}, \quad
        \text{gap} \ge \log(N\varepsilon_\infty) - \tfrac{N-1}{N}, \quad
        0 \le \tfrac{N}{N+1} - W(\pi_N) \le \tfrac{N-1}{2} e^{-H_2(p)},

    with :math:`e^{-H_2(p)} = \sum_y p(y)^2`.  Source: [B], tightness of the KL
    bound and win rate of the best-of-n policy (cited by content; theorem numbers,
    where used, refer to the 2025 version v3).  The lower bound is the exact form (KL increases with N to
    :math:`-\log\varepsilon_\infty`).  Uniform tie convention.

    Examples
    --------
    >>> g = best_of_n_gaps([0.1, 0.2, 0.3, 0.4], [0, 1, 2, 3], 2)
    >>> round(g.win_gap, 12), round((0.1**3 + 0.2**3 + 0.3**3 + 0.4**3) / 6, 12)
    (0.016666666667, 0.016666666667)
    """
    ln = resolve_log_n(n, log_n, "n")
    if ln >= 709.0:
        raise ValueError("n: the gap bounds need N below the float range (log_n < 709)")
    res = best_of_n(p, reward, log_n=ln)
    p = probability_vector(p, "p")
    big_n = math.exp(ln)
    collision = float(p @ p)
    log_top = math.log(res.reference_level_pmf[-1])
    return BestOfNGaps(
        kl_gap=best_of_n_kl_bound(log_n=ln) - res.kl,
        kl_gap_upper=2.0 * big_n * (big_n - 1.0) * collision,
        kl_gap_lower=ln + log_top + math.expm1(-ln),
        win_gap=big_n / (big_n + 1.0) - res.win_rate,
        win_gap_upper=0.5 * (big_n - 1.0) * collision,
    )
