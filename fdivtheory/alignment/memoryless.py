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

from fdivtheory._arguments import choice, nonnegative, positive_int, probability_vector

from ._logspace import (
    binomial_logpmf,
    kl_from_logs,
    log_cumsum,
    log_multinomial_coefficients,
    logsumexp,
)
from ._validation import as_reward, resolve_log_n
from .best_of_n import best_of_n_level_log_pmf, best_of_n_level_log_ratio
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
    # (reference law, log N) of a best-of-N law: its KL to that reference uses the
    # dedicated log-ratio formula when N is close to 1 (docs/theory/alignment.md, §4)
    _ratio: tuple | None = field(default=None, repr=False, compare=False)

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
        k = positive_int(k, "k", allow_integral_float=True)
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

    def _aligned(self, other: RewardLaw) -> tuple[np.ndarray, np.ndarray]:
        """Both log-pmfs on a common support (matched by value)."""
        if self.support is other.support or (
                self.support.shape == other.support.shape
                and np.array_equal(self.support, other.support)):
            return self.log_pmf, other.log_pmf
        union = np.union1d(self.support, other.support)
        a = np.full(union.size, -np.inf)
        b = np.full(union.size, -np.inf)
        a[np.searchsorted(union, self.support)] = self.log_pmf
        b[np.searchsorted(union, other.support)] = other.log_pmf
        return a, b

    def log_loss_rate(self, other: RewardLaw) -> float:
        r""":math:`\log(1 - W)`, :math:`W` the win rate of ``self`` against ``other``.

        :math:`1 - W = \sum_v P(v)\,\tfrac12[Q(R > v) + Q(R \ge v)]`, summed in log
        space, so it stays exact when :math:`1 - W` is far below one ulp of 1
        (best-of-:math:`e^{10^5}`).
        """
        a, b = self._aligned(other)
        sf_incl = log_cumsum(b[::-1])[::-1]
        sf_strict = np.concatenate([sf_incl[1:], [-np.inf]])
        with np.errstate(invalid="ignore"):
            half = np.logaddexp(sf_strict, sf_incl) - math.log(2.0)
        return logsumexp(a + half)

    def win_rate(self, other: RewardLaw) -> float:
        r"""Win rate :math:`P(X > Y) + \tfrac12 P(X = Y)`, X ~ ``self``, Y ~ ``other`` independent.

        Against the reference law this is [B]'s win rate of the policy (ties
        counted one half); computed as ``-expm1(log_loss_rate)``.
        """
        return -math.expm1(self.log_loss_rate(other))

    def kl(self, other: RewardLaw) -> float:
        r""":math:`D(\text{self}\|\text{other}) = \sum_v P(v)\log(P(v)/Q(v))`.

        ``inf`` when ``self`` is not absolutely continuous w.r.t. ``other``;
        supports are matched by value.  Computed as
        :math:`\sum_v Q(v)\,\psi(\log(P(v)/Q(v)))` (docs/theory/alignment.md, §6).
        """
        if self._ratio is not None and other is self._ratio[0]:
            rho = best_of_n_level_log_ratio(other.log_pmf, self._ratio[1], log_bon=self.log_pmf)
            return kl_from_logs(self.log_pmf, other.log_pmf, rho)
        return kl_from_logs(*self._aligned(other))


@dataclass(frozen=True)
class BestOfNEquivalence:
    r"""Best-of-N versus the KL-optimal policy at :math:`\log N = n\delta`.

    Returned by :meth:`MemorylessModel.equivalence`.

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
        r""":math:`E_{\pi_N} R_n / n`, tends to :math:`x_\delta`."""
        return self.bon_reward / self.length

    @property
    def identity_residual(self) -> float:
        r"""Residual of the exact identity of [Y] (docs/theory/alignment.md, §2), ~0 to rounding.

        :math:`D(\pi_N\|\phi) = D(\pi_N\|p) - D(\phi\|p) + \lambda\,(E_\phi R_n - E_{\pi_N} R_n)`.
        """
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


def _integer_lattice(v: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Offsets ``(v - v[0]) / g`` and ``g`` if the rewards are integers, else None."""
    if np.any(np.abs(v) > 2.0**52) or np.any(v != np.round(v)):
        return None
    d = (v - v[0]).astype(np.int64)
    g = int(np.gcd.reduce(d[1:]))
    return d // g, g


