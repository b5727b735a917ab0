r"""What the contraction-coefficient modules share: the result record and the guards.

:class:`Coefficient` is what every coefficient function returns with
``return_info=True`` (value, method, certified bracket, argmax); the guard
tolerances and the denominator floor are the numerical conventions of
docs/theory/sdpi.md, §5.3-§5.4; :func:`one_blas_thread`, :func:`is_batch` and
:func:`check_stack_xp` are the small utilities of :mod:`.tv_chi2`,
:mod:`.kl_coefficient` and :mod:`.f_coefficient` (package-internal: the public
names are re-exported by :mod:`fdivtheory.sdpi`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fdivtheory._arguments import SUM_TOL

__all__ = ["Coefficient"]

#: Slack of the guards (DPI ratio <= 1, eta_KL <= eta_TV, eta_KL(P_X, K) >= rho_m^2).
GUARD_TOL = 1e-10

#: Denominator floor of ratio evaluations: below it both KLs are rounding noise,
#: and the local limit (rho_m^2) is already accounted for exactly.
DENOMINATOR_FLOOR = 1e-9



@dataclass(frozen=True)
class Coefficient:
    r"""A contraction coefficient with how it was obtained.

    Attributes
    ----------
    value : float
        The coefficient (a supremum that is approached but not attained is
        returned as its limit value).
    divergence : str
        ``"tv"``, ``"chi2"``, ``"kl"`` or the generator's name.
    method : str
        ``"closed form"``, ``"SVD"`` or ``"optimisation"``.
    bracket : tuple of float
        Certified ``(lower, upper)``: ``lower`` is the value of a feasible
        point (or an exact limit), ``upper`` a proven bound.  Tight (to
        rounding or about 1e-9) for closed forms, SVDs, two-input suprema and
        fixed inputs with at most four support points; otherwise typically :math:`\eta_{TV}` and then
        possibly far above ``value`` (docs/theory/sdpi.md, §5.4-§5.5).
    attained : bool
        False when the supremum is only approached (vertex/face limit, or the
        local limit :math:`Q \to P_X`).
    argmax : numpy.ndarray or None
        The input law (supremum over inputs) or ``Q`` (fixed input) reaching
        the value, or the point approached; None for closed forms.
    note : str
        Free text (e.g. which recipe step gave the value).
    """

    value: float
    divergence: str
    method: str
    bracket: tuple[float, float]
    attained: bool = True
    argmax: np.ndarray | None = field(default=None, compare=False)
    note: str = ""

    def __float__(self) -> float:
        return float(self.value)


def one_blas_thread():
    """Single-threaded BLAS for the many small/matrix-vector products of the optimisers.

    On a loaded machine a multi-threaded BLAS spends more time synchronising
    than computing on 50 x 50 SVDs and on matrix-vector products (measured
    10-30x slower); ``threadpoolctl`` is optional.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def is_batch(K: Any) -> bool:
    """Whether ``K`` is a stack of channels (``ndim >= 3``); channel objects count as one."""
    return getattr(K, "ndim", np.ndim(K) if not hasattr(K, "eta") else 2) >= 3


def check_stack_xp(K: Any, xp: Any, name: str = "K") -> None:
    """The rules of :func:`fdivtheory._arguments.channel` for a stack, checked on its own device."""
    if K.ndim < 2 or K.shape[-1] == 0 or K.shape[-2] == 0:
        raise ValueError(f"{name} must have shape (..., n_x, n_y), got shape {K.shape}")
    if not bool(xp.all(xp.isfinite(K))):
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    if bool(xp.any(K < 0)):
        raise ValueError(f"{name} must have entries >= 0")
    if bool(xp.any(xp.abs(xp.sum(K, axis=-1) - 1.0) > SUM_TOL)):
        raise ValueError(f"{name} must sum to 1 along axis -1 within {SUM_TOL:g}")
