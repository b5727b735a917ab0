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

===================  =====================================================  ===============================
``kl``               :math:`u\log u`                                       Kullback–Leibler KL(P‖Q)
``reverse_kl``       :math:`-\log u`                                       KL(Q‖P)
``js``               :math:`\tfrac12[u\log u-(u+1)\log\tfrac{u+1}2]`         Jensen–Shannon, ≤ log 2
``skew_js(pi)``      :math:`\pi u\log\frac{u}{m}+(1-\pi)\log\frac1m`,        π KL(P‖M) + (1−π) KL(Q‖M),
                     :math:`m=\pi u+1-\pi`                                   M = πP + (1−π)Q
``tv``               :math:`\tfrac12|u-1|`                                 total variation ½‖P−Q‖₁
``pearson``          :math:`(u-1)^2`                                       Pearson χ² = Σ(p−q)²/q
``neyman``           :math:`(u-1)^2/u`                                     Neyman χ² = Σ(p−q)²/p
``hellinger_sq``     :math:`c(\sqrt u-1)^2` (``scale=c``, default 1)       Σ(√p−√q)² ∈ [0, 2]
``jeffreys``         :math:`(u-1)\log u`                                   KL(P‖Q) + KL(Q‖P)
``le_cam``           :math:`(u-1)^2/(2(u+1))`                              ½Σ(p−q)²/(p+q) ∈ [0, 1]
``triangular``       :math:`(u-1)^2/(u+1)`                                 Σ(p−q)²/(p+q) = 2 Le Cam
``hockey_stick(g)``  :math:`(u-\gamma)_+`, γ ≥ 1                           E_γ = Σ(p−γq)₊
``chi_alpha(a)``     :math:`|u-1|^a`, a ≥ 1                                χ^a (Vajda)
``power(beta)``      :math:`\frac{u^\beta-1-\beta(u-1)}{\beta(\beta-1)}`   α/power family, β=1 KL, β=0 rev. KL
===================  =====================================================  ===============================

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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from fdivtheory._backend import namespace
from fdivtheory._special import one_plus_x_log1p_minus_x

__all__ = [
    "Generator",
    "available_generators",
    "get_generator",
    "power_family",
    "register_generator",
]

