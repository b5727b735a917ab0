r"""The Fenchel conjugate of a generator in closed form, when sympy can solve f'(u) = t."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

from fdivtheory.generators import Generator
from fdivtheory.symbolic.deadline import SOLVE_BUDGET, deadline
from fdivtheory.symbolic.limits import _NONSMOOTH, T, U, _sym_limit

__all__ = ["conjugate_expr"]

_MAX_OPS = 40  # larger closed forms of f'^{-1} are not worth simplifying or returning


@lru_cache(maxsize=512)
def _conjugate_expr(expr: Any, timeout: float = SOLVE_BUDGET) -> Any:
    if expr.has(*_NONSMOOTH):
        return None
    d1 = sp.diff(expr, U)
    if sp.count_ops(d1) > _MAX_OPS:  # sympy's solve would take seconds and fail
        return None
    try:
        with deadline(timeout):
            return _solve_conjugate(expr, d1)
    except Exception:  # sympy's solvers raise many types when they give up; or out of time
        return None


def _solve_conjugate(expr: Any, d1: Any) -> Any:
    sols = sp.solve(sp.Eq(d1, T), U)
    # the right branch maps f'(u) back to u on both sides of u = 1
    probes = [(x, d1.subs(U, x)) for x in (sp.Rational(1, 5), sp.Rational(7, 10), 2, 7)]
    for sol in sols:
        if sp.count_ops(sol) > _MAX_OPS:  # e.g. Cardano's formula: correct but useless
            continue
        try:
            back = [(x, complex(sp.N(sol.subs(T, t0), 30))) for x, t0 in probes]
        except (TypeError, ValueError):
            continue
        if all(abs(b - complex(x)) < 1e-20 for x, b in back):
            conj = T * sol - expr.subs(U, sol)
            hi = _sym_limit(expr / U, "oo")
            if hi is not None and hi.is_finite:
                conj = sp.refine(conj, sp.Q.lt(T, hi))  # e.g. |t - 1| = 1 - t for t < 1
            if sp.count_ops(conj) <= 3 * _MAX_OPS:
                conj = sp.simplify(conj)
            return sp.Lambda(T, conj)
    return None


def conjugate_expr(generator: Generator, *, timeout: float = 10.0) -> sp.Lambda | None:
    r"""The Fenchel conjugate :math:`f^*(t) = t u^* - f(u^*)`, :math:`f'(u^*) = t`, in closed form.

    Valid for t strictly inside :math:`(f'(0^+), f'(\infty))`; returns
    ``None`` when sympy cannot solve :math:`f'(u) = t` within ``timeout``
    seconds (or f is not smooth).

    >>> import fdivtheory as fd
    >>> conjugate_expr(fd.get_generator("hellinger_sq"))   # t/(1 - t), t < 1
    Lambda(t, -t/(t - 1))
    >>> conjugate_expr(fd.get_generator("tv")) is None
    True
    """
    return _conjugate_expr(sp.sympify(generator.sympy_expr(U)), float(timeout))
