r"""The KL contraction coefficient, with a fixed input law and over all inputs.

Without ``p_x``, :math:`\eta_{KL}(K) = \eta_{\chi^2}(K)` (docs/theory/sdpi.md,
§2.3).  With ``p_x``, :math:`\eta_{KL}(P_X, K) = \sup_Q D(QK\|P_XK)/D(Q\|P_X)` is
maximised from the exact local limit :math:`\rho_m^2`, vertices, rays, edges and
a multi-start BFGS in logit space (§5.3), and its proven upper end comes from
:mod:`.kl_branch_and_bound` (two to :data:`MAX_BB_INPUTS` support points) or
from :math:`\min(\eta_{TV}, \eta_{KL}(K), \text{Pinsker})` (§5.5).  Every value is guarded
against the data-processing inequality and against :math:`\rho_m^2`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import softmax

from fdivtheory._arguments import channel

from . import _kl
from ._common import DENOMINATOR_FLOOR, GUARD_TOL, Coefficient, is_batch, one_blas_thread
from ._validation import input_law
from .kl_branch_and_bound import binary_fixed_input_bb, simplex_fixed_input_bb
from .tv_chi2 import _pairs_sup, eta_chi2, sigma2, sup_chi2, tv_rows

__all__ = ["eta_kl"]

#: Largest support of ``p_x`` for which the fixed-input KL bracket is tightened by a
#: branch and bound over the simplex (docs/theory/sdpi.md, §5.5).
MAX_BB_INPUTS = 5


def _ratio_kl(K: np.ndarray, p: np.ndarray, pk: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``D(QK||PK)/D(Q||P)`` for rows of ``Q``; NaN where the denominator is below the floor."""
    num = _kl.kl(Q @ K, pk)
    den = _kl.kl(Q, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den >= DENOMINATOR_FLOOR, num / np.where(den > 0, den, 1.0), np.nan)


def _phi_pos(r: np.ndarray) -> np.ndarray:
    """``r log r - r + 1`` for ``r > 0`` (the two branches of :func:`._kl.phi`)."""
    u = r - 1.0
    near = np.abs(u) < 0.5
    return np.where(near, (1.0 + u) * np.log1p(np.where(near, u, 0.0)) - u,
                    r * np.log(r) - r + 1.0)


def _kl_ratio_grad(theta, K, p, pk):
    """``-R(Q)`` and its gradient in the logits; ``Q = softmax(theta) > 0`` throughout."""
    Q = np.maximum(softmax(theta), 1e-300)
    qk = np.maximum(Q @ K, 1e-300)
    rq, rk = Q / p, qk / pk
    den = float(p @ _phi_pos(rq))
    if den < DENOMINATOR_FLOOR:
        return 0.0, np.zeros_like(theta)
    num = float(pk @ _phi_pos(rk))
    R = num / den
    g = (K @ np.log(rk) - R * np.log(rq)) / den
    return -R, -(Q * (g - Q @ g))


def fixed_input_kl(K: np.ndarray, p: np.ndarray, seed: int = 0) -> Coefficient:
    with one_blas_thread():
        return _fixed_input_kl_impl(K, p, seed)


