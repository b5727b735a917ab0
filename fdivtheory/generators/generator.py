r"""The :class:`Generator` object: a convex f with f(1) = 0 and everything needed to use it.

A generator carries its numeric functions (``f``, ``f_log``, ``df``, ``d2f``,
``df_inv``, ``conjugate``, the standardised ``perspective`` and its log form),
its limits (f(0+), f'(∞), f'(0+), f'(1)), its sympy expression and flags, and
builds the derived generators (``reversed``, ``symmetrized``, ``standardized``,
``scaled``).  The shipped generators live in the sibling modules
(:mod:`~fdivtheory.generators.logarithmic`, :mod:`~fdivtheory.generators.algebraic`,
:mod:`~fdivtheory.generators.piecewise_linear`, :mod:`~fdivtheory.generators.power`),
the name lookup in :mod:`~fdivtheory.generators.registry`.

Edge values, the same for every generator: ``f(0) = f(0+)``,
``f(inf) = lim f(u)`` (``+-inf`` when f'(∞) ≠ 0), ``f_log(-inf) = f(0+)``,
``f_log(+inf) = f(inf)``; ``conjugate(-inf) = -f(0+)``, ``conjugate(+inf) = +inf``;
NaN in, NaN out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from fdivtheory._backend import namespace

__all__ = ["Generator"]

Array = Any
inf = math.inf
_LOG2 = math.log(2.0)


def _xp(u: Array) -> Any:
    return namespace(u)


def _arr(u: Array) -> Array:
    xp = namespace(u)
    if isinstance(u, (int, float)) or not hasattr(u, "dtype"):
        return xp.asarray(u, dtype=xp.float64)
    return u


def _errstate():
    return np.errstate(all="ignore")


@dataclass(frozen=True, eq=False)
class Generator:
    r"""A convex generator f with f(1) = 0 and everything needed to use it.

    Construct shipped generators with :func:`get_generator`; build your own
    with this constructor and add it with :func:`register_generator`.

    Parameters
    ----------
    name : str
        Registry name (with parameters, e.g. ``"power(beta=0.5)"``).
    f, df, d2f : callable
        ``f(u, xp)``, ``f'(u, xp)``, ``f''(u, xp)`` for arrays ``u > 0`` of
        namespace ``xp``.
    value_at_zero, slope_at_infinity, slope_at_zero : float
        f(0+), f'(∞) = lim f(u)/u, f'(0+) (may be ±inf).
    sympy_expr : callable
        ``sympy_expr(u)`` returns f as a sympy expression in the positive
        symbol ``u``.
    df_inv : callable, optional
        Inverse of f' on (f'(0+), f'(∞)); defaults to a numerical root.
    conjugate_fn : callable, optional
        Explicit ``f*(t, xp)``; by default derived from ``df_inv``.
    perspective : callable, optional
        A numerically stable ``q f(p/q) - f'(1)(p - q)`` for ``p, q > 0``.
    f_log : callable, optional
        Stable ``f(exp(t), xp)``.
    slope_at_one : float
        f'(1) (a subgradient for non-smooth f), used to standardise.
    kernel : tuple, optional
        Descriptor of the numba scalar term (see :mod:`fdivtheory.kernels.cpu`).
    conjugate_at_slope : float, optional
        :math:`f^*(f'(\infty)) = \lim_{u\to\infty} (f'(\infty) u - f(u))`
        (finite or +inf); derived by sympy when not given and f'(∞) is finite.
    """

    name: str
    f_fn: Callable[[Array, Any], Array]
    df_fn: Callable[[Array, Any], Array]
    d2f_fn: Callable[[Array, Any], Array]
    value_at_zero: float
    slope_at_infinity: float
    slope_at_zero: float
    sympy_fn: Callable[[Any], Any]
    slope_at_one: float = 0.0
    df_inv_fn: Callable[[Array, Any], Array] | None = None
    conjugate_fn: Callable[[Array, Any], Array] | None = None
    perspective_fn: Callable[[Array, Array, Any], Array] | None = None
    perspective_log_fn: Callable[[Array, Array, Any], Array] | None = None
    f_log_fn: Callable[[Array, Any], Array] | None = None
    kernel: tuple | None = None
    conjugate_at_slope: float | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    symmetric: bool = False
    bounded: bool = False
    sqrt_is_metric: bool = False
    smooth: bool = True
    references: tuple[str, ...] = ()
    description: str = ""

    # -- evaluation -------------------------------------------------------
    def f(self, u: Array) -> Array:
        """f(u) for u > 0 (u = 0 gives f(0+), u = inf the limit :attr:`value_at_infinity`)."""
        u = _arr(u)
        xp = _xp(u)
        with _errstate():
            inside = (u > 0) & (u < inf)
            us = xp.where(inside, u, xp.ones_like(u))
            edge = xp.where(u == inf, xp.full_like(u, self._limit_at_infinity(u == inf, xp)),
                            xp.full_like(u, self.value_at_zero))
            return xp.where(inside, self.f_fn(us, xp), xp.where(u != u, u, edge))

    def f_log(self, log_u: Array) -> Array:
        """f(exp(t)), accurate also where exp(t) under- or overflows.

        Generators with a log-space form (``f_log_fn``: KL, reverse KL,
        Jeffreys, squared Hellinger, the power family and the generators
        derived from them) evaluate it; the others evaluate ``f(exp(t))``,
        which is exact to rounding wherever f(e^t) is determined by f(0+) or
        f'(∞) once exp(t) leaves the normal range.
        """
        t = _arr(log_u)
        xp = _xp(t)
        with _errstate():
            finite = (t > -inf) & (t < inf)
            ts = xp.where(finite, t, xp.zeros_like(t))
            if self.f_log_fn is not None:
                val = self.f_log_fn(ts, xp)
            else:
                val = self.f(xp.exp(ts))
            val = xp.asarray(val)
            edge = xp.where(t > 0, xp.full_like(t, self._limit_at_infinity(
                                (t > 0) & ((val != val) | (t == inf)), xp)),
                            xp.full_like(t, self.value_at_zero))
            # an intermediate of a log-space form under/overflowed (e.g. inf - inf in a
            # sum of generators far out): f(e^t) is at its limit there
            val = xp.where(val != val, edge, val)
            return xp.where(finite, val, xp.where(t != t, t, edge))

    def _limit_at_infinity(self, needed: Array, xp: Any) -> float:
        # value_at_infinity may need sympy (f'(inf) = 0 without conjugate_at_slope):
        # only then is it computed, and only where some point needs it
        if self.slope_at_infinity != 0 or self.conjugate_at_slope is not None:
            return self.value_at_infinity
        return self.value_at_infinity if bool(xp.any(needed)) else math.nan

    @property
    def value_at_infinity(self) -> float:
        r""":math:`\lim_{u\to\infty} f(u)`: ±inf when f'(∞) ≠ 0, else :math:`-f^*(0)` (convex f)."""
        s = self.slope_at_infinity
        if s != 0:
            return inf if s > 0 else -inf
        return -self.slope_limit()

    def df(self, u: Array) -> Array:
        """f'(u) (a subgradient where f is not differentiable)."""
        u = _arr(u)
        with _errstate():
            return self.df_fn(u, _xp(u))

    def d2f(self, u: Array) -> Array:
        """f''(u) (zero almost everywhere for piecewise-linear f)."""
        u = _arr(u)
        with _errstate():
            return self.d2f_fn(u, _xp(u))

    def df_inv(self, t: Array) -> Array:
        """The u > 0 with f'(u) = t, for t in (f'(0+), f'(∞)); NaN outside."""
        t = _arr(t)
        xp = _xp(t)
        if not self.smooth:
            raise NotImplementedError(f"{self.name}: f' is not invertible (f is not strictly convex)")
        with _errstate():
            inside = (t > self.slope_at_zero) & (t < self.slope_at_infinity)
            ts = xp.where(inside, t, xp.full_like(t, self.slope_at_one))
            if self.df_inv_fn is not None:
                u = self.df_inv_fn(ts, xp)
            else:
                u = _numeric_df_inv(self, ts, xp)
            return xp.where(inside, u, xp.full_like(t, math.nan))

    def conjugate(self, t: Array) -> Array:
        r"""Fenchel conjugate :math:`f^*(t) = \sup_{u \ge 0} (t u - f(u))`.

        Returns +inf outside :attr:`conjugate_domain`.  For t ≤ f'(0+) the
        supremum is attained at u = 0: :math:`f^*(t) = -f(0^+)`; at
        t = f'(∞) it is :attr:`conjugate_at_slope`.  Generators without a
        closed form use the inverse derivative (smooth f) or a bounded
        maximisation over log u (piecewise-linear f), in NumPy.
        """
        t = _arr(t)
        xp = _xp(t)
        with _errstate():
            finite = (t > -inf) & (t < inf)
            ts = xp.where(finite, t, xp.full_like(t, self.slope_at_one))
            if self.conjugate_fn is not None:
                out = self.conjugate_fn(ts, xp)
            else:
                out = self._conjugate_generic(ts, xp)
            edge = xp.where(t == inf, xp.full_like(t, inf), xp.full_like(t, -self.value_at_zero))
            return xp.where(finite, out, xp.where(t != t, t, edge))

    def _conjugate_generic(self, t: Array, xp: Any,
                           at_root: Callable[[Array, Array, Any], Array] | None = None) -> Array:
        """f*(t) = t u - f(u) at f'(u) = t (``at_root(u, t, xp)`` when given), domain edges."""
        lo, hi = self.slope_at_zero, self.slope_at_infinity
        inside = (t > lo) & (t < hi)
        ts = xp.where(inside, t, xp.full_like(t, self.slope_at_one))
        if self.smooth:
            u = self.df_inv(ts)
            us = xp.where((u > 0) & (u < inf), u, xp.ones_like(u))
            val = at_root(us, ts, xp) if at_root is not None else ts * us - self.f(us)
            # the root beyond the floats: f* is continuous up to f'(inf) (its limit there)
            val = xp.where(u == inf, xp.full_like(u, self.slope_limit()), val)
            val = xp.where(u == 0, xp.full_like(u, -self.value_at_zero), val)
        else:
            val = _numeric_conjugate(self, ts, xp)
        at_zero = xp.full_like(t, -self.value_at_zero)
        out = xp.where(inside, val, xp.where(t <= lo, at_zero, xp.full_like(t, inf)))
        if math.isfinite(hi):
            # f'(inf) is itself a rounded number (e.g. 1/(1 - beta)): a t within 4 ulps
            # below it stands for the edge, where the root u of f'(u) = t is undetermined
            edge = (t <= hi) & (t >= hi - 8.9e-16 * max(1.0, abs(hi)))
            out = xp.where(edge, xp.full_like(t, self.slope_limit()), out)
        return out

    def slope_limit(self) -> float:
        r""":math:`f^*(f'(\infty)) = \lim_{u\to\infty}(f'(\infty)u - f(u))`, finite or +inf."""
        if not math.isfinite(self.slope_at_infinity):
            return inf
        if self.conjugate_at_slope is not None:
            return self.conjugate_at_slope
        return _sympy_slope_limit(self)

    @property
    def conjugate_domain(self) -> tuple[float, float, bool]:
        """``(lo, hi, hi_included)``: f* is finite exactly on (-inf, hi] or (-inf, hi)."""
        hi = self.slope_at_infinity
        if not math.isfinite(hi):
            return (-inf, inf, False)
        return (-inf, hi, math.isfinite(self.slope_limit()))

    def perspective(self, p: Array, q: Array) -> Array:
        r"""Standardised perspective :math:`q f(p/q) - f'(1)(p - q)` for p, q > 0."""
        xp = namespace(p, q)
        with _errstate():
            if self.perspective_fn is not None:
                return self.perspective_fn(p, q, xp)
            return q * self.f_fn(p / q, xp) - self.slope_at_one * (p - q)

    def perspective_log(self, log_p: Array, log_q: Array) -> Array:
        r"""The standardised perspective from finite logarithms of p and q.

        Accurate also where ``exp(log_p)`` or ``exp(log_q)`` under/overflows,
        for the generators with a log-space form (KL, reverse KL, Jeffreys,
        the power family); others evaluate :meth:`perspective` on the exponentials.
        """
        xp = namespace(log_p, log_q)
        with _errstate():
            if self.perspective_log_fn is not None:
                return self.perspective_log_fn(log_p, log_q, xp)
            if self.slope_at_one != 0:
                return self.perspective(xp.exp(log_p), xp.exp(log_q))
            # q f(p/q) = e^(log q) f_log(L), L = log p - log q, for L <= 0, and
            # e^(log p) g(L) with g(L) = e^-L f(e^L) for L > 0 (g -> f'(inf) where e^L
            # overflows: no inf from f_log where the term is finite); the product in log
            # space where the mass is not a normal float (0 * inf otherwise)
            L = log_p - log_q
            pos = L > 0
            zero = xp.zeros_like(L)
            fl = self.f_log(xp.where(pos, zero, L))
            Lp = xp.where(pos, L, zero)
            g = xp.exp(-Lp) * self.f_log(Lp)
            g = xp.where((g == g) & (g < inf), g, xp.full_like(L, self.slope_at_infinity))
            val = xp.where(pos, g, fl)
            lm = xp.where(pos, log_p, log_q)
            m = xp.exp(lm)
            normal = (m >= 2.2250738585072014e-308) & (m < inf)
            prod = m * xp.where(normal, val, zero)
            far = xp.exp(lm + xp.log(xp.maximum(val, zero)))
            return xp.where(normal, prod, far)

    def sympy_expr(self, u: Any) -> Any:
        """f as a sympy expression in the (positive) symbol ``u``."""
        return self.sympy_fn(u)

    # -- derived generators ------------------------------------------------
    def reversed(self) -> Generator:
        r"""The generator :math:`\tilde f(u) = u f(1/u)`: :math:`D_{\tilde f}(P\|Q) = D_f(Q\|P)`."""
        g = self
        c = g.slope_at_one

        # u f(1/u) = q f(p/q) at (p, q) = (1, u): the parent's perspective plus its
        # tangent, so that 1/u is never rounded (f ~ (u - 1)^2 near 1)
        # (with f'(1) = c != 0 only near u = 1, where f~(u) + c(u - 1) is second order;
        # elsewhere u f(1/u) directly: the linear part would cancel the growth of f~)
        def f(u, xp):
            val = g.perspective(xp.ones_like(u), u)
            if c == 0:
                return val
            near = (u > 0.5) & (u < 2.0)
            return xp.where(near, val + c * (1.0 - u), u * g.f_fn(1.0 / u, xp))

        def f_log(t, xp):
            # e^t f(e^-t) from the parent's log form; 0 * inf beyond the exponent range
            # is replaced by the limits at u = 0 and u = inf
            prod = xp.exp(t) * g.f_log(-t)
            lim = xp.where(t > 0, xp.full_like(t, rev_inf[0]), xp.full_like(t, g.slope_at_infinity))
            # where e^t under/overflows and f(e^-t) over/underflows, f~ is at its limit
            prod = xp.where((prod == prod) & (xp.abs(prod) < inf), prod, lim)
            if g.perspective_log_fn is None:
                return prod
            val = g.perspective_log(xp.zeros_like(t), t)
            if c == 0:
                return val
            return xp.where(xp.abs(t) < _LOG2, val - c * xp.expm1(t), prod)

        def df(u, xp):
            v = 1.0 / u
            return g.f_fn(v, xp) - g.df_fn(v, xp) * v

        def d2f(u, xp):
            v = 1.0 / u
            return g.d2f_fn(v, xp) * v**3

        def persp(p, q, xp):
            return g.perspective(q, p)

        rev_inf = [inf]
        rev = Generator(
            name=f"reversed({g.name})", f_fn=f, df_fn=df, d2f_fn=d2f,
            value_at_zero=g.slope_at_infinity, slope_at_infinity=g.value_at_zero,
            # f~'(0+) = -f*(f'(inf)) and f~*(f~'(inf)) = -f'(0+)
            slope_at_zero=-g.slope_limit(), conjugate_at_slope=-g.slope_at_zero,
            sympy_fn=lambda u: (u * g.sympy_fn(1 / u)),
            slope_at_one=-g.slope_at_one,
            perspective_fn=persp,
            perspective_log_fn=lambda lp, lq, xp: g.perspective_log(lq, lp),
            f_log_fn=f_log,
            kernel=("reversed", g.kernel) if g.kernel else None,
            params=g.params, symmetric=g.symmetric, bounded=g.bounded,
            sqrt_is_metric=g.sqrt_is_metric, smooth=g.smooth,
            references=g.references, description=f"arguments of {g.name} swapped",
        )
        rev_inf[0] = rev.value_at_infinity
        if not g.smooth:
            return rev

        # at the root u of f~'(u) = f(v) - v f'(v) = t, v = 1/u: f~*(t) = u (t - f(v)) = -f'(v),
        # free of the cancellation of t u - f~(u) at large u
        def conj(t, xp):
            return rev._conjugate_generic(
                t, xp, at_root=lambda u, ts, xp: -g.df_fn(1.0 / u, xp))

        return replace(rev, conjugate_fn=conj)

    def symmetrized(self) -> Generator:
        r"""The generator :math:`f(u) + u f(1/u)`: :math:`D_f(P\|Q) + D_f(Q\|P)`."""
        if self.symmetric:
            return self.scaled(2.0)
        return _sum(self, self.reversed(), name=f"symmetrized({self.name})", symmetric=True)

    def standardized(self) -> Generator:
        r""":math:`f(u) - f'(1)(u - 1)`: same divergence on probability vectors, terms ≥ 0."""
        c = self.slope_at_one
        if c == 0:
            return self
        g = self
        # q f(p/q) - c (p - q) at q = 1: the perspective is written without the
        # cancellation of f(u) - c (u - 1) near u = 1
        return replace(
            self,
            name=f"standardized({g.name})",
            f_fn=lambda u, xp: g.perspective(u, xp.ones_like(u)),
            df_fn=lambda u, xp: g.df_fn(u, xp) - c,
            df_inv_fn=(lambda t, xp: g.df_inv_fn(t + c, xp)) if g.df_inv_fn else None,
            conjugate_fn=(lambda t, xp: g.conjugate(t + c) - c) if g.conjugate_fn else None,
            value_at_zero=g.value_at_zero + c,
            slope_at_infinity=g.slope_at_infinity - c,
            slope_at_zero=g.slope_at_zero - c,
            slope_at_one=0.0,
            conjugate_at_slope=g.slope_limit() - c if math.isfinite(g.slope_at_infinity) else None,
            f_log_fn=(lambda t, xp: g.perspective_log(t, xp.zeros_like(t)))
            if g.perspective_log_fn is not None else None,
            sympy_fn=lambda u: g.sympy_fn(u) - _sym_number(c) * (u - 1),
        )

    def scaled(self, c: float) -> Generator:
        """The generator ``c * f`` (c > 0)."""
        c = float(c)
        if not (c > 0 and math.isfinite(c)):
            raise ValueError(f"c must be a finite positive number, got {c!r}")
        g = self
        return replace(
            self,
            name=f"{c:g}*{g.name}",
            f_fn=lambda u, xp: c * g.f_fn(u, xp),
            df_fn=lambda u, xp: c * g.df_fn(u, xp),
            d2f_fn=lambda u, xp: c * g.d2f_fn(u, xp),
            df_inv_fn=(lambda t, xp: g.df_inv_fn(t / c, xp)) if g.df_inv_fn else None,
            conjugate_fn=(lambda t, xp: c * g.conjugate(t / c)) if g.conjugate_fn else None,
            perspective_fn=lambda p, q, xp: c * g.perspective(p, q),
            perspective_log_fn=lambda lp, lq, xp: c * g.perspective_log(lp, lq),
            f_log_fn=(lambda t, xp: c * g.f_log(t)) if g.f_log_fn else None,
            value_at_zero=c * g.value_at_zero,
            slope_at_infinity=c * g.slope_at_infinity,
            slope_at_zero=c * g.slope_at_zero,
            slope_at_one=c * g.slope_at_one,
            conjugate_at_slope=c * g.slope_limit() if math.isfinite(g.slope_at_infinity) else None,
            sympy_fn=lambda u: _sym_number(c) * g.sympy_fn(u),
            kernel=("scaled", c, g.kernel) if g.kernel else None,
        )

    def __repr__(self) -> str:
        return f"Generator({self.name!r})"


