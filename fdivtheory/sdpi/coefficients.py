r"""Contraction coefficients of channels: Dobrushin, chi-square, KL and any f.

A channel is a row-stochastic matrix ``K`` with ``K[x, y] = K(y|x)``: **rows are
inputs**, and ``p_x @ K`` is the output law.  Coefficients
(docs/theory/sdpi.md, §1-§2):

.. math::

    \eta_f(K) = \sup_{P \ne Q} \frac{D_f(PK\|QK)}{D_f(P\|Q)}, \qquad
    \eta_f(P_X, K) = \sup_{Q} \frac{D_f(QK\|P_XK)}{D_f(Q\|P_X)} .

* :func:`eta_tv` -- Dobrushin's closed form :math:`\max_{x,x'} TV(K_x, K_{x'})`.
* :func:`eta_chi2` -- with ``p_x``: :math:`\rho_m^2 = \sigma_2(B)^2`, exact from the
  SVD of the normalised joint matrix; without: the supremum over inputs.
* :func:`eta_kl` -- with ``p_x``: the input-dependent coefficient by
  optimisation (never below the chi-square value, which is its local limit);
  without: the supremum over inputs, equal to :func:`eta_chi2`'s.
* :func:`eta_f` -- any generator of :func:`fdivtheory.get_generator`.

Every function returns a float (an array for a stack of channels); with
``return_info=True`` a :class:`Coefficient` with the method and a certified
bracket.  Guards: every value is checked against the data-processing
inequality, against :math:`\eta_{TV}` and (fixed input) against
:math:`\rho_m^2`; a violation raises ``ArithmeticError`` instead of being clipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import softmax

from fdivtheory._arguments import SUM_TOL, channel
from fdivtheory._backend import namespace

from . import _kernels, _kl
from ._validation import MASS_FLOOR, input_law

__all__ = [
    "Coefficient",
    "eta_chi2",
    "eta_f",
    "eta_kl",
    "eta_tv",
    "maximal_correlation",
]

#: Slack of the guards (DPI ratio <= 1, eta_KL <= eta_TV, eta_KL(P_X, K) >= rho_m^2).
GUARD_TOL = 1e-10


def _one_blas_thread():
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
#: Largest support of ``p_x`` for which the fixed-input KL bracket is tightened by a
#: branch and bound over the simplex (docs/theory/sdpi.md, §5.5).
MAX_BB_INPUTS = 4

#: Denominator floor of ratio evaluations: below it both KLs are rounding noise,
#: and the local limit (rho_m^2) is already accounted for exactly.
DENOMINATOR_FLOOR = 1e-9

METHODS = ("closed form", "SVD", "optimisation")

# nonlinear operator-convex generators: all share eta_f(K) = eta_chi2(K)
_OPERATOR_CONVEX = frozenset({"kl", "reverse_kl", "pearson", "neyman", "hellinger_sq",
                              "jeffreys"})


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


# --------------------------------------------------------------------------- TV

def _tv_numpy(K: np.ndarray) -> float:
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


def _check_stack_xp(K: Any, xp: Any, name: str = "K") -> None:
    """The rules of :func:`fdivtheory._arguments.channel` for a stack, checked on its own device."""
    if K.ndim < 2 or K.shape[-1] == 0 or K.shape[-2] == 0:
        raise ValueError(f"{name} must have shape (..., n_x, n_y), got shape {K.shape}")
    if not bool(xp.all(xp.isfinite(K))):
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    if bool(xp.any(K < 0)):
        raise ValueError(f"{name} must have entries >= 0")
    if bool(xp.any(xp.abs(xp.sum(K, axis=-1) - 1.0) > SUM_TOL)):
        raise ValueError(f"{name} must sum to 1 along axis -1 within {SUM_TOL:g}")


def _is_batch(K: Any) -> bool:
    return getattr(K, "ndim", np.ndim(K) if not hasattr(K, "eta") else 2) >= 3


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
    if _is_batch(K):
        xp = namespace(K)
        if p_x is not None or return_info:
            raise ValueError("p_x and return_info are supported for a single channel only; "
                             "K has a batch shape")
        Kx = K if hasattr(K, "__array_namespace__") else xp.asarray(channel(K, batch=True))
        _check_stack_xp(Kx, xp)
        return _tv_xp(Kx, xp)
    Kn = channel(K)
    if p_x is not None:
        p = input_law(p_x, Kn.shape[0])
        Kn = Kn[p > 0]
    value = _tv_numpy(Kn)
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


def _sigma2(K: np.ndarray, p: np.ndarray) -> float:
    C = _joint_deflated(K, p)
    if min(C.shape) <= 200:
        return float(np.linalg.svd(C, compute_uv=False)[0])
    # top singular value only: Lanczos (ARPACK) on C^T C to machine precision
    from scipy.sparse.linalg import svds

    try:
        with _one_blas_thread():
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
    value = _sigma2(K, p[keep] / p[keep].sum())
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
    return value, upper, lam, interior


def _pairs_sup(K: np.ndarray):
    n = K.shape[0]
    i, j = np.triu_indices(n, 1)
    value, upper, lam, attained = _pair_problem(K[i], K[j])
    k = int(np.argmax(value))
    p = np.zeros(n)
    p[i[k]], p[j[k]] = 1 - lam[k], lam[k]
    return float(value[k]), float(upper.max()), p, bool(attained[k])


def _simplex_ascent(K: np.ndarray, starts: list[np.ndarray]) -> tuple[float, np.ndarray]:
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
        v = _sigma2(K, p) ** 2
        if v > best:
            best, best_p = v, p
    return best, best_p


def _sup_chi2(K: np.ndarray, rng_seed: int = 0) -> Coefficient:
    with _one_blas_thread():
        return _sup_chi2_impl(K, rng_seed)


def _sup_chi2_impl(K: np.ndarray, rng_seed: int) -> Coefficient:
    n = K.shape[0]
    tv = _tv_numpy(K)
    if n == 1:
        return Coefficient(0.0, "chi2", "closed form", (0.0, 0.0), True, np.ones(1),
                           "a single input: the output never depends on it")
    pv, pu, pp, attained = _pairs_sup(K)
    note = "best pair of inputs (concave 1-D problem, certified)"
    if n == 2:
        value, upper, argmax = pv, min(pu, tv + GUARD_TOL), pp
    else:
        rng = np.random.default_rng(rng_seed)
        starts = [0.98 * pp + 0.02 / n, np.full(n, 1.0 / n)]
        starts += list(rng.dirichlet(np.ones(n), size=3))
        sv, sp = _simplex_ascent(K, starts)
        value, argmax, upper = pv, pp, tv
        if sv > pv + 1e-13:
            value, argmax, attained = sv, sp, True
            note = "multi-start over the simplex beat the best pair"
        else:
            note += "; multi-start over the simplex found nothing higher"
    if value > tv + GUARD_TOL:
        raise ArithmeticError(f"eta_chi2(K) = {value!r} exceeds eta_TV(K) = {tv!r}: a "
                              "numerical failure (please report the channel)")
    return Coefficient(value, "chi2", "optimisation", (value, max(upper, value)), attained,
                       argmax, note)


def _sup_chi2_batch(K: np.ndarray) -> np.ndarray:
    """Best-pair supremum for a stack of channels (all pairs, vectorised)."""
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
    inputs :math:`\eta_{\chi^2}(K) = \eta_{KL}(K)` by the recipe of
    docs/theory/sdpi.md, §5.1 (every pair of inputs exactly, then a
    multi-start over the simplex); a supremum approached at a vertex
    (Z-channel) is returned as its limit.

    Parameters
    ----------
    K : array_like, shape (n_x, n_y) or (..., n_x, n_y)
        Row-stochastic channel(s).  A stack with a stack of ``p_x`` runs
        batched through the array API (CuPy in, CuPy out); a stack without
        ``p_x`` returns the best-pair suprema (NumPy): each is a proven
        lower bound, equal to the full supremum on every channel tried but
        not proved equal (docs/theory/sdpi.md, §5.1).
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
    if _is_batch(K):
        if return_info:
            raise ValueError("return_info is supported for a single channel only")
        if p_x is None:
            Kn = channel(K, batch=True)
            flat = Kn.reshape(-1, *Kn.shape[-2:])
            return _sup_chi2_batch(flat).reshape(Kn.shape[:-2])
        xp = namespace(K, p_x)
        Kx = K if hasattr(K, "__array_namespace__") else xp.asarray(channel(K, batch=True))
        Px = p_x if hasattr(p_x, "__array_namespace__") else xp.asarray(np.asarray(p_x, float))
        _check_stack_xp(Kx, xp)
        _check_law_stack(Px, Kx.shape, xp)
        return _chi2_fixed_xp(Kx, Px, xp)
    Kn = channel(K)
    if p_x is None:
        res = _sup_chi2(Kn)
        return res if return_info else res.value
    p = input_law(p_x, Kn.shape[0])
    value = _sigma2(Kn, p) ** 2
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


# ------------------------------------------------------- fixed-input KL (and f)

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


def _binary_fixed_input_bb(Ks, ps, tol=1e-9, max_iter=200, max_intervals=200_000):
    r"""Certified bracket of :math:`\eta_{KL}(P_X, K)` for a two-point ``P_X``.

    Branch and bound on ``Q = (1 - q, q)``; with ``N(q) = D(QK\|P_XK)`` and
    ``D(q) = D(Q\|P_X)`` (both convex, zero with zero slope at ``q = p``), an
    interval ``[u, w]`` on one side of ``p`` is bounded by the smallest of
    (docs/theory/sdpi.md, §5.5): ``max N(ends) / D(near end)``; the
    linear-fractional bound from ``N`` below its chord slope and ``D`` above
    its tangent; and, by Cauchy's mean value theorem applied twice, the
    supremum of the concave binary chi-square coefficient ``rho2(z)`` between
    ``p`` and the far end, bounded by its tangents.  Returns
    ``(lower, upper, q)`` with ``lower`` the ratio at ``q``; ``upper`` carries a relative rounding
    margin of 1e-11.
    """
    a, b = Ks[0], Ks[1]
    p = float(ps[1])
    pk = ps @ Ks
    d2 = (b - a) ** 2

    def NR(q):
        q = np.asarray(q, float)
        Q = np.stack([1 - q, q], axis=-1)
        return _kl.kl(Q @ Ks, pk), _kl.kl(Q, ps)

    def ratio(q):
        n, d = NR(q)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(d > 0, n / np.where(d > 0, d, 1.0), -np.inf)

    def upper(u, w):
        nu, du = NR(u)
        nw, dw = NR(w)
        right = u >= p
        dmin = np.where(right, du, dw)        # D monotone away from p
        nmax = np.maximum(nu, nw)             # N convex: max at an end
        with np.errstate(invalid="ignore", divide="ignore"):
            far = np.where(dmin > 0, nmax / np.where(dmin > 0, dmin, 1.0), np.inf)
        # Cauchy mean value theorem twice (N(p) = D(p) = N'(p) = D'(p) = 0):
        # R(q) = N''(z)/D''(z) = rho2(z) for some z between p and q; rho2 is the
        # binary-input chi-square coefficient, concave, so below its tangents.
        far_end = np.where(right, w, u)
        t1 = rho2(np.full_like(u, p)), drho2(np.full_like(u, p))
        t2 = rho2(far_end), drho2(far_end)
        span = np.abs(far_end - p)
        sgn = np.where(right, 1.0, -1.0)
        tan_p = t1[0] + np.maximum(sgn * t1[1], 0.0) * span
        tan_e = t2[0] + np.maximum(-sgn * t2[1], 0.0) * span
        mvt = np.minimum(tan_p, tan_e)
        # linear-fractional bound: N below its tangent line at the far end's
        # slope (N convex), D above its tangent at the near end (D convex)
        nn, dn = np.where(right, nu, nw), np.where(right, du, dw)
        h = w - u
        slope_n = np.where(right, dN(w), -dN(u))
        slope_d = np.where(right, dD(u), -dD(w))
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            r_end = np.where(dn > 0, nn / np.where(dn > 0, dn, 1.0), np.inf)
            den = dn + slope_d * h
            lf = np.where((den > 0) & np.isfinite(slope_n),
                          (nn + slope_n * h) / np.where(den > 0, den, 1.0), np.inf)
        lf = np.where(slope_d >= 0, np.maximum(r_end, lf), np.inf)
        out = np.minimum(np.minimum(far, mvt), lf)
        return np.where(np.isnan(out), np.inf, out)

    def dN(z):
        qk = (1 - z)[:, None] * a + z[:, None] * b
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where((b - a) != 0, (b - a) * np.log(qk / pk), 0.0)
        return t.sum(axis=1)

    def dD(z):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log(z / p) - np.log((1 - z) / (1 - p))

    def rho2(z):
        Dy = (1 - z)[:, None] * a + z[:, None] * b
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(d2 > 0, d2 * (z * (1 - z))[:, None] / np.where(Dy > 0, Dy, 1.0), 0.0)
            t = np.where((d2 > 0) & (Dy <= 0), np.inf, t)
        return t.sum(axis=1)

    def drho2(z):
        Dy = (1 - z)[:, None] * a + z[:, None] * b
        zz = z[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(d2 > 0, d2 * ((1 - 2 * zz) * Dy - zz * (1 - zz) * (b - a))
                         / np.where(Dy > 0, Dy, 1.0) ** 2, 0.0)
            t = np.where((d2 > 0) & (Dy <= 0), np.inf, t)
        return t.sum(axis=1)

    lo = np.array([0.0, p])
    hi = np.array([p, 1.0])
    ends = ratio(np.array([0.0, 1.0]))
    lower, arg = float(np.max(ends)), float(np.argmax(ends))
    pruned = -np.inf  # largest bound of a discarded interval
    for _ in range(max_iter):
        ub = upper(lo, hi)
        ub = ub * (1 + 1e-11) + 1e-14
        mid = 0.5 * (lo + hi)
        rm = ratio(mid)
        if rm.size and float(rm.max()) > lower:
            lower, arg = float(rm.max()), float(mid[int(np.argmax(rm))])
        keep = ub > lower + tol
        pruned = max(pruned, float(ub[~keep].max(initial=-np.inf)))
        if not keep.any():
            return lower, max(lower, pruned), arg
        lo, hi, mid = lo[keep], hi[keep], mid[keep]
        if lo.size > max_intervals:
            break
        lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
    ub = upper(lo, hi) * (1 + 1e-11) + 1e-14
    return lower, max(lower, pruned, float(ub.max())), arg



def _simplex_fixed_input_bb(Ks, ps, best, tol=1e-9, max_iter=60, max_cells=20_000):
    r"""Proven upper end of :math:`\eta_{KL}(P_X, K)` by branch and bound over the simplex.

    The simplex is split into the star of ``P_X`` and cells are halved along
    their longest edge.  A cell is bounded by the smaller of
    (docs/theory/sdpi.md, §5.5): (i) Cauchy's mean value theorem along
    ``P_X -> Q``, ``R(Q) = q_V(M)`` for some ``M`` in the hull of the cell and
    ``P_X``, bounded by a generalised eigenvalue with the smallest output and
    largest input masses over that hull; (ii) for cells away from ``P_X``,
    ``N`` below its interpolation at the vertices (convex) over ``D`` above its
    tangent plane at the centroid, a linear-fractional bound maximal at a
    vertex.  Stops when every cell is within ``tol`` of the best ratio or at
    the cell budget; either way the returned upper end is proven (relative
    rounding margin 1e-11).  Returns ``(lower, upper, argmax or None)``.
    """
    n = ps.size
    pk = ps @ Ks

    def ratio(Q):
        num, den = _kl.kl(Q @ Ks, pk), _kl.kl(Q, ps)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 1e-12, num / np.where(den > 0, den, 1.0), -np.inf)

    basis = np.linalg.svd(np.ones((1, n)))[2][1:].T          # zero-sum directions (n, n-1)
    KZ = Ks.T @ basis                                         # (m, n-1)

    def bound(V, touch):
        c = V.mean(axis=1)                                    # (C, n)
        # (i) Cauchy mean value along P -> Q: R(Q) = q_V(M), M in conv(cell, P)
        allv = np.concatenate([V, np.broadcast_to(ps, (V.shape[0], 1, n))], axis=1)
        bmax = allv.max(axis=1)                               # (C, n)
        amin = (allv @ Ks).min(axis=1)                        # (C, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            ia = np.where(amin > 0, 1.0 / np.where(amin > 0, amin, 1.0), np.inf)
            Bm = np.einsum("xi,cx,xj->cij", basis, 1.0 / bmax, basis)
            Am = np.einsum("yi,cy,yj->cij", KZ, np.where(np.isinf(ia), 0.0, ia), KZ)
        bad = np.isinf(ia).any(axis=1)  # an output mass can vanish: no bound from (i)
        L = np.linalg.cholesky(Bm)
        Li = np.linalg.inv(L)
        G = Li @ Am @ np.swapaxes(Li, 1, 2)
        mvt = np.where(bad, np.inf, np.linalg.eigvalsh(G)[:, -1])
        # (ii) N convex -> below its interpolation; D above its tangent at the centroid
        nv = _kl.kl(V @ Ks, pk)                               # (C, n)
        dc = _kl.kl(c, ps)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(c > 0, np.log(np.where(c > 0, c, 1.0) / ps), 0.0)
        dv = dc[:, None] + np.einsum("cx,cix->ci", g, V - c[:, None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            lf = np.where((dv > 0).all(axis=1), (nv / np.where(dv > 0, dv, 1.0)).max(axis=1),
                          np.inf)
        out = np.minimum(mvt, np.where(touch, np.inf, lf))
        return np.where(np.isnan(out), np.inf, out) * (1 + 1e-11) + 1e-14, c

    eye = np.eye(n)
    cells = []
    for i in range(n):                                        # star of P
        v = eye.copy()
        v[i] = ps
        cells.append(v)
    V = np.array(cells)
    touch = np.ones(n, dtype=bool)                            # P is a vertex of the cell
    argbest = None
    pruned = -np.inf  # largest bound of a discarded cell
    for _ in range(max_iter):
        ub, c = bound(V, touch)
        rc = ratio(c)
        if rc.size and rc.max() > best:
            best, argbest = float(rc.max()), c[int(np.argmax(rc))]
        keep = ub > best + tol
        pruned = max(pruned, float(ub[~keep].max(initial=-np.inf)))
        if not keep.any():
            return best, max(best, pruned), argbest
        V, touch = V[keep], touch[keep]
        if V.shape[0] * 2 > max_cells:
            return best, max(best, pruned, float(ub[keep].max())), argbest
        # longest-edge bisection
        C = V.shape[0]
        iu, ju = np.triu_indices(n, 1)
        lens = np.linalg.norm(V[:, iu] - V[:, ju], axis=2)
        k = np.argmax(lens, axis=1)
        a, b = iu[k], ju[k]
        mid = 0.5 * (V[np.arange(C), a] + V[np.arange(C), b])
        V1, V2 = V.copy(), V.copy()
        V1[np.arange(C), a] = mid
        V2[np.arange(C), b] = mid
        pa = np.all(V[np.arange(C), a] == ps, axis=1)
        pb = np.all(V[np.arange(C), b] == ps, axis=1)
        t1 = touch & ~pa   # V1 loses vertex a
        t2 = touch & ~pb
        V = np.concatenate([V1, V2])
        touch = np.concatenate([t1, t2])
    ub, _ = bound(V, touch)
    return best, max(best, pruned, float(ub.max())), argbest



def _fixed_input_kl(K: np.ndarray, p: np.ndarray, seed: int = 0) -> Coefficient:
    with _one_blas_thread():
        return _fixed_input_kl_impl(K, p, seed)


def _fixed_input_kl_impl(K: np.ndarray, p: np.ndarray, seed: int) -> Coefficient:
    supp = p > 0
    Ks, ps = K[supp], p[supp]
    n = Ks.shape[0]
    pk = ps @ Ks
    keep_y = pk > 0
    Ks, pk = Ks[:, keep_y], pk[keep_y]
    rho2 = _sigma2(Ks, ps) ** 2
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
    # bound to 1e-9; otherwise min(eta_TV(K on supp P_X), Pinsker bound), tightened by a
    # branch and bound over the simplex for up to MAX_BB_INPUTS support points
    if n == 2:
        bb_lo, upper, bb_q = _binary_fixed_input_bb(Ks, ps)
        if bb_lo > best:
            best, how = bb_lo, "branch and bound on the segment"
            best_q = np.array([1.0 - bb_q, bb_q])
        upper_how = "certified branch and bound (two-point P_X)"
    else:
        ordered = np.sort(ps)
        pinsker = rho2 * 0.5 * (1.0 / ordered[0] + 1.0 / ordered[1]) * (1 + 1e-12)
        tv = _tv_numpy(Ks)
        upper = min(tv, pinsker)
        upper_how = ("eta_TV(K) on supp P_X" if tv <= pinsker
                     else "rho_m^2 (1/p_(1) + 1/p_(2)) / 2 (Pinsker)")
        if n <= MAX_BB_INPUTS:
            bb_lo, bb_up, bb_q = _simplex_fixed_input_bb(Ks, ps, best)
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
        (docs/theory/sdpi.md, §5.5).  When ``p_x`` has two to four support
        points a branch and bound closes it to about 1e-9 (generic channels;
        degenerate ones can exhaust its budget, leaving a proven but wider
        bracket).  With five or more support points the value is the best
        point found and the upper end is only
        :math:`\min(\eta_{TV}, \rho_m^2(1/p_{(1)} + 1/p_{(2)})/2)`, proven but
        typically wide: the value is **not certified** there.

    Examples
    --------
    >>> from fdivtheory.sdpi import eta_kl, z_channel
    >>> round(eta_kl(z_channel(0.4), [0.5, 0.5]), 9)    # = 1 - log2(1.4), at Q = delta_0
    0.514573173
    """
    if hasattr(K, "eta_kl"):
        return K.eta_kl(p_x, return_info=return_info)
    if _is_batch(K):
        if return_info:
            raise ValueError("return_info is supported for a single channel only")
        if p_x is None:
            return eta_chi2(K)
        Kn = channel(K, batch=True)
        P = np.broadcast_to(np.asarray(p_x, float), Kn.shape[:-1])
        flat_k = Kn.reshape(-1, *Kn.shape[-2:])
        flat_p = P.reshape(-1, Kn.shape[-2])
        return np.array([_fixed_input_kl(k, input_law(pp, k.shape[0])).value
                         for k, pp in zip(flat_k, flat_p, strict=True)]).reshape(Kn.shape[:-2])
    Kn = channel(K)
    if p_x is None:
        res = _sup_chi2(Kn)
        res = Coefficient(res.value, "kl", res.method, res.bracket, res.attained, res.argmax,
                          res.note + "; eta_KL(K) = eta_chi2(K)")
    else:
        res = _fixed_input_kl(Kn, input_law(p_x, Kn.shape[0]))
        rho2 = eta_chi2(Kn, p_x)
        if res.value < rho2 - GUARD_TOL:
            raise ArithmeticError("eta_KL(P_X, K) fell below rho_m^2: a numerical failure")
    return res if return_info else res.value


