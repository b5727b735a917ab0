r"""Offline learners on one ridge-regression / pessimism core: R2PVI, PEVI, DRPVI, DRVI-L.

All four run the backward induction (Tang, Liu & Xu, ICML 2025, Algorithm 1):
for :math:`h = H, \dots, 1`,

1. :math:`\Lambda_h = \sum_\tau \phi_\tau\phi_\tau^\top + \gamma I`; the ridge operator
   :math:`R_h[g] = \Lambda_h^{-1}\sum_\tau\phi_\tau g^\tau` is applied through
   :math:`M_h = \Lambda_h^{-1}\Phi_h^\top` (one Cholesky solve per step);
2. :math:`y^\tau = \hat V_{h+1}(s^\tau_{h+1})`, and the factor estimate :math:`\hat w_h` by
   the method's rule (below);
3. :math:`\hat Q_h(s,a) = \min\{\phi^\top(\theta_h+\hat w_h) - \Gamma_h(s,a), H-h+1\}^+`,
   greedy policy.

Rules (docs/theory/robust_rl.md, §5):

* R2PVI-TV: :math:`\hat w_h = R_h[\min\{y, \min_S\hat V_{h+1}+\lambda\}]`;
* R2PVI-KL: :math:`\hat w_h = -\lambda\log\max\{R_h[e^{-y/\lambda}], e^{-H/\lambda}\}`;
* R2PVI-chi2: :math:`\hat w_{h,i} = \max_\alpha \hat E_i(\alpha)+\hat E_i(\alpha)^2/(4\lambda)
  - \hat E2_i(\alpha)/(4\lambda)`, :math:`\hat E=[R_h[[y]_\alpha]]_{[0,H]}`,
  :math:`\hat E2=[R_h[[y]_\alpha^2]]_{[0,H^2]}`, solved exactly (piecewise quadratic in
  :math:`\alpha` between sorted targets);
* PEVI (Jin et al. 2021): :math:`\hat w_h = R_h[r_h + y]`, no :math:`\theta`, penalty
  :math:`\beta\|\phi\|_{\Lambda_h^{-1}}`;
* DRPVI (Liu & Xu 2024, TV ball of radius :math:`\rho`): :math:`\hat\nu_{h,i} =
  \max_{\alpha\in[0,H]} R_h[[y]_\alpha]_i - \rho_{h,i}(\alpha - \min\hat V_{h+1})` (exact:
  piecewise linear in :math:`\alpha`);
* DRVI-L (Ma et al. 2022, KL ball): :math:`\hat\nu_{h,i}=\sup_{\alpha\in(0,H]}
  -\alpha\log R_h[e^{-y/\alpha}]_i - \alpha\rho_{h,i}` (log grid + golden section).

Penalty :math:`\Gamma_h = \beta\sum_i\phi_i\sqrt{(\Lambda_h^{-1})_{ii}}` (d-rectangular) for
R2PVI, DRPVI and DRVI-L. ``conventions="reference"`` switches to the released code's
choices: TV truncation at the sample minimum, penalty
:math:`\beta\sqrt{\sum_i\phi_i^2(\Lambda_h^{-1})_{ii}}`, no clipping below 0, value 0 at the
designated fail state, chi2 search over :math:`\alpha\in[0,H]`, DRVI-L's
:math:`R_h[e^{-y/\alpha}-1]+1` clipped at 1e-6. The loop is written against the array API
(``xp=`` runs it on CuPy or array-api-strict arrays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from fdivtheory._arguments import nonnegative, positive
from fdivtheory.robust_rl._validation import divergence_name
from fdivtheory.robust_rl.envs import AmericanPutOption, FiniteLinearRRMDP, OfflineDataset

__all__ = [
    "PAPER",
    "REFERENCE",
    "Conventions",
    "LearnedPolicy",
    "drpvi",
    "drvi_l",
    "pevi",
    "r2pvi",
]


@dataclass(frozen=True)
class Conventions:
    """Implementation choices where the paper and its released code differ.

    Attributes
    ----------
    tv_min : {"global", "sample"}
        TV truncation level min over the whole state space (paper) or over the sampled
        next states (code).
    penalty : {"d_rectangular", "l2"}
        :math:`\\beta\\sum_i\\phi_i\\sqrt{(\\Lambda^{-1})_{ii}}` (paper) or
        :math:`\\beta\\sqrt{\\sum_i\\phi_i^2(\\Lambda^{-1})_{ii}}` (code). PEVI always uses
        :math:`\\beta\\|\\phi\\|_{\\Lambda^{-1}}`.
    clip_below : bool
        Clip :math:`\\hat Q` below at 0 (paper) or not (code).
    fail_value_zero : bool
        Set :math:`\\hat V = 0` at the environment's fail states (code, simulated MDP).
    chi2_range : {"sample", "zero_to_H"}
        The chi2 dual's range of alpha: [min y, max y] (paper) or [0, H] (code).
    chi2_alpha : {"sup", "released_min"}
        The exact supremum, or what the released simulated-MDP agent computes (a
        Nelder-Mead minimisation from H/2 of the unclipped objective; a defect, kept only
        to reproduce that code).
    chi2_clip : bool
        Clip the chi2 moment estimates to [0, H] and [0, H^2] (paper) or not (code).
    drvi_form : {"paper", "reference"}
        DRVI-L's estimate :math:`R[e^{-y/\\alpha}]` clipped at :math:`e^{-H/\\alpha}`, or the
        code's :math:`R[e^{-y/\\alpha}-1]+1` clipped at 1e-6.
    """

    tv_min: str = "global"
    penalty: str = "d_rectangular"
    clip_below: bool = True
    fail_value_zero: bool = False
    chi2_range: str = "sample"
    chi2_alpha: str = "sup"
    chi2_clip: bool = True
    drvi_form: str = "paper"

    def __post_init__(self) -> None:
        for name, allowed in (("tv_min", ("global", "sample")),
                              ("penalty", ("d_rectangular", "l2")),
                              ("chi2_range", ("sample", "zero_to_H")),
                              ("chi2_alpha", ("sup", "released_min")),
                              ("drvi_form", ("paper", "reference"))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"conventions.{name} must be one of {allowed}, "
                                 f"got {getattr(self, name)!r}")


PAPER = Conventions()
REFERENCE = Conventions(tv_min="sample", penalty="l2", clip_below=False, fail_value_zero=True,
                        chi2_range="zero_to_H", chi2_alpha="sup", chi2_clip=False,
                        drvi_form="reference")


def _conventions(conventions) -> Conventions:
    if isinstance(conventions, Conventions):
        return conventions
    if conventions == "paper":
        return PAPER
    if conventions == "reference":
        return REFERENCE
    raise ValueError(f"conventions must be 'paper', 'reference' or a Conventions object, "
                     f"got {conventions!r}")


@dataclass(frozen=True)
class LearnedPolicy:
    r"""Greedy policy of a learned :math:`\hat Q_h(s,a)=\min\{\phi^\top W_h-\Gamma_h,c_h\}^{(+)}`.

    Attributes
    ----------
    method : str
    weights : ndarray (H, d)
        :math:`W_h` (:math:`\theta_h+\hat w_h`, or PEVI's ridge weights).
    factor_values : ndarray (H, d)
        :math:`\hat w_h` (the estimated robust factor values; PEVI: its weights).
    gram_inverse : ndarray (H, d, d)
        :math:`\Lambda_h^{-1}`.
    beta : float
    penalty : {"d_rectangular", "l2", "pevi"}
    clip_below : bool
    fail_value_zero : bool
    caps : ndarray (H,)
        :math:`c_h = H - h + 1`.
    """

    method: str
    weights: np.ndarray
    factor_values: np.ndarray
    gram_inverse: np.ndarray
    beta: float
    penalty: str
    clip_below: bool
    fail_value_zero: bool
    caps: np.ndarray

    @property
    def horizon(self) -> int:
        """H."""
        return int(self.weights.shape[0])

    def penalty_values(self, h: int, features: Any) -> np.ndarray:
        """:math:`\\Gamma_h` at ``features`` (..., d)."""
        f = np.asarray(features, dtype=float)
        return _penalty_np(f, self.gram_inverse[h], self.beta, self.penalty)

    def q_values(self, h: int, action_features: Any, known_q: Any = None,
                 fail: Any = None) -> np.ndarray:
        """:math:`\\hat Q_h` for linear actions (..., A_lin, d) then known actions (..., A_k)."""
        f = np.asarray(action_features, dtype=float)
        q = f @ self.weights[h] - _penalty_np(f, self.gram_inverse[h], self.beta, self.penalty)
        q = np.minimum(q, self.caps[h])
        if self.clip_below:
            q = np.maximum(q, 0.0)
        if fail is not None and self.fail_value_zero:
            q = np.where(np.asarray(fail, bool)[..., None], 0.0, q)
        if known_q is not None:
            q = np.concatenate([q, np.asarray(known_q, dtype=float)], axis=-1)
        return q

    def table(self, env: FiniteLinearRRMDP) -> np.ndarray:
        """Greedy action table (H, S) on a finite MDP."""
        from fdivtheory.robust_rl.planning import greedy

        if not isinstance(env, FiniteLinearRRMDP):
            raise TypeError("env must be a FiniteLinearRRMDP to tabulate a policy")
        if env.d != self.weights.shape[1] or env.horizon != self.horizon:
            raise ValueError(f"env has (H, d) = {(env.horizon, env.d)}, the policy "
                             f"{self.weights.shape}")
        fail = np.isin(np.arange(env.n_states), env.fail_states)
        return np.stack([greedy(self.q_values(h, env.features, fail=fail))
                         for h in range(self.horizon)])

    def values(self, h: int, action_features, known_q=None, fail=None) -> np.ndarray:
        """:math:`\\hat V_h = \\max_a \\hat Q_h`."""
        return self.q_values(h, action_features, known_q, fail).max(axis=-1)


def _penalty_np(f, inv, beta, form):
    diag = np.clip(np.diagonal(inv), 0.0, None)
    if form == "d_rectangular":
        return beta * (f @ np.sqrt(diag))
    if form == "l2":
        return beta * np.sqrt(np.clip((f * f) @ diag, 0.0, None))
    return beta * np.sqrt(np.clip(np.einsum("...i,ij,...j->...", f, inv, f), 0.0, None))


# ---------------------------------------------------------------------------------------
# the shared core


def _check_inputs(data, env, beta, ridge):
    if not isinstance(data, OfflineDataset):
        raise TypeError(f"data must be an OfflineDataset (env.offline_dataset(...)), "
                        f"got {type(data).__name__}")
    if not isinstance(env, FiniteLinearRRMDP | AmericanPutOption):
        raise TypeError(f"env must be a FiniteLinearRRMDP or AmericanPutOption, "
                        f"got {type(env).__name__}")
    if data.horizon != env.horizon or data.d != env.d:
        raise ValueError(f"data: features of shape (K, H, d) = (K, {data.horizon}, {data.d}) do "
                         f"not match env (H, d) = ({env.horizon}, {env.d})")
    if not np.all(np.isfinite(data.features)) or not np.all(np.isfinite(data.rewards)):
        raise ValueError("data: features and rewards must be finite")
    return nonnegative(beta, "beta"), positive(ridge, "ridge")


def _rho_array(rho, H, d) -> np.ndarray:
    try:
        arr = np.broadcast_to(np.asarray(rho, dtype=float), (H, d)).copy()
    except ValueError:
        raise ValueError(f"rho must be a scalar or broadcastable to (H, d) = {(H, d)}, "
                         f"got shape {np.shape(rho)}") from None
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("rho must be finite and >= 0 (the uncertainty-set radius)")
    return arr


def _to_np(x) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "get"):  # CuPy
        return x.get()
    return np.asarray(x)


def _env_states_features(env):
    """(features (S, A, d), fail mask (S,)) of every state for the global minimum, or None."""
    if isinstance(env, FiniteLinearRRMDP):
        return env.features, np.isin(np.arange(env.n_states), env.fail_states)
    return None


def _fit(method: str, data: OfflineDataset, env, **kwargs) -> LearnedPolicy:
    """Run the core with BLAS limited to one thread on the NumPy path.

    The products are d x d or (d x K) times K: threaded BLAS gains nothing there and, on
    small shared machines, its spinning threads make fits several times slower.
    """
    if kwargs.get("xp") is None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # optional
            return _fit_core(method, data, env, **kwargs)
        with threadpool_limits(1, user_api="blas"):
            return _fit_core(method, data, env, **kwargs)
    return _fit_core(method, data, env, **kwargs)


def _fit_core(method: str, data: OfflineDataset, env, *, beta: float, ridge: float,
              conventions, lam: float | None = None, rho=None, xp=None) -> LearnedPolicy:
    conv = _conventions(conventions)
    beta, ridge = _check_inputs(data, env, beta, ridge)
    if xp is None:
        import array_api_compat.numpy as xp
    else:  # e.g. the bare ``cupy`` module: use its array-API-compatible namespace
        import array_api_compat

        xp = array_api_compat.array_namespace(xp.zeros(1))
    K, H, d = data.features.shape
    dtype = xp.float64
    rew = xp.asarray(data.rewards, dtype=dtype)
    theta = np.zeros((H, d)) if isinstance(env, AmericanPutOption) else np.asarray(env.theta)
    penalty = "pevi" if method == "pevi" else conv.penalty
    caps = (H - np.arange(H)).astype(float)
    W = np.zeros((H, d))
    Wf = np.zeros((H, d))
    INV = np.zeros((H, d, d))
    eye = xp.eye(d, dtype=dtype)
    all_states = _env_states_features(env)
    policy = LearnedPolicy(method, W, Wf, INV, beta, penalty, conv.clip_below,
                           conv.fail_value_zero, caps)
    numpy_path = array_api_compat_is_numpy(xp)
    for h in range(H - 1, -1, -1):
        phi_np = np.ascontiguousarray(np.moveaxis(data.features, 1, 0)[h])
        Phi = xp.asarray(phi_np, dtype=dtype)
        PhiT = xp.permute_dims(Phi, (1, 0))
        gram = xp.matmul(PhiT, Phi) + ridge * eye
        L = xp.linalg.cholesky(gram)
        inv = _chol_solve(xp, L, eye)
        INV[h] = _to_np(inv)
        if h == H - 1:
            y = xp.zeros(K, dtype=dtype)
        else:
            y = _next_values(xp, policy, h + 1, data)
        if method == "pevi":
            w = _matvec(xp, inv, _matvec(xp, PhiT, rew[:, h] + y))
            W[h] = _to_np(w)
            Wf[h] = W[h]
            continue
        pooled = _pool_equal_targets(phi_np, np.asarray(y)) if numpy_path else None
        if pooled is not None:
            M, y = xp.matmul(inv, xp.asarray(pooled[0])), xp.asarray(pooled[1])
        else:
            M = xp.matmul(inv, PhiT)  # (d, K)
        if h == H - 1:
            w = np.zeros(d)
        elif method == "r2pvi-tv":
            vmin = _value_min(xp, policy, h + 1, y, conv, all_states)
            w = _to_np(_matvec(xp, M, xp.minimum(y, vmin + lam)))
        elif method == "r2pvi-kl":
            m = float(xp.min(y))
            z = _matvec(xp, M, xp.exp(-(y - m) / lam))
            w = _to_np(_neg_log_capped(xp, z, m, lam, H))
        elif method == "r2pvi-chi2":
            w = _chi2_weights(xp, M, y, lam, H, conv)
        elif method == "drpvi":
            vmin = _value_min(xp, policy, h + 1, y, conv, all_states)
            w = _drpvi_weights(xp, M, y, rho[h], H, vmin)
        elif method == "drvi-l":
            w = _drvi_weights(xp, M, y, rho[h], H, conv)
        else:  # pragma: no cover - guarded by the public functions
            raise ValueError(method)
        Wf[h] = np.asarray(w, dtype=float)
        W[h] = theta[h] + Wf[h]
    for arr in (W, Wf, INV):
        arr.setflags(write=False)
    return policy


def array_api_compat_is_numpy(xp) -> bool:
    """Whether ``xp`` is NumPy (plain or wrapped)."""
    from fdivtheory._backend import is_numpy_namespace

    return is_numpy_namespace(xp)


def _pool_equal_targets(phi: np.ndarray, y: np.ndarray):
    """Exact compression: Phi^T summed over samples that share a target value.

    ``Lambda^{-1} Phi^T g(y) = Lambda^{-1} P g(y_unique)`` for every g, with P (d, U) the
    feature sums per distinct target, so every rule (truncation, exponential tilt, the 1-D
    searches) runs on the U distinct targets only (on the American-put lattice U <= h + 2).
    Returns ``(P, y_unique)``, or None when fewer than half of the targets repeat.
    """
    vals, inv, counts = np.unique(y, return_inverse=True, return_counts=True)
    if vals.size > 0.5 * y.size:
        return None
    order = np.argsort(inv, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    P = np.add.reduceat(phi[order], starts, axis=0).T
    return np.ascontiguousarray(P), vals


def _chol_solve(xp, L, B):
    """Solve (L L^T) X = B."""
    Z = xp.linalg.solve(L, B)
    return xp.linalg.solve(xp.permute_dims(L, (1, 0)), Z)


def _matvec(xp, M, v):
    return xp.matmul(M, v[:, None])[:, 0]


def _next_values(xp, policy: LearnedPolicy, h: int, data: OfflineDataset):
    """y = max_a Q_h(s_h^tau, a) at the visited states (step index h, 0-based)."""
    f = xp.asarray(np.ascontiguousarray(np.moveaxis(data.action_features, 1, 0)[h]),
                   dtype=xp.float64)
    Wh = xp.asarray(policy.weights[h], dtype=xp.float64)
    inv = xp.asarray(policy.gram_inverse[h], dtype=xp.float64)
    q = xp.matmul(f, Wh[:, None])[..., 0] - _penalty_xp(xp, f, inv, policy.beta, policy.penalty)
    q = xp.minimum(q, float(policy.caps[h]))
    if policy.clip_below:
        q = xp.maximum(q, 0.0)
    v = xp.max(q, axis=-1)
    if data.known_q.shape[2] > 0:
        v = xp.maximum(v, xp.max(xp.asarray(data.known_q[:, h], dtype=xp.float64), axis=-1))
    if policy.fail_value_zero and bool(np.any(data.fail[:, h])):
        v = xp.where(xp.asarray(data.fail[:, h]), 0.0, v)
    return v


def _penalty_xp(xp, f, inv, beta, form):
    diag = xp.clip(xp.linalg.diagonal(inv), min=0.0)
    if form == "d_rectangular":
        return beta * xp.matmul(f, xp.sqrt(diag)[:, None])[..., 0]
    if form == "l2":
        return beta * xp.sqrt(xp.clip(xp.matmul(f * f, diag[:, None])[..., 0], min=0.0))
    quad = xp.sum(xp.matmul(f, inv) * f, axis=-1)
    return beta * xp.sqrt(xp.clip(quad, min=0.0))


def _value_min(xp, policy, h, y, conv, all_states) -> float:
    """TV truncation base: min of V_hat_{h} over S (paper) or over the sample (code)."""
    if conv.tv_min == "sample":
        return float(xp.min(y))
    if all_states is None:  # the put: the exercised (terminal) state has value 0
        return min(0.0, float(xp.min(y)))
    feats, fail = all_states
    return float(np.min(policy.values(h, feats, fail=fail)))


def _chi2_weights(xp, M, y, lam, H, conv) -> np.ndarray:
    """Exact max over alpha of E + E^2/(4 lam) - E2/(4 lam), per coordinate (clipped E, E2)."""
    d, K = M.shape
    order = xp.argsort(y)
    ys = xp.take(y, order)
    Ms = xp.take(M, order, axis=1)
    if conv.chi2_range == "sample":
        lo, hi = float(ys[0]), float(ys[-1])
    else:
        lo, hi = 0.0, float(H)
    H2 = float(H) ** 2
    if conv.chi2_alpha == "released_min":
        return _chi2_released_min(np.asarray(M), np.asarray(y), lam, H)
    clip_e = (0.0, float(H)) if conv.chi2_clip else (-math.inf, math.inf)
    clip_e2 = (0.0, H2) if conv.chi2_clip else (-math.inf, math.inf)
    zero = xp.zeros((d, 1), dtype=M.dtype)
    cm = xp.concat([zero, xp.cumulative_sum(Ms, axis=1)], axis=1)  # (d, K+1)
    a = xp.concat([zero, xp.cumulative_sum(Ms * ys, axis=1)], axis=1)
    c = xp.concat([zero, xp.cumulative_sum(Ms * ys * ys, axis=1)], axis=1)
    b = cm[:, -1:] - cm
    inf = xp.asarray([math.inf], dtype=M.dtype)
    left = xp.clip(xp.concat([-inf, ys]), min=lo, max=hi)[None, :]  # piece j: [y_(j-1), y_(j)]
    right = xp.clip(xp.concat([ys, inf]), min=lo, max=hi)[None, :]

    def safe_div(num, den):
        ok = xp.abs(den) > 1e-300
        return xp.where(ok, num / xp.where(ok, den, 1.0), left)

    cands = [left + 0 * b, right + 0 * b,
             safe_div(2 * lam + a, 1.0 - b),          # both free
             safe_div(-2 * lam - a, b),               # E2 clipped
             safe_div(-a, b), safe_div(H - a, b),     # E hits 0 / H
             xp.sqrt(xp.clip(safe_div(-c, b), min=0.0)),
             xp.sqrt(xp.clip(safe_div(H2 - c, b), min=0.0)),
             0 * b]                                   # E clipped, E2 free
    best = None
    for alpha in cands:
        alpha = xp.minimum(xp.maximum(alpha, left), right)
        e = xp.clip(a + b * alpha, min=clip_e[0], max=clip_e[1])
        e2 = xp.clip(c + b * alpha * alpha, min=clip_e2[0], max=clip_e2[1])
        g = xp.max(e + e * e / (4 * lam) - e2 / (4 * lam), axis=1)
        best = g if best is None else xp.maximum(best, g)
    return _to_np(best)


def _chi2_released_min(M, y, lam, H) -> np.ndarray:
    """What the released simulated-MDP agent computes: Nelder-Mead *minimisation* from H/2.

    Reproduces a defect (the dual is a supremum); used only with
    ``Conventions(chi2_alpha="released_min")`` to compare with that code number for number.
    """
    from scipy.optimize import minimize

    out = np.empty(M.shape[0])
    for i in range(M.shape[0]):
        def obj(a, i=i):
            t = np.minimum(y, a[0])
            z, z2 = M[i] @ t, M[i] @ (t * t)
            return z + z * z / (4 * lam) - z2 / (4 * lam)

        out[i] = minimize(obj, [H / 2], method="Nelder-Mead", bounds=[(0, H)]).fun
    return out


def _drpvi_weights(xp, M, y, rho, H, vmin) -> np.ndarray:
    """max_{alpha in [0, H]} R[[y]_alpha]_i - rho_i (alpha - vmin): exact (piecewise linear)."""
    d, K = M.shape
    order = xp.argsort(y)
    ys = xp.take(y, order)
    Ms = xp.take(M, order, axis=1)
    zero = xp.zeros((d, 1), dtype=M.dtype)
    cm = xp.concat([zero, xp.cumulative_sum(Ms, axis=1)], axis=1)
    a = xp.concat([zero, xp.cumulative_sum(Ms * ys, axis=1)], axis=1)
    b = cm[:, -1:] - cm
    r = xp.asarray(rho, dtype=M.dtype)[:, None]
    best = None
    inf = xp.asarray([math.inf], dtype=M.dtype)
    for edge in (xp.concat([-inf, ys]), xp.concat([ys, inf])):
        alpha = xp.clip(edge, min=0.0, max=float(H))[None, :]
        g = xp.max(a + b * alpha - r * (alpha - vmin), axis=1)
        best = g if best is None else xp.maximum(best, g)
    return _to_np(best)


def _drvi_objective(xp, M, y, alpha, rho, H, conv):
    """-alpha log R[e^{-y/alpha}]_i - alpha rho_i for per-coordinate alpha (d, G)."""
    m = float(xp.min(y))
    if conv.drvi_form == "reference":
        # code: alpha log(clip(R[e^{-y/alpha} - 1] + 1, 1e-6)) + alpha rho, negated
        E = xp.exp(-y[None, None, :] / alpha[:, :, None]) - 1.0
        z = xp.sum(M[:, None, :] * E, axis=-1) + 1.0
        return -alpha * xp.log(xp.clip(z, min=1e-6)) - alpha * rho
    E = xp.exp(-(y[None, None, :] - m) / alpha[:, :, None])
    z = xp.sum(M[:, None, :] * E, axis=-1)
    return _neg_log_capped(xp, z, m, alpha, H) - alpha * rho


def _neg_log_capped(xp, z, m, scale, H):
    """``m - scale * log(max(z, exp(-(H - m) / scale)))`` without overflow: min(., H), H if z<=0.

    ``z`` is the shifted estimate of E exp(-(V - m) / scale); the floor of the paper's rule
    caps the result at H.
    """
    pos = z > 0
    val = m - scale * xp.log(xp.where(pos, z, 1.0))
    return xp.where(pos, xp.minimum(val, float(H)), float(H))


def _drvi_grid(xp, M, y, nodes, rho, H, conv):
    """The DRVI-L objective on a grid of alpha shared by all coordinates: (d, G), one matmul."""
    m = float(xp.min(y))
    if conv.drvi_form == "reference":
        E = xp.exp(-y[:, None] / nodes[None, :]) - 1.0
        z = xp.matmul(M, E) + 1.0
        return -nodes[None, :] * xp.log(xp.clip(z, min=1e-6)) - nodes[None, :] * rho
    E = xp.exp(-(y[:, None] - m) / nodes[None, :])
    z = xp.matmul(M, E)
    return _neg_log_capped(xp, z, m, nodes[None, :], H) - nodes[None, :] * rho


def _drvi_weights(xp, M, y, rho, H, conv, grid: int = 40, iters: int = 40) -> np.ndarray:
    """Vectorised log-grid search then golden-section refinement, per coordinate."""
    r = xp.asarray(rho, dtype=M.dtype)[:, None]
    lo_a = 1e-6 if conv.drvi_form == "reference" else 1e-4 * H
    nodes = np.geomspace(lo_a, H, grid)
    vals = _drvi_grid(xp, M, y, xp.asarray(nodes, dtype=M.dtype), r, H, conv)
    kk = _to_np(xp.argmax(vals, axis=1))
    best = xp.max(vals, axis=1)
    lo = xp.asarray(nodes[np.maximum(kk - 1, 0)], dtype=M.dtype)[:, None]
    hi = xp.asarray(nodes[np.minimum(kk + 1, grid - 1)], dtype=M.dtype)[:, None]
    phi = (math.sqrt(5) - 1) / 2
    x1 = hi - phi * (hi - lo)
    x2 = lo + phi * (hi - lo)
    f1 = _drvi_objective(xp, M, y, x1, r, H, conv)
    f2 = _drvi_objective(xp, M, y, x2, r, H, conv)
    for _ in range(iters):
        left = f1 > f2  # maximum in [lo, x2]
        hi = xp.where(left, x2, hi)
        lo = xp.where(left, lo, x1)
        new = xp.where(left, hi - phi * (hi - lo), lo + phi * (hi - lo))
        fn = _drvi_objective(xp, M, y, new, r, H, conv)
        x1, x2 = xp.where(left, new, x2), xp.where(left, x1, new)
        f1, f2 = xp.where(left, fn, f2), xp.where(left, f1, fn)
    best = xp.maximum(best, xp.maximum(f1, f2)[:, 0])
    return _to_np(best)


# ---------------------------------------------------------------------------------------
# public learners


def r2pvi(data: OfflineDataset, env, *, lam: float, divergence: str, beta: float,
          ridge: float = 1.0, conventions: str | Conventions = "paper", xp=None
          ) -> LearnedPolicy:
    r"""R2PVI: robust regularised pessimistic value iteration (Tang, Liu & Xu, ICML 2025).

    Parameters
    ----------
    data : OfflineDataset
    env : FiniteLinearRRMDP or AmericanPutOption
        Supplies :math:`\theta_h` and, for the paper's TV rule, the state space.
    lam : float > 0
        Regulariser :math:`\lambda`.
    divergence : {"tv", "kl", "chi2"}
    beta : float >= 0
        Penalty multiplier (theory: :func:`~fdivtheory.robust_rl.beta_constant`).
    ridge : float > 0
        :math:`\gamma`.
    conventions : "paper", "reference" or Conventions
    xp : array namespace, optional (e.g. ``cupy``)

    Returns
    -------
    LearnedPolicy

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import SimulatedLinearMDP
    >>> env = SimulatedLinearMDP()
    >>> pol = r2pvi(env.offline_dataset(100, seed=0), env, lam=0.1, divergence="tv", beta=1.0)
    >>> pol.weights.shape
    (3, 4)
    """
    div = divergence_name(divergence)
    lam = positive(lam, "lam")
    return _fit(f"r2pvi-{div}", data, env, beta=beta, ridge=ridge, conventions=conventions,
                lam=lam, xp=xp)


def pevi(data: OfflineDataset, env, *, beta: float, ridge: float = 1.0,
         conventions: str | Conventions = "paper", xp=None) -> LearnedPolicy:
    r"""PEVI (Jin, Yang & Wang 2021): ridge regression of :math:`r+\hat V_{h+1}`, penalty
    :math:`\beta\|\phi\|_{\Lambda_h^{-1}}`; non-robust baseline.

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import SimulatedLinearMDP
    >>> env = SimulatedLinearMDP()
    >>> pevi(env.offline_dataset(50), env, beta=1.0).penalty
    'pevi'
    """
    return _fit("pevi", data, env, beta=beta, ridge=ridge, conventions=conventions, xp=xp)


def drpvi(data: OfflineDataset, env, *, rho, beta: float, ridge: float = 1.0,
          conventions: str | Conventions = "paper", xp=None) -> LearnedPolicy:
    r"""DRPVI (Liu & Xu 2024): d-rectangular TV-constrained robust pessimistic VI.

    ``rho``: radius, a scalar or an (H, d) array (per step and factor).
    :math:`\hat\nu_{h,i}=\max_{\alpha\in[0,H]}R_h[[y]_\alpha]_i-\rho_{h,i}(\alpha-\min\hat V)`,
    computed exactly (the objective is piecewise linear in :math:`\alpha`).

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import SimulatedLinearMDP
    >>> env = SimulatedLinearMDP()
    >>> drpvi(env.offline_dataset(50), env, rho=0.1, beta=1.0).method
    'drpvi'
    """
    H, d = env.horizon, env.d
    rho = _rho_array(rho, H, d)
    return _fit("drpvi", data, env, beta=beta, ridge=ridge, conventions=conventions, rho=rho,
                xp=xp)


def drvi_l(data: OfflineDataset, env, *, rho, beta: float, ridge: float = 1.0,
           conventions: str | Conventions = "paper", xp=None) -> LearnedPolicy:
    r"""DRVI-L (Ma et al. 2022): d-rectangular KL-constrained robust pessimistic VI.

    :math:`\hat\nu_{h,i}=\sup_{\alpha\in(0,H]}-\alpha\log R_h[e^{-y/\alpha}]_i-\alpha\rho_{h,i}`
    by a 40-point log grid and 40 golden-section steps per coordinate (vectorised).

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import SimulatedLinearMDP
    >>> env = SimulatedLinearMDP()
    >>> drvi_l(env.offline_dataset(50), env, rho=0.1, beta=1.0).method
    'drvi-l'
    """
    H, d = env.horizon, env.d
    rho = _rho_array(rho, H, d)
    return _fit("drvi-l", data, env, beta=beta, ridge=ridge, conventions=conventions, rho=rho,
                xp=xp)


def with_beta(policy: LearnedPolicy, beta: float) -> LearnedPolicy:
    """The same weights with another penalty multiplier (evaluation-only helper)."""
    return replace(policy, beta=nonnegative(beta, "beta"))