def _sym_number(x: float) -> Any:
    import sympy as sp

    if isinstance(x, float) and math.isinf(x):
        return sp.oo if x > 0 else -sp.oo
    return sp.nsimplify(x, rational=True)


def _numeric_df_inv(g: Generator, t: Array, xp: Any) -> Array:
    """Solve f'(u) = t by bisection in log u (vectorised, NumPy round trip)."""
    from scipy.optimize import brentq

    tn = np.asarray(t, dtype=float)

    def solve(ti: float) -> float:
        h = lambda s: float(g.df(np.exp(s))) - ti  # noqa: E731
        lo, hi = -1.0, 1.0
        while h(lo) > 0 and lo > -700:
            lo *= 2
        while h(hi) < 0 and hi < 700:
            hi *= 2
        if h(hi) < 0:  # f'(u) < t for every u up to e^700: the root is beyond the floats
            return math.inf
        if h(lo) > 0:  # f'(u) > t down to e^-700: the root underflows
            return 0.0
        if not h(lo) <= 0 <= h(hi):  # NaN where exp(s) under/overflows
            return math.nan
        return math.exp(brentq(h, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=200))

    out = np.vectorize(solve, otypes=[float])(tn)
    return xp.asarray(out)


def _numeric_conjugate(g: Generator, t: Array, xp: Any) -> Array:
    """sup_{u >= 0} (t u - f(u)) for t in (f'(0+), f'(∞)), by golden-section search in u.

    phi(u) = t u - f(u) is concave; the maximiser is bracketed by doubling
    (phi(2U) < phi(U) puts it below 2U), then golden-section search shrinks the
    bracket to ~1e-16 U, so a maximum at a kink (piecewise-linear f) is found to
    rounding too.  Vectorised over t, NumPy round trip.
    """
    tn = np.asarray(t, dtype=float)
    flat = tn.reshape(-1)

    def phi(u: np.ndarray) -> np.ndarray:
        return flat * u - np.asarray(g.f(u), dtype=float)

    hi = np.ones_like(flat)
    for _ in range(1100):  # up to 2**1100: u overflows long before
        grow = phi(2.0 * hi) >= phi(hi)
        if not grow.any():
            break
        hi = np.where(grow, 2.0 * hi, hi)
    hi = 2.0 * hi
    lo = np.zeros_like(flat)
    r = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(200):
        a = hi - r * (hi - lo)
        b = lo + r * (hi - lo)
        left = phi(a) >= phi(b)
        hi = np.where(left, b, hi)
        lo = np.where(left, lo, a)
    mid = 0.5 * (lo + hi)
    val = np.maximum(np.maximum(phi(mid), phi(lo)), -g.value_at_zero)
    return xp.asarray(val.reshape(tn.shape))