Array = Any
inf = math.inf


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
        """f(u) for u > 0 (u = 0 gives f(0+))."""
        u = _arr(u)
        xp = _xp(u)
        with _errstate():
            pos = u > 0
            us = xp.where(pos, u, xp.ones_like(u))
            return xp.where(pos, self.f_fn(us, xp), xp.full_like(u, self.value_at_zero))

    def f_log(self, log_u: Array) -> Array:
        """f(exp(t)) computed without overflow for large |t| where possible."""
        t = _arr(log_u)
        xp = _xp(t)
        with _errstate():
            if self.f_log_fn is not None:
                return self.f_log_fn(t, xp)
            return self.f(xp.exp(t))

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
            if self.conjugate_fn is not None:
                return self.conjugate_fn(t, xp)
            lo, hi = self.slope_at_zero, self.slope_at_infinity
            inside = (t > lo) & (t < hi)
            ts = xp.where(inside, t, xp.full_like(t, self.slope_at_one))
            if self.smooth:
                u = self.df_inv(ts)
                val = t * u - self.f(u)
            else:
                val = _numeric_conjugate(self, ts, xp)
            at_zero = xp.full_like(t, -self.value_at_zero)
            out = xp.where(inside, val, xp.where(t <= lo, at_zero, xp.full_like(t, inf)))
            if math.isfinite(hi):
                out = xp.where(t == hi, xp.full_like(t, self.slope_limit()), out)
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
            return self.perspective(xp.exp(log_p), xp.exp(log_q))

    def sympy_expr(self, u: Any) -> Any:
        """f as a sympy expression in the (positive) symbol ``u``."""
        return self.sympy_fn(u)

    # -- derived generators ------------------------------------------------
    def reversed(self) -> Generator:
        r"""The generator :math:`\tilde f(u) = u f(1/u)`: :math:`D_{\tilde f}(P\|Q) = D_f(Q\|P)`."""
        g = self

        def f(u, xp):
            return u * g.f_fn(1.0 / u, xp)

        def df(u, xp):
            v = 1.0 / u
            return g.f_fn(v, xp) - g.df_fn(v, xp) * v

        def d2f(u, xp):
            v = 1.0 / u
            return g.d2f_fn(v, xp) * v**3

        def persp(p, q, xp):
            return g.perspective(q, p)

        return Generator(
            name=f"reversed({g.name})", f_fn=f, df_fn=df, d2f_fn=d2f,
            value_at_zero=g.slope_at_infinity, slope_at_infinity=g.value_at_zero,
            # f~'(0+) = -f*(f'(inf)) and f~*(f~'(inf)) = -f'(0+)
            slope_at_zero=-g.slope_limit(), conjugate_at_slope=-g.slope_at_zero,
            sympy_fn=lambda u: (u * g.sympy_fn(1 / u)),
            slope_at_one=-g.slope_at_one,
            perspective_fn=persp,
            perspective_log_fn=lambda lp, lq, xp: g.perspective_log(lq, lp),
            kernel=("reversed", g.kernel) if g.kernel else None,
            params=g.params, symmetric=g.symmetric, bounded=g.bounded,
            sqrt_is_metric=g.sqrt_is_metric, smooth=g.smooth,
            references=g.references, description=f"arguments of {g.name} swapped",
        )

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
        return replace(
            self,
            name=f"standardized({g.name})",
            f_fn=lambda u, xp: g.f_fn(u, xp) - c * (u - 1.0),
            df_fn=lambda u, xp: g.df_fn(u, xp) - c,
            df_inv_fn=(lambda t, xp: g.df_inv_fn(t + c, xp)) if g.df_inv_fn else None,
            conjugate_fn=(lambda t, xp: g.conjugate(t + c) - c) if g.conjugate_fn else None,
            value_at_zero=g.value_at_zero + c,
            slope_at_infinity=g.slope_at_infinity - c,
            slope_at_zero=g.slope_at_zero - c,
            slope_at_one=0.0,
            conjugate_at_slope=g.slope_limit() - c if math.isfinite(g.slope_at_infinity) else None,
            f_log_fn=None,
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
            f_log_fn=(lambda t, xp: c * g.f_log_fn(t, xp)) if g.f_log_fn else None,
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
        if not h(lo) <= 0 <= h(hi):  # no sign change, or NaN where exp(s) under/overflows
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
        kernel=("sum", g1.kernel, g2.kernel) if (g1.kernel and g2.kernel) else None,
        symmetric=symmetric,
        bounded=g1.bounded and g2.bounded,
        smooth=g1.smooth and g2.smooth,
        references=g1.references + g2.references,
    )


# ---------------------------------------------------------------------------
# Shared numerically stable pieces
# ---------------------------------------------------------------------------

def _log_ratio(p: Array, q: Array, xp: Any) -> Array:
    """log(p/q) for p, q > 0 with SciPy's regimes: log1p near 1, log-difference when p/q over/underflows."""
    r = p / q
    near = (r > 0.5) & (r < 2.0)
    finite = (r > 2.2250738585072014e-308) & (r < 1.7976931348623157e308)
    direct = xp.where(near, xp.log1p((p - q) / q), xp.log(xp.where(finite, r, xp.ones_like(r))))
    return xp.where(finite, direct, xp.log(p) - xp.log(q))


def _kl_perspective(p: Array, q: Array, xp: Any) -> Array:
    """p log(p/q) - p + q (``scipy.special.kl_div``) for p, q > 0, accurate in every regime.

    Ratio in (1/2, 2): q h(d), d = (p - q)/q, h(d) = (1 + d) log1p(d) - d without
    cancellation (:func:`fdivtheory._special.one_plus_x_log1p_minus_x`);
    otherwise the log-ratio form.
    """
    r = p / q
    near = (r > 0.5) & (r < 2.0)
    d = xp.where(near, (p - q) / q, xp.zeros_like(r))
    return xp.where(near, q * one_plus_x_log1p_minus_x(d, xp), p * _log_ratio(p, q, xp) - p + q)


