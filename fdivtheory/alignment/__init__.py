r"""Exact theory of KL-constrained alignment and best-of-N sampling.

Covers two papers, cited by content (theorem numbers are not confirmed):

* **[Y]** J. Q. Yang, S. Salamatian, Z. Sun, A. T. Suresh, A. Beirami,
  *Asymptotics of Language Model Alignment*, arXiv:2404.01730 (ISIT 2024):
  the KL-constrained optimum is an exponential tilt; under a memoryless
  reference and a linear reward its reward obeys an LDP whose scaled cumulants
  are Rényi cross entropies; best-of-:math:`e^{n\delta}` is asymptotically
  equivalent to it *per token*.
* **[B]** A. Beirami, A. Agarwal, J. Berant, A. D'Amour, J. Eisenstein,
  C. Nagpal, A. T. Suresh, *Theoretical Guarantees on the Best-of-n Alignment
  Policy*, arXiv:2401.01879 (v3, 29 May 2025; ICML 2025): exact best-of-N law,
  KL and win rate; :math:`\log N - (N-1)/N` is a (strict) upper bound, not the KL;
  a KL estimator.  Results are cited by content; where a theorem or section
  number of [B] is mentioned it refers to this 2025 version (v3).

Everything is exact (log-space, any :math:`N`, e.g. :math:`N = e^{10^5}`), so each
asymptotic claim can be checked to many digits; Monte Carlo
(:func:`sample_best_of_n`) is there to check the exact formulas.

Conventions chosen by the library (docs/theory/alignment.md, §1):

* best-of-N ties: ``ties="uniform"`` by default (tied draws broken uniformly at
  random, equivalently by draw index); see :func:`best_of_n`;
* win rate: a tie of rewards counts one half,
  :math:`W = P(r(Y) > r(Z)) + \tfrac12 P(r(Y) = r(Z))`;
* :math:`N` is the number of best-of draws, :math:`n` the sequence length;
  natural logarithms throughout.

Derivations, numerical methods and the reference values of the checks are in
docs/theory/alignment.md.

>>> import numpy as np
>>> from fdivtheory.alignment import best_of_n, best_of_n_kl_bound
>>> res = best_of_n([0.5, 0.5], [0.0, 1.0], 4)
>>> round(res.kl, 6), round(best_of_n_kl_bound(4), 6)   # strict, far from the folk value
(0.459356, 0.636294)
"""

from .best_of_n import (
    BestOfN,
    BestOfNGaps,
    best_of_n,
    best_of_n_gaps,
    best_of_n_kl_bound,
    best_of_n_kl_estimate,
    best_of_n_kl_estimator,
    best_of_n_level_log_pmf,
    best_of_n_level_log_ratio,
)
from .f_constrained import FConstrainedOptimum, f_constrained_optimum
from .large_deviations import legendre_maximizer, rate_function, scgf
from .memoryless import BestOfNEquivalence, MemorylessModel, RewardLaw
from .sampling import sample_best_of_n
from .tilting import (
    KLConstrainedOptimum,
    TiltedFamily,
    kl_constrained_optimum,
    log_partition,
    tilt,
    tilted_kl,
)
from .win_rate import (
    ContinuumWinRates,
    OptimalWinRate,
    continuum_optimal_win_rate,
    continuum_tilt,
    continuum_win_rates,
    win_rate,
    win_rate_optimal_tilt,
    win_rate_reward,
)

__all__ = [
    "BestOfN",
    "BestOfNEquivalence",
    "BestOfNGaps",
    "ContinuumWinRates",
    "FConstrainedOptimum",
    "KLConstrainedOptimum",
    "MemorylessModel",
    "OptimalWinRate",
    "RewardLaw",
    "TiltedFamily",
    "best_of_n",
    "best_of_n_gaps",
    "best_of_n_kl_bound",
    "best_of_n_kl_estimate",
    "best_of_n_kl_estimator",
    "best_of_n_level_log_pmf",
    "best_of_n_level_log_ratio",
    "continuum_optimal_win_rate",
    "continuum_tilt",
    "continuum_win_rates",
    "f_constrained_optimum",
    "kl_constrained_optimum",
    "legendre_maximizer",
    "log_partition",
    "rate_function",
    "sample_best_of_n",
    "scgf",
    "tilt",
    "tilted_kl",
    "win_rate",
    "win_rate_optimal_tilt",
    "win_rate_reward",
]