def _reachable(offsets: np.ndarray, n: int) -> np.ndarray:
    """Which points ``0..n max(offsets)`` are sums of ``n`` offsets (boolean convolution)."""
    span = int(offsets.max())
    cur = np.ones(1, dtype=bool)
    for _ in range(n):
        new = np.zeros(cur.size + span, dtype=bool)
        for m in offsets:
            new[m:m + cur.size] |= cur
        cur = new
    return cur


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


class _LawStructure:
    """What the exact law of ``R_n`` needs besides the letter weights.

    Built once per model from the distinct letter rewards; :meth:`log_pmf`
    then gives the law of ``R_n`` for any letter law with the same support
    (the reference, or a tilt of it) on the same support grid.
    """

    def __init__(self, values: np.ndarray, n: int, method: str):
        self.values, self.n = values, n
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
            method = "point"
        self.method = method
        if method == "point":
            self.support = np.array([n * values[0]])
        elif method == "binomial":
            if k != 2:
                raise ValueError(f"method: 'binomial' needs two distinct rewards on supp p, "
                                 f"got {k}")
            self.support = n * values[0] + np.arange(n + 1) * (values[1] - values[0])
        elif method == "convolution":
            if lattice is None:
                raise ValueError("method: 'convolution' needs integer rewards")
            self.offsets, g = lattice
            size = n * int(self.offsets.max()) + 1
            self.keep = _reachable(self.offsets, n)
            self.support = (n * values[0] + g * np.arange(size, dtype=np.float64))[self.keep]
        else:
            count = math.comb(n + k - 1, k - 1)
            if count > _MAX_TYPES:
                raise ValueError(f"length: {count} types exceed the limit {_MAX_TYPES}; use "
                                 "integer rewards (convolution) or a shorter length")
            self.comp = _compositions(n, k)
            self.log_coef = log_multinomial_coefficients(self.comp)
            totals = self.comp @ values
            tol = 32 * np.finfo(float).eps * n * float(np.max(np.abs(values)))
            self.order = np.argsort(totals, kind="stable")
            v = totals[self.order]
            self.starts = np.flatnonzero(np.concatenate([[True], np.diff(v) > tol]))
            self.group = np.repeat(np.arange(self.starts.size),
                                   np.diff(np.concatenate([self.starts, [v.size]])))
            self.support = v[self.starts]

    def log_pmf(self, log_w: np.ndarray) -> np.ndarray:
        """Normalised log-pmf of ``R_n`` on :attr:`support` for letter log-weights ``log_w``."""
        if self.method == "point":
            return np.zeros(1)
        if self.method == "binomial":
            out = binomial_logpmf(self.n, math.exp(log_w[1]), math.exp(log_w[0]))
        elif self.method == "convolution":
            out = _convolve_log(self.offsets, log_w, self.n)[self.keep]
        else:
            lw = (self.log_coef + self.comp @ log_w)[self.order]
            mx = np.maximum.reduceat(lw, self.starts)
            with np.errstate(under="ignore"):
                out = mx + np.log(np.add.reduceat(np.exp(lw - mx[self.group]), self.starts))
        return out - logsumexp(out)


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
        p = probability_vector(self.p, "p")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "reward", as_reward(self.reward, p.size, "reward"))
        object.__setattr__(self, "length", positive_int(self.length, "length", allow_integral_float=True))
        choice(self.method, "method", _METHODS)

    def _structure(self) -> tuple[_LawStructure, np.ndarray]:
        if "structure" not in self._cache:
            sup = self.p > 0
            values, inverse = np.unique(self.reward[sup], return_inverse=True)
            mass = np.bincount(inverse, weights=self.p[sup], minlength=values.size)
            self._cache["structure"] = (_LawStructure(values, self.length, self.method),
                                        np.log(mass))
        return self._cache["structure"]

    @property
    def reference(self) -> RewardLaw:
        r"""Law of :math:`R_n` under the reference :math:`p^{\otimes n}`."""
        if "reference" not in self._cache:
            st, log_mass = self._structure()
            self._cache["reference"] = RewardLaw(st.support, st.log_pmf(log_mass))
        return self._cache["reference"]

    @property
    def law_method(self) -> str:
        """Method used for the exact laws (``"point"`` for a constant reward)."""
        return self._structure()[0].method

    def optimum(self, delta_total: float) -> KLConstrainedOptimum:
        r"""Single-letter optimum at per-token budget :math:`\delta = \Delta/n`.

        :math:`\phi_\Delta = p_\lambda^{\otimes n}`: the same :math:`\lambda` at every
        position ([Y], memoryless case); saturation at
        :math:`\Delta \ge -n\log p(\arg\max r)`.
        """
        delta_total = nonnegative(delta_total, "delta_total", allow_inf=True)
        return kl_constrained_optimum(self.p, self.reward, delta_total / self.length)

    def tilted(self, delta_total: float) -> RewardLaw:
        r"""Law of :math:`R_n` under the KL-optimal policy :math:`\phi_\Delta`, Δ = ``delta_total``.

        :math:`P_{\phi_\Delta}(R_n = v) \propto P_p(R_n = v)\, e^{\lambda v}`: computed
        as the law of :math:`R_n` under the tilted letters :math:`p_\lambda` by the
        reference's method (this avoids the cancellation of :math:`\log P_p \sim -n`
        against :math:`\lambda v \sim n`), or by reweighting when a tilted letter
        weight is below :math:`e^{-600}`.  Saturated budget: point mass on :math:`n r_{\max}`.
        """
        return self._tilted_at(self.optimum(delta_total).lam)

    def _tilted_at(self, lam: float) -> RewardLaw:
        ref = self.reference
        if lam == 0:
            return ref
        if math.isinf(lam):
            log_pmf = np.full(ref.support.size, -np.inf)
            log_pmf[-1] = 0.0
            return RewardLaw(ref.support, log_pmf)
        st, log_mass = self._structure()
        log_w = log_mass + lam * (st.values - st.values[-1])
        log_w = log_w - logsumexp(log_w)
        if np.min(log_w) > -600.0:
            # the law of R_n under the tilted letters, as accurate as the reference
            return RewardLaw(ref.support, st.log_pmf(log_w))
        # letter weights near underflow: exact reweighting of the reference law instead
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
        return RewardLaw(ref.support, best_of_n_level_log_pmf(ref.log_pmf, ln), (ref, ln))

    def equivalence(self, delta: float, *, budget: str = "logN") -> BestOfNEquivalence:
        r"""Best-of-:math:`e^{n\delta}` versus the KL-optimal policy (exact, finite :math:`n`).

        [Y], main results: with :math:`\log N = \Delta = n\delta`, per-token rewards
        agree in the limit and :math:`\tfrac1n D(\pi_N\|\phi_\Delta) \to 0`.  The
        unnormalised :math:`D(\pi_N\|\phi_\Delta)` grows like :math:`\tfrac12\log n`
        (docs/theory/alignment.md, §5; never assert it converges).  ``budget="logN"`` (default) uses
        :math:`\Delta = \log N`; ``"bon_bound"`` uses :math:`\Delta = \log N - (N-1)/N`.
        """
        delta = nonnegative(delta, "delta", allow_inf=True)
        choice(budget, "budget", ("logN", "bon_bound"))
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