_LOG2 = math.log(2.0)


def _kl_perspective_log(lp: Array, lq: Array, xp: Any) -> Array:
    """p log(p/q) - p + q from log p and log q: q h(expm1(t)), t = log p - log q, near t = 0."""
    t = lp - lq
    near = xp.abs(t) < _LOG2
    d = xp.expm1(xp.where(near, t, xp.zeros_like(t)))
    p, q = xp.exp(lp), xp.exp(lq)
    return xp.where(near, q * one_plus_x_log1p_minus_x(d, xp), p * t - p + q)


def _jeffreys_perspective_log(lp: Array, lq: Array, xp: Any) -> Array:
    t = lp - lq
    near = xp.abs(t) < _LOG2
    q = xp.exp(lq)
    diff = xp.where(near, q * xp.expm1(xp.where(near, t, xp.zeros_like(t))), xp.exp(lp) - q)
    return diff * t


def _ulogu(u: Array, xp: Any) -> Array:
    return u * xp.log(u)


# ---------------------------------------------------------------------------
# Shipped generators
# ---------------------------------------------------------------------------

_REFS_CSISZAR = ("Csiszár (1967), Studia Sci. Math. Hungar. 2:299-318",)


def _kl() -> Generator:
    def sym(u):
        import sympy as sp

        return u * sp.log(u)

    return Generator(
        name="kl",
        f_fn=_ulogu,
        df_fn=lambda u, xp: xp.log(u) + 1.0,
        d2f_fn=lambda u, xp: 1.0 / u,
        df_inv_fn=lambda t, xp: xp.exp(t - 1.0),
        conjugate_fn=lambda t, xp: xp.exp(t - 1.0),
        f_log_fn=lambda t, xp: xp.where(t == -inf, xp.zeros_like(t), t * xp.exp(t)),
        perspective_fn=_kl_perspective,
        perspective_log_fn=_kl_perspective_log,
        value_at_zero=0.0, slope_at_infinity=inf, slope_at_zero=-inf, slope_at_one=1.0,
        sympy_fn=sym, kernel=("kl",),
        references=("Kullback & Leibler (1951), Ann. Math. Statist. 22:79-86",),
        description="Kullback-Leibler divergence KL(P||Q)",
    )


def _reverse_kl() -> Generator:
    def sym(u):
        import sympy as sp

        return -sp.log(u)

    def conj(t, xp):
        neg = t < 0
        ts = xp.where(neg, t, -xp.ones_like(t))
        return xp.where(neg, -1.0 - xp.log(-ts), xp.full_like(t, inf))

    return Generator(
        name="reverse_kl",
        f_fn=lambda u, xp: -xp.log(u),
        df_fn=lambda u, xp: -1.0 / u,
        d2f_fn=lambda u, xp: 1.0 / (u * u),
        df_inv_fn=lambda t, xp: -1.0 / t,
        conjugate_fn=conj,
        f_log_fn=lambda t, xp: -t,
        perspective_fn=lambda p, q, xp: _kl_perspective(q, p, xp),
        perspective_log_fn=lambda lp, lq, xp: _kl_perspective_log(lq, lp, xp),
        value_at_zero=inf, slope_at_infinity=0.0, slope_at_zero=-inf, slope_at_one=-1.0,
        conjugate_at_slope=inf,
        sympy_fn=sym, kernel=("reverse_kl",),
        references=("Kullback & Leibler (1951)",),
        description="reverse Kullback-Leibler divergence KL(Q||P)",
    )


