r"""Exact laws of the total reward of a memoryless language model.

Reference :math:`p^{\otimes n}` on :math:`\mathcal Y^n`, linear reward
:math:`R_n = \sum_i r(y_i)` ([Y]'s setting).  :class:`MemorylessModel` gives the
*exact* law of :math:`R_n` under the reference, under the KL-optimal policy
:math:`\phi_\Delta = p_\lambda^{\otimes n}` and under best-of-N, as
:class:`RewardLaw` objects holding log-probabilities, so that tails like
:math:`e^{-10^5}` and :math:`N = e^{10^5}` are handled without underflow.

Methods for the reference law (letters with equal reward are merged first):

* two distinct rewards: binomial, Loader's saddle-point log-pmf (exact to a few ulps);
* integer rewards: ``n``-fold convolution in log space (never FFT: its absolute
  error ~1e-16 destroys tails);
* otherwise: multinomial types, :math:`\binom{n+K-1}{K-1}` of them, sorted by reward and
  merged (equal rewards to within ``32 eps n max|r|``).

Because every law of the model is a function of :math:`R_n` times the reference
(:math:`\phi_\Delta/p^{\otimes n}` and :math:`\pi_N/p^{\otimes n}` are constant on reward
levels; uniform tie-breaking for best-of-N), KL divergences between them equal
the KL divergences of these reward laws.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from ._logspace import (
    binomial_logpmf,
    log_cumsum,
    log_multinomial_coefficients,
    logsumexp,
)
from ._validation import as_nonnegative, as_pmf, as_positive_int, as_reward, resolve_log_n
from .best_of_n import best_of_n_level_log_pmf
from .tilting import KLConstrainedOptimum, kl_constrained_optimum

__all__ = ["BestOfNEquivalence", "MemorylessModel", "RewardLaw"]

_METHODS = ("auto", "binomial", "convolution", "types")
_MAX_TYPES = 30_000_000
_TAIL_RTOL = 1e-12


@dataclass(frozen=True, eq=False)
class RewardLaw:
    r"""Law of a real random variable with finite support, stored as log-probabilities.

    Attributes
    ----------
    support : ndarray
        Increasing distinct values.
    log_pmf : ndarray
        :math:`\log P(R = v)` for each support value (``-inf`` allowed).

    Examples
    --------
    >>> law = RewardLaw(np.array([0.0, 1.0]), np.log([0.25, 0.75]))
    >>> law.expected_reward, float(law.tail(1.0)), law.cumulant(2)
    (0.75, 0.75, 0.1875)
    """

    support: np.ndarray
    log_pmf: np.ndarray

    @functools.cached_property
    def pmf(self) -> np.ndarray:
        """:math:`P(R = v)`."""
        with np.errstate(under="ignore"):
            return np.exp(self.log_pmf)

    @functools.cached_property
    def _log_sf_incl(self) -> np.ndarray:
        return log_cumsum(self.log_pmf[::-1])[::-1]

    @functools.cached_property
    def expected_reward(self) -> float:
        """:math:`E R`."""
        return float(self.pmf @ self.support)

    def cumulant(self, k: int) -> float:
        r"""The ``k``-th cumulant :math:`\kappa_k` (from central moments, ``k >= 1``).

        Recursion :math:`\kappa_m = \mu_m - \sum_{j=2}^{m-2}\binom{m-1}{j-1}\kappa_j\mu_{m-j}`
        on central moments :math:`\mu_j`; :math:`\kappa_1` is the mean.
        """
        k = as_positive_int(k, "k")
        mean = self.expected_reward
        if k == 1:
            return mean
        d = self.support - mean
        mu = [1.0, 0.0] + [float(self.pmf @ d**j) for j in range(2, k + 1)]
        kap = [0.0, mean]
        for m in range(2, k + 1):
            kap.append(mu[m] - sum(math.comb(m - 1, j - 1) * kap[j] * mu[m - j]
                                   for j in range(2, m - 1)))
        return kap[k]

    def log_tail(self, x):
        r""":math:`\log P(R \ge x)` from log-space cumulative sums (no underflow).

        Support values within a relative ``1e-12`` of ``x`` count as :math:`\ge x`,
        so that :math:`x = n t` computed in floating point does not drop the atom
        at :math:`n t`.  Vectorised over ``x``.
        """
        xs = np.asarray(x, dtype=np.float64)
        shifted = xs - _TAIL_RTOL * np.maximum(1.0, np.abs(xs))
        idx = np.searchsorted(self.support, shifted, side="left")
        ext = np.concatenate([self._log_sf_incl, [-np.inf]])
        out = ext[idx]
        return out[()] if out.ndim == 0 else out

    def tail(self, x):
        r""":math:`P(R \ge x)` (see :meth:`log_tail`)."""
        with np.errstate(under="ignore"):
            return np.exp(self.log_tail(x))

    def kl(self, other: RewardLaw) -> float:
        r""":math:`D(\text{self}\|\text{other}) = \sum_v P(v)\log(P(v)/Q(v))`; ``inf`` if not absolutely continuous."""
        if self.support is other.support or (
                self.support.shape == other.support.shape
                and np.array_equal(self.support, other.support)):
            a, b = self.log_pmf, other.log_pmf
        else:
            union = np.union1d(self.support, other.support)
            a = np.full(union.size, -np.inf)
            b = np.full(union.size, -np.inf)
            a[np.searchsorted(union, self.support)] = self.log_pmf
            b[np.searchsorted(union, other.support)] = other.log_pmf
        pos = a > -np.inf
        if np.any(b[pos] == -np.inf):
            return math.inf
        with np.errstate(under="ignore"):
            w = np.exp(a[pos])
        return float(w @ (a[pos] - b[pos]))


@dataclass(frozen=True)
class BestOfNEquivalence:
    r"""Best-of-N versus the KL-optimal policy at :math:`\log N = n\delta` (see :meth:`MemorylessModel.equivalence`).

    Attributes
    ----------
    length, delta, log_n : int, float, float
        :math:`n`, per-token :math:`\delta`, :math:`\log N = n\delta`.
    budget : float
        :math:`\Delta` used for :math:`\phi_\Delta`: :math:`\log N` (``"logN"``) or
        :math:`\log N - (N-1)/N` (``"bon_bound"``).
    lam : float
        Single-letter tilt :math:`\lambda` with :math:`D(p_\lambda\|p) = \Delta/n`.
    tilted_reward, bon_reward : float
        :math:`E_{\phi_\Delta} R_n` and :math:`E_{\pi_N} R_n`.
    kl_bon_tilted : float
        :math:`D(\pi_N\|\phi_\Delta)`, grows like :math:`\tfrac12\log n`.
    kl_bon_reference : float
        :math:`D(\pi_N\|p^{\otimes n}) \le \log N - (N-1)/N`.
    kl_tilted_reference : float
        :math:`D(\phi_\Delta\|p^{\otimes n})` (:math:`= \Delta` unless saturated).
    """

    length: int
    delta: float
    log_n: float
    budget: float
    lam: float
    tilted_reward: float
    bon_reward: float
    kl_bon_tilted: float
    kl_bon_reference: float
    kl_tilted_reference: float

    @property
    def reward_gap(self) -> float:
        r""":math:`E_{\phi_\Delta} R_n - E_{\pi_N} R_n` (:math:`\approx \log n / (2\lambda)`)."""
        return self.tilted_reward - self.bon_reward

    @property
    def bon_reward_per_token(self) -> float:
        """:math:`E_{\\pi_N} R_n / n`, tends to :math:`x_\\delta`."""
        return self.bon_reward / self.length

    @property
    def identity_residual(self) -> float:
        r"""Residual of the exact identity :math:`D(\pi_N\|\phi) = D(\pi_N\|p) - D(\phi\|p) + \lambda\,\text{gap}`."""
        return (self.kl_bon_reference - self.kl_tilted_reference + self.lam * self.reward_gap
                - self.kl_bon_tilted)


def _compositions(n: int, k: int) -> np.ndarray:
    """All non-negative integer vectors of length ``k`` summing to ``n`` (rows)."""
    rows = np.zeros((1, 0), dtype=np.int64)
    used = np.zeros(1, dtype=np.int64)
    for _ in range(k - 1):
        counts = n - used + 1
        rep = np.repeat(np.arange(rows.shape[0]), counts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        new = np.arange(rep.size) - starts
        rows = np.column_stack([rows[rep], new])
        used = used[rep] + new
    return np.column_stack([rows, n - used])


def _merge_sorted(values: np.ndarray, log_w: np.ndarray, tol: float):
    order = np.argsort(values, kind="stable")
    v, lw = values[order], log_w[order]
    starts = np.flatnonzero(np.concatenate([[True], np.diff(v) > tol]))
    mx = np.maximum.reduceat(lw, starts)
    ids = np.repeat(np.arange(starts.size), np.diff(np.concatenate([starts, [v.size]])))
    with np.errstate(under="ignore"):
        s = np.add.reduceat(np.exp(lw - mx[ids]), starts)
    return v[starts], mx + np.log(s)


def _integer_lattice(v: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Offsets ``(v - v[0]) / g`` and ``g`` if the rewards are integers, else None."""
    if np.any(np.abs(v) > 2.0**52) or np.any(v != np.round(v)):
        return None
    d = (v - v[0]).astype(np.int64)
    g = int(np.gcd.reduce(d[1:]))
    return d // g, g


