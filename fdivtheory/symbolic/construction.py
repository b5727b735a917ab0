r"""Generators built from sympy expressions, and TensorFlow Probability's generators."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from fdivtheory.generators import Generator
from fdivtheory.symbolic.limits import _NONSMOOTH, U, _analyse, _limit, _to_mpf
from fdivtheory.symbolic.report import VerificationReport
from fdivtheory.symbolic.verification import _one_sided_slopes, verify

__all__ = ["check_tfp_defects", "generator_from_expr", "tfp_generators"]

# ---------------------------------------------------------------------------

def _xp_lambdify(expr: Any) -> Callable[[Any, Any], Any]:
    cache: dict[int, Callable] = {}

    def fn(u: Any, xp: Any) -> Any:
        f = cache.get(id(xp))
        if f is None:
            f = sp.lambdify(U, expr, modules=[{"numpy": xp}], printer=NumPyPrinter)
            cache[id(xp)] = f
        out = f(u)
        return out if hasattr(out, "shape") and out.shape == u.shape else (
            xp.zeros_like(u) + out)

    return fn


def _float_limit(v: Any) -> float:
    if v is None:
        raise ValueError("sympy could not find the limit; pass it explicitly")
    return float(_to_mpf(v))


def generator_from_expr(name: str, expr: Callable[[Any], Any] | Any, **attrs: Any
                        ) -> Generator:
    r"""A :class:`Generator` from a sympy expression of f.

    ``expr`` is ``f`` as a callable ``u -> sympy expression`` or an
    expression in :data:`U` (the positive symbol ``u``).  ``f``, ``f'`` and
    ``f''`` are compiled for any array namespace; ``value_at_zero``,
    ``slope_at_infinity``, ``slope_at_zero`` and ``slope_at_one`` are the
    sympy limits unless given in ``attrs`` (which may also set any other
    :class:`Generator` field, e.g. ``symmetric=True``).  The result still
    has to pass :func:`verify` (``register_generator`` runs it).

    Taneja's arithmetic–geometric mean divergence
    :math:`\sum_i m_i\log\frac{m_i}{\sqrt{p_i q_i}} = \tfrac12[KL(M\|P) + KL(M\|Q)]`,
    M = (P+Q)/2:

    >>> import sympy as sp
    >>> g = generator_from_expr(
    ...     "arithmetic_geometric",
    ...     lambda u: (1 + u) / 2 * sp.log((1 + u) / (2 * sp.sqrt(u))), symmetric=True)
    >>> g.value_at_zero, g.slope_at_infinity
    (inf, inf)
    >>> verify(g).ok
    True
    """
    if callable(expr) and not isinstance(expr, sp.Basic):
        fn = expr
    else:
        e = sp.sympify(expr)

        def fn(u: Any) -> Any:
            return e.subs(U, u)

    s = _analyse(sp.sympify(fn(U)))
    kw: dict[str, Any] = dict(attrs)
    if "value_at_zero" not in kw:
        kw["value_at_zero"] = _float_limit(_limit(s.pw, s.f, "0")[0])
    if "slope_at_infinity" not in kw:
        kw["slope_at_infinity"] = _float_limit(_limit(s.pw / U, lambda x: s.f(x) / x, "oo")[0])
    if "slope_at_zero" not in kw:
        kw["slope_at_zero"] = _float_limit(_limit(s.d1, s.df, "0")[0])
    if "slope_at_one" not in kw:
        left, right = _one_sided_slopes(s)
        kw["slope_at_one"] = float(_to_mpf((left + right) / 2))
    kw.setdefault("smooth", not s.expr.has(*_NONSMOOTH))
    kw.setdefault("bounded", math.isfinite(kw["value_at_zero"])
                  and math.isfinite(kw["slope_at_infinity"]))
    return Generator(name=name, f_fn=_xp_lambdify(s.pw), df_fn=_xp_lambdify(s.d1),
                     d2f_fn=_xp_lambdify(s.d2), sympy_fn=fn, **kw)


def tfp_generators() -> dict[str, Generator]:
    r"""TensorFlow Probability's Csiszár functions (``tfp.vi``), as :class:`Generator` objects.

    ``tfp_jensen_shannon`` :math:`u\log u-(1+u)\log(1+u)`,
    ``tfp_arithmetic_geometric`` :math:`(1+u)\log\frac{1+u}{\sqrt u}`,
    ``tfp_modified_gan`` :math:`\log(1+u)-\log u` and
    ``tfp_modified_gan_normalized`` (+ :math:`\tfrac12(u-1)`) have f(1) ≠ 0;
    the ``self_normalized=True`` forms of JS and arithmetic–geometric,
    ``tfp_jensen_shannon_normalized`` (= 2 × :func:`js <fdivtheory.js>`'s
    generator) and ``tfp_arithmetic_geometric_normalized``, and
    ``tfp_jeffreys`` :math:`\tfrac12(u-1)\log u` (half the usual Jeffreys)
    are valid generators.
    """
    log2 = sp.log(2)
    exprs: dict[str, Callable[[Any], Any]] = {
        "tfp_jensen_shannon": lambda u: u * sp.log(u) - (1 + u) * sp.log(1 + u),
        "tfp_jensen_shannon_normalized":
            lambda u: u * sp.log(u) - (1 + u) * (sp.log(1 + u) - log2),
        "tfp_arithmetic_geometric": lambda u: (1 + u) * sp.log((1 + u) / sp.sqrt(u)),
        "tfp_arithmetic_geometric_normalized":
            lambda u: (1 + u) * sp.log((1 + u) / sp.sqrt(u)) - (1 + u) * log2,
        "tfp_modified_gan": lambda u: sp.log(1 + u) - sp.log(u),
        "tfp_modified_gan_normalized":
            lambda u: sp.log(1 + u) - sp.log(u) + (u - 1) / 2,
        "tfp_jeffreys": lambda u: (u - 1) * sp.log(u) / 2,
    }
    return {name: _tfp_generator(name, e) for name, e in exprs.items()}


def _tfp_generator(name: str, e: Callable[[Any], Any]) -> Generator:
    return generator_from_expr(name, e, references=(
        "TensorFlow Probability, tfp.vi (csiszar_divergence.py)",))


def check_tfp_defects() -> dict[str, VerificationReport]:
    """:func:`verify` run on TFP's generators that have f(1) ≠ 0; every report fails.

    >>> all(not rep.ok for rep in check_tfp_defects().values())
    True
    """
    defects = ("tfp_jensen_shannon", "tfp_arithmetic_geometric", "tfp_modified_gan",
               "tfp_modified_gan_normalized")
    gens = tfp_generators()
    return {name: verify(gens[name]) for name in defects}
