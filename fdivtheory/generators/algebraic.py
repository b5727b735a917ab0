r"""Algebraic generators: Pearson and Neyman χ², squared Hellinger, Le Cam / triangular, χ^α.

Rational functions and powers of u - 1 (no logarithms).  Each is evaluated
from d = u - 1 (or p - q), which is exact near u = 1 (Sterbenz's lemma), and
squares are formed as ``d (d / s)`` so that no intermediate overflows where
the value itself is finite.
"""

from __future__ import annotations

import math
from dataclasses import replace

from fdivtheory.generators._common import inf, sym_number
from fdivtheory.generators.generator import Generator
from fdivtheory.generators.piecewise_linear import tv

__all__ = ["chi_alpha", "hellinger_sq", "le_cam", "neyman", "pearson"]

_LOG2 = math.log(2.0)


def _diff_log(lp, lq, xp):
    """p - q from log p, log q: q expm1(log p - log q) near ratio 1, else the difference."""
    L = lp - lq
    near = xp.abs(L) < _LOG2
    return xp.where(near, xp.exp(lq) * xp.expm1(xp.where(near, L, xp.zeros_like(L))),
                    xp.exp(lp) - xp.exp(lq))


_LOG_TINY, _LOG_HUGE = -708.3964185322641, 709.782712893384  # log of the normal range


def _log_abs_diff(lp, lq, xp):
    """log |p - q| from log p, log q (-inf at p = q)."""
    L = lp - lq
    aL = xp.abs(L)
    near = aL < _LOG2
    Ls = xp.where(near, L, xp.ones_like(L))
    Lf = xp.where(near, xp.ones_like(L), aL)
    return xp.where(near, lq + xp.log(xp.abs(xp.expm1(Ls))),
                    xp.maximum(lp, lq) + xp.log1p(-xp.exp(-Lf)))


def _via_logs(direct, log_term, lp, lq, xp):
    """``direct`` (a product of exponentials) where p and q are normal floats and it is
    finite, else ``exp(log_term)``: a finite log-mass whose exp under/overflows gives
    neither 0 * inf nor a spurious 0 or inf."""
    ok = ((lp > _LOG_TINY) & (lp < _LOG_HUGE) & (lq > _LOG_TINY) & (lq < _LOG_HUGE)
          & (direct == direct) & (xp.abs(direct) < inf))
    return xp.where(ok, direct, xp.exp(log_term))


def _pearson_log(lp, lq, xp):
    direct = _diff_log(lp, lq, xp) * xp.expm1(lp - lq)
    return _via_logs(direct, 2.0 * _log_abs_diff(lp, lq, xp) - lq, lp, lq, xp)


def _neyman_log(lp, lq, xp):
    direct = _diff_log(lp, lq, xp) * -xp.expm1(lq - lp)
    return _via_logs(direct, 2.0 * _log_abs_diff(lp, lq, xp) - lp, lp, lq, xp)


def pearson() -> Generator:
    r"""Pearson χ²: :math:`f(u) = (u - 1)^2`.

    .. math::  \chi^2(P\|Q) = \sum_i \frac{(p_i - q_i)^2}{q_i}

    (the second argument divides).  f(0+) = 1, f'(∞) = +∞; conjugate
    :math:`t + t^2/4` for t ≥ -2, -1 below.

    Numerical notes: the term is ``(p - q) ((p - q)/q)``.

    References: Pearson (1900), Philos. Mag. 50:157-175.
    """
    def conj(t, xp):
        return xp.where(t <= -2.0, xp.full_like(t, -1.0), t + t * t / 4.0)

    return Generator(
        name="pearson",
        f_fn=lambda u, xp: (u - 1.0) ** 2,
        df_fn=lambda u, xp: 2.0 * (u - 1.0),
        d2f_fn=lambda u, xp: xp.full_like(u, 2.0),
        df_inv_fn=lambda t, xp: 1.0 + t / 2.0,
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: (p - q) * ((p - q) / q),
        f_log_fn=lambda t, xp: xp.expm1(t) ** 2,
        perspective_log_fn=_pearson_log,
        value_at_zero=1.0, slope_at_infinity=inf, slope_at_zero=-2.0, slope_at_one=0.0,
        sympy_fn=lambda u: (u - 1) ** 2, kernel=("pearson",),
        references=("Pearson (1900), Philos. Mag. 50:157-175",),
        description="Pearson chi^2 divergence sum (p - q)^2 / q",
    )


