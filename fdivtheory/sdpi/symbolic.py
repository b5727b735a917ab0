r"""Symbolic derivations (sympy) of the closed forms shipped by :mod:`fdivtheory.sdpi`.

Each function derives an expression from first principles (the binary-input
:math:`\rho^2(\lambda)` of docs/theory/sdpi.md, §5.1, its stationary point,
Gaussian integrals); the tests compare it with the numeric functions at
random points.

>>> from fdivtheory.sdpi.symbolic import bsc_eta
>>> bsc_eta()
(2*delta - 1)**2
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "binary_channel_eta",
    "binary_channel_maximiser",
    "binary_input_rho2",
    "bsc_eta",
    "dropout_erasure_eta",
    "linear_gaussian_kl_expectation",
    "q_ary_symmetric_eta",
    "z_channel_rho2",
]

lam, a, b, delta, eps = sp.symbols("lambda a b delta epsilon", positive=True)


def binary_input_rho2(row0, row1) -> sp.Expr:
    r""":math:`\rho^2(\lambda) = \lambda(1-\lambda)\sum_y (b_y-a_y)^2/((1-\lambda)a_y + \lambda b_y)`."""
    terms = [(y1 - y0) ** 2 / ((1 - lam) * y0 + lam * y1)
             for y0, y1 in zip(row0, row1, strict=True) if sp.simplify(y1 - y0) != 0]
    return lam * (1 - lam) * sp.Add(*terms)


def binary_channel_maximiser() -> sp.Expr:
    r"""Stationary point of :math:`\rho^2(\lambda)` for ``[[1-a, a], [b, 1-b]]``.

    The derivative's numerator factors as
    :math:`-(1-a-b)^2[a(a-1)(1-\lambda)^2 + b(1-b)\lambda^2]`, so
    :math:`\lambda^* = \sqrt{a(1-a)}/(\sqrt{a(1-a)} + \sqrt{b(1-b)})`.
    """
    rho = binary_input_rho2([1 - a, a], [b, 1 - b])
    num = sp.factor(sp.numer(sp.together(sp.diff(rho, lam))))
    sols = sp.solve(num, lam)
    target = sp.sqrt(a * (1 - a)) / (sp.sqrt(a * (1 - a)) + sp.sqrt(b * (1 - b)))
    for s in sols:
        if abs(complex(sp.N((s - target).subs({a: sp.Rational(1, 7), b: sp.Rational(2, 9)})))) \
                < 1e-12:
            return target
    raise AssertionError("the stationary point was not found among the roots")  # pragma: no cover


def binary_channel_eta() -> sp.Expr:
    r""":math:`\rho^2(\lambda^*)` of ``[[1-a, a], [b, 1-b]]`` (compare with
    :math:`(\sqrt{(1-a)(1-b)} - \sqrt{ab})^2`)."""
    rho = binary_input_rho2([1 - a, a], [b, 1 - b])
    return sp.simplify(rho.subs(lam, binary_channel_maximiser()))


def bsc_eta() -> sp.Expr:
    r"""BSC: :math:`\rho^2` is maximal at :math:`\lambda = 1/2` (symmetry, concavity): :math:`(1-2\delta)^2`."""
    rho = binary_input_rho2([1 - delta, delta], [delta, 1 - delta])
    assert sp.simplify(sp.diff(rho, lam).subs(lam, sp.Rational(1, 2))) == 0
    return sp.factor(sp.simplify(rho.subs(lam, sp.Rational(1, 2))))


def z_channel_rho2() -> sp.Expr:
    r"""Z-channel ``[[1, 0], [eps, 1-eps]]``: :math:`\rho^2(\lambda) = (1-\epsilon)(1-\lambda)/(1-(1-\epsilon)\lambda)`."""
    return sp.simplify(binary_input_rho2([1, 0], [eps, 1 - eps]))


def q_ary_symmetric_eta(q: int) -> sp.Expr:
    r"""q-ary symmetric channel: :math:`\rho^2` of the uniform input on two symbols.

    Equals :math:`(q-1-q\delta)^2/((q-1)(q-1-(q-2)\delta))`.
    """
    off = delta / (q - 1)
    row0 = [1 - delta, off] + [off] * (q - 2)
    row1 = [off, 1 - delta] + [off] * (q - 2)
    return sp.factor(sp.simplify(binary_input_rho2(row0, row1).subs(lam, sp.Rational(1, 2))))


def dropout_erasure_eta(d: int) -> sp.Expr:
    r"""Two inputs differing in every coordinate through dropout: erasure with
    probability :math:`p^d`, so :math:`\rho^2(\lambda) = 1 - p^d` for every :math:`\lambda`."""
    p = sp.symbols("p", positive=True)
    erased = p**d
    rho = binary_input_rho2([1 - erased, 0, erased], [0, 1 - erased, erased])
    return sp.simplify(rho)


def linear_gaussian_kl_expectation(r: int) -> sp.Expr:
    r""":math:`E\,KL` of the rank-``r`` linear-Gaussian model: :math:`\tfrac r2\log\tfrac n{n-1}`.

    Per direction of the range: :math:`\tfrac12[c - 1 - \log c + E Z^2/n]`, with
    :math:`c = 1 - 1/n` and :math:`E Z^2 = 1`.
    """
    n = sp.symbols("n", positive=True)
    c = 1 - 1 / n
    return sp.simplify(r * sp.Rational(1, 2) * (c - 1 - sp.log(c) + 1 / n))
