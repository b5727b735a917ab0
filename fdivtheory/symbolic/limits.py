r"""Symbolic analysis of a generator's expression: derivatives, kinks and limits.

A limit at :math:`0^+` or :math:`+\infty` is taken by sympy where it can
decide within its budget (term by term where that is valid), otherwise
numerically with mpmath at 900 digits from :math:`u = 10^{\mp k}`,
k = 100, 200, 400.  The analysis of an expression is cached, so a generator
and the generators derived from it share their limits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp

from fdivtheory.symbolic.deadline import LIMIT_BUDGET, deadline

#: The positive symbol in which generators are written.
U = sp.Symbol("u", positive=True)
#: The real symbol of the conjugate's argument.
T = sp.Symbol("t", real=True)

_DPS = 50  # working precision (significant digits) of the mpmath evaluations
_NONSMOOTH = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.Piecewise)


@dataclass(frozen=True)
class _Sym:
    expr: Any  # f as given
    pw: Any  # f with Abs/Max/Min/sign/Heaviside rewritten as Piecewise
    d1: Any
    d2: Any
    kinks: tuple[float, ...]  # where a piecewise branch changes
    f: Callable[[Any], Any]  # mpmath evaluators of pw, d1, d2
    df: Callable[[Any], Any]
    d2f: Callable[[Any], Any]


def _piecewise(expr: Any) -> Any:
    if not expr.has(*_NONSMOOTH):
        return expr
    return sp.piecewise_fold(expr.rewrite(sp.Piecewise))


def _kinks(pw: Any) -> tuple[float, ...]:
    out: set[float] = set()
    for p in pw.atoms(sp.Piecewise):
        for _, cond in p.args:
            for rel in cond.atoms(sp.core.relational.Relational):
                try:
                    for r in sp.solve(rel.lhs - rel.rhs, U):
                        if r.is_real and r.is_positive:
                            out.add(float(r))
                except (NotImplementedError, TypeError, ValueError):
                    continue
    return tuple(sorted(out))


def _mp_lambdify(expr: Any) -> Callable[[Any], Any]:
    return sp.lambdify(U, expr, modules="mpmath")


@lru_cache(maxsize=1024)
def _analyse(expr: Any) -> _Sym:
    pw = _piecewise(expr)
    d1 = sp.diff(pw, U)
    d2 = sp.diff(d1, U)
    return _Sym(expr, pw, d1, d2, _kinks(pw), _mp_lambdify(pw), _mp_lambdify(d1),
                _mp_lambdify(d2))


def _branch_near(expr: Any, u0: Any) -> Any:
    """``expr`` with every Piecewise replaced by its branch active at ``u = u0``."""
    if not expr.has(sp.Piecewise):
        return expr

    def pick(p: Any) -> Any:
        for e, c in p.args:
            if bool(sp.sympify(c).subs(U, u0)):
                return e
        return sp.nan

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), pick)


_EPS = sp.Rational(1, 10**30)
_NEAR = {"0": _EPS, "oo": 1 / _EPS, "1-": 1 - _EPS, "1+": 1 + _EPS}


def _is_value(v: Any) -> bool:
    return v is not None and (v in (sp.oo, -sp.oo) or (v.is_number and v.is_real is True))


@lru_cache(maxsize=4096)
def _sym_limit(expr: Any, where: str) -> Any:
    """sympy limit of ``expr`` at 0+ or +oo (None when sympy cannot decide).

    Constant factors and the terms of a sum are taken one at a time where
    that is valid (no oo - oo): gruntz is much faster on the small pieces,
    and the pieces are shared between a generator and its derived ones.
    """
    expr = _branch_near(expr, _NEAR[where])
    if not expr.has(U):
        return expr if _is_value(expr) else None
    c, rest = expr.as_coeff_Mul()
    if c != 1 and c.is_nonzero:
        v = _sym_limit(rest, where)
        return None if v is None else c * v
    for form in (sp.expand_mul(rest), rest):
        terms = sp.Add.make_args(form)
        if len(terms) > 1:
            vals = [_sym_limit(t, where) for t in terms]
            if all(v is not None for v in vals) and not (sp.oo in vals and -sp.oo in vals):
                return sp.Add(*vals)
    point, d = (0, "+") if where == "0" else (sp.oo, "-")
    try:
        with deadline(LIMIT_BUDGET):
            v = sp.limit(rest, U, point, d)
    except Exception:  # sympy raises many exception types on hard limits; or out of time
        return None
    return v if _is_value(v) else None


def _mp_limit(fn: Callable[[Any], Any], where: str) -> Any:
    """Numerical limit at 0+ or oo from u = 10^(-/+k), k = 100, 200, 400; None if unclear.

    Evaluated with 900 digits, so that terms as large as u^(+-2) may cancel.
    """
    with mpmath.workdps(900):
        sgn = -1 if where == "0" else 1
        try:
            v = [fn(mpmath.mpf(10) ** (sgn * k)) for k in (100, 200, 400)]
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
        if any(not mpmath.isfinite(x) or mpmath.im(x) != 0 for x in v):
            return None
        if abs(v[2] - v[1]) <= mpmath.mpf(10) ** -20 * (1 + abs(v[2])):
            return v[2]
        d1, d2 = v[1] - v[0], v[2] - v[1]
        if d1 != 0 and d2 / d1 > 0.9 and abs(d2) > 1e-3 * (1 + abs(v[1])):
            return mpmath.inf if d2 > 0 else -mpmath.inf
        return None


def _limit(expr: Any, fn: Callable[[Any], Any], where: str) -> tuple[Any, str]:
    """(value, method): the limit as a sympy value (or an mpf), or (None, reason)."""
    v = _sym_limit(expr, where)
    if v is not None:
        return v, "sympy"
    m = _mp_limit(fn, where)
    if m is not None:
        return m, "mpmath"
    return None, "undecided"


def _to_mpf(v: Any) -> Any:
    if v is sp.oo or v == mpmath.inf:
        return mpmath.inf
    if v is -sp.oo or v == -mpmath.inf:
        return -mpmath.inf
    if isinstance(v, mpmath.mpf):
        return v
    with mpmath.workdps(_DPS):
        return mpmath.mpf(sp.N(v, _DPS))


def _agree(exact: Any, claimed: float, rtol: float = 1e-12) -> bool:
    x = _to_mpf(exact)
    c = float(claimed)
    if mpmath.isinf(x) or math.isinf(c):
        return bool(x == c)
    return bool(abs(x - c) <= rtol * max(1.0, abs(x)))


def _show(v: Any) -> str:
    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, 12)
    return str(v)