def neyman() -> Generator:
    r"""Neyman χ²: :math:`f(u) = (u - 1)^2/u`.

    .. math::  \chi^2_N(P\|Q) = \sum_i \frac{(p_i - q_i)^2}{p_i} = \chi^2(Q\|P).

    f(0+) = +∞, f'(∞) = 1; conjugate :math:`2 - 2\sqrt{1-t} = 2t/(1 + \sqrt{1-t})`
    for t ≤ 1 (the second form has no cancellation near t = 0).

    Numerical notes: f is ``d (d/u)``, finite up to u = 1.8e308.

    References: Neyman (1949), Proc. Berkeley Symp. Math. Statist. Probab. 1:239-273.
    """
    def conj(t, xp):
        inside = t <= 1.0
        ts = xp.where(inside, t, xp.zeros_like(t))
        return xp.where(inside, 2.0 * ts / (1.0 + xp.sqrt(1.0 - ts)), xp.full_like(t, inf))

    def f(u, xp):
        d = u - 1.0
        return d * (d / u)

    return Generator(
        name="neyman",
        f_fn=f,
        df_fn=lambda u, xp: 1.0 - 1.0 / (u * u),
        d2f_fn=lambda u, xp: 2.0 / u**3,
        df_inv_fn=lambda t, xp: 1.0 / xp.sqrt(1.0 - t),
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: (p - q) * ((p - q) / p),
        f_log_fn=lambda t, xp: xp.expm1(t) * -xp.expm1(-t),  # (u - 1)(1 - 1/u)
        perspective_log_fn=_neyman_log,
        value_at_zero=inf, slope_at_infinity=1.0, slope_at_zero=-inf, slope_at_one=0.0,
        conjugate_at_slope=2.0,  # lim u - (u - 2 + 1/u)
        sympy_fn=lambda u: (u - 1) ** 2 / u, kernel=("neyman",),
        references=("Neyman (1949), Proc. Berkeley Symp. Math. Statist. Probab. 1:239-273",),
        description="Neyman chi^2 divergence sum (p - q)^2 / p",
    )


def hellinger_sq(scale: float = 1.0) -> Generator:
    r"""Squared Hellinger distance: :math:`f(u) = c(\sqrt u - 1)^2` (``scale=c``, default 1).

    .. math::  H^2(P\|Q) = c\sum_i (\sqrt{p_i} - \sqrt{q_i})^2 \in [0, 2c]

    (c = 1/2 gives the convention with values in [0, 1]); :math:`\sqrt{H^2}` is
    a metric.  f(0+) = c, f'(∞) = c; conjugate :math:`t/(1-t)` (c = 1), t < 1.

    Numerical notes: :math:`\sqrt u - 1 = (u - 1)/(\sqrt u + 1)` and
    :math:`\sqrt p - \sqrt q = (p - q)/(\sqrt p + \sqrt q)`: the difference of
    square roots loses :math:`\epsilon/|u - 1|` relative accuracy near u = 1;
    ``f_log(t) = expm1(t/2)^2``.

    References: Hellinger (1909), J. Reine Angew. Math. 136:210-271.
    """
    def root_diff(p, q, xp):
        return (p - q) / (xp.sqrt(p) + xp.sqrt(q))

    def conj(t, xp):
        inside = t < 1.0
        ts = xp.where(inside, t, xp.zeros_like(t))
        return xp.where(inside, ts / (1.0 - ts), xp.full_like(t, inf))

    base = Generator(
        name="hellinger_sq",
        f_fn=lambda u, xp: root_diff(u, xp.ones_like(u), xp) ** 2,
        df_fn=lambda u, xp: 1.0 - 1.0 / xp.sqrt(u),
        d2f_fn=lambda u, xp: 0.5 / (u * xp.sqrt(u)),
        df_inv_fn=lambda t, xp: 1.0 / (1.0 - t) ** 2,
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: root_diff(p, q, xp) ** 2,
        f_log_fn=lambda t, xp: xp.expm1(t / 2.0) ** 2,
        # (sqrt p - sqrt q)^2 = (e^(lq/2) expm1(L/2))^2 near ratio 1, directly elsewhere
        perspective_log_fn=lambda lp, lq, xp: xp.where(
            xp.abs(lp - lq) < 2.0 * _LOG2,
            (xp.exp(lq / 2.0) * xp.expm1((lp - lq) / 2.0)) ** 2,
            (xp.exp(lp / 2.0) - xp.exp(lq / 2.0)) ** 2),
        value_at_zero=1.0, slope_at_infinity=1.0, slope_at_zero=-inf, slope_at_one=0.0,
        conjugate_at_slope=inf,  # lim 2 sqrt(u) - 1
        sympy_fn=lambda u: (u ** sym_number(0.5) - 1) ** 2, kernel=("hellinger_sq",),
        symmetric=True, bounded=True, sqrt_is_metric=True,
        references=("Hellinger (1909), J. Reine Angew. Math. 136:210-271",),
        description="squared Hellinger distance sum (sqrt p - sqrt q)^2 in [0, 2] "
        "(scale=0.5 gives the 1/2 convention in [0, 1])",
    )
    if scale == 1.0:
        return base
    return replace(base.scaled(scale), name=f"hellinger_sq(scale={scale:g})",
                   params={"scale": float(scale)})


