r"""Dobrushin's TV coefficient and the chi-square coefficient (maximal correlation).

* :func:`eta_tv` -- Dobrushin's closed form :math:`\max_{x,x'} TV(K_x, K_{x'})`
  (docs/theory/sdpi.md, §2.1).
* :func:`eta_chi2` -- with ``p_x``: :math:`\rho_m^2 = \sigma_2(B)^2`, exact from the
  SVD of the normalised joint matrix (§2.2); without: the supremum over inputs,
  which is that of the best binary-input subchannel (Ordentlich & Polyanskiy
  2020), so every pair of inputs solved exactly (a concave one-dimensional
  problem with a certified tangent bound) is the whole problem (§5.1).
* :func:`maximal_correlation` -- :math:`\rho_m(X;Y)` of a finite joint law.

The package-internal :func:`tv_rows`, :func:`sigma2` and :func:`sup_chi2` are the
building blocks that the KL and generic-f coefficients reuse.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import softmax

from fdivtheory._arguments import SUM_TOL, channel
from fdivtheory._backend import namespace

from . import _kernels
from ._common import GUARD_TOL, Coefficient, check_stack_xp, is_batch, one_blas_thread
from ._validation import MASS_FLOOR, input_law

__all__ = ["eta_chi2", "eta_tv", "maximal_correlation"]


# --------------------------------------------------------------------------- TV

def tv_rows(K: np.ndarray) -> float:
    if _kernels.enabled() and K.shape[0] > 1:
        return _kernels.tv_max(K)
    return _tv_reference(K)


def _tv_reference(K: np.ndarray) -> float:
    n = K.shape[0]
    best = 0.0
    block = max(1, int(4_000_000 // max(1, n * K.shape[1])))
    for i0 in range(0, n, block):
        rows = K[i0:i0 + block]
        d = np.abs(rows[:, None, :] - K[None, :, :]).sum(axis=-1)
        best = max(best, float(d.max()))
    return 0.5 * best


def _tv_xp(K: Any, xp: Any) -> Any:
    d = xp.sum(xp.abs(K[..., :, None, :] - K[..., None, :, :]), axis=-1)
    return 0.5 * xp.max(d, axis=(-2, -1))


def eta_tv(K: Any, p_x: Any = None, *, return_info: bool = False) -> float | Any:
    r"""Dobrushin's coefficient :math:`\eta_{TV}(K) = \max_{x,x'} TV(K_x, K_{x'})`.

    .. math:: \eta_{TV}(K) = 1 - \min_{x,x'} \sum_y \min(K(y|x), K(y|x'))

    (Dobrushin 1956; docs/theory/sdpi.md, §2.1).  With ``p_x`` the
    input-dependent coefficient, which is the same maximum over the rows in
    the support of ``p_x`` (a signed measure of mass zero on that support is
    what ``Q - P_X`` ranges over).

    Parameters
    ----------
    K : array_like, shape (n_x, n_y) or (..., n_x, n_y)
        Row-stochastic channel(s); a stack is computed batched through the
        array API (NumPy, CuPy, ...), same library and device out.
    p_x : array_like, optional
        Input law (single channel only).
    return_info : bool
        Return a :class:`Coefficient` (single channel only).

    Examples
    --------
    >>> from fdivtheory.sdpi import eta_tv, bsc
    >>> round(eta_tv(bsc(0.1)), 12)
    0.8
    """
    if hasattr(K, "eta_tv"):
        return K.eta_tv(p_x, return_info=return_info)
    if is_batch(K):
        xp = namespace(K)
        if p_x is not None or return_info:
            raise ValueError("p_x and return_info are supported for a single channel only; "
                             "K has a batch shape")
        Kx = K if hasattr(K, "__array_namespace__") else xp.asarray(channel(K, batch=True))
        check_stack_xp(Kx, xp)
        return _tv_xp(Kx, xp)
    Kn = channel(K)
    if p_x is not None:
        p = input_law(p_x, Kn.shape[0])
        Kn = Kn[p > 0]
    value = tv_rows(Kn)
    if not return_info:
        return value
    return Coefficient(value, "tv", "closed form", (value, value))


# ------------------------------------------------------------------- chi2 by SVD

def _joint_deflated(K: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``B - sqrt(p) sqrt(q)^T`` whose top singular value is sigma_2(B)."""
    p = np.where(p < MASS_FLOOR, 0.0, p)
    p = p / p.sum()
    q = p @ K
    sp = np.sqrt(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sq = np.where(q > 0, 1.0 / np.sqrt(np.where(q > 0, q, 1.0)), 0.0)
    B = (sp[:, None] * K) * inv_sq[None, :]
    return B - np.outer(sp, np.sqrt(q))


def sigma2(K: np.ndarray, p: np.ndarray) -> float:
    C = _joint_deflated(K, p)
    if min(C.shape) <= 200:
        return float(np.linalg.svd(C, compute_uv=False)[0])
    # top singular value only: Lanczos (ARPACK) on C^T C to machine precision
    from scipy.sparse.linalg import svds

    try:
        with one_blas_thread():
            s = svds(C, k=1, tol=0, return_singular_vectors=False, random_state=0)
        return float(s[0])
    except Exception:  # ARPACK failure: fall back to the dense SVD  # noqa: BLE001
        return float(np.linalg.svd(C, compute_uv=False)[0])


def _rho2_grad(K: np.ndarray, p: np.ndarray) -> tuple[float, np.ndarray]:
    r""":math:`\rho_m^2(p)` and its gradient in ``p``.

    :math:`\partial\sigma/\partial p_x = \tfrac{\sigma}{2}[u_x^2/p_x - \sum_y K_{xy} v_y^2/q_y]`
    for the second singular pair ``(u, v)`` (docs/theory/sdpi.md, §5.2).
    """
    C = _joint_deflated(K, p)
    U, s, Vt = np.linalg.svd(C, full_matrices=False)
    sig, u, v = float(s[0]), U[:, 0], Vt[0]
    pp = np.where(p < MASS_FLOOR, 0.0, p)
    pp = pp / pp.sum()
    q = pp @ K
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(pp > 0, u**2 / np.where(pp > 0, pp, 1.0), 0.0)
        b = np.where(q > 0, v**2 / np.where(q > 0, q, 1.0), 0.0)
    grad = sig**2 * (a - K @ b)
    return sig**2, grad


def _chi2_fixed_xp(K: Any, p: Any, xp: Any) -> Any:
    """Batched ``sigma_2(B)^2`` through the array API (stack of channels and laws)."""
    p = xp.where(p < MASS_FLOOR, xp.zeros_like(p), p)
    p = p / xp.sum(p, axis=-1, keepdims=True)
    q = xp.sum(p[..., :, None] * K, axis=-2)
    sp = xp.sqrt(p)
    pos = q > 0
    inv_sq = xp.where(pos, 1.0 / xp.sqrt(xp.where(pos, q, xp.ones_like(q))), xp.zeros_like(q))
    C = sp[..., :, None] * K * inv_sq[..., None, :] - sp[..., :, None] * xp.sqrt(q)[..., None, :]
    s = xp.linalg.svdvals(C)
    return xp.max(s, axis=-1) ** 2


def maximal_correlation(joint: Any, *, return_info: bool = False) -> float | Coefficient:
    r"""Maximal correlation :math:`\rho_m(X;Y) = \sigma_2(B)` of a finite joint law.

    .. math:: B = \mathrm{diag}(P_X)^{-1/2} P_{XY}\, \mathrm{diag}(P_Y)^{-1/2}

    (Witsenhausen 1975; docs/theory/sdpi.md, §2.2); its top singular value is 1
    with vectors :math:`\sqrt{P_X}, \sqrt{P_Y}`, which the code deflates.

    Parameters
    ----------
    joint : array_like, shape (n_x, n_y)
        Joint pmf, entries ``>= 0`` summing to 1 (tolerance 1e-9).

    Examples
    --------
    >>> import numpy as np
    >>> from fdivtheory.sdpi import maximal_correlation
    >>> round(maximal_correlation(np.array([[0.45, 0.05], [0.05, 0.45]])), 12)
    0.8
    """
    J = np.asarray(joint, dtype=np.float64) if not hasattr(joint, "__array_namespace__") \
        else np.asarray(joint)
    if J.ndim != 2:
        raise ValueError(f"joint must be a 2-D joint pmf, got shape {J.shape}")
    if not np.all(np.isfinite(J)) or np.any(J < 0):
        raise ValueError("joint must have finite non-negative entries")
    if abs(J.sum() - 1.0) > 1e-9:
        raise ValueError(f"joint must sum to 1 within 1e-9, got {float(J.sum())!r}")
    p = J.sum(axis=1)
    keep = p > 0
    K = J[keep] / p[keep, None]
    value = sigma2(K, p[keep] / p[keep].sum())
    if not return_info:
        return value
    return Coefficient(value, "maximal correlation", "SVD", (value, value))


# ------------------------------------------------ supremum over inputs (chi2 = KL)

def _pair_problem(a: np.ndarray, b: np.ndarray, iters: int = 80):
    r"""Maximise :math:`\rho^2(\lambda)` of the binary-input channels ``(a_i, b_i)``.

    :math:`\rho^2(\lambda) = \sum_y (b_y - a_y)^2 h_y(\lambda)` with
    :math:`h_y = 1/(a_y/\lambda + b_y/(1-\lambda))`, a weighted harmonic mean of
    affine functions, hence concave: bisection on the derivative finds the
    global maximum, and the tangent at the left end of the final interval
    certifies an upper bound (docs/theory/sdpi.md, §5.1).

    Returns value, upper, lam, attained (arrays over the rows of ``a``).
    """
    d2 = (b - a) ** 2

    def val(lam):
        lam = lam[:, None]
        D = (1 - lam) * a + lam * b
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = np.where(d2 > 0, d2 * lam * (1 - lam) / np.where(D > 0, D, 1.0), 0.0)
        return t.sum(axis=1)

    def der(lam):
        lam = lam[:, None]
        D = (1 - lam) * a + lam * b
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = np.where(d2 > 0, d2 * ((1 - 2 * lam) * D - lam * (1 - lam) * (b - a))
                         / np.where(D > 0, D, 1.0) ** 2, 0.0)
        return t.sum(axis=1)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # subnormal masses
        d0 = np.where(a > 0, d2 / np.where(a > 0, a, 1.0), -b).sum(axis=1)   # rho2'(0+)
        d1 = -np.where(b > 0, d2 / np.where(b > 0, b, 1.0), -a).sum(axis=1)  # rho2'(1-)
    lim0 = np.where(a > 0, 0.0, b).sum(axis=1)
    lim1 = np.where(b > 0, 0.0, a).sum(axis=1)
    lo = np.zeros(a.shape[0])
    hi = np.ones(a.shape[0])
    interior = (d0 > 0) & (d1 < 0)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        go_right = der(mid) > 0
        lo = np.where(go_right, mid, lo)
        hi = np.where(go_right, hi, mid)
    f_lo, f_hi = val(lo), val(hi)
    interior_val = np.maximum(f_lo, f_hi)
    slack = np.maximum(der(lo), 0.0) * (hi - lo)
    rounding = 64 * np.finfo(float).eps * (1.0 + d2.sum(axis=1))
    value = np.where(interior, interior_val, np.where(d0 <= 0, lim0, lim1))
    upper = np.where(interior, interior_val + slack + rounding, value + rounding)
    lam = np.where(interior, np.where(f_lo >= f_hi, lo, hi), np.where(d0 <= 0, 0.0, 1.0))
    # a concave function with rho2'(0+) = 0 <= rho2'(1-) is constant (disjoint rows: 1
    # everywhere): its limit is then attained at every interior point, say 1/2
    flat = ~interior & (d0 == 0.0) & (d1 >= 0.0)
    lam = np.where(flat, 0.5, lam)
    return value, upper, lam, interior | flat


def _pairs_sup(K: np.ndarray):
    n = K.shape[0]
    i, j = np.triu_indices(n, 1)
    value, upper, lam, attained = _pair_problem(K[i], K[j])
    k = int(np.argmax(value))
    p = np.zeros(n)
    p[i[k]], p[j[k]] = 1 - lam[k], lam[k]
    return float(value[k]), float(upper.max()), p, bool(attained[k])


def _simplex_ascent(K: np.ndarray, starts: list[np.ndarray]) -> tuple[float, np.ndarray]:
    """Local maxima of rho_m^2 over the whole simplex: BFGS on softmax logits with the
    analytic gradient of docs/theory/sdpi.md, §5.2.  Not part of the certified recipe (the
    pairs are the whole problem); check sdpi.C16 and the benchmark compare it with them."""
    best, best_p = -1.0, starts[0]

    def neg(theta):
        p = softmax(theta)
        v, g = _rho2_grad(K, p)
        return -v, -(p * (g - p @ g))

    for p0 in starts:
        theta0 = np.log(np.maximum(p0, 1e-9))
        res = minimize(neg, theta0, jac=True, method="BFGS",
                       options={"maxiter": 300, "gtol": 1e-11})
        p = softmax(res.x)
        v = sigma2(K, p) ** 2
        if v > best:
            best, best_p = v, p
    return best, best_p


def sup_chi2(K: np.ndarray) -> Coefficient:
    with one_blas_thread():
        return _sup_chi2_impl(K)


def _sup_chi2_impl(K: np.ndarray) -> Coefficient:
    n = K.shape[0]
    tv = tv_rows(K)
    if n == 1:
        return Coefficient(0.0, "chi2", "closed form", (0.0, 0.0), True, np.ones(1),
                           "a single input: the output never depends on it")
    # Ordentlich & Polyanskiy 2020: the coefficient of K is that of its best
    # binary-input subchannel, so the certified pair problem is the whole supremum
    value, upper, argmax, attained = _pairs_sup(K)
    note = ("best binary-input subchannel (Ordentlich & Polyanskiy 2020), each a concave "
            "1-D problem with a tangent certificate")
    if value > tv + GUARD_TOL:
        raise ArithmeticError(f"eta_chi2(K) = {value!r} exceeds eta_TV(K) = {tv!r}: a "
                              "numerical failure (please report the channel)")
    return Coefficient(value, "chi2", "optimisation", (value, max(min(upper, tv + GUARD_TOL),
                                                                  value)),
                       attained, argmax, note)


def _sup_chi2_batch(K: np.ndarray) -> np.ndarray:
    """Supremum over inputs for a stack of channels: best pair (all pairs, vectorised)."""
    N, n, m = K.shape
    if n == 1:
        return np.zeros(N)
    i, j = np.triu_indices(n, 1)
    a = K[:, i, :].reshape(-1, m)
    b = K[:, j, :].reshape(-1, m)
    if _kernels.enabled():
        value = _kernels.pair_sup(a, b, 60)
    else:
        value = _pair_problem(a, b, iters=60)[0]
    return value.reshape(N, len(i)).max(axis=1)


def eta_chi2(K: Any, p_x: Any = None, *, return_info: bool = False) -> float | Any:
    r"""Chi-square contraction coefficient.

    With ``p_x`` (exact, SVD; Witsenhausen 1975, docs/theory/sdpi.md, §2.2):

    .. math:: \eta_{\chi^2}(P_X, K) = \rho_m(X;Y)^2 = \sigma_2(B)^2,\quad
              B = \mathrm{diag}(P_X)^{-1/2} P_{XY} \mathrm{diag}(P_Y)^{-1/2}.

    Input masses below ``1e-12`` are treated as zero first (a tiny mass can
    make a spurious :math:`\sigma_2 = 1`).  Without ``p_x``, the supremum over
    inputs :math:`\eta_{\chi^2}(K) = \eta_{KL}(K)`, certified: it equals the
    coefficient of the best binary-input subchannel (Ordentlich & Polyanskiy
    2020, proving a conjecture of Cohen, Kemperman & Zbaganu 1998), and each
    pair of inputs is a concave one-dimensional problem solved with a tangent
    certificate (docs/theory/sdpi.md, §5.1).  A supremum approached at a
    vertex (Z-channel) is returned as its limit.

    Parameters
    ----------
    K : array_like, shape (n_x, n_y) or (..., n_x, n_y)
        Row-stochastic channel(s).  A stack with a stack of ``p_x`` runs
        batched through the array API (CuPy in, CuPy out); a stack without
        ``p_x`` returns the suprema (NumPy), the same best-pair values as
        for a single channel, hence exact by the binary-input theorem.
    p_x : array_like, optional
        Input law, shape (n_x,) (or (..., n_x) for a stack).
    return_info : bool
        Return a :class:`Coefficient` (single channel).

    Examples
    --------
    >>> from fdivtheory.sdpi import eta_chi2, bsc, z_channel
    >>> round(eta_chi2(bsc(0.1), [0.5, 0.5]), 12)
    0.64
    >>> res = eta_chi2(z_channel(0.4), return_info=True)   # sup not attained
    >>> round(res.value, 12), res.attained
    (0.6, False)
    """
    if hasattr(K, "eta_chi2"):
        return K.eta_chi2(p_x, return_info=return_info)
    if is_batch(K):
        if return_info:
            raise ValueError("return_info is supported for a single channel only")
        if p_x is None:
            Kn = channel(K, batch=True)
            flat = Kn.reshape(-1, *Kn.shape[-2:])
            return _sup_chi2_batch(flat).reshape(Kn.shape[:-2])
        xp = namespace(K, p_x)
        Kx = K if hasattr(K, "__array_namespace__") else xp.asarray(channel(K, batch=True))
        Px = p_x if hasattr(p_x, "__array_namespace__") else xp.asarray(np.asarray(p_x, float))
        check_stack_xp(Kx, xp)
        _check_law_stack(Px, Kx.shape, xp)
        return _chi2_fixed_xp(Kx, Px, xp)
    Kn = channel(K)
    if p_x is None:
        res = sup_chi2(Kn)
        return res if return_info else res.value
    p = input_law(p_x, Kn.shape[0])
    value = sigma2(Kn, p) ** 2
    if value > 1 + GUARD_TOL:
        raise ArithmeticError(f"rho_m^2 = {value!r} > 1: numerical failure")
    if not return_info:
        return value
    return Coefficient(value, "chi2", "SVD", (value, value), True, None)


def _check_law_stack(P: Any, kshape: tuple, xp: Any) -> None:
    if P.shape[-1] != kshape[-2]:
        raise ValueError(f"p_x must have one entry per channel input ({kshape[-2]}), "
                         f"got shape {P.shape}")
    if not bool(xp.all(xp.isfinite(P))) or bool(xp.any(P < 0)):
        raise ValueError("p_x must be finite with entries >= 0")
    if bool(xp.any(xp.abs(xp.sum(P, axis=-1) - 1.0) > SUM_TOL)):
        raise ValueError(f"p_x must sum to 1 along axis -1 within {SUM_TOL:g}")
