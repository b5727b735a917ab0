r"""The exact expected NLL generalisation gap of the binary-GMM augmentation procedure.

Derived here with sympy from the Gaussian structure of the procedure
(docs/theory/gda.md, §5): with :math:`u = y x`, every loss is
:math:`\lVert u - \theta\rVert^2/(2\sigma^2)`, the learner is
:math:`\hat\theta = \bar u_{\tilde S}`, and one coordinate in units of
:math:`\sigma` (the gap does not depend on :math:`\mu` or :math:`\sigma`) is a
polynomial in independent standard normals and chi-square variables whose
expectation sympy takes monomial by monomial.  For balanced classes

.. math::

   \mathbb E[R_D(\hat\theta) - \hat R_{\tilde S}(\hat\theta)]
   = \frac{d\,(m_S + 2 m_G)}{m_T^2},
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from fdivtheory._arguments import positive_int

from ._validation import class_sizes

__all__ = ["ExpectedGap", "expected_gap", "expected_gap_expression"]


@dataclass(frozen=True)
class ExpectedGap:
    r"""Expected signed NLL gap and its three components (exact, per the procedure).

    The identity :math:`R_D - \hat R_{\tilde S} = \frac{m_S}{m_T}[R_D - \hat R_S]
    + \frac{m_G}{m_T}[R_D - R_{D_G(S)}] + \frac{m_G}{m_T}[R_{D_G(S)} - \hat R_{S_G}]`
    holds pointwise; the attributes are the expectations of its brackets.

    Attributes
    ----------
    total : float
        :math:`\mathbb E[R_D - \hat R_{\tilde S}]`.
    train : float
        :math:`\mathbb E[R_D - \hat R_S]` (``d / m_s``).
    divergence : float
        :math:`\mathbb E[R_D - R_{D_G(S)}]` (0); :math:`D_G(S)` has class prior 1/2.
    generated : float
        :math:`\mathbb E[R_{D_G(S)} - \hat R_{S_G}]` (``d / m_T`` for balanced
        generated labels; 0 when ``m_g = 0``).
    weights : tuple of float
        :math:`(m_S/m_T, m_G/m_T, m_G/m_T)`, so ``total`` is the weighted sum.
    exact : str
        ``total`` as an exact rational number.
    """

    total: float
    train: float
    divergence: float
    generated: float
    weights: tuple[float, float, float]
    exact: str


def _moment(k: int) -> int:
    """:math:`E[Z^k]` for a standard normal."""
    if k % 2:
        return 0
    out = 1
    for j in range(k - 1, 0, -2):
        out *= j
    return out


def _expectation(expr: sp.Expr, normals: list[sp.Symbol], linear: dict[sp.Symbol, sp.Expr],
                 sv: sp.Symbol, mean_v: sp.Expr, free_of_v: set[sp.Symbol]) -> sp.Expr:
    """E[expr] for independent standard ``normals``, variables entering linearly, and
    ``sv = sqrt(v)`` independent of the normals with ``E[sv**2] = mean_v``.

    ``expr`` is expanded and taken term by term.  ``sv`` only ever multiplies a
    generated-mean normal, so its odd powers come with odd powers of a normal
    (expectation 0); ``sv**2`` multiplies only ``linear`` variables in ``free_of_v``
    (independent of ``v``; asserted).
    """
    randoms = set(normals) | set(linear) | {sv}
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        powers = term.as_powers_dict()
        coeff = term
        factor = sp.Integer(1)
        k_sv = int(powers.get(sv, 0))
        for sym in randoms:
            k = int(powers.get(sym, 0))
            if not k:
                continue
            coeff = coeff / sym**k
            if sym is sv:
                continue
            if sym in linear:
                if k > 1 or (k_sv and sym not in free_of_v):
                    raise AssertionError("chi-square variables must enter linearly, alone")
                factor *= linear[sym]
            else:
                factor *= _moment(k)
        if k_sv > 2:
            raise AssertionError("sqrt(v) must enter at most squared")
        if k_sv == 1:
            continue
        if k_sv == 2:
            factor *= mean_v
        total += coeff * factor
    return total


def _components(n_minus, n_plus, g_minus, g_plus) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Expected brackets per coordinate (units of sigma), as sympy expressions.

    ``g_*`` may be 0 (that generated class is empty); ``n_*`` must be >= 2.  The
    square roots of the class sizes are carried as symbols ``r`` (``1/sqrt(n)``)
    and ``q`` (``sqrt(g)``) and substituted after the expectation, where only
    their even powers remain.
    """
    z_m, z_p, e_m, e_p = sp.symbols("z_m z_p zeta_m zeta_p")
    q_m, q_p, c_m, c_p = sp.symbols("Q_m Q_p C_m C_p")
    r_m, r_p, s_m, s_p = sp.symbols("r_m r_p s_m s_p", positive=True)
    m_s = n_minus + n_plus
    m_g = g_minus + g_plus
    m_t = m_s + m_g
    u_bar = {-1: z_m * r_m, 1: z_p * r_p}
    n = {-1: n_minus, 1: n_plus}
    q = {-1: q_m, 1: q_p}
    # pooled unbiased variance of the generator; E[Q_c] = n_c - 1, so E[v] = 1
    v = sum(n[c] * q[c] / (n[c] - 1) for c in (-1, 1)) / m_s
    sv = sp.Symbol("sv", positive=True)  # sqrt(v); enters only with a zeta
    g = {-1: g_minus, 1: g_plus}
    root_g = {-1: s_m, 1: s_p}
    zeta = {-1: e_m, 1: e_p}
    chi = {-1: c_m, 1: c_p}
    # g_c * (generated class mean) = g_c u_bar_c + sqrt(g_c) * sv * zeta_c
    gen_sum = sum(g[c] * u_bar[c] + root_g[c] * sv * zeta[c] for c in (-1, 1) if g[c] != 0)
    theta = (sum(n[c] * u_bar[c] for c in (-1, 1)) + gen_sum) / m_t
    risk_d = (1 + theta**2) / 2
    risk_s = (q_m + q_p + sum(n[c] * (u_bar[c] - theta) ** 2 for c in (-1, 1))) / (2 * m_s)
    risk_g = sum(((u_bar[c] - theta) ** 2 + sv**2) for c in (-1, 1)) / 4
    if m_g != 0:
        # sqrt(g_c) * (generated mean - theta) = sqrt(g_c)(u_bar_c - theta) + sv zeta_c
        emp_g = sum(sv**2 * chi[c] + (root_g[c] * (u_bar[c] - theta) + sv * zeta[c]) ** 2
                    for c in (-1, 1) if g[c] != 0) / (2 * m_g)
    else:
        emp_g = risk_g
    normals = [z_m, z_p, e_m, e_p]
    linear = {q_m: n_minus - 1, q_p: n_plus - 1,
              c_m: max(g_minus - 1, 0) if isinstance(g_minus, int) else g_minus - 1,
              c_p: max(g_plus - 1, 0) if isinstance(g_plus, int) else g_plus - 1}
    mean_v = sp.cancel(v.subs(linear))
    roots = {r_m: 1 / sp.sqrt(n_minus), r_p: 1 / sp.sqrt(n_plus),
             s_m: sp.sqrt(g_minus), s_p: sp.sqrt(g_plus)}

    def expect(expr: sp.Expr) -> sp.Expr:
        out = _expectation(expr, normals, linear, sv, mean_v, {c_m, c_p})
        return sp.factor(sp.cancel(sp.expand(out.subs(roots))))

    return expect(risk_d - risk_s), expect(risk_d - risk_g), expect(risk_g - emp_g)


