r"""Closed-form divergences between parametric laws.

Parameter objects are small frozen dataclasses that validate their arguments
(``ValueError`` naming the bad one): :class:`Gaussian` (scalar, diagonal or
full covariance), :class:`Bernoulli`, :class:`Categorical`, :class:`Poisson`,
:class:`Exponential`, :class:`Gamma`, :class:`Beta`, :class:`Dirichlet`,
:class:`Laplace`, and :class:`ExponentialFamily` (any family given by its
log-partition function).

Functions, all with ``P`` first and returning Python floats (nats):

=====================  =======================================================
:func:`kl`             ``KL(P || Q)``
:func:`renyi`          ``D_alpha(P || Q)``, ``alpha`` in ``[0, inf]``
:func:`bhattacharyya`  ``-log \int sqrt(p q) = D_{1/2} / 2``
:func:`hellinger_sq`   ``\int (sqrt p - sqrt q)^2 = 2 (1 - BC)``, in ``[0, 2]``
:func:`chi2`           ``\int (p - q)^2 / q = exp(D_2) - 1``
:func:`tv`             ``(1/2) \int |p - q|`` where an exact form exists
:func:`tv_bounds`      certified bounds on TV (Pinsker, Bretagnolle–Huber,
                       exact joint range, Le Cam's Hellinger sandwich)
=====================  =======================================================

``+inf`` is returned where the integral diverges.  What is available for which
pair is generated from the registry by :func:`supported_pairs`; a missing pair
raises :class:`MissingClosedFormError` naming it.  New pairs are added with
the :func:`register` decorator (the design of ``torch.distributions.kl``).

Examples
--------
>>> import numpy as np
>>> from fdivtheory import closed_form as cf
>>> P = cf.Gaussian([0.0, 0.0], [[1.0, 0.3], [0.3, 1.0]])
>>> Q = cf.Gaussian([1.0, -1.0], [[1.0, 0.3], [0.3, 1.0]])
>>> round(cf.tv(P, Q), 10)        # equal covariances: 2 Phi(Delta / 2) - 1
0.6019752805
>>> cf.chi2(cf.Gaussian(0.0, 1.0), cf.Gaussian(0.0, 0.4))   # 2 * 0.4 - 1 < 0
inf
"""

from fdivtheory.closed_form._api import (
    TVBounds,
    bhattacharyya,
    chi2,
    hellinger_sq,
    kl,
    renyi,
    tv,
    tv_bounds,
)
from fdivtheory.closed_form._registry import (
    QUANTITIES,
    MissingClosedFormError,
    register,
    supported_pairs,
)
from fdivtheory.closed_form.continuous import Beta, Dirichlet, Exponential, Gamma, Laplace
from fdivtheory.closed_form.discrete import Bernoulli, Categorical, Poisson
from fdivtheory.closed_form.exponential_family import ExponentialFamily
from fdivtheory.closed_form.gaussian import Gaussian

__all__ = [
    "QUANTITIES",
    "Bernoulli",
    "Beta",
    "Categorical",
    "Dirichlet",
    "Exponential",
    "ExponentialFamily",
    "Gamma",
    "Gaussian",
    "Laplace",
    "MissingClosedFormError",
    "Poisson",
    "TVBounds",
    "bhattacharyya",
    "chi2",
    "hellinger_sq",
    "kl",
    "register",
    "renyi",
    "supported_pairs",
    "tv",
    "tv_bounds",
]