def _fixed_input_kl_impl(K: np.ndarray, p: np.ndarray, seed: int) -> Coefficient:
    supp = p > 0
    Ks, ps = K[supp], p[supp]
    n = Ks.shape[0]
    pk = ps @ Ks
    keep_y = pk > 0
    Ks, pk = Ks[:, keep_y], pk[keep_y]
    rho2 = sigma2(Ks, ps) ** 2
    best, best_q, how = rho2, None, "local limit Q -> P_X (rho_m^2)"
    if n == 1:
        return Coefficient(0.0, "kl", "closed form", (0.0, 0.0), True, None,
                           "P_X is a point mass: no Q << P_X differs from it")
    eye = np.eye(n)
    cand = [eye]
    # rays from P_X to each vertex, log-spaced near P_X and uniform further out
    t = np.concatenate([np.geomspace(1e-4, 1e-1, 12), np.linspace(0.15, 0.999, 24)])
    rays = ps[None, None, :] * (1 - t[None, :, None]) + t[None, :, None] * eye[:, None, :]
    cand.append(rays.reshape(-1, n))
    vr = _ratio_kl(Ks, ps, pk, eye)
    top = np.argsort(-np.nan_to_num(vr, nan=-1.0))[: min(n, 6)]
    s = np.linspace(0.02, 0.98, 25)
    for a_i in range(len(top)):
        for b_i in range(a_i + 1, len(top)):
            ea, eb = eye[top[a_i]], eye[top[b_i]]
            cand.append((1 - s)[:, None] * ea + s[:, None] * eb)
    Qall = np.vstack(cand)
    r = _ratio_kl(Ks, ps, pk, Qall)
    order = np.argsort(-np.nan_to_num(r, nan=-1.0))
    if r[order[0]] > best:
        best, best_q, how = float(r[order[0]]), Qall[order[0]], "vertex/edge/ray scan"
    rng = np.random.default_rng(seed)
    starts = [Qall[k] for k in order[:4]] + list(rng.dirichlet(np.ones(n), size=2))
    if n == 2:
        # 1-D: bounded Brent on each side of P_X, plus the exact vertices
        def neg(qv):
            return -float(np.nan_to_num(_ratio_kl(Ks, ps, pk,
                                                  np.array([[1 - qv, qv]]))[0], nan=0.0))
        for lo_, hi_ in ((0.0, ps[1]), (ps[1], 1.0)):
            res = minimize_scalar(neg, bounds=(lo_, hi_), method="bounded",
                                  options={"xatol": 1e-14})
            if -res.fun > best:
                best, best_q, how = -res.fun, np.array([1 - res.x, res.x]), "Brent on a side"
    else:
        local = []
        for q0 in starts:
            theta0 = np.log(np.maximum(q0, 1e-12))
            res = minimize(_kl_ratio_grad, theta0, args=(Ks, ps, pk), jac=True,
                           method="BFGS", options={"maxiter": 300, "gtol": 1e-11})
            Q = softmax(res.x)
            v = float(np.nan_to_num(_ratio_kl(Ks, ps, pk, Q[None])[0], nan=-1.0))
            local.append(v)
            if v > best:
                best, best_q, how = v, Q, "multi-start BFGS over Q (logits)"
        agree = sum(v >= best - 1e-8 for v in local)
        how += f"; {agree} of {len(local)} local searches reach it within 1e-8"
    if best > 1 + GUARD_TOL:
        raise ArithmeticError(f"a KL ratio {best!r} > 1 violates the data-processing "
                              "inequality: a numerical failure")
    # proven upper end (docs/theory/sdpi.md, §5.5): two-point P_X -> branch and
    # bound to 1e-9; otherwise the least of eta_TV, eta_KL (certified, best pair) and
    # the Pinsker bound, all on supp P_X, tightened by a branch and bound over the
    # simplex for up to MAX_BB_INPUTS support points
    if n == 2:
        bb_lo, upper, bb_q = binary_fixed_input_bb(Ks, ps)
        if bb_lo > best:
            best, how = bb_lo, "branch and bound on the segment"
            best_q = np.array([1.0 - bb_q, bb_q])
        upper_how = "certified branch and bound (two-point P_X)"
    else:
        ordered = np.sort(ps)
        pinsker = rho2 * 0.5 * (1.0 / ordered[0] + 1.0 / ordered[1]) * (1 + 1e-12)
        # eta_KL(P_X, K) <= eta_KL(K on supp P_X), certified through its best pair
        sup_inputs = _pairs_sup(Ks)[1]
        upper, upper_how = min((tv_rows(Ks), "eta_TV(K) on supp P_X"),
                               (sup_inputs, "eta_KL(K) on supp P_X (best binary-input "
                                            "subchannel, certified)"),
                               (pinsker, "rho_m^2 (1/p_(1) + 1/p_(2)) / 2 (Pinsker)"))
        if n <= MAX_BB_INPUTS:
            bb_lo, bb_up, bb_q = simplex_fixed_input_bb(Ks, ps, best)
            if bb_lo > best and bb_q is not None:
                best, best_q, how = bb_lo, bb_q, "branch and bound over the simplex"
            if bb_up < upper:
                upper, upper_how = bb_up, f"branch and bound over the simplex ({n} inputs)"
    how += f"; upper end: {upper_how}"
    if best > upper + GUARD_TOL:
        raise ArithmeticError(f"eta_KL(P_X, K) = {best!r} exceeds the certified bound "
                              f"{upper!r} on eta_KL(K)")
    argmax = None
    if best_q is not None:
        argmax = np.zeros(p.size)
        argmax[supp] = best_q
    attained = best_q is not None
    return Coefficient(float(best), "kl", "optimisation", (float(best), float(max(best, upper))),
                       attained, argmax, how)