def _skew_js(pi: float = 0.5, name: str | None = None) -> Generator:
    pi = float(pi)
    if not 0.0 < pi < 1.0:
        raise ValueError(f"pi must lie in the open interval (0, 1), got {pi!r}")
    a = 1.0 - pi

    def f(u, xp):
        m = pi * u + a
        return pi * u * xp.log(u / m) - a * xp.log(m)

    def persp(p, q, xp):
        m = pi * p + a * q
        return pi * _kl_perspective(p, m, xp) + a * _kl_perspective(q, m, xp)

    def sym(u):
        import sympy as sp

        P = _sym_number(pi)
        m = P * u + 1 - P
        return P * u * sp.log(u / m) - (1 - P) * sp.log(m)

    half = pi == 0.5
    return Generator(
        name=name or f"skew_js(pi={pi:g})",
        f_fn=f,
        df_fn=lambda u, xp: pi * xp.log(u / (pi * u + a)),
        d2f_fn=lambda u, xp: pi * a / (u * (pi * u + a)),
        df_inv_fn=lambda t, xp: a * xp.exp(t / pi) / (1.0 - pi * xp.exp(t / pi)),
        perspective_fn=persp,
        value_at_zero=-a * math.log(a), slope_at_infinity=-pi * math.log(pi),
        slope_at_zero=-inf, slope_at_one=0.0, conjugate_at_slope=inf,
        sympy_fn=sym, kernel=("skew_js", pi), params={"pi": pi},
        symmetric=half, bounded=True, sqrt_is_metric=half,
        references=("Lin (1991), IEEE Trans. Inf. Theory 37:145-151",
                    "Endres & Schindelin (2003), IEEE Trans. Inf. Theory 49:1858-1860"),
        description="(skew) Jensen-Shannon divergence pi KL(P||M) + (1-pi) KL(Q||M)",
    )


def _tv() -> Generator:
    def sym(u):
        import sympy as sp

        return sp.Abs(u - 1) / 2

    def conj(t, xp):
        return xp.where(t > 0.5, xp.full_like(t, inf), xp.maximum(t, xp.full_like(t, -0.5)))

    return Generator(
        name="tv",
        f_fn=lambda u, xp: 0.5 * xp.abs(u - 1.0),
        df_fn=lambda u, xp: 0.5 * xp.sign(u - 1.0),
        d2f_fn=lambda u, xp: xp.zeros_like(u),
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: 0.5 * xp.abs(p - q),
        value_at_zero=0.5, slope_at_infinity=0.5, slope_at_zero=-0.5, slope_at_one=0.0,
        conjugate_at_slope=0.5, sympy_fn=sym, kernel=("tv",), symmetric=True, bounded=True, sqrt_is_metric=False,
        smooth=False, references=_REFS_CSISZAR,
        description="total variation distance 1/2 ||P - Q||_1",
    )


def _pearson() -> Generator:
    def conj(t, xp):
        return xp.where(t <= -2.0, xp.full_like(t, -1.0), t + t * t / 4.0)

    return Generator(
        name="pearson",
        f_fn=lambda u, xp: (u - 1.0) ** 2,
        df_fn=lambda u, xp: 2.0 * (u - 1.0),
        d2f_fn=lambda u, xp: xp.full_like(u, 2.0),
        df_inv_fn=lambda t, xp: 1.0 + t / 2.0,
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: (p - q) ** 2 / q,
        value_at_zero=1.0, slope_at_infinity=inf, slope_at_zero=-2.0, slope_at_one=0.0,
        sympy_fn=lambda u: (u - 1) ** 2, kernel=("pearson",),
        references=("Pearson (1900), Philos. Mag. 50:157-175",),
        description="Pearson chi^2 divergence sum (p - q)^2 / q",
    )


def _neyman() -> Generator:
    return Generator(
        name="neyman",
        f_fn=lambda u, xp: (u - 1.0) ** 2 / u,
        df_fn=lambda u, xp: 1.0 - 1.0 / (u * u),
        d2f_fn=lambda u, xp: 2.0 / u**3,
        df_inv_fn=lambda t, xp: 1.0 / xp.sqrt(1.0 - t),
        perspective_fn=lambda p, q, xp: (p - q) ** 2 / p,
        value_at_zero=inf, slope_at_infinity=1.0, slope_at_zero=-inf, slope_at_one=0.0,
        conjugate_at_slope=2.0,  # lim u - (u - 2 + 1/u)
        sympy_fn=lambda u: (u - 1) ** 2 / u, kernel=("neyman",),
        references=("Neyman (1949), Proc. Berkeley Symp. Math. Statist. Probab. 1:239-273",),
        description="Neyman chi^2 divergence sum (p - q)^2 / p",
    )