def le_cam(scale: float = 0.5, name: str = "le_cam") -> Generator:
    r"""Le Cam divergence (c = 1/2) and triangular discrimination (c = 1): :math:`f(u) = c\frac{(u-1)^2}{u+1}`.

    .. math::  \mathrm{LC}(P\|Q) = \frac12\sum_i \frac{(p_i - q_i)^2}{p_i + q_i} \in [0, 1],
               \qquad \Delta(P\|Q) = 2\,\mathrm{LC}(P\|Q);

    the square root is a metric.  f(0+) = f'(∞) = c.  Conjugate, with
    :math:`s = \sqrt{1 - t/c}`: :math:`f^*(t) = t(3 - s)/(1 + s)` for
    -3c ≤ t ≤ c (no cancellation near t = 0).

    Numerical notes: f is ``c d (d/(u + 1))``.

    References: Le Cam (1986), Asymptotic Methods in Statistical Decision Theory;
    Topsøe (2000), IEEE Trans. Inf. Theory 46:1602-1609.
    """
    c = float(scale)
    if not (c > 0 and math.isfinite(c)):
        raise ValueError(f"scale must be a finite positive number, got {scale!r}")
    if name == "le_cam" and c != 0.5:
        name = f"le_cam(scale={c:g})"

    def df_inv(t, xp):
        return xp.sqrt(4.0 * c / (c - t)) - 1.0  # v = u + 1 = sqrt(4c / (c - t))

    def conj(t, xp):
        inside = (t >= -3.0 * c) & (t <= c)
        ts = xp.where(inside, t, xp.zeros_like(t))
        s = xp.sqrt(1.0 - ts / c)
        val = xp.where(inside, ts * (3.0 - s) / (1.0 + s), xp.full_like(t, inf))
        return xp.where(t < -3.0 * c, xp.full_like(t, -c), val)

    def f(u, xp):
        d = u - 1.0
        return c * d * (d / (u + 1.0))

    def persp_log(lp, lq, xp):
        # log(p + q) = max + log1p(e^-|L|)
        direct = c * _diff_log(lp, lq, xp) * xp.tanh((lp - lq) / 2.0)
        lse = xp.maximum(lp, lq) + xp.log1p(xp.exp(-xp.abs(lp - lq)))
        return _via_logs(direct, math.log(c) + 2.0 * _log_abs_diff(lp, lq, xp) - lse, lp, lq, xp)

    return Generator(
        name=name,
        f_fn=f,
        df_fn=lambda u, xp: c * (u - 1.0) * (u + 3.0) / (u + 1.0) ** 2,
        d2f_fn=lambda u, xp: 8.0 * c / (u + 1.0) ** 3,
        df_inv_fn=df_inv,
        conjugate_fn=conj,
        perspective_fn=lambda p, q, xp: c * (p - q) * ((p - q) / (p + q)),
        f_log_fn=lambda t, xp: c * xp.expm1(t) * xp.tanh(t / 2.0),  # (u - 1)/(u + 1) = tanh(t/2)
        perspective_log_fn=persp_log,
        value_at_zero=c, slope_at_infinity=c, slope_at_zero=-3.0 * c, slope_at_one=0.0,
        conjugate_at_slope=3.0 * c,  # lim c u - c (u - 1)^2 / (u + 1) = lim c (3u - 1)/(u + 1)
        sympy_fn=lambda u: sym_number(c) * (u - 1) ** 2 / (u + 1),
        kernel=("scaled", c, ("triangular",)), params={"scale": c},
        symmetric=True, bounded=True, sqrt_is_metric=True,
        references=("Le Cam (1986), Asymptotic Methods in Statistical Decision Theory",
                    "Topsøe (2000), IEEE Trans. Inf. Theory 46:1602-1609"),
        description="Le Cam divergence 1/2 sum (p - q)^2 / (p + q)" if c == 0.5 else
        "triangular discrimination sum (p - q)^2 / (p + q)",
    )