def _convolve_log(offsets: np.ndarray, log_w: np.ndarray, n: int) -> np.ndarray:
    """Log-pmf of the sum of ``n`` i.i.d. lattice steps (offsets >= 0) by log-space convolution."""
    span = int(offsets.max())
    cur = np.zeros(1)
    with np.errstate(invalid="ignore"):
        for _ in range(n):
            new = np.full(cur.size + span, -np.inf)
            for m, lw in zip(offsets, log_w, strict=True):
                seg = new[m:m + cur.size]
                np.logaddexp(seg, cur + lw, out=seg)
            cur = new
    return cur


def _reference_law(p: np.ndarray, r: np.ndarray, n: int, method: str):
    sup = p > 0
    values, inverse = np.unique(r[sup], return_inverse=True)
    mass = np.bincount(inverse, weights=p[sup], minlength=values.size)
    log_w = np.log(mass)
    k = values.size
    lattice = _integer_lattice(values) if k >= 2 else None
    if method == "auto":
        if k <= 2:
            method = "binomial"
        elif lattice is not None:
            conv_cost = k * n * n * int(lattice[0].max()) / 2
            types_cost = 30.0 * math.comb(n + k - 1, k - 1)
            method = "convolution" if conv_cost <= types_cost else "types"
        else:
            method = "types"
    if k == 1:
        return np.array([n * values[0]]), np.zeros(1), "point"
    if method == "binomial":
        if k != 2:
            raise ValueError(f"method: 'binomial' needs two distinct rewards on supp p, got {k}")
        support = n * values[0] + np.arange(n + 1) * (values[1] - values[0])
        return support, binomial_logpmf(n, mass[1], mass[0]), method
    if method == "convolution":
        if lattice is None:
            raise ValueError("method: 'convolution' needs integer rewards")
        offsets, g = lattice
        log_pmf = _convolve_log(offsets, log_w, n)
        support = n * values[0] + g * np.arange(log_pmf.size, dtype=np.float64)
        keep = log_pmf > -np.inf
        return support[keep], log_pmf[keep], method
    count = math.comb(n + k - 1, k - 1)
    if count > _MAX_TYPES:
        raise ValueError(f"length: {count} types exceed the limit {_MAX_TYPES}; use integer "
                         "rewards (convolution) or a shorter length")
    comp = _compositions(n, k)
    lw = log_multinomial_coefficients(comp) + comp @ log_w
    totals = comp @ values
    tol = 32 * np.finfo(float).eps * n * float(np.max(np.abs(values)))
    support, log_pmf = _merge_sorted(totals, lw, tol)
    return support, log_pmf, "types"