def _hellinger_sq(scale: float = 1.0) -> Generator:
    base = Generator(
        name="hellinger_sq",
        f_fn=lambda u, xp: (xp.sqrt(u) - 1.0) ** 2,
        df_fn=lambda u, xp: 1.0 - 1.0 / xp.sqrt(u),
        d2f_fn=lambda u, xp: 0.5 / (u * xp.sqrt(u)),
        df_inv_fn=lambda t, xp: 1.0 / (1.0 - t) ** 2,
        perspective_fn=lambda p, q, xp: (xp.sqrt(p) - xp.sqrt(q)) ** 2,
        f_log_fn=lambda t, xp: xp.expm1(t / 2.0) ** 2,
        value_at_zero=1.0, slope_at_infinity=1.0, slope_at_zero=-inf, slope_at_one=0.0,
        conjugate_at_slope=inf,  # lim 2 sqrt(u) - 1
        sympy_fn=lambda u: (u ** _sym_number(0.5) - 1) ** 2, kernel=("hellinger_sq",),
        symmetric=True, bounded=True, sqrt_is_metric=True,
        references=("Hellinger (1909), J. Reine Angew. Math. 136:210-271",),
        description="squared Hellinger distance sum (sqrt p - sqrt q)^2 in [0, 2] "
        "(scale=0.5 gives the 1/2 convention in [0, 1])",
    )
    if scale == 1.0:
        return base
    return replace(base.scaled(scale), name=f"hellinger_sq(scale={scale:g})",
                   params={"scale": float(scale)})


def _jeffreys() -> Generator:
    def sym(u):
        import sympy as sp

        return (u - 1) * sp.log(u)

    return Generator(
        name="jeffreys",
        f_fn=lambda u, xp: (u - 1.0) * xp.log(u),
        df_fn=lambda u, xp: xp.log(u) + 1.0 - 1.0 / u,
        d2f_fn=lambda u, xp: 1.0 / u + 1.0 / (u * u),
        perspective_fn=lambda p, q, xp: (p - q) * _log_ratio(p, q, xp),
        perspective_log_fn=_jeffreys_perspective_log,
        value_at_zero=inf, slope_at_infinity=inf, slope_at_zero=-inf, slope_at_one=0.0,
        sympy_fn=sym, kernel=("jeffreys",), symmetric=True,
        references=("Jeffreys (1946), Proc. R. Soc. Lond. A 186:453-461",),
        description="Jeffreys divergence KL(P||Q) + KL(Q||P)",
    )


def _le_cam(scale: float = 0.5, name: str = "le_cam") -> Generator:
    c = float(scale)
    if not (c > 0 and math.isfinite(c)):
        raise ValueError(f"scale must be a finite positive number, got {scale!r}")
    if name == "le_cam" and c != 0.5:
        name = f"le_cam(scale={c:g})"

    def df_inv(t, xp):
        return xp.sqrt(4.0 * c / (c - t)) - 1.0  # v = u + 1 = sqrt(4c / (c - t))

    return Generator(
        name=name,
        f_fn=lambda u, xp: c * (u - 1.0) ** 2 / (u + 1.0),
        df_fn=lambda u, xp: c * (u - 1.0) * (u + 3.0) / (u + 1.0) ** 2,
        d2f_fn=lambda u, xp: 8.0 * c / (u + 1.0) ** 3,
        df_inv_fn=df_inv,
        perspective_fn=lambda p, q, xp: c * (p - q) ** 2 / (p + q),
        value_at_zero=c, slope_at_infinity=c, slope_at_zero=-3.0 * c, slope_at_one=0.0,
        conjugate_at_slope=3.0 * c,  # lim c u - c (u - 1)^2 / (u + 1) = lim c (3u - 1)/(u + 1)
        sympy_fn=lambda u: _sym_number(c) * (u - 1) ** 2 / (u + 1),
        kernel=("scaled", c, ("triangular",)), params={"scale": c},
        symmetric=True, bounded=True, sqrt_is_metric=True,
        references=("Le Cam (1986), Asymptotic Methods in Statistical Decision Theory",
                    "Topsøe (2000), IEEE Trans. Inf. Theory 46:1602-1609"),
        description="Le Cam divergence 1/2 sum (p - q)^2 / (p + q)" if c == 0.5 else
        "triangular discrimination sum (p - q)^2 / (p + q)",
    )