@lru_cache(maxsize=1)
def expected_gap_expression() -> sp.Expr:
    r"""The expected signed gap for balanced classes as a sympy expression in ``d, m_S, m_G``.

    Derived by :func:`_components` with :math:`n_\pm = m_S/2`, :math:`g_\pm = m_G/2`
    symbolic, then simplified.

    Examples
    --------
    >>> d, m_s, m_g = sp.symbols("d m_S m_G", positive=True)
    >>> sp.simplify(expected_gap_expression() - d * (m_s + 2 * m_g) / (m_s + m_g) ** 2)
    0
    """
    d, m_s, m_g = sp.symbols("d m_S m_G", positive=True)
    train, div, gen = _components(m_s / 2, m_s / 2, m_g / 2, m_g / 2)
    m_t = m_s + m_g
    return sp.factor(sp.simplify(d * (m_s * train + m_g * div + m_g * gen) / m_t))


@lru_cache(maxsize=256)
def _exact(d: int, m_s: int, m_g: int) -> tuple[sp.Rational, ...]:
    n_minus, n_plus = class_sizes(m_s)
    g_minus, g_plus = class_sizes(m_g)
    train, div, gen = _components(n_minus, n_plus, g_minus, g_plus)
    m_t = m_s + m_g
    total = d * (m_s * train + m_g * div + m_g * gen) / m_t
    return tuple(sp.Rational(x) for x in (total, d * train, d * div, d * gen))


def expected_gap(d: int, m_s: int, m_g: int) -> ExpectedGap:
    r"""Exact :math:`\mathbb E[R_D(\hat\theta) - \hat R_{\tilde S}(\hat\theta)]` for the bGMM procedure.

    The procedure of the authors' simulation (docs/theory/gda.md, §4): balanced
    training set (``m_s // 2`` points per class, the odd one to class -1),
    Gaussian generator with class means and a pooled unbiased diagonal
    variance, ``m_g`` generated points split the same way, learner
    :math:`\hat\theta = \frac1{m_T}\sum_{\tilde S} y x`, loss
    :math:`\lVert x - y\theta\rVert^2/(2\sigma^2)`, :math:`R_D` the population risk.
    The expectation is derived with sympy for these class sizes; for even
    ``m_s`` and ``m_g`` it equals :math:`d(m_S + 2m_G)/m_T^2`.  It does not
    depend on :math:`\mu` or :math:`\sigma`.

    Parameters
    ----------
    d : int
        Dimension, :math:`\ge 1`.
    m_s : int
        Real training points, :math:`\ge 4` (two per class for the variance).
    m_g : int
        Generated points, :math:`\ge 0`.

    Returns
    -------
    ExpectedGap

    Examples
    --------
    >>> g = expected_gap(50, 10, 1000)       # 50 * 2010 / 1010**2
    >>> g.exact, round(g.total, 6), g.train, g.divergence
    ('1005/10201', 0.09852, 5.0, 0.0)
    """
    d = positive_int(d, "d", minimum=1, allow_integral_float=True)
    m_s = positive_int(m_s, "m_s", minimum=4, allow_integral_float=True)
    m_g = positive_int(m_g, "m_g", minimum=0, allow_integral_float=True)
    total, train, div, gen = _exact(d, m_s, m_g)
    m_t = m_s + m_g
    return ExpectedGap(float(total), float(train), float(div), float(gen),
                       (m_s / m_t, m_g / m_t, m_g / m_t), str(total))