# ------------------------------------------------------------------ any generator

def _resolve(f: Any):
    import fdivtheory as fd

    if isinstance(f, str):
        return fd.get_generator(f)
    if isinstance(f, fd.Generator):
        return f
    raise TypeError(f"f must be a generator name or fdivtheory.Generator, got {type(f).__name__}")


def _operator_convex(g) -> bool:
    if g.name in _OPERATOR_CONVEX:
        return True
    if g.name.startswith("power"):
        beta = g.params.get("beta")  # f ~ u^beta: operator convex (or concave) on [-1, 2]
        return beta is not None and -1.0 <= float(beta) <= 2.0 and float(beta) not in (0.0, 1.0)
    return False


def _f_div(g, P: np.ndarray, Q: np.ndarray) -> float:
    import fdivtheory as fd

    return float(fd.f_divergence(P, Q, g))


def eta_f(K: Any, f: Any, p_x: Any = None, *, return_info: bool = False,
          seed: int = 0) -> float | Coefficient:
    r"""Contraction coefficient of an arbitrary f-divergence.

    .. math:: \eta_{\chi^2}(K) \le \eta_f(K) \le \eta_{TV}(K)

    for every convex ``f`` twice differentiable at 1 with :math:`f''(1) > 0`
    (Cohen et al. 1993; Makur-Zheng 2020; docs/theory/sdpi.md, §2.4).
    ``f = "tv"`` is Dobrushin's closed form; nonlinear operator-convex ``f``
    (KL, reverse KL, chi-square, Neyman, squared Hellinger, Jeffreys, power
    :math:`u^\beta` with :math:`\beta \in [-1, 2]`) all equal :math:`\eta_{\chi^2}(K)`
    (Choi-Ruskai-Seneta 1994); any other generator is optimised over pairs
    ``(P, Q)`` (multi-start, logits) and the result is reported with the
    certified bracket :math:`[\max(\text{found}, \eta_{\chi^2}), \eta_{TV}]`.
    With ``p_x``: the sup over ``Q`` of :math:`D_f(QK\|P_XK)/D_f(Q\|P_X)`,
    never below :math:`\rho_m^2` when :math:`f''(1) > 0`.

    Examples
    --------
    >>> from fdivtheory.sdpi import eta_f, bsc
    >>> round(eta_f(bsc(0.1), "hellinger_sq"), 10)
    0.64
    """
    g = _resolve(f)
    Kn = channel(K)
    if g.name == "tv":
        return eta_tv(Kn, p_x, return_info=return_info)
    if g.name == "kl":
        return eta_kl(Kn, p_x, return_info=return_info)
    tv = _tv_numpy(Kn)
    smooth2 = bool(np.isfinite(float(g.d2f(1.0))) and float(g.d2f(1.0)) > 0)
    if p_x is None:
        chi = _sup_chi2(Kn)
        if _operator_convex(g):
            res = Coefficient(chi.value, g.name, chi.method, chi.bracket, chi.attained,
                              chi.argmax, "operator-convex f: eta_f(K) = eta_chi2(K)")
            return res if return_info else res.value
        lower = chi.value if smooth2 else 0.0
        found, arg = _optimise_pairs(Kn, g, seed)
        value = max(lower, found)
        note = "pairs (P, Q) optimised" if found >= lower else "chi2 lower bound (local limit)"
        bracket = (value, tv)
    else:
        p = input_law(p_x, Kn.shape[0])
        lower = eta_chi2(Kn, p) if smooth2 else 0.0
        found, arg = _optimise_fixed(Kn, p, g, seed)
        value = max(lower, found)
        note = "Q optimised" if found >= lower else "chi2 lower bound (local limit)"
        bracket = (value, max(value, tv))
    if value > tv + GUARD_TOL:
        raise ArithmeticError(f"eta_f = {value!r} exceeds eta_TV = {tv!r}: numerical failure")
    res = Coefficient(value, g.name, "optimisation", bracket, found >= lower, arg, note)
    return res if return_info else res.value