def chi_alpha(alpha: float = 2.0) -> Generator:
    r"""Vajda's χ^α divergence, α ≥ 1: :math:`f(u) = |u - 1|^\alpha`.

    .. math::  \chi^\alpha(P\|Q) = \sum_i |p_i - q_i|^\alpha q_i^{1-\alpha}

    (α = 1: twice total variation; α = 2: Pearson χ²).  f(0+) = 1, f'(∞) = +∞;
    conjugate :math:`t + (1 - 1/\alpha)|t|(|t|/\alpha)^{1/(\alpha-1)}` for
    t ≥ -α, -1 below.

    Numerical notes: the term is :math:`|p - q|\,(|p - q|/q)^{\alpha - 1}`: no
    ``0 * inf`` when :math:`|p-q|^\alpha` underflows and :math:`q^{1-\alpha}`
    overflows, and no overflow of :math:`(p/q)^\alpha` where the term is finite.

    References: Vajda (1973), Ann. Inst. Statist. Math. 25:1-14.
    """
    a = float(alpha)
    if not (a >= 1.0 and math.isfinite(a)):
        raise ValueError(f"alpha must be a finite number >= 1, got {alpha!r}")
    if a == 1.0:
        tv2 = tv().scaled(2.0)
        return replace(tv2, name="chi_alpha(alpha=1)", params={"alpha": 1.0})

    def sym(u):
        import sympy as sp

        return sp.Abs(u - 1) ** sym_number(a)

    def conj(t, xp):
        inside = t >= -a
        ts = xp.where(inside, t, xp.zeros_like(t))
        at = xp.abs(ts)
        val = ts + (1.0 - 1.0 / a) * at * (at / a) ** (1.0 / (a - 1.0))
        return xp.where(inside, val, xp.full_like(t, -1.0))

    def persp(p, q, xp):
        # |p - q| (|p - q|/q)^(a - 1); in logs where (|p - q|/q)^(a - 1) over/underflows
        d = xp.abs(p - q)
        r = d / q
        t = d * r ** (a - 1.0)
        pos = d > 0.0
        ok = (t < inf) & (r < inf) & (r > 0.0)
        ds = xp.where(pos, d, xp.ones_like(d))
        logs = xp.exp(xp.log(ds) + (a - 1.0) * (xp.log(ds) - xp.log(q)))
        return xp.where(pos, xp.where(ok, t, logs), xp.zeros_like(d))

    def persp_log(lp, lq, xp):
        # |p - q| |expm1(L)|^(a - 1); for L > log 2, log expm1(L) = L + log1p(-e^-L) (no
        # overflow of expm1(L) where the term is finite)
        L = lp - lq
        pos = L > _LOG2
        Lp = xp.where(pos, L, xp.ones_like(L))
        r = xp.where(pos, xp.exp((a - 1.0) * (Lp + xp.log1p(-xp.exp(-Lp)))),
                     xp.abs(xp.expm1(xp.where(pos, xp.zeros_like(L), L))) ** (a - 1.0))
        direct = xp.abs(_diff_log(lp, lq, xp)) * r
        return _via_logs(direct, a * _log_abs_diff(lp, lq, xp) + (1.0 - a) * lq, lp, lq, xp)

    return Generator(
        name=f"chi_alpha(alpha={a:g})",
        f_fn=lambda u, xp: xp.abs(u - 1.0) ** a,
        df_fn=lambda u, xp: a * xp.sign(u - 1.0) * xp.abs(u - 1.0) ** (a - 1.0),
        d2f_fn=lambda u, xp: a * (a - 1.0) * xp.abs(u - 1.0) ** (a - 2.0),
        df_inv_fn=lambda t, xp: 1.0 + xp.sign(t) * (xp.abs(t) / a) ** (1.0 / (a - 1.0)),
        conjugate_fn=conj,
        perspective_fn=persp,
        f_log_fn=lambda t, xp: xp.abs(xp.expm1(t)) ** a,
        perspective_log_fn=persp_log,
        value_at_zero=1.0, slope_at_infinity=inf, slope_at_zero=-a, slope_at_one=0.0,
        sympy_fn=sym, kernel=("chi_alpha", a), params={"alpha": a},
        references=("Vajda (1973), Ann. Inst. Statist. Math. 25:1-14",),
        description="chi^alpha divergence sum |p - q|^alpha q^(1 - alpha)",
    )
