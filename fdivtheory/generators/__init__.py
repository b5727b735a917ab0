r"""f-divergence generators.

A *generator* is a convex function :math:`f:(0,\infty)\to\mathbb R` with
:math:`f(1)=0`.  It induces the f-divergence between finite measures

.. math::  D_f(P\,\|\,Q) = \sum_i q_i\, f\!\left(\frac{p_i}{q_i}\right),

with the measure-theoretic conventions of :mod:`fdivtheory.divergence`
(``0 f(0/0) = 0``, ``q f(0/q) = q f(0^+)``, ``0 f(p/0) = p f'(\infty)``).

Every generator is a frozen :class:`Generator` carrying

* ``f``, ``f_log`` (``f(exp(t))`` computed stably), ``df`` (f'), ``d2f`` (f''),
  ``df_inv`` (the inverse of f', where f is strictly convex);
* ``value_at_zero`` = f(0+), ``slope_at_infinity`` = f'(∞) = lim f(u)/u,
  ``slope_at_zero`` = f'(0+);
* ``conjugate(t)`` = the Fenchel conjugate :math:`f^*(t)=\sup_{u\ge 0}\,(tu-f(u))`
  (+inf outside ``conjugate_domain``);
* ``reversed()`` (:math:`u f(1/u)`, the divergence with its arguments swapped —
  *not* called a "dual" here), ``symmetrized()`` (:math:`f + u f(1/u)`),
  ``standardized()`` (:math:`f(u) - f'(1)(u-1)`), ``scaled(c)``;
* ``sympy_expr(u)``, used by :mod:`fdivtheory.symbolic` to verify it;
* flags ``symmetric``, ``bounded``, ``sqrt_is_metric`` and references.

The registry :func:`get_generator` knows every shipped generator by name and
alias; :func:`register_generator` adds a user generator after verifying it
symbolically (f(1) = 0, convexity, limits, conjugate).

Shipped generators (name: f(u); divergence)

===================  ======================================================================  ==========================================
``kl``               :math:`u\log u`                                                         Kullback–Leibler KL(P‖Q)
``reverse_kl``       :math:`-\log u`                                                         KL(Q‖P)
``js``               :math:`\tfrac12[u\log u-(u+1)\log\tfrac{u+1}2]`                         Jensen–Shannon, ≤ log 2
``skew_js(pi)``      :math:`\pi u\log\frac{u}{m}+(1-\pi)\log\frac1m`, :math:`m=\pi u+1-\pi`  π KL(P‖M) + (1−π) KL(Q‖M), M = πP + (1−π)Q
``tv``               :math:`\tfrac12|u-1|`                                                   total variation ½‖P−Q‖₁
``pearson``          :math:`(u-1)^2`                                                         Pearson χ² = Σ(p−q)²/q
``neyman``           :math:`(u-1)^2/u`                                                       Neyman χ² = Σ(p−q)²/p
``hellinger_sq``     :math:`c(\sqrt u-1)^2` (``scale=c``, default 1)                         Σ(√p−√q)² ∈ [0, 2]
``jeffreys``         :math:`(u-1)\log u`                                                     KL(P‖Q) + KL(Q‖P)
``le_cam``           :math:`(u-1)^2/(2(u+1))`                                                ½Σ(p−q)²/(p+q) ∈ [0, 1]
``triangular``       :math:`(u-1)^2/(u+1)`                                                   Σ(p−q)²/(p+q) = 2 Le Cam
``hockey_stick(g)``  :math:`(u-\gamma)_+`, γ ≥ 1                                             E_γ = Σ(p−γq)₊
``chi_alpha(a)``     :math:`|u-1|^a`, a ≥ 1                                                  χ^a (Vajda)
``power(beta)``      :math:`\frac{u^\beta-1-\beta(u-1)}{\beta(\beta-1)}`                     α/power family, β=1 KL, β=0 rev. KL
===================  ======================================================================  ==========================================

``power_family(alpha, convention)`` maps the three common parametrisations
onto ``power(beta)``:

* ``"cressie_read"`` (λ): β = λ + 1 (Cressie & Read 1984; scipy.stats.power_divergence);
* ``"amari"`` (α): β = (1 − α)/2, α = −1 → KL(P‖Q), α = 1 → KL(Q‖P) (Amari 1985);
* ``"tsallis"`` (α > 0): :math:`(u^\alpha-1-\alpha(u-1))/(\alpha-1) = \alpha f_{\beta=\alpha}`
  (Tsallis relative entropy; α = 2 gives Pearson χ²).

Pitfalls avoided: TensorFlow Probability's Jensen–Shannon, arithmetic–geometric
and modified-GAN generators have f(1) ≠ 0; its Jeffreys is half the usual one.
Here every generator satisfies f(1) = 0 (checked symbolically in the tests),
Jeffreys is the full KL(P‖Q) + KL(Q‖P), and Pearson/Neyman follow the
convention above (Pearson divides by q, the second argument).

References: Csiszár (1967); Ali & Silvey (1966); Liese & Vajda (2006),
"On divergences and informations in statistics and information theory";
Polyanskiy & Wu, *Information Theory* (2024), ch. 7.

Layout: :mod:`~fdivtheory.generators.generator` (the :class:`Generator`
class and the derived generators), one module per kind of shipped generator
(:mod:`~fdivtheory.generators.logarithmic`, :mod:`~fdivtheory.generators.algebraic`,
:mod:`~fdivtheory.generators.piecewise_linear`, :mod:`~fdivtheory.generators.power`),
:mod:`~fdivtheory.generators.registry` (names, aliases, user generators).
Cancellation-free scalar pieces shared with the closed forms live in
``fdivtheory._special``.
"""

from fdivtheory.generators.generator import Generator
from fdivtheory.generators.power import power_family
from fdivtheory.generators.registry import (
    available_generators,
    get_generator,
    register_generator,
)

__all__ = [
    "Generator",
    "available_generators",
    "get_generator",
    "power_family",
    "register_generator",
]