def _hockey_stick(gamma: float = 1.0) -> Generator:
    g = float(gamma)
    if not (g >= 1.0 and math.isfinite(g)):
        raise ValueError(
            f"gamma must be a finite number >= 1, got {gamma!r} "
            "(for gamma < 1 use E_gamma(P||Q) = 1 - gamma + gamma E_{1/gamma}(Q||P))"
        )

    def sym(u):
        import sympy as sp

        return sp.Max(u - _sym_number(g), 0)

    def conj(t, xp):
        return xp.where(t > 1.0, xp.full_like(t, inf), g * xp.maximum(t, xp.zeros_like(t)))

    return Generator(
        name=f"hockey_stick(gamma={g:g})",
        f_fn=lambda u, xp: xp.maximum(u - g, xp.zeros_like(u)),
        df_fn=lambda u, xp: xp.where(u > g, xp.ones_like(u), xp.zeros_like(u)),
        d2f_fn=lambda u, xp: xp.zeros_like(u),
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: xp.maximum(p - g * q, xp.zeros_like(p)),
        value_at_zero=0.0, slope_at_infinity=1.0, slope_at_zero=0.0, slope_at_one=0.0,
        conjugate_at_slope=g,  # lim u - (u - gamma)
        sympy_fn=sym, kernel=("hockey_stick", g), params={"gamma": g}, bounded=True,
        smooth=False,
        references=("Polyanskiy, Poor & Verdú (2010), IEEE Trans. Inf. Theory 56:2307-2359",),
        description="hockey-stick divergence E_gamma = sum (p - gamma q)_+",
    )


def _chi_alpha(alpha: float = 2.0) -> Generator:
    a = float(alpha)
    if not (a >= 1.0 and math.isfinite(a)):
        raise ValueError(f"alpha must be a finite number >= 1, got {alpha!r}")
    if a == 1.0:
        tv2 = _tv().scaled(2.0)
        return replace(tv2, name="chi_alpha(alpha=1)", params={"alpha": 1.0})

    def sym(u):
        import sympy as sp

        return sp.Abs(u - 1) ** _sym_number(a)

    return Generator(
        name=f"chi_alpha(alpha={a:g})",
        f_fn=lambda u, xp: xp.abs(u - 1.0) ** a,
        df_fn=lambda u, xp: a * xp.sign(u - 1.0) * xp.abs(u - 1.0) ** (a - 1.0),
        d2f_fn=lambda u, xp: a * (a - 1.0) * xp.abs(u - 1.0) ** (a - 2.0),
        df_inv_fn=lambda t, xp: 1.0 + xp.sign(t) * (xp.abs(t) / a) ** (1.0 / (a - 1.0)),
        # q |p/q - 1|^a: no 0 * inf when |p - q|^a underflows and q^(1-a) overflows
        perspective_fn=lambda p, q, xp: q * xp.abs(p / q - 1.0) ** a,
        value_at_zero=1.0, slope_at_infinity=inf, slope_at_zero=-a, slope_at_one=0.0,
        sympy_fn=sym, kernel=("chi_alpha", a), params={"alpha": a},
        references=("Vajda (1973), Ann. Inst. Statist. Math. 25:1-14",),
        description="chi^alpha divergence sum |p - q|^alpha q^(1 - alpha)",
    )


