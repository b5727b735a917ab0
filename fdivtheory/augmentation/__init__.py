r"""Generative data augmentation (GDA): the stability bound and the binary-GMM case.

After C. Zheng, G. Wu, C. Li, *Toward Understanding Generative Data
Augmentation*, NeurIPS 2023 (arXiv:2305.17476), cited by content: theorem
numbers and the exact term list of the paper's bound are not confirmed, so the
bound is a reconstruction with its variants behind flags (docs/theory/gda.md).

* :func:`stability_bound`: the bound for a :math:`\beta`-stable learner on real plus
  generated data, term by term; :func:`gmm_bound` its binary-GMM instance
  (reproducing the authors' plotted curve with ``t_term_at_zero="notebook"``);
  :func:`faster_rate`: the abstract's faster-rate condition in numbers.
* :func:`expected_gap`: the exact expected signed NLL gap
  :math:`d(m_S + 2m_G)/m_T^2` of the authors' procedure, derived with sympy.
* :func:`simulate_gmm`: the authors' Monte Carlo (Figure 1), by drawing every
  point or only sufficient statistics (equal in law), on CPU or GPU.
* :func:`generator_tv`: :math:`d_{TV}(D, D_G(S))` of the learned Gaussian generator;
  :func:`expected_test_error`: the expected 0-1 error without augmentation.

>>> from fdivtheory.augmentation import expected_gap, gmm_bound
>>> expected_gap(50, 10, 0).total, expected_gap(50, 10, 100).exact
(5.0, '105/121')
>>> b = gmm_bound(50, 10, 0, fourth_term="notebook", t_term_at_zero="notebook",
...               notebook_compat=True)
>>> round(b.total, 2), round(b.total_t_zero, 2)   # the plotted value keeps the T term
(149.01, 28.58)
"""

from .bound import (
    FasterRate,
    GMMBound,
    StabilityBound,
    faster_rate,
    gmm_bound,
    gmm_rates,
    stability_bound,
)
from .error import expected_test_error
from .gap import ExpectedGap, expected_gap, expected_gap_expression
from .simulate import GMMSimulation, simulate_gmm
from .tv import GeneratorTV, generator_tv, tv_gaussian_diagonal_mc

__all__ = [
    "ExpectedGap",
    "FasterRate",
    "GMMBound",
    "GMMSimulation",
    "GeneratorTV",
    "StabilityBound",
    "expected_gap",
    "expected_gap_expression",
    "expected_test_error",
    "faster_rate",
    "generator_tv",
    "gmm_bound",
    "gmm_rates",
    "simulate_gmm",
    "stability_bound",
    "tv_gaussian_diagonal_mc",
]
