r"""The inner problem of a d-rectangular robust regularised MDP, in closed / dual form.

For a value function :math:`V` on the whole state space, a nominal factor
distribution :math:`\mu^0` and a regulariser :math:`\lambda > 0`,

.. math::

    J_f(V; \mu^0, \lambda) = \inf_{\mu \in \Delta(S)} \mathbb{E}_\mu V
        + \lambda D_f(\mu \,\|\, \mu^0),

with :math:`D_{TV} = \tfrac12\|\mu-\mu^0\|_1`, :math:`D_{KL} = \int \log\frac{d\mu}{d\mu^0}d\mu`
and :math:`D_{\chi^2} = \sum_s (\mu(s) - \mu^0(s))^2 / \mu^0(s)`. The dual forms
(Tang, Liu & Xu, ICML 2025, the TV, KL and chi-squared duality propositions) are

* TV: :math:`\mathbb{E}_{\mu^0}\min\{V, \min_{s\in S} V(s) + \lambda\}` (minimum over the
  **whole** state space: TV may put mass where :math:`\mu^0` has none);
* KL: :math:`-\lambda \log \mathbb{E}_{\mu^0} e^{-V/\lambda}` (computed with a shift);
* chi2: :math:`\sup_{\alpha\in[V_{\min},V_{\max}]} \mathbb{E}_{\mu^0}[V]_\alpha
  - \mathrm{Var}_{\mu^0}[V]_\alpha/(4\lambda)`, :math:`[V]_\alpha=\min\{V,\alpha\}`, solved
  exactly: the objective is quadratic in :math:`\alpha` between consecutive values of
  :math:`V`, with stationary point :math:`\alpha = (A + 2\lambda)/(1 - B)`.

Derivations: docs/theory/robust_rl.md, §2. All functions are written against the
array API and batched over the leading axes of ``(V, mu0)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fdivtheory._arguments import SUM_TOL, nonnegative
from fdivtheory._backend import namespace
from fdivtheory.robust_rl._validation import divergence_name

__all__ = ["KLConstrained", "dual_value", "kl_constrained", "worst_case"]


def _prepare(V: Any, mu0: Any, lam: Any, divergence: str):
    """Validate and broadcast; returns (xp, V, mu0, lam[..., None], divergence)."""
    div = divergence_name(divergence)
    xp = namespace(V, mu0, lam)
    V = _real_array(xp, V, "V")
    mu0 = _real_array(xp, mu0, "mu0")
    if not xp.isdtype(V.dtype, "real floating"):
        V = xp.astype(V, xp.float64)
    mu0 = xp.astype(mu0, V.dtype) if mu0.dtype != V.dtype else mu0
    if V.ndim == 0 or mu0.ndim == 0:
        raise ValueError("V and mu0 must have at least one axis (the state axis)")
    if V.shape[-1] != mu0.shape[-1]:
        raise ValueError(f"mu0 must have the same length as V along the last (state) axis: "
                         f"V has {V.shape[-1]} states, mu0 has {mu0.shape[-1]}")
    if V.shape[-1] == 0:
        raise ValueError("V must have at least one state")
    if not bool(xp.all(xp.isfinite(V))):
        raise ValueError("V must be finite (NaN or inf found)")
    if not bool(xp.all(xp.isfinite(mu0))) or bool(xp.any(mu0 < 0)):
        raise ValueError("mu0 must be finite with entries >= 0 (a probability vector)")
    sums = xp.reshape(xp.sum(mu0, axis=-1), (-1,))
    worst = int(xp.argmax(xp.abs(sums - 1.0)))
    if abs(float(sums[worst]) - 1.0) > SUM_TOL:
        raise ValueError(f"mu0 must sum to 1 along axis -1 within {SUM_TOL:g}, "
                         f"got sum {float(sums[worst])!r}")
    lam = _real_array(xp, lam, "lam")
    lam = xp.astype(lam, V.dtype) if lam.dtype != V.dtype else lam
    if not bool(xp.all(xp.isfinite(lam))) or bool(xp.any(lam <= 0)):
        raise ValueError("lam must be > 0 and finite (the regulariser lambda)")
    try:
        shape = tuple(xp.broadcast_arrays(V[..., 0], mu0[..., 0], lam)[0].shape)
    except ValueError:
        raise ValueError(f"V, mu0 and lam must broadcast over the leading (batch) axes: V "
                         f"{tuple(V.shape)}, mu0 {tuple(mu0.shape)}, lam {tuple(lam.shape)}"
                         ) from None
    n = V.shape[-1]
    V = xp.broadcast_to(V, shape + (n,))
    mu0 = xp.broadcast_to(mu0, shape + (n,))
    lam = xp.broadcast_to(lam, shape)[..., None]
    return xp, V, mu0, lam, div


def _real_array(xp, x, name: str):
    """``x`` as a real array of the namespace, or ``ValueError`` naming ``name``."""
    try:
        arr = xp.asarray(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers ({exc})") from None
    if not (xp.isdtype(arr.dtype, "real floating") or xp.isdtype(arr.dtype, "integral")
            or xp.isdtype(arr.dtype, "bool")):
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr


def _support_min(xp, V, mu0):
    return xp.min(xp.where(mu0 > 0, V, xp.inf), axis=-1, keepdims=True)


def _support_shift(xp, V, mu0, m):
    """``V - m`` on supp mu0 and 0 off it (states of zero mass never enter the tilt, and
    ``exp`` of their possibly huge ``-(V - m) / lam`` would turn ``0 * inf`` into NaN)."""
    return xp.where(mu0 > 0, V - m, 0.0)


def _support_max(xp, V, mu0):
    return xp.max(xp.where(mu0 > 0, V, -xp.inf), axis=-1, keepdims=True)


def _chi2_objective(xp, V, mu0, lam, alpha):
    """E[V]_a - Var[V]_a / (4 lam) for candidate levels ``alpha`` (..., C)."""
    t = xp.minimum(V[..., None, :], alpha[..., :, None])  # (..., C, S)
    m = mu0[..., None, :]
    e1 = xp.sum(m * t, axis=-1)
    dev = t - e1[..., None]
    var = xp.sum(m * dev * dev, axis=-1)  # centred: no cancellation for small lambda
    return e1 - var / (4.0 * lam)


def _chi2_alpha(xp, V, mu0, lam):
    """Exact maximiser alpha* of the chi-squared dual (..., 1) and the dual value (..., 1).

    Candidates: every value V_j and, for every j, the stationary point
    ``(A_j + 2 lam) / (1 - B_j)`` of the quadratic piece that starts at V_j
    (``A_j = sum_{V_s <= V_j} mu0_s V_s``, ``B_j = mu0(V > V_j)``), clipped to the piece
    ``[V_j, next value above V_j]``; all clipped to ``[min, max]`` of V on supp mu0.
    """
    lo = _support_min(xp, V, mu0)
    hi = _support_max(xp, V, mu0)
    below = V[..., None, :] <= V[..., :, None]  # (..., j, s): V_s <= V_j
    m = mu0[..., None, :]
    A = xp.sum(xp.where(below, m * V[..., None, :], 0.0), axis=-1)
    B = xp.sum(xp.where(below, 0.0, m), axis=-1)
    nxt = xp.min(xp.where(below, xp.inf, V[..., None, :]), axis=-1)
    denom = 1.0 - B
    safe = xp.where(denom > 0, denom, 1.0)
    vertex = xp.where(denom > 0, (A + 2.0 * lam) / safe, V)
    vertex = xp.minimum(xp.maximum(vertex, V), nxt)
    cand = xp.concat([V, vertex], axis=-1)
    cand = xp.minimum(xp.maximum(cand, lo), hi)
    g = _chi2_objective(xp, V, mu0, lam, cand)
    best = xp.argmax(g, axis=-1, keepdims=True)
    alpha = xp.take_along_axis(cand, best, axis=-1)
    value = xp.take_along_axis(g, best, axis=-1)
    return alpha, value


def dual_value(V: Any, mu0: Any, lam: Any, divergence: str) -> Any:
    r"""Robust regularised expectation :math:`\inf_\mu \mathbb{E}_\mu V + \lambda D_f(\mu\|\mu^0)`.

    Parameters
    ----------
    V : array, shape (..., S)
        Values on the **whole** state space (finite).
    mu0 : array, shape (..., S)
        Nominal distribution(s) over the same states; zeros allowed.
    lam : float or array broadcastable to the leading shape
        Regulariser :math:`\lambda > 0`.
    divergence : {"tv", "kl", "chi2"}

    Returns
    -------
    array, shape (...)
        TV: :math:`\mathbb{E}_{\mu^0}\min\{V, \min_S V + \lambda\}`; KL:
        :math:`m - \lambda\log\mathbb{E}_{\mu^0}e^{-(V-m)/\lambda}` with :math:`m` the minimum
        of V on the support; chi2: the exact supremum of the one-dimensional dual
        (docs/theory/robust_rl.md, §2). Paper: Tang, Liu & Xu (ICML 2025), the three
        duality propositions of the d-RRMDP.

    Examples
    --------
    >>> import numpy as np
    >>> V, mu0 = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 0.2, 0.3, 0.5])
    >>> float(dual_value(V, mu0, 0.5, "tv"))   # mass moves to the unvisited state 0
    0.5
    >>> round(float(dual_value(V, mu0, 1e6, "kl")), 5) == round(float(mu0 @ V), 5)
    True
    """
    xp, V, mu0, lam, div = _prepare(V, mu0, lam, divergence)
    if div == "tv":
        level = xp.min(V, axis=-1, keepdims=True) + lam
        return xp.sum(mu0 * xp.minimum(V, level), axis=-1)
    if div == "kl":
        m = _support_min(xp, V, mu0)
        x = -_support_shift(xp, V, mu0, m) / lam  # <= 0
        z = xp.sum(mu0 * xp.exp(x), axis=-1, keepdims=True)
        # log z for z away from 1; for z near 1 (large lam) log1p of the sum of expm1 terms
        # (all <= 0, no cancellation): plain log(z) would lose ~|log z| / eps digits
        zm1 = xp.sum(mu0 * xp.expm1(x), axis=-1, keepdims=True)
        logz = xp.where(z < 0.5, xp.log(xp.where(z < 0.5, z, 1.0)),
                        xp.log1p(xp.where(z < 0.5, 0.0, zm1)))
        return (m - lam * logz)[..., 0]
    _, value = _chi2_alpha(xp, V, mu0, lam)
    return value[..., 0]


def worst_case(V: Any, mu0: Any, lam: Any, divergence: str) -> Any:
    r"""The minimising distribution :math:`\mu^\star` of :func:`dual_value`.

    * TV: move all :math:`\mu^0`-mass on :math:`\{V > \min V + \lambda\}` onto the first
      global minimiser of V (possibly outside the support of :math:`\mu^0`).
    * KL: the Gibbs tilt :math:`\mu^\star \propto \mu^0 e^{-V/\lambda}`.
    * chi2: :math:`\mu^\star = \mu^0(1 - ([V]_{\alpha^\star} - \mathbb{E}[V]_{\alpha^\star})/(2\lambda))`
      at the exact dual maximiser :math:`\alpha^\star` (weights are nonnegative).

    Source: docs/theory/robust_rl.md, §2.

    Examples
    --------
    >>> import numpy as np
    >>> mu = worst_case(np.array([0.0, 1.0]), np.array([0.5, 0.5]), 1.0, "kl")
    >>> bool(mu[0] > 0.5)
    True
    """
    xp, V, mu0, lam, div = _prepare(V, mu0, lam, divergence)
    n = V.shape[-1]
    if div == "tv":
        vmin = xp.min(V, axis=-1, keepdims=True)
        moved = V > vmin + lam
        mass = xp.sum(xp.where(moved, mu0, 0.0), axis=-1, keepdims=True)
        first = xp.argmin(V, axis=-1, keepdims=True)
        onehot = xp.astype(xp.arange(n) == first, V.dtype)
        return xp.where(moved, 0.0, mu0) + mass * onehot
    if div == "kl":
        m = _support_min(xp, V, mu0)
        w = mu0 * xp.exp(-_support_shift(xp, V, mu0, m) / lam)
        return w / xp.sum(w, axis=-1, keepdims=True)
    alpha, _ = _chi2_alpha(xp, V, mu0, lam)
    t = xp.minimum(V, alpha)
    mean = xp.sum(mu0 * t, axis=-1, keepdims=True)
    w = mu0 * (1.0 - (t - mean) / (2.0 * lam))
    w = xp.where(mu0 > 0, xp.clip(w, min=0.0), 0.0)
    # alpha* < V_max satisfies alpha* = E[V]_alpha* + 2 lam, so w = mu0 (alpha* - V)^+ / (2 lam);
    # normalising that form stays exact when 2 lam is below the resolution of V (tiny lam),
    # where the form above degenerates to mu0; if alpha* rounds onto min V, the limit is mu0
    # restricted to the minimisers on the support
    hi = _support_max(xp, V, mu0)
    lo = _support_min(xp, V, mu0)
    gap = xp.where(mu0 > 0, mu0 * xp.clip(alpha - V, min=0.0), 0.0)
    at_min = xp.where((mu0 > 0) & (V == lo), mu0, 0.0)
    total = xp.sum(gap, axis=-1, keepdims=True)
    tilted = xp.where(total > 0, gap / xp.where(total > 0, total, 1.0),
                      at_min / xp.sum(at_min, axis=-1, keepdims=True))
    return xp.where(alpha < hi, tilted, w)


@dataclass(frozen=True)
class KLConstrained:
    """KL-constrained worst case ``inf_{KL(mu||mu0) <= rho} E_mu V`` by its regularised dual.

    Attributes
    ----------
    value : float
        The constrained minimum.
    lam : float
        The multiplier :math:`\\lambda^\\star(\\rho)` (``inf`` when the constraint is slack).
    worst_case : numpy.ndarray
        The Gibbs tilt at :math:`\\lambda^\\star`.
    """

    value: float
    lam: float
    worst_case: Any


def kl_constrained(V: Any, mu0: Any, rho: float) -> KLConstrained:
    r"""Solve :math:`\inf_{KL(\mu\|\mu^0)\le\rho}\mathbb{E}_\mu V` by a 1-D root in :math:`\lambda`.

    Uses :math:`\inf_{KL\le\rho} \mathbb{E}_\mu V = \sup_{\lambda>0} J_{KL}(V;\mu^0,\lambda) -
    \lambda\rho`, whose maximiser solves :math:`KL(\mu_\lambda\|\mu^0) = \rho` for the Gibbs
    tilt :math:`\mu_\lambda` (KL of the tilt decreases in :math:`\lambda`). When
    :math:`\rho \ge -\log\mu^0(\arg\min V)` the constraint allows the point mass on the
    minimiser set and the answer is :math:`\min_{supp\,\mu^0} V` (``lam = 0``); when V is
    constant on the support, the answer is that constant (``lam = inf``).
    docs/theory/robust_rl.md, §2.4.

    Examples
    --------
    >>> import numpy as np
    >>> r = kl_constrained(np.array([0.0, 1.0]), np.array([0.5, 0.5]), 0.05)
    >>> 0.0 < r.value < 0.5
    True
    """
    import numpy as np
    from scipy.optimize import brentq

    V = np.asarray(V, dtype=float)
    mu0 = np.asarray(mu0, dtype=float)
    _prepare(V, mu0, 1.0, "kl")
    if V.ndim != 1:
        raise ValueError(f"V must be 1-D for kl_constrained, got shape {V.shape}")
    rho = nonnegative(rho, "rho")
    supp = mu0 > 0
    vmin = V[supp].min()
    if np.ptp(V[supp]) == 0 or rho == 0:
        return KLConstrained(float(mu0 @ V), float("inf"), mu0.copy())
    at_min = supp & (V == vmin)
    if rho >= -np.log(mu0[at_min].sum()):
        mu = np.where(at_min, mu0, 0.0) / mu0[at_min].sum()
        return KLConstrained(float(vmin), 0.0, mu)

    def kl_of(lam):
        mu = np.asarray(worst_case(V, mu0, lam, "kl"))
        pos = mu > 0
        return float(np.sum(mu[pos] * np.log(mu[pos] / mu0[pos])))

    hi = 1.0
    while kl_of(hi) > rho:
        hi *= 2.0
    lo = hi / 2.0
    while kl_of(lo) < rho:
        lo /= 2.0
        if lo < 1e-300:
            break
    lam = brentq(lambda x: kl_of(x) - rho, lo, hi, xtol=1e-15, rtol=1e-15)
    mu = np.asarray(worst_case(V, mu0, lam, "kl"))
    return KLConstrained(float(mu @ V), float(lam), mu)