def _optimise_fixed(K, p, g, seed):
    supp = p > 0
    Ks, ps = K[supp], p[supp]
    pk = ps @ Ks
    n = Ks.shape[0]
    best, arg = 0.0, None

    def ratio(Q):
        den = _f_div(g, Q, ps)
        if not np.isfinite(den) or den < DENOMINATOR_FLOOR:
            return 0.0
        return _f_div(g, Q @ Ks, pk) / den

    rng = np.random.default_rng(seed)
    vertices = list(np.eye(n))
    for q0 in vertices:
        v = ratio(q0)
        if v > best:
            best, arg = v, q0
    starts = ([arg] if arg is not None else []) + list(rng.dirichlet(np.ones(n), size=2))
    for q0 in starts:
        res = minimize(lambda th: -ratio(softmax(th)), np.log(np.maximum(q0, 1e-9)),
                       method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14,
                                                      "maxiter": 800})
        v = ratio(softmax(res.x))
        if v > best:
            best, arg = v, softmax(res.x)
    return best, arg


def _optimise_pairs(K, g, seed):
    n = K.shape[0]
    best, arg = 0.0, None

    def ratio(P, Q):
        den = _f_div(g, P, Q)
        if not np.isfinite(den) or den < DENOMINATOR_FLOOR:
            return 0.0
        return _f_div(g, P @ K, Q @ K) / den

    rng = np.random.default_rng(seed)
    eye = np.eye(n)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            for lam in (0.5, 0.9, 0.99):
                Q = lam * eye[j] + (1 - lam) * eye[i]
                v = ratio(eye[i], Q)
                if v > best:
                    best, arg = v, np.stack([eye[i], Q])
    for _ in range(2):
        th0 = np.log(rng.dirichlet(np.ones(2 * n)))
        res = minimize(lambda th: -ratio(softmax(th[:n]), softmax(th[n:])), th0,
                       method="Nelder-Mead", options={"maxiter": 1000, "fatol": 1e-14})
        P, Q = softmax(res.x[:n]), softmax(res.x[n:])
        v = ratio(P, Q)
        if v > best:
            best, arg = v, np.stack([P, Q])
    return best, arg