def eta_kl(K: Any, p_x: Any = None, *, return_info: bool = False) -> float | Any:
    r"""KL contraction coefficient.

    Without ``p_x``: :math:`\eta_{KL}(K) = \eta_{\chi^2}(K)` (Choi-Ruskai-Seneta
    1994; docs/theory/sdpi.md, §2.3), computed by :func:`eta_chi2`.  With
    ``p_x`` (Raginsky's input-dependent coefficient, ``P_X`` the *second*
    argument):

    .. math:: \eta_{KL}(P_X, K) = \sup_Q \frac{D(QK\|P_XK)}{D(Q\|P_X)}
              \;\ge\; \rho_m^2(P_X, K),

    maximised from the exact local limit :math:`\rho_m^2`, every vertex, rays
    to the vertices, edges between the best vertices and a multi-start
    L-BFGS in logit space, all with a cancellation-free KL and the
    denominator floor 1e-9 (docs/theory/sdpi.md, §5.3).  The inequality can be
    strict (Z-channel, uniform input: 0.5146 > 3/7).

    Parameters
    ----------
    K : array_like, shape (n_x, n_y) or (..., n_x, n_y)
        Row-stochastic channel(s); a stack loops over the channels.
    p_x : array_like, optional
        Input law.
    return_info : bool
        Return a :class:`Coefficient` whose ``bracket`` is proven
        (docs/theory/sdpi.md, §5.5).  When ``p_x`` has two to five support
        points a branch and bound closes it to about 1e-9 (generic channels,
        in up to a few seconds; degenerate ones can exhaust its budget,
        leaving a proven but wider bracket).  With six or more support points
        the value is the best
        point found and the upper end is only
        :math:`\min(\eta_{TV}, \eta_{KL}(K), \rho_m^2(1/p_{(1)} + 1/p_{(2)})/2)`
        (each on the support of ``p_x``), proven but typically wide: the
        value is **not certified** there.

    Examples
    --------
    >>> from fdivtheory.sdpi import eta_kl, z_channel
    >>> round(eta_kl(z_channel(0.4), [0.5, 0.5]), 9)    # = 1 - log2(1.4), at Q = delta_0
    0.514573173
    """
    if hasattr(K, "eta_kl"):
        return K.eta_kl(p_x, return_info=return_info)
    if is_batch(K):
        if return_info:
            raise ValueError("return_info is supported for a single channel only")
        if p_x is None:
            return eta_chi2(K)
        Kn = channel(K, batch=True)
        P = np.broadcast_to(np.asarray(p_x, float), Kn.shape[:-1])
        flat_k = Kn.reshape(-1, *Kn.shape[-2:])
        flat_p = P.reshape(-1, Kn.shape[-2])
        return np.array([fixed_input_kl(k, input_law(pp, k.shape[0])).value
                         for k, pp in zip(flat_k, flat_p, strict=True)]).reshape(Kn.shape[:-2])
    Kn = channel(K)
    if p_x is None:
        res = sup_chi2(Kn)
        res = Coefficient(res.value, "kl", res.method, res.bracket, res.attained, res.argmax,
                          res.note + "; eta_KL(K) = eta_chi2(K)")
    else:
        res = fixed_input_kl(Kn, input_law(p_x, Kn.shape[0]))
        rho2 = eta_chi2(Kn, p_x)
        if res.value < rho2 - GUARD_TOL:
            raise ArithmeticError("eta_KL(P_X, K) fell below rho_m^2: a numerical failure")
    return res if return_info else res.value
