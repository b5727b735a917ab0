r"""Symbolic (sympy) derivations behind the numeric formulas of the module.

* :func:`one_parameter_coefficients`: :math:`c_1, c_2` of a one-parameter
  family in natural coordinates and in mean coordinates, as sympy expressions;
* :func:`mvn_exact_risk_series`: the :math:`1/n` expansion of the exact
  well-specified multivariate normal risk (docs/theory/pn_criterion.md, §5),
  from the asymptotic series of the digamma function;
* :func:`exponential_gamma_risk_series`: the same for the exponential model
  with a Gamma(:math:`k`) truth;
* :func:`normal_model_coefficients`: the normal model's :math:`c_1, c_2` in the
  truth's standardised moments, from the general tensor formula with exact
  rational tensors.

These are used by the checks and tests to confirm the closed forms the
numeric code ships.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["exponential_gamma_risk_series", "mvn_exact_risk_series",
           "normal_model_coefficients", "one_parameter_coefficients"]


def one_parameter_coefficients(psi: sp.Expr, theta: sp.Symbol, theta_star, kappa2, kappa3):
    r"""``((c1, c2) natural, (c1, c2) mean)`` for a one-parameter family.

    Natural coordinates: :math:`c_1 = \kappa_2/(2G)`,
    :math:`c_2 = -\tfrac13 K\kappa_3/G^3 - \tfrac38 L\kappa_2^2/G^4 + \tfrac98 K^2\kappa_2^2/G^5`;
    mean coordinates: :math:`\varphi(\eta) = \sup_\theta\{\theta\eta - \psi(\theta)\}`,
    :math:`c_2 = \tfrac13\varphi'''\kappa_3 + \tfrac38\varphi''''\kappa_2^2`, with
    :math:`\varphi` differentiated through :math:`\theta(\eta)` by the inverse
    function rule.

    Examples
    --------
    >>> import sympy as sp
    >>> from fdivtheory.projection.symbolic import one_parameter_coefficients
    >>> t = sp.Symbol("theta", negative=True)       # exponential model, theta = -rate
    >>> k = sp.Symbol("k", positive=True)           # Gamma(k) truth: mean k, cumulants k, 2k
    >>> nat, mean = one_parameter_coefficients(-sp.log(-t), t, -1 / k, k, 2 * k)
    >>> nat, mean
    ((1/(2*k), 11/(12*k**2)), (1/(2*k), 11/(12*k**2)))
    """
    G, K, L = (sp.diff(psi, theta, j).subs(theta, theta_star) for j in (2, 3, 4))
    c1n = kappa2 / (2 * G)
    c2n = (-sp.Rational(1, 3) * K * kappa3 / G**3 - sp.Rational(3, 8) * L * kappa2**2 / G**4
           + sp.Rational(9, 8) * K**2 * kappa2**2 / G**5)
    # phi'' = 1/psi''; further derivatives by d/deta = (1/psi'') d/dtheta
    g2 = sp.diff(psi, theta, 2)
    f2 = 1 / g2
    f3 = sp.diff(f2, theta) / g2
    f4 = sp.diff(f3, theta) / g2
    f2, f3, f4 = (f.subs(theta, theta_star) for f in (f2, f3, f4))
    c1m = f2 * kappa2 / 2
    c2m = f3 * kappa3 / 3 + sp.Rational(3, 8) * f4 * kappa2**2
    return (sp.simplify(c1n), sp.simplify(c2n)), (sp.simplify(c1m), sp.simplify(c2m))


def _digamma_asymptotic(z, terms: int = 4):
    """Asymptotic series of the digamma function at large ``z``."""
    out = sp.log(z) - 1 / (2 * z)
    for k in range(1, terms + 1):
        out -= sp.bernoulli(2 * k) / (2 * k * z ** (2 * k))
    return out


def mvn_exact_risk_series(d: int, order: int = 3) -> list[sp.Rational]:
    r"""Coefficients of :math:`n^{-1}, \ldots, n^{-\text{order}}` of the exact well-specified risk.

    .. math:: R_n = \tfrac12\Big[\frac{(n+1)d}{n-d-2} - d
              + \sum_{i=1}^d \psi_\Gamma\big(\tfrac{n-i}{2}\big) + d\log\tfrac2n\Big]

    Examples
    --------
    >>> from fdivtheory.projection.symbolic import mvn_exact_risk_series
    >>> mvn_exact_risk_series(1)
    [1, 61/12, 17]
    """
    u = sp.Symbol("u", positive=True)  # u = 1/n
    n = 1 / u
    expr = (n + 1) * d / (n - d - 2) - d + d * sp.log(2 * u)
    for i in range(1, d + 1):
        expr += _digamma_asymptotic((n - i) / 2)
    ser = sp.series(sp.expand_log(expr / 2, force=True), u, 0, order + 1).removeO()
    return [sp.nsimplify(sp.simplify(ser.coeff(u, j))) for j in range(1, order + 1)]


def exponential_gamma_risk_series(order: int = 3):
    r"""Coefficients of :math:`m^{-1}, \ldots` (:math:`m = nk`) of :math:`\psi_\Gamma(m) - \log m + 1/(m-1)`.

    Examples
    --------
    >>> from fdivtheory.projection.symbolic import exponential_gamma_risk_series
    >>> exponential_gamma_risk_series()
    [1/2, 11/12, 1]
    """
    u = sp.Symbol("u", positive=True)
    m = 1 / u
    expr = _digamma_asymptotic(m) - sp.log(m) + 1 / (m - 1)
    ser = sp.series(sp.expand_log(expr, force=True), u, 0, order + 1).removeO()
    return [sp.nsimplify(ser.coeff(u, j)) for j in range(1, order + 1)]


def normal_model_coefficients():
    r"""``(c1, c2)`` of the normal model as sympy expressions in the truth's standardised moments.

    The natural-coordinate tensor formula evaluated exactly: by invariance the
    truth is standardised (mean 0, variance 1) and :math:`\theta^*` is that of
    :math:`N(0, 1)`, where the model cumulants of :math:`T = (x, x^2)` are
    rationals; the true cumulants of :math:`T` are polynomials in the moments
    ``m3, m4, m5, m6`` (returned symbols).  Equals
    :math:`c_1 = 1 + \gamma_2/4`,
    :math:`c_2 = 121/12 + 6\gamma_2 + \tfrac98\gamma_2^2 + 3\gamma_1^2 - m_6/3` with
    :math:`\gamma_1 = m_3`, :math:`\gamma_2 = m_4 - 3`.

    Examples
    --------
    >>> import sympy as sp
    >>> from fdivtheory.projection.symbolic import normal_model_coefficients
    >>> (c1, c2), (m3, m4, m5, m6) = normal_model_coefficients()
    >>> sp.expand(c1)
    m4/4 + 1/4
    """
    m3, m4, m5, m6 = sp.symbols("m3 m4 m5 m6", real=True)

    def normal_moment(k):
        return 0 if k % 2 else sp.factorial2(k - 1)

    def truth_moment(k):
        return {0: 1, 1: 0, 2: 1, 3: m3, 4: m4, 5: m5, 6: m6}[k]

    def cumulant_tensors(moment, order):
        # T = (x, x^2); central products of T_i - E T_i expanded as polynomials in x
        x = sp.Symbol("x")
        T = [x, x**2]
        eta = [sp.expand(_moment_poly(t, moment, x)) for t in T]
        c = [T[i] - eta[i] for i in range(2)]
        tensors = []
        for k in range(2, order + 1):
            arr = sp.MutableDenseNDimArray.zeros(*([2] * k))
            for idx in _indices(k):
                prod = sp.Integer(1)
                for i in idx:
                    prod *= c[i]
                arr[idx] = sp.expand(_moment_poly(sp.expand(prod), moment, x))
            tensors.append(arr)
        return tensors

    Gm, K3m, M4m = cumulant_tensors(normal_moment, 4)
    L = sp.MutableDenseNDimArray.zeros(2, 2, 2, 2)
    for i, j, k, m in _indices(4):
        L[i, j, k, m] = (M4m[i, j, k, m] - Gm[i, j] * Gm[k, m] - Gm[i, k] * Gm[j, m]
                         - Gm[i, m] * Gm[j, k])
    S, kap = cumulant_tensors(truth_moment, 3)
    G = sp.Matrix(2, 2, lambda i, j: Gm[i, j])
    H = G.inv()
    Sig = sp.Matrix(2, 2, lambda i, j: S[i, j])
    A = H * Sig * H
    c1 = sp.Rational(1, 2) * (H * Sig).trace()
    r = range(2)
    kt = {(a, b, c): sum(H[a, i] * H[b, j] * H[c, k] * kap[i, j, k]
                         for i in r for j in r for k in r) for a, b, c in _indices(3)}
    t1 = -sp.Rational(1, 3) * sum(K3m[a, b, c] * kt[a, b, c] for a, b, c in _indices(3))
    t2 = -sp.Rational(3, 8) * sum(L[a, b, c, d] * A[a, b] * A[c, d] for a, b, c, d in _indices(4))
    t3 = sp.Rational(3, 8) * sum(K3m[a, b, c] * K3m[d, e, f] * H[a, d]
                                 * (A[b, c] * A[e, f] + 2 * A[b, e] * A[c, f])
                                 for a, b, c in _indices(3) for d, e, f in _indices(3))
    return (sp.simplify(c1), sp.expand(t1 + t2 + t3)), (m3, m4, m5, m6)


def _indices(k: int):
    import itertools

    return list(itertools.product(range(2), repeat=k))


def _moment_poly(expr, moment, x):
    """Replace each power ``x**j`` of the polynomial ``expr`` by ``moment(j)``."""
    poly = sp.Poly(sp.expand(expr), x)
    return sum(coef * moment(deg[0]) for deg, coef in zip(poly.monoms(), poly.coeffs(),
                                                        strict=True))
