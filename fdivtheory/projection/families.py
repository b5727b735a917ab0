r"""The catalogue of built-in exponential families, by name: :func:`family`.

``family("normal")``, ``family("mvn", d=2)``, ... return the classes of
:mod:`fdivtheory.projection.builtin_families`; ``family("gamma")`` is built once with
:func:`~fdivtheory.projection.family_from_sympy`.  The family interface is
:class:`~fdivtheory.projection.ExponentialFamily` (:mod:`fdivtheory.projection.exponential_family`);
user-defined families come from :mod:`fdivtheory.projection.sympy_family`
(docs/theory/pn_criterion.md, §1–2).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from .builtin_families import (
    Bernoulli,
    Categorical,
    Exponential,
    MultivariateNormal,
    Normal,
    NormalKnownVariance,
    Poisson,
)
from .exponential_family import ExponentialFamily
from .sympy_family import family_from_sympy

__all__ = ["family"]


@functools.lru_cache(maxsize=1)
def _gamma_family() -> ExponentialFamily:
    a, b, x = sp.symbols("theta1 theta2 x")
    fam = family_from_sympy(
        [sp.log(x), x], sp.loggamma(a + 1) - (a + 1) * sp.log(-b), [a, b], x=x,
        name="gamma", theta0=[0.0, -1.0],
        mle_exists=lambda t: bool(np.log(t[1]) > t[0]) if t[1] > 0 else False,
        support=lambda v: v > 0)
    fam.__doc__ = "Gamma(shape a, rate b): T = (log x, x), theta = (a - 1, -b)."
    return fam


_SIMPLE = {
    "normal": Normal,
    "exponential": Exponential,
    "poisson": Poisson,
    "bernoulli": Bernoulli,
}
_PARAMS = {
    "normal_known_variance": (NormalKnownVariance, ("sigma2",)),
    "mvn": (MultivariateNormal, ("d",)),
    "categorical": (Categorical, ("k",)),
}


def family(name: str, **params) -> ExponentialFamily:
    r"""A built-in exponential family.

    =========================== ========================= ==========================================
    name                        parameters                sufficient statistic :math:`T(x)`
    =========================== ========================= ==========================================
    ``"normal"``                                          :math:`(x, x^2)`
    ``"normal_known_variance"`` ``sigma2`` (default 1)    :math:`x`
    ``"mvn"``                   ``d``                     :math:`(x, x_a x_b)_{a\le b}`, :math:`p = d(d+3)/2`
    ``"exponential"``                                     :math:`x` (natural :math:`\theta=-\text{rate}`)
    ``"poisson"``                                         :math:`x`
    ``"bernoulli"``                                       :math:`x`
    ``"categorical"``           ``k``                     one-hot of cells :math:`1..k-1`
    ``"gamma"``                                           :math:`(\log x, x)` (built by :func:`family_from_sympy`)
    =========================== ========================= ==========================================

    Examples
    --------
    >>> from fdivtheory.projection import family
    >>> family("mvn", d=2).dim
    5
    >>> family("normal").natural_from_mean([1.0, 2.0])   # N(1, 1)
    array([ 1. , -0.5])
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if name == "gamma":
        if params:
            raise ValueError(f"the gamma family takes no parameters, got {sorted(params)}")
        return _gamma_family()
    if name in _SIMPLE:
        if params:
            raise ValueError(f"the {name} family takes no parameters, got {sorted(params)}")
        return _SIMPLE[name]()
    if name in _PARAMS:
        cls, allowed = _PARAMS[name]
        bad = set(params) - set(allowed)
        if bad:
            raise ValueError(f"the {name} family takes {allowed}, got {sorted(bad)}")
        if name != "normal_known_variance" and not params:
            raise ValueError(f"the {name} family needs {allowed[0]}= (e.g. family({name!r}, "
                             f"{allowed[0]}=2))")
        return cls(**params)
    known = sorted(["gamma", *_SIMPLE, *_PARAMS])
    raise ValueError(f"unknown family {name!r}; known: {', '.join(known)}")