def _power(beta: float) -> Generator:
    b = float(beta)
    if not math.isfinite(b):
        raise ValueError(f"beta must be finite, got {beta!r}")
    if b == 1.0:
        base = _kl().standardized()
        return replace(base, name="power(beta=1)", params={"beta": 1.0}, kernel=("kl",))
    if b == 0.0:
        base = _reverse_kl().standardized()
        return replace(base, name="power(beta=0)", params={"beta": 0.0},
                       kernel=("reverse_kl",))
    c = 1.0 / (b * (b - 1.0))
    # near u = 1: f(1 + d) = sum_{k>=2} a_k d^k, a_k = prod_{j=2}^{k-1} (b - j) / k!, used
    # for |d| < d_max where 24 terms reach double precision; the direct form cancels there
    coef = [0.5]
    for k in range(3, 26):
        coef.append(coef[-1] * (b - (k - 1)) / k)
    d_max = min(0.05, 0.5 / max(1.0, abs(b)))

    def h(d, xp):  # f(1 + d) for d > -1
        small = xp.abs(d) < d_max
        ds = xp.where(small, d, xp.zeros_like(d))
        acc = xp.zeros_like(d)
        for a in reversed(coef):
            acc = acc * ds + a
        direct = c * (xp.exp(b * xp.log1p(d)) - 1.0 - b * d)
        return xp.where(small, ds * ds * acc, direct)

    def persp_log(lp, lq, xp):
        t = lp - lq
        near = xp.abs(t) < _LOG2
        p, q = xp.exp(lp), xp.exp(lq)
        d = xp.expm1(xp.where(near, t, xp.zeros_like(t)))
        far = c * (xp.exp(b * lp + (1.0 - b) * lq) - q - b * (p - q))
        return xp.where(near, q * h(d, xp), far)

    def persp(p, q, xp):
        r = p / q
        near = (r > 0.5) & (r < 2.0)
        d = xp.where(near, (p - q) / q, xp.zeros_like(r))
        far = c * (xp.exp(b * xp.log(p) + (1.0 - b) * xp.log(q)) - q - b * (p - q))
        return xp.where(near, q * h(d, xp), far)

    def sym(u):
        B = _sym_number(b)
        return (u**B - 1 - B * (u - 1)) / (B * (B - 1))

    return Generator(
        name=f"power(beta={b:g})",
        f_fn=lambda u, xp: c * (u**b - 1.0 - b * (u - 1.0)),
        df_fn=lambda u, xp: (u ** (b - 1.0) - 1.0) / (b - 1.0),
        d2f_fn=lambda u, xp: u ** (b - 2.0),
        df_inv_fn=lambda t, xp: (1.0 + (b - 1.0) * t) ** (1.0 / (b - 1.0)),
        perspective_fn=persp,
        perspective_log_fn=persp_log,
        value_at_zero=(1.0 / b) if b > 0 else inf,
        slope_at_infinity=(1.0 / (1.0 - b)) if b < 1 else inf,
        slope_at_zero=(-1.0 / (b - 1.0)) if b > 1 else -inf,
        slope_at_one=0.0,
        conjugate_at_slope=(-1.0 / b) if b < 0 else inf,  # lim c (1 - b) - c u^b
        sympy_fn=sym, kernel=("power", b), params={"beta": b},
        bounded=0.0 < b < 1.0, symmetric=b == 0.5, sqrt_is_metric=b == 0.5,
        references=("Cressie & Read (1984), J. R. Statist. Soc. B 46:440-464",
                    "Amari (1985), Differential-Geometrical Methods in Statistics",
                    "Cichocki & Amari (2010), Entropy 12:1532-1568"),
        description="power (alpha-) divergence with exponent beta",
    )


def power_family(alpha: float, convention: str = "cressie_read") -> Generator:
    """The power/α-divergence generator in one of three parametrisations.

    ``"cressie_read"``: λ = alpha, generator :math:`(u^{λ+1}-1-(λ+1)(u-1))/(λ(λ+1))`;
    ``"amari"``: :math:`\\frac{4}{1-α^2}[\\frac{1-α}2 u+\\frac{1+α}2-u^{(1-α)/2}]`;
    ``"tsallis"`` (α > 0): :math:`(u^α-1-α(u-1))/(α-1)`.

    >>> power_family(1.0, "cressie_read").name   # λ = 1: half Pearson chi^2
    'power(beta=2)'
    """
    a = float(alpha)
    if not math.isfinite(a):
        raise ValueError(f"alpha must be finite, got {alpha!r}")
    if convention == "cressie_read":
        return _power(a + 1.0)
    if convention == "amari":
        return _power((1.0 - a) / 2.0)
    if convention == "tsallis":
        if not a > 0:
            raise ValueError(f"alpha must be > 0 for the tsallis convention, got {alpha!r}")
        g = _power(a)
        return replace(g.scaled(a), name=f"tsallis(alpha={a:g})", params={"alpha": a})
    raise ValueError(
        f"convention must be 'cressie_read', 'amari' or 'tsallis', got {convention!r}"
    )


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