@dataclass(frozen=True, eq=False)
class MemorylessModel:
    r"""Memoryless reference :math:`p^{\otimes n}` with a linear reward :math:`\sum_i r(y_i)`.

    Parameters
    ----------
    p : array_like
        Single-letter pmf on the alphabet.
    reward : array_like
        Per-letter reward, same length as ``p``.
    length : int
        Sequence length :math:`n \ge 1`.
    method : {"auto", "binomial", "convolution", "types"}
        How the exact reference law of :math:`R_n` is computed (module
        docstring); ``"auto"`` picks binomial for two rewards, else the cheaper
        of log-space convolution (integer rewards) and types.

    Attributes
    ----------
    reference : RewardLaw
        Law of :math:`R_n` under :math:`p^{\otimes n}`.
    law_method : str
        The method used.

    Examples
    --------
    >>> m = MemorylessModel([0.7, 0.3], [0.0, 1.0], 20)
    >>> round(m.best_of_n(8).expected_reward, 10)
    8.9792158307
    >>> round(m.tilted(2.0).expected_reward / 20, 6)  # per-token x_delta at delta = 0.1
    0.514629
    """

    p: np.ndarray
    reward: np.ndarray
    length: int
    method: str = "auto"
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        p = as_pmf(self.p, "p")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "reward", as_reward(self.reward, p.size, "reward"))
        object.__setattr__(self, "length", as_positive_int(self.length, "length"))
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}")

    def _ref(self):
        if "ref" not in self._cache:
            support, log_pmf, used = _reference_law(self.p, self.reward, self.length, self.method)
            log_pmf = log_pmf - logsumexp(log_pmf)
            self._cache["ref"] = (RewardLaw(support, log_pmf), used)
        return self._cache["ref"]

    @property
    def reference(self) -> RewardLaw:
        r"""Law of :math:`R_n` under the reference :math:`p^{\otimes n}`."""
        return self._ref()[0]

    @property
    def law_method(self) -> str:
        """Method used for the reference law (``"point"`` for a constant reward)."""
        return self._ref()[1]

    def optimum(self, delta_total: float) -> KLConstrainedOptimum:
        r"""Single-letter optimum at per-token budget :math:`\delta = \Delta/n`.

        :math:`\phi_\Delta = p_\lambda^{\otimes n}`: the same :math:`\lambda` at every
        position ([Y], memoryless case); saturation at
        :math:`\Delta \ge -n\log p(\arg\max r)`.
        """
        delta_total = as_nonnegative(delta_total, "delta_total")
        return kl_constrained_optimum(self.p, self.reward, delta_total / self.length)

    def tilted(self, delta_total: float) -> RewardLaw:
        r"""Law of :math:`R_n` under the KL-optimal policy :math:`\phi_\Delta`, :math:`\Delta` = ``delta_total``.

        :math:`P_{\phi_\Delta}(R_n = v) \propto P_p(R_n = v)\, e^{\lambda v}` (exact
        reweighting of the reference law, normalised in log space).
        """
        return self._tilted_at(self.optimum(delta_total).lam)

    def _tilted_at(self, lam: float) -> RewardLaw:
        ref = self.reference
        if math.isinf(lam):
            log_pmf = np.full(ref.support.size, -np.inf)
            log_pmf[-1] = 0.0
            return RewardLaw(ref.support, log_pmf)
        a = ref.log_pmf + lam * (ref.support - ref.support[-1])
        return RewardLaw(ref.support, a - logsumexp(a))

    def best_of_n(self, n=None, *, log_n: float | None = None) -> RewardLaw:
        r"""Law of :math:`R_n` under best-of-N (:math:`N` = ``n`` or :math:`e^{\text{log\_n}}`).

        :math:`P_N(k) = F_k^N - F_{k-1}^N` on the reward levels of the reference,
        computed stably for any :math:`N` ([B]'s formula with uniform tie-breaking;
        :func:`best_of_n_level_log_pmf`).  Its KL to :attr:`reference` is the
        sequence-level :math:`D(\pi_N\|p^{\otimes n})`.
        """
        ln = resolve_log_n(n, log_n, "n")
        ref = self.reference
        return RewardLaw(ref.support, best_of_n_level_log_pmf(ref.log_pmf, ln))

    def equivalence(self, delta: float, *, budget: str = "logN") -> BestOfNEquivalence:
        r"""Best-of-:math:`e^{n\delta}` versus the KL-optimal policy (exact, finite :math:`n`).

        [Y], main results: with :math:`\log N = \Delta = n\delta`, per-token rewards
        agree in the limit and :math:`\tfrac1n D(\pi_N\|\phi_\Delta) \to 0`.  The
        unnormalised :math:`D(\pi_N\|\phi_\Delta)` grows like :math:`\tfrac12\log n`
        (spec §2.6; never assert it converges).  ``budget="logN"`` (default) uses
        :math:`\Delta = \log N`; ``"bon_bound"`` uses :math:`\Delta = \log N - (N-1)/N`.
        """
        delta = as_nonnegative(delta, "delta")
        if budget not in ("logN", "bon_bound"):
            raise ValueError(f"budget must be 'logN' or 'bon_bound', got {budget!r}")
        ln = self.length * delta
        total = ln if budget == "logN" else ln + math.expm1(-ln)
        opt = self.optimum(total)
        tilted = self._tilted_at(opt.lam)
        bon = self.best_of_n(log_n=ln)
        ref = self.reference
        return BestOfNEquivalence(
            length=self.length, delta=delta, log_n=ln, budget=total, lam=opt.lam,
            tilted_reward=self.length * opt.expected_reward, bon_reward=bon.expected_reward,
            kl_bon_tilted=bon.kl(tilted), kl_bon_reference=bon.kl(ref),
            kl_tilted_reference=self.length * opt.kl)

    def sequences(self) -> tuple[np.ndarray, np.ndarray]:
        """Joint pmf and total reward of all :math:`|\\mathcal Y|^n` sequences (brute force).

        Sequences in lexicographic order of letter indices (``itertools.product``),
        so ``best_of_n(*model.sequences(), N, ties="lexicographic")`` breaks ties
        towards the lexicographically larger sequence.  Limited to 10^6 sequences.
        """
        k, n = self.p.size, self.length
        if k**n > 1_000_000:
            raise ValueError(f"length: {k}^{n} sequences exceed the brute-force limit 10^6")
        idx = np.array(list(itertools.product(range(k), repeat=n)), dtype=np.int64)
        return np.prod(self.p[idx], axis=1), self.reward[idx].sum(axis=1)