_SLOPE_LIMITS: dict[int, float] = {}


def _sympy_slope_limit(g: Generator) -> float:
    """lim_{u→∞} (f'(∞) u - f(u)) by sympy, cached per generator object."""
    key = id(g)
    if key not in _SLOPE_LIMITS:
        import sympy as sp

        u = sp.Symbol("u", positive=True)
        f = g.sympy_fn(u)
        # the exact slope (e.g. log 2), not a rational approximation of the float
        slope = sp.limit(f / u, u, sp.oo)
        lim = sp.limit(slope * u - f, u, sp.oo)
        _SLOPE_LIMITS[key] = inf if lim in (sp.oo, sp.zoo) else float(lim)
    return _SLOPE_LIMITS[key]


def _sum(g1: Generator, g2: Generator, *, name: str, symmetric: bool = False) -> Generator:
    return Generator(
        name=name,
        f_fn=lambda u, xp: g1.f_fn(u, xp) + g2.f_fn(u, xp),
        df_fn=lambda u, xp: g1.df_fn(u, xp) + g2.df_fn(u, xp),
        d2f_fn=lambda u, xp: g1.d2f_fn(u, xp) + g2.d2f_fn(u, xp),
        value_at_zero=g1.value_at_zero + g2.value_at_zero,
        slope_at_infinity=g1.slope_at_infinity + g2.slope_at_infinity,
        slope_at_zero=g1.slope_at_zero + g2.slope_at_zero,
        slope_at_one=g1.slope_at_one + g2.slope_at_one,
        conjugate_at_slope=(g1.slope_limit() + g2.slope_limit())
        if math.isfinite(g1.slope_at_infinity + g2.slope_at_infinity) else None,
        sympy_fn=lambda u: g1.sympy_fn(u) + g2.sympy_fn(u),
        perspective_fn=lambda p, q, xp: g1.perspective(p, q) + g2.perspective(p, q),
        perspective_log_fn=lambda lp, lq, xp: g1.perspective_log(lp, lq) + g2.perspective_log(lp, lq),
        f_log_fn=(lambda t, xp: g1.f_log(t) + g2.f_log(t))
        if (g1.f_log_fn or g2.f_log_fn) else None,
        kernel=("sum", g1.kernel, g2.kernel) if (g1.kernel and g2.kernel) else None,
        symmetric=symmetric,
        bounded=g1.bounded and g2.bounded,
        smooth=g1.smooth and g2.smooth,
        references=g1.references + g2.references,
    )
