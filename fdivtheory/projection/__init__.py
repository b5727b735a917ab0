r"""MLE risk to the information projection of an exponential family, and the p–n criterion.

Covers Y. Sheena, *MLE convergence speed to information projection of
exponential family: criterion for model dimension and sample size*,
arXiv:2105.08947 (Statistical Papers, 2023), cited by content.

A model :math:`g(x;\theta) = h(x)\exp\{\theta\cdot T(x) - \psi(\theta)\}` is
fitted by maximum likelihood to data from a truth :math:`g` that need not be in
the model.  The MLE converges to the information projection :math:`\theta^*`
(moment matching, :math:`E_g T = \nabla\psi(\theta^*)`), and its risk

.. math:: R_n = E_g\, D[g_{\theta^*} \,|\, g_{\hat\theta}] = \frac{c_1}{n} + \frac{c_2}{n^2} + O(n^{-3})

has :math:`c_1 = \tfrac12\operatorname{tr}(I^{-1}J)` (:math:`p/2` when
:math:`g` is in the model) and a :math:`c_2` made of model cumulants of
:math:`T` up to order 4 and true cumulants up to order 3.
:func:`pn_criterion` turns :math:`R_n \le 8\varepsilon^2` into a decision on
whether ``n`` suffices for a ``p``-dimensional model.  The expansion is the
library's derivation, checked against exact risks; the criterion's calibration
is a reconstruction (docs/theory/pn_criterion.md).

>>> import scipy.stats as st
>>> from fdivtheory.projection import exact_risk, family, risk_expansion
>>> fam = family("normal")
>>> c = risk_expansion(fam, st.norm())                   # well specified: (p/2, 61/12)
>>> round(c.c1, 12), round(c.c2, 10)
(1.0, 5.0833333333)
>>> exact = exact_risk(fam, st.norm(), 100).risk
>>> round(exact, 8), round(c.risk(100), 8)
(0.01052588, 0.01050833)
"""

from .criterion import (
    PNCriterion,
    PNDecision,
    bayes_error_lower_bound,
    bayes_error_normal,
    pn_criterion,
    pn_decision,
)
from .exponential_family import ExponentialFamily
from .families import family
from .risk import (
    ExactRisk,
    Projection,
    RiskExpansion,
    SimulatedRisk,
    exact_risk,
    information_projection,
    risk_expansion,
    simulate_risk,
)
from .sympy_family import family_from_sympy
from .truth import Truth, as_truth

__all__ = [
    "ExactRisk",
    "ExponentialFamily",
    "PNCriterion",
    "PNDecision",
    "Projection",
    "RiskExpansion",
    "SimulatedRisk",
    "Truth",
    "as_truth",
    "bayes_error_lower_bound",
    "bayes_error_normal",
    "exact_risk",
    "family",
    "family_from_sympy",
    "information_projection",
    "pn_criterion",
    "pn_decision",
    "risk_expansion",
    "simulate_risk",
]
