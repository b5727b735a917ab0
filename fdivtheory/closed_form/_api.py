"""Public closed-form functions: dispatch through the registry, derive, bound."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fdivtheory import inequalities as _ineq
from fdivtheory._arguments import nonnegative, positive
from fdivtheory.closed_form._registry import lookup, missing

__all__ = ["TVBounds", "bhattacharyya", "chi2", "hellinger_sq", "kl", "renyi", "tv",
           "tv_bounds"]


def _check_args(P: object, Q: object) -> None:
    for name, x in (("P", P), ("Q", Q)):
        if x is None or isinstance(x, (np.ndarray, list, tuple, int, float, complex)):
            raise TypeError(
                f"{name} must be a parameter object such as Gaussian(...) or Poisson(...), "
                f"got {type(x).__name__}; for arrays of probabilities use the discrete "
                f"functions fdivtheory.kl, fdivtheory.renyi, ...")


def _get(quantity: str, P: object, Q: object):
    _check_args(P, Q)
    f = lookup(quantity, type(P), type(Q))
    if f is None:
        raise missing(quantity, P, Q)
    return f


def _in_base(value: float, base: float | None) -> float:
    if base is None:
        return value
    b = positive(base, "base")
    if b == 1.0:
        raise ValueError(f"base must be != 1, got {base!r}")
    return value / math.log(b)


#: Negative results down to this are rounding (set to 0); below, a closed form is wrong.
#: Every built-in form is a sum of non-negative terms (or clipped at 0), so only a
#: user-registered closed form can trigger the ArithmeticError.
NEGATIVE_ATOL = 1e-8


def _clean(value: float) -> float:
    """A non-negative Python float (rounding can leave -1e-17 for equal arguments)."""
    value = float(value)
    if value < -NEGATIVE_ATOL:
        raise ArithmeticError(f"a registered closed form returned the negative divergence "
                              f"{value!r}: the closed form is wrong for these parameters")
    return 0.0 if value < 0.0 else value


def kl(P: object, Q: object, *, base: float | None = None) -> float:
    r"""Kullback–Leibler divergence ``KL(P || Q) = E_P[log p/q]`` in closed form.

    ``P`` first, as in ``scipy.stats.entropy(p, q)`` and
    ``torch.distributions.kl_divergence(p, q)``.  Nats unless ``base`` is given.
    Raises :class:`MissingClosedFormError` naming the pair when none is
    registered (see :func:`supported_pairs`).

    Examples
    --------
    >>> from fdivtheory.closed_form import Gaussian, kl
    >>> kl(Gaussian(0.0, 1.0), Gaussian(1.0, 1.0))
    0.5
    """
    return _in_base(_clean(_get("kl", P, Q)(P, Q)), base)


def _alpha(alpha: float) -> float:
    return nonnegative(alpha, "alpha", allow_inf=True)


def renyi(P: object, Q: object, alpha: float, *, base: float | None = None) -> float:
    r"""Rényi divergence of order ``alpha`` in closed form.

    ``D_a(P || Q) = log( \int p^a q^{1-a} ) / (a - 1)`` for ``a`` in
    ``(0, 1) U (1, inf)``; ``D_1 = KL``; ``D_0 = -log Q(supp P)``;
    ``D_inf = log ess sup p/q``.  ``+inf`` where the integral diverges
    (e.g. Gaussians with ``a Sigma_q + (1 - a) Sigma_p`` not positive definite).
    Orders 0 and inf raise :class:`MissingClosedFormError` for families
    without a closed form there.

    Source: Rényi (1961); van Erven & Harremoës (2014), IEEE Trans. Inf.
    Theory 60; Gil, Alajaji & Linder (2013), "Rényi divergence measures for
    commonly used univariate continuous distributions", Inf. Sci. 249.

    Examples
    --------
    >>> from fdivtheory.closed_form import Poisson, renyi
    >>> round(renyi(Poisson(2.0), Poisson(1.0), 2.0), 12)   # (2 - 1)^2 / 1
    1.0
    """
    a = _alpha(alpha)
    if a == 1.0:
        return kl(P, Q, base=base)
    return _in_base(_clean(_get("renyi", P, Q)(P, Q, a)), base)


def bhattacharyya(P: object, Q: object, *, base: float | None = None) -> float:
    r"""Bhattacharyya distance ``B = -log \int sqrt(p q) = D_{1/2}(P || Q) / 2``.

    Examples
    --------
    >>> from fdivtheory.closed_form import Gaussian, bhattacharyya
    >>> bhattacharyya(Gaussian(0.0), Gaussian(2.0))      # Delta^2 / 8
    0.5
    """
    _check_args(P, Q)
    f = lookup("bhattacharyya", type(P), type(Q))
    if f is not None:
        return _in_base(_clean(f(P, Q)), base)
    if lookup("renyi", type(P), type(Q)) is None:
        raise missing("bhattacharyya", P, Q)
    return _in_base(0.5 * renyi(P, Q, 0.5), base)


def hellinger_sq(P: object, Q: object) -> float:
    r"""Squared Hellinger distance ``\int (sqrt p - sqrt q)^2 = 2 (1 - BC)``, in ``[0, 2]``.

    Same convention as the discrete :func:`fdivtheory.hellinger_sq`;
    ``BC = e^{-B}`` is the Bhattacharyya coefficient.

    Examples
    --------
    >>> from fdivtheory.closed_form import Bernoulli, hellinger_sq
    >>> hellinger_sq(Bernoulli(0.0), Bernoulli(1.0))
    2.0
    """
    _check_args(P, Q)
    f = lookup("hellinger_sq", type(P), type(Q))
    if f is not None:
        return min(2.0, _clean(f(P, Q)))
    if lookup("bhattacharyya", type(P), type(Q)) is None and \
            lookup("renyi", type(P), type(Q)) is None:
        raise missing("hellinger_sq", P, Q)
    return min(2.0, _clean(-2.0 * math.expm1(-bhattacharyya(P, Q))))


def chi2(P: object, Q: object) -> float:
    r"""Pearson chi-square ``\int (p - q)^2 / q = exp(D_2(P || Q)) - 1``.

    ``+inf`` where the integral diverges (Gaussians: ``2 Sigma_q - Sigma_p``
    not positive definite).

    Examples
    --------
    >>> from fdivtheory.closed_form import Gaussian, chi2
    >>> import math
    >>> chi2(Gaussian(0.0), Gaussian(1.0)) == math.e - 1
    True
    """
    _check_args(P, Q)
    f = lookup("chi2", type(P), type(Q))
    if f is not None:
        return _clean(f(P, Q))
    if lookup("renyi", type(P), type(Q)) is None:
        raise missing("chi2", P, Q)
    d2 = renyi(P, Q, 2.0)
    return math.inf if d2 > 709.0 else _clean(math.expm1(d2))


def tv(P: object, Q: object) -> float:
    r"""Total variation ``sup_A |P(A) - Q(A)| = (1/2) \int |p - q|``, exactly.

    Closed forms: Gaussians with equal covariances ``2 Phi(Delta/2) - 1``
    (``Delta`` the Mahalanobis distance of the means); 1-D Gaussians with
    unequal variances, Poisson, Exponential, Gamma and Laplace through the
    crossing points of the densities; Gaussians with equal means and
    proportional covariances through the chi-square CDF; Bernoulli and
    Categorical by the finite sum.  Elsewhere raises
    :class:`MissingClosedFormError`; use :func:`tv_bounds` then.

    Examples
    --------
    >>> from fdivtheory.closed_form import Gaussian, tv
    >>> from scipy.stats import norm
    >>> bool(abs(tv(Gaussian(0.0), Gaussian(1.0)) - (2 * norm.cdf(0.5) - 1)) < 1e-15)
    True
    """
    return min(1.0, _clean(_get("tv", P, Q)(P, Q)))


@dataclass(frozen=True)
class TVBounds:
    """Bounds on ``TV(P, Q)`` from closed-form KL and Bhattacharyya values.

    Every field except the inputs is a *bound*, not the TV itself.

    Attributes
    ----------
    kl : float
        ``min(KL(P || Q), KL(Q || P))`` (TV is symmetric, so either direction
        bounds it; ``inf`` when neither closed form exists).
    bhattacharyya_coefficient : float
        ``BC = \\int sqrt(p q) = exp(-B)`` (NaN when no closed form exists).
    pinsker : float
        Upper bound ``min(1, sqrt(KL / 2))`` (Pinsker).
    bretagnolle_huber : float
        Upper bound ``sqrt(1 - exp(-KL))`` (Bretagnolle–Huber).
    joint_range : float
        Upper bound ``L^{-1}(KL)``, the exact inverse of the (TV, KL) joint-range
        boundary (:func:`fdivtheory.inequalities.tv_upper_from_kl`): the best
        bound in terms of KL alone.
    bhattacharyya_lower : float
        Lower bound ``1 - BC`` (Le Cam; ``= H^2 / 2``).
    bhattacharyya_upper : float
        Upper bound ``sqrt(1 - BC^2)`` (Le Cam; ``= H sqrt(1 - H^2 / 4)``).
    lower : float
        Best lower bound (``bhattacharyya_lower``).
    upper : float
        Best (smallest) upper bound.
    """

    kl: float
    bhattacharyya_coefficient: float
    pinsker: float
    bretagnolle_huber: float
    joint_range: float
    bhattacharyya_lower: float
    bhattacharyya_upper: float
    lower: float
    upper: float

    def __str__(self) -> str:
        return "\n".join([
            f"{self.lower:.6g} <= TV <= {self.upper:.6g}   (bounds, not the exact TV)",
            f"  lower bound  1 - BC (Le Cam)               {self.bhattacharyya_lower:.6g}",
            f"  upper bound  sqrt(1 - BC^2) (Le Cam)       {self.bhattacharyya_upper:.6g}",
            f"  upper bound  sqrt(KL/2) (Pinsker)          {self.pinsker:.6g}",
            f"  upper bound  sqrt(1 - e^-KL) (Bret.-Huber) {self.bretagnolle_huber:.6g}",
            f"  upper bound  joint range L^-1(KL) (exact)  {self.joint_range:.6g}",
        ])


def tv_bounds(P: object, Q: object) -> TVBounds:
    r"""Certified bounds on ``TV(P, Q)`` where no exact form exists (or as a check).

    Uses ``KL = min(KL(P||Q), KL(Q||P))`` (each available direction) and the
    Bhattacharyya coefficient ``BC = 1 - H^2 / 2``:

    * ``TV <= sqrt(KL / 2)`` (Pinsker), ``TV <= sqrt(1 - e^{-KL})``
      (Bretagnolle–Huber), ``TV <= L^{-1}(KL)`` (exact joint range, Vajda 1970;
      Fedotov, Harremoës & Topsøe 2003);
    * ``1 - BC <= TV <= sqrt(1 - BC^2)`` (Le Cam 1973; Tsybakov 2009, Lemma 2.3).

    Raises :class:`MissingClosedFormError` if neither KL nor the Bhattacharyya
    coefficient has a closed form for the pair.

    Examples
    --------
    >>> import numpy as np
    >>> from fdivtheory.closed_form import Gaussian, tv_bounds
    >>> b = tv_bounds(Gaussian([0.0, 0.0], np.eye(2)), Gaussian([1.0, 0.0], np.diag([1.0, 2.0])))
    >>> 0 < b.lower < b.upper < 1
    True
    """
    _check_args(P, Q)
    kls = [kl(a, b) for a, b in ((P, Q), (Q, P)) if lookup("kl", type(a), type(b)) is not None]
    try:
        h2 = hellinger_sq(P, Q)
    except NotImplementedError:
        h2 = math.nan
    bc = 1.0 - h2 / 2.0
    if not kls and math.isnan(bc):
        raise missing("tv", P, Q, "neither KL nor the Bhattacharyya coefficient has a "
                                  "closed form, so no bounds are available")
    k = min(kls) if kls else math.inf
    pinsker = min(1.0, math.sqrt(k / 2.0))
    bh = math.sqrt(-math.expm1(-k))
    joint = float(_ineq.tv_upper_from_kl(k))
    if math.isnan(bc):
        lo, hi = 0.0, 1.0
    else:
        lo, hi = _ineq.le_cam_tv_bounds(h2)
    upper = min(pinsker, bh, joint, hi)
    return TVBounds(k, bc, pinsker, bh, joint, lo, hi, lo, upper)
