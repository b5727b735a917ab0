r"""Symbolic and high-precision verification of f-divergence generators.

A generator :math:`f:(0,\infty)\to\mathbb R` defines an f-divergence only if

1. :math:`f(1) = 0`,
2. :math:`f` is convex (:math:`f'' \ge 0` where it exists),

and the numbers that the zero/support rule of :mod:`fdivtheory.divergence`
uses must be right:

* :math:`f(0^+) = \lim_{u\downarrow 0} f(u)` (``value_at_zero``),
* :math:`f'(\infty) = \lim_{u\to\infty} f(u)/u` (``slope_at_infinity``),
* :math:`f'(0^+)` (``slope_at_zero``) and :math:`f'(1)` (``slope_at_one``,
  any element of the subdifferential :math:`[f'(1^-), f'(1^+)]`).

:func:`verify` checks all of this from the generator's sympy expression
(``Generator.sympy_expr``) — exactly where sympy can decide, otherwise with
mpmath at 50 significant digits — and then checks the *numerical*
implementation against that expression: ``f``, ``df``, ``d2f``, ``f_log``,
the standardised ``perspective`` :math:`q f(p/q) - f'(1)(p-q)` and its log
form on log-spaced grids, the Fenchel conjugate

.. math::  f^*(t) = \sup_{u > 0}\,\bigl(t u - f(u)\bigr)

against a high-precision maximisation (bisection of :math:`f'(u) = t` in
:math:`\log u`, plus the boundary values :math:`u \to 0` and
:math:`u\to\infty`), and the reversal :math:`\tilde f(u) = u f(1/u)`.
:func:`conjugate_expr` derives :math:`f^*` in closed form when sympy can
solve :math:`f'(u) = t`.

The point of this module is that a wrong generator is caught at once.
TensorFlow Probability's Csiszár functions (``tfp.vi``) include generators
with :math:`f(1)\neq 0`, which are not f-divergence generators at all
(a "divergence" that is non-zero between equal distributions):

* ``jensen_shannon`` (``self_normalized=False``):
  :math:`u\log u - (1+u)\log(1+u)`, :math:`f(1) = -2\log 2`;
* ``arithmetic_geometric`` (``self_normalized=False``):
  :math:`(1+u)\log\frac{1+u}{\sqrt u}`, :math:`f(1) = 2\log 2`;
* ``modified_gan``: :math:`\log(1+u) - \log u` (+ :math:`\tfrac12(u-1)` when
  ``self_normalized=True``), :math:`f(1) = \log 2` either way.

>>> from fdivtheory.symbolic import check_tfp_defects
>>> reports = check_tfp_defects()
>>> sorted(name for name, rep in reports.items() if not rep.ok)   # every one is rejected
['tfp_arithmetic_geometric', 'tfp_jensen_shannon', 'tfp_modified_gan', 'tfp_modified_gan_normalized']
>>> print(reports["tfp_jensen_shannon"].result("f(1) = 0").detail)
sympy: f(1) = -log(4) (numeric f(1) = -1.38629)

Every shipped generator passes:

>>> import fdivtheory as fd
>>> verify(fd.get_generator("js")).ok
True
>>> conjugate_expr(fd.get_generator("kl"))
Lambda(t, exp(t - 1))

:func:`fdivtheory.register_generator` runs :func:`verify` on every user
generator; :func:`generator_from_expr` builds a complete :class:`Generator`
(numeric functions, limits) from a sympy expression.
"""

from fdivtheory.symbolic.conjugate import conjugate_expr
from fdivtheory.symbolic.construction import (
    check_tfp_defects,
    generator_from_expr,
    tfp_generators,
)
from fdivtheory.symbolic.limits import T, U
from fdivtheory.symbolic.report import CheckResult, VerificationReport
from fdivtheory.symbolic.verification import verify

__all__ = [
    "CheckResult",
    "T",
    "U",
    "VerificationReport",
    "check_tfp_defects",
    "conjugate_expr",
    "generator_from_expr",
    "tfp_generators",
    "verify",
]
