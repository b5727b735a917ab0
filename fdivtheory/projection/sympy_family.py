r"""Exponential families defined by sympy expressions.

:func:`~fdivtheory.projection.family_from_sympy` takes the sufficient statistic
:math:`T(x)` and the log-partition :math:`\psi(\theta)` as sympy expressions and
derives :math:`\nabla\psi, \dots, \nabla^4\psi` symbolically, compiled to NumPy
(:class:`SympyFamily`); the MLE is the generic Newton inversion of
:math:`\nabla\psi`, guarded by an optional existence test
(docs/theory/pn_criterion.md, §1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp
from scipy import special

from .exponential_family import ExponentialFamily

__all__ = ["SympyFamily", "family_from_sympy"]


class SympyFamily(ExponentialFamily):
    """A family given by sympy expressions; see :func:`family_from_sympy`."""

    def __init__(self, statistic, log_partition, symbols, x, *, name, theta0, mle_exists,
                 support):
        self.name = name
        self.theta_symbols = tuple(symbols)
        self.x_symbols = tuple(x)
        self.dim = len(self.theta_symbols)
        self.sample_dim = None if len(self.x_symbols) == 1 else len(self.x_symbols)
        self.statistic_exprs = tuple(sp.sympify(e) for e in statistic)
        self.log_partition_expr = sp.sympify(log_partition)
        self.theta0 = None if theta0 is None else np.asarray(theta0, dtype=float)
        self._mle_exists = mle_exists
        self._support = support
        th = sp.Array(self.theta_symbols)
        psi = self.log_partition_expr
        self.derivative_exprs = [sp.derive_by_array(psi, th)]
        for _ in range(3):
            self.derivative_exprs.append(sp.derive_by_array(self.derivative_exprs[-1], th))
        mods = [{"loggamma": special.gammaln, "polygamma": _polygamma,
                 "digamma": special.digamma}, "numpy"]
        self._psi = sp.lambdify(self.theta_symbols, psi, modules=mods)
        self._derivs = [
            sp.lambdify(self.theta_symbols, list(sp.flatten(e)), modules=mods, cse=True)
            for e in self.derivative_exprs
        ]
        self._T = sp.lambdify(self.x_symbols, list(self.statistic_exprs), modules=mods)
        self.statistic_poly = None
        if self.sample_dim is None:
            try:
                polys = [sp.Poly(e, self.x_symbols[0]) for e in self.statistic_exprs]
                self.statistic_poly = [np.array([float(c) for c in p.all_coeffs()[::-1]])
                                       for p in polys]
            except (sp.PolynomialError, TypeError):
                self.statistic_poly = None
        if self.theta0 is None:
            self.theta0 = np.zeros(self.dim)
        if not math.isfinite(self._objective(self.theta0, np.zeros(self.dim))):
            raise ValueError(f"the log-partition is not finite at theta0 = {self.theta0}; pass "
                             f"theta0= inside the natural domain")

    def statistic(self, x):
        x = np.asarray(x, dtype=float)
        cols = self._T(x) if self.sample_dim is None else self._T(*x.reshape(-1, self.sample_dim).T)
        m = x.shape[0]
        return np.stack([np.broadcast_to(np.asarray(c, dtype=float), (m,)) for c in cols], axis=1)

    def _check_support(self, x, name):
        if self._support is not None and not np.all(self._support(x)):
            raise ValueError(f"{name} has values outside the support of the {self.name} family")

    def log_partition(self, theta):
        with np.errstate(all="ignore"):
            v = float(self._psi(*self._as_theta(theta)))
        return v if math.isfinite(v) else math.inf

    def _deriv(self, k: int, theta) -> np.ndarray:
        with np.errstate(all="ignore"):
            flat = np.array(self._derivs[k - 1](*theta), dtype=float)
        return flat.reshape((self.dim,) * k)

    def mean_from_natural(self, theta):
        return self._deriv(1, self._as_theta(theta))

    def cumulants(self, theta, order=4):
        theta = self._as_theta(theta)
        return tuple(self._deriv(k, theta) for k in range(2, order + 1))

    def mle_exists(self, tbar) -> bool:
        if self._mle_exists is not None:
            return bool(self._mle_exists(np.asarray(tbar, dtype=float)))
        return super().mle_exists(tbar)

    def natural_from_mean(self, eta):
        eta = self._as_eta(eta)
        if self._mle_exists is not None and not self._mle_exists(eta):
            raise ValueError(f"eta = {eta} is outside the interior of the convex support: the "
                             f"MLE of the {self.name} family does not exist")
        return super().natural_from_mean(eta)


def _polygamma(n, x):
    return special.polygamma(n, x)


def family_from_sympy(statistic: Sequence, log_partition, symbols: Sequence, *,
                      x=None, name: str = "sympy family", theta0=None,
                      mle_exists: Callable | None = None,
                      support: Callable | None = None) -> ExponentialFamily:
    r"""A user-defined exponential family from sympy expressions.

    .. math:: g(x;\theta) = h(x)\exp\{\theta\cdot T(x) - \psi(\theta)\}

    The gradient, Hessian and third and fourth derivative arrays of
    :math:`\psi` (the model cumulants :math:`G, K, L` of :math:`T`) are derived
    symbolically once and compiled with ``sympy.lambdify`` (common
    subexpressions eliminated), so that :func:`~fdivtheory.projection.risk_expansion`
    evaluates :math:`c_1, c_2` at numeric speed (docs/theory/pn_criterion.md, §3).

    Parameters
    ----------
    statistic : sequence of sympy expressions
        :math:`T_1(x), \ldots, T_p(x)` in the sample variable(s).
    log_partition : sympy expression
        :math:`\psi(\theta)` in ``symbols``.
    symbols : sequence of sympy symbols
        Natural parameters :math:`\theta_1, \ldots, \theta_p` (same length as ``statistic``).
    x : sympy symbol or sequence of symbols, optional
        Sample variable(s); inferred when ``statistic`` has one free symbol.
    name : str
    theta0 : array_like, optional
        Start of the Newton solve of :math:`\nabla\psi(\theta) = \bar T` (must lie in the
        natural domain; default zeros).
    mle_exists : callable, optional
        ``mle_exists(tbar) -> bool``: whether :math:`\bar T` is interior to the convex
        support of :math:`T` (default: whether Newton converges).
    support : callable, optional
        ``support(x) -> bool array`` validating observations.

    Examples
    --------
    The exponential distribution, rate :math:`-\theta`:

    >>> import sympy as sp
    >>> from fdivtheory.projection import family_from_sympy
    >>> t, x = sp.symbols("theta x")
    >>> fam = family_from_sympy([x], -sp.log(-t), [t], theta0=[-1.0])
    >>> fam.mean_from_natural([-2.0])
    array([0.5])
    """
    symbols = list(symbols)
    if not symbols or not all(isinstance(s, sp.Symbol) for s in symbols):
        raise TypeError("symbols must be a non-empty sequence of sympy Symbols")
    statistic = [sp.sympify(e) for e in statistic]
    if len(statistic) != len(symbols):
        raise ValueError(f"statistic has {len(statistic)} components but symbols has "
                         f"{len(symbols)}: they must match (one natural parameter per T_i)")
    psi = sp.sympify(log_partition)
    extra = psi.free_symbols - set(symbols)
    if extra:
        raise ValueError(f"log_partition depends on {sorted(map(str, extra))}, which are not "
                         f"in symbols")
    if x is None:
        free = set().union(*(e.free_symbols for e in statistic)) - set(symbols)
        if len(free) != 1:
            raise ValueError(f"cannot infer the sample variable from statistic (free symbols "
                             f"{sorted(map(str, free))}); pass x=")
        x = [free.pop()]
    elif isinstance(x, sp.Symbol):
        x = [x]
    return SympyFamily(statistic, psi, symbols, list(x), name=name, theta0=theta0,
                       mle_exists=mle_exists, support=support)
