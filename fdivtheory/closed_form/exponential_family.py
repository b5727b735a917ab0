r"""Exponential families given by their log-partition function.

A member has density ``p_theta(x) = h(x) exp(<theta, T(x)> - A(theta))`` with
respect to a common base measure; two members of the same family (same ``A``)
have closed-form divergences in terms of ``A`` alone:

* ``KL(P_p || P_q) = A(theta_q) - A(theta_p) - <grad A(theta_p), theta_q - theta_p>``,
  the Bregman divergence of ``A`` (Banerjee et al. 2005, JMLR 6, Thm. 4;
  Nielsen & Nock 2010);
* ``D_a(P_p || P_q) = [a A(theta_p) + (1-a) A(theta_q) - A(a theta_p + (1-a) theta_q)]
  / (1 - a)``, ``+inf`` when ``a theta_p + (1-a) theta_q`` leaves the natural
  parameter space (possible for ``a > 1``) (Liese & Vajda 1987; Nielsen & Nock
  2011, "On Rényi and Tsallis entropies and divergences for exponential
  families", arXiv:1105.3259);
* Bhattacharyya ``B = D_{1/2} / 2`` (the Jensen gap of ``A`` at the midpoint);
  ``D_0 = 0`` (common support).

Numerical note: these are differences of values of ``A``, so for nearly equal
parameters the absolute error is about ``eps |A|`` (relative ``eps |A| / D``;
results are clipped at 0, never negative).  For ``|alpha - 1| < 1e-5`` the
Rényi divergence is taken from its expansion
``D_a = KL + (a - 1) delta^T (hess A) delta / 2 + O((a - 1)^2)`` (second
directional derivative by central differences, relative error ~1e-8 on the
correction term), instead of dividing by ``a - 1``.  The dedicated families
(``Gaussian``, ``Gamma``, ...) use cancellation-free forms throughout.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from fdivtheory._arguments import choice
from fdivtheory.closed_form._numerics import frozen_array
from fdivtheory.closed_form._registry import missing, register

__all__ = ["ExponentialFamily"]

#: Complex step (error O(h^2) with no cancellation, so h can be tiny).
COMPLEX_STEP = 1e-20
#: Relative agreement required between complex-step and central differences in "auto".
AUTO_RTOL = 1e-6


@dataclass(frozen=True, eq=False)
class ExponentialFamily:
    r"""A member of an exponential family: natural parameter ``theta`` and log-partition ``A``.

    Parameters
    ----------
    theta : array_like
        Natural parameter (scalar or 1-D); must satisfy ``natural_domain``.
    log_partition : callable
        ``A(theta) -> float`` on 1-D arrays.  Two members are compared only if
        they share the same ``log_partition`` object.
    grad_log_partition : callable, optional
        ``grad A(theta) -> array`` (the mean of ``T``).  If omitted it is
        computed numerically, see ``gradient``.
    natural_domain : callable, optional (keyword)
        ``theta -> bool``, membership in the natural parameter space; used to
        return ``+inf`` for Rényi orders ``a > 1`` whose mixed parameter leaves
        it.  Default: every ``theta`` is admissible (then a non-finite
        ``A(mixed)`` also gives ``+inf``, and NaN raises ``ValueError``).
    gradient : {"auto", "complex_step", "central"} (keyword)
        How ``grad A`` is computed when not given.  ``"complex_step"``:
        ``Im A(theta + i h e_k) / h`` with ``h = 1e-20`` (exact to rounding, but
        ``A`` must be written with complex-safe operations: ``np.log``,
        ``np.exp``, arithmetic; not ``abs``, ``np.real``, ``logaddexp``).
        ``"central"``: central differences with one Richardson step, step
        ``eps^{1/5} max(1, |theta_k|)`` (about 1e-11 relative).  ``"auto"``
        (default): complex step, accepted only if it runs without error and
        agrees with central differences to ``1e-6``; otherwise central.
    name : str (keyword)
        Label for messages and tables.

    Examples
    --------
    The Poisson family: ``theta = log(rate)``, ``A(theta) = exp(theta)``.

    >>> import numpy as np
    >>> from fdivtheory.closed_form import ExponentialFamily, Poisson, kl
    >>> A = lambda th: np.exp(th[0])
    >>> P, Q = ExponentialFamily(np.log(2.0), A), ExponentialFamily(np.log(3.0), A)
    >>> abs(kl(P, Q) - kl(Poisson(2.0), Poisson(3.0))) < 1e-12
    True
    """

    theta: Any
    log_partition: Callable[[np.ndarray], float]
    grad_log_partition: Callable[[np.ndarray], Any] | None = None
    natural_domain: Callable[[np.ndarray], bool] | None = field(default=None, kw_only=True)
    gradient: Literal["auto", "complex_step", "central"] = field(default="auto", kw_only=True)
    name: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        th = frozen_array(self.theta, "theta")
        if th.ndim > 1:
            raise ValueError(f"theta must be a scalar or 1-D, got shape {th.shape}")
        th = th.reshape(-1)
        th.flags.writeable = False
        object.__setattr__(self, "theta", th)
        if not callable(self.log_partition):
            raise ValueError("log_partition must be callable")
        if self.grad_log_partition is not None and not callable(self.grad_log_partition):
            raise ValueError("grad_log_partition must be callable or None")
        if self.natural_domain is not None and not callable(self.natural_domain):
            raise ValueError("natural_domain must be callable or None")
        choice(self.gradient, "gradient", ("auto", "complex_step", "central"))
        if not self.in_domain(th):
            raise ValueError("theta lies outside the natural parameter space (natural_domain)")
        a = self.A(th)
        if not math.isfinite(a):
            raise ValueError(f"log_partition(theta) must be finite, got {a!r}")

    def in_domain(self, theta: np.ndarray) -> bool:
        """``natural_domain(theta)`` (True when no domain was given)."""
        return True if self.natural_domain is None else bool(self.natural_domain(theta))

    def A(self, theta: np.ndarray) -> float:
        """The log-partition function as a Python float."""
        return float(np.real(self.log_partition(np.asarray(theta, dtype=float))))

    def grad(self) -> np.ndarray:
        """``grad A(theta)`` (the mean parameter), given or numerical (see ``gradient``)."""
        th = self.theta
        if self.grad_log_partition is not None:
            g = np.asarray(self.grad_log_partition(th), dtype=float).reshape(-1)
            if g.shape != th.shape:
                raise ValueError(f"grad_log_partition returned shape {g.shape}, "
                                 f"expected {th.shape}")
            return g
        if self.gradient == "central":
            return self._central()
        cs = self._complex_step()
        if self.gradient == "complex_step":
            if cs is None:
                raise ValueError("log_partition does not support complex arguments; "
                                 "use gradient='central' or pass grad_log_partition")
            return cs
        central = self._central()
        if cs is not None and np.allclose(cs, central, rtol=AUTO_RTOL, atol=AUTO_RTOL):
            return cs
        return central

    def _complex_step(self) -> np.ndarray | None:
        th = self.theta
        out = np.empty_like(th)
        for k in range(th.size):
            z = th.astype(complex)
            z[k] += 1j * COMPLEX_STEP
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    val = self.log_partition(z)
            except (TypeError, ValueError, Warning, AttributeError):
                return None
            if not np.iscomplexobj(val) or not np.isfinite(val):
                return None
            out[k] = np.imag(val) / COMPLEX_STEP
        return out

    def _central(self) -> np.ndarray:
        th = self.theta
        out = np.empty_like(th)
        for k in range(th.size):
            h = np.finfo(float).eps ** 0.2 * max(1.0, abs(th[k]))

            def d(step: float, k: int = k) -> float:
                e = np.zeros_like(th)
                e[k] = step
                return (self.A(th + e) - self.A(th - e)) / (2.0 * step)

            out[k] = (4.0 * d(h / 2.0) - d(h)) / 3.0
        return out


def _pair(P: ExponentialFamily, Q: ExponentialFamily) -> None:
    if P.log_partition is not Q.log_partition:
        raise ValueError("P and Q must share the same log_partition (the same family)")
    if P.theta.shape != Q.theta.shape:
        raise ValueError(f"Q.theta has shape {Q.theta.shape} but P.theta has {P.theta.shape}")


@register("kl", ExponentialFamily, ExponentialFamily)
def _kl(P: ExponentialFamily, Q: ExponentialFamily) -> float:
    _pair(P, Q)
    # a Bregman divergence (>= 0); rounding of the differences of A can leave -eps |A|
    return max(0.0, P.A(Q.theta) - P.A(P.theta) - float(P.grad() @ (Q.theta - P.theta)))


#: Below this ``|alpha - 1|`` the Rényi divergence is taken from its expansion at 1.
NEAR_ONE = 1e-5


def _second_directional(P: ExponentialFamily, delta: np.ndarray) -> float:
    """``g''(0)`` for ``g(s) = A(theta_p + s delta)``: central differences, one Richardson step."""
    th = P.theta
    h = 1e-3

    def d2(step: float) -> float:
        return (P.A(th + step * delta) - 2.0 * P.A(th) + P.A(th - step * delta)) / (step * step)

    return (4.0 * d2(h / 2.0) - d2(h)) / 3.0


@register("renyi", ExponentialFamily, ExponentialFamily, note="orders in [0, inf)")
def _renyi(P: ExponentialFamily, Q: ExponentialFamily, alpha: float) -> float:
    _pair(P, Q)
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        raise missing("renyi", P, Q, "the order inf needs the sufficient statistic, "
                                     "not only the log-partition function")
    e = alpha - 1.0
    if abs(e) < NEAR_ONE:
        # D_a = KL + (a - 1) Var_P[log p/q] / 2 + O((a - 1)^2), Var = delta^T hess A delta:
        # the Jensen-gap form below would divide a difference of values of A by a - 1
        delta = P.theta - Q.theta
        return max(0.0, _kl(P, Q) + 0.5 * e * _second_directional(P, delta))
    mixed = alpha * P.theta + (1.0 - alpha) * Q.theta
    if not P.in_domain(mixed):
        return math.inf
    a_mix = P.A(mixed)
    if math.isnan(a_mix):
        raise ValueError("log_partition is NaN at the mixed parameter alpha theta_p + "
                         "(1 - alpha) theta_q; pass natural_domain= to mark the natural "
                         "parameter space")
    if math.isinf(a_mix):
        return math.inf
    value = (alpha * P.A(P.theta) + (1.0 - alpha) * P.A(Q.theta) - a_mix) / (1.0 - alpha)
    return max(0.0, value)  # >= 0 in exact arithmetic; rounding of A can leave -eps |A|