_FACTORIES: dict[str, Callable[..., Generator]] = {
    "kl": _kl,
    "reverse_kl": _reverse_kl,
    "js": lambda: _skew_js(0.5, name="js"),
    "skew_js": _skew_js,
    "tv": _tv,
    "pearson": _pearson,
    "neyman": _neyman,
    "hellinger_sq": _hellinger_sq,
    "jeffreys": _jeffreys,
    "le_cam": _le_cam,
    "triangular": lambda: _le_cam(1.0, name="triangular"),
    "hockey_stick": _hockey_stick,
    "chi_alpha": _chi_alpha,
    "power": _power,
}

_ALIASES: dict[str, str] = {
    "kullback_leibler": "kl",
    "kullback-leibler": "kl",
    "relative_entropy": "kl",
    "reverse_kullback_leibler": "reverse_kl",
    "jensen_shannon": "js",
    "jensen-shannon": "js",
    "total_variation": "tv",
    "chi2": "pearson",
    "pearson_chi2": "pearson",
    "neyman_chi2": "neyman",
    "squared_hellinger": "hellinger_sq",
    "hellinger2": "hellinger_sq",
    "triangular_discrimination": "triangular",
    "e_gamma": "hockey_stick",
    "alpha": "power",
}

_USER: dict[str, Generator] = {}


def available_generators() -> list[str]:
    """Names accepted by :func:`get_generator` (aliases excluded)."""
    return sorted(list(_FACTORIES) + list(_USER))


def get_generator(name: str | Generator, **params: float) -> Generator:
    """Look up a generator by name (or alias), with its parameters.

    >>> get_generator("kl").slope_at_infinity
    inf
    >>> get_generator("hockey_stick", gamma=2.0).name
    'hockey_stick(gamma=2)'
    >>> get_generator("power", beta=0.5).value_at_zero
    2.0
    """
    if isinstance(name, Generator):
        if params:
            raise TypeError("parameters cannot be given together with a Generator object")
        return name
    if not isinstance(name, str):
        raise TypeError(f"f must be a Generator or a generator name, got {type(name).__name__}")
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key in _USER:
        if params:
            raise TypeError(f"registered generator {name!r} takes no parameters")
        return _USER[key]
    if key not in _FACTORIES:
        raise ValueError(
            f"unknown generator {name!r}; available: {', '.join(available_generators())}"
        )
    try:
        return _FACTORIES[key](**params)
    except TypeError as exc:
        raise TypeError(f"generator {name!r}: {exc}") from None


def register_generator(generator: Generator, *, verify: bool = True,
                       overwrite: bool = False) -> Generator:
    """Add a user generator to the registry (verified symbolically first).

    Verification (:func:`fdivtheory.symbolic.verify`) checks f(1) = 0,
    convexity, f(0+), f'(∞), f'(1) and the numeric implementation against the
    sympy expression; a failure raises ``ValueError`` with the report.
    """
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a Generator, got {type(generator).__name__}")
    key = generator.name.strip().lower()
    if not overwrite and (key in _FACTORIES or key in _ALIASES or key in _USER):
        raise ValueError(f"a generator named {generator.name!r} is already registered")
    if verify:
        from fdivtheory.symbolic import verify as _verify

        report = _verify(generator)
        if not report.ok:
            raise ValueError(f"generator {generator.name!r} failed verification:\n{report}")
    _USER[key] = generator
    return generator

