r"""The penalty constant beta and the instance-dependent suboptimality bound of R2PVI.

Upper-bound theorem (Tang, Liu & Xu, ICML 2025; Theorem 5.2 of arXiv v1): with
:math:`\gamma = 1` and probability at least :math:`1-\delta`,

.. math:: \mathrm{SubOpt}(\hat\pi, s, \lambda) \le 2\beta\,\Phi(\Lambda^{-1}, s),\qquad
   \Phi = \sup_{P\in\mathcal U^\lambda(P^0)}\sum_h \mathbb{E}^{\pi^\star,P}
   \Big[\sum_i \phi_i(s_h,a_h)\sqrt{(\Lambda_h^{-1})_{ii}}\Big].

The exact admissible set :math:`\mathcal U^\lambda(P^0)` is not pinned down here; we provide
the always-valid relaxation :math:`\sum_h\max_{(s,a)}\sum_i\phi_i\sqrt{(\Lambda_h^{-1})_{ii}}`
and the nominal-occupancy version (docs/theory/robust_rl.md, §6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fdivtheory._arguments import nonnegative, positive, positive_int, probability
from fdivtheory.robust_rl._validation import divergence_name
from fdivtheory.robust_rl.envs import FiniteLinearRRMDP, OfflineDataset

__all__ = ["SuboptimalityBound", "beta_constant", "suboptimality_bound",
           "uncertainty_function"]


def beta_constant(divergence: str, *, H: int, d: int, K: int, delta: float,
                  lam: float | None = None, log: bool = False,
                  chi2_reading: str = "H_over_2lam") -> float:
    r"""The penalty multiplier :math:`\beta` of the upper-bound theorem (:math:`\gamma = 1`).

    * TV: :math:`16Hd\sqrt{\xi}`, :math:`\xi=2\log(1024Hd^{1/2}K^2/\delta)`;
    * KL: :math:`16d\lambda e^{H/\lambda}\sqrt{H/\lambda+\xi}`,
      :math:`\xi=\log(1024d\lambda^2K^3H/\delta)` (computed in log space);
    * chi2: :math:`8dH^2(1+1/\lambda)\sqrt{\xi}`,
      :math:`\xi=\log(192K^5H^6d^3(1+H/(2\lambda))^3/\delta)`. The printed factor
      "(1 + H/2λ)" is read as :math:`H/(2\lambda)`; ``chi2_reading="H_half_times_lam"``
      gives the other reading :math:`(H/2)\lambda` (they agree at :math:`\lambda = 1`).

    Source: Tang, Liu & Xu (ICML 2025), upper-bound theorem; docs/theory/robust_rl.md, §6.

    Parameters
    ----------
    log : bool
        Return :math:`\log\beta` (use for KL with small :math:`\lambda`).

    Examples
    --------
    >>> round(beta_constant("chi2", H=3, d=4, K=100, delta=0.05, lam=0.1), 1)
    22478.8
    >>> beta_constant("kl", H=3, d=4, K=100, delta=0.05, lam=0.1, log=True) > 30
    True
    """
    div = divergence_name(divergence)
    H = positive_int(H, "H")
    d = positive_int(d, "d")
    K = positive_int(K, "K")
    delta = probability(delta, "delta", interval="(0, 1)")
    if div == "tv":
        xi = 2 * (math.log(1024 * H) + 0.5 * math.log(d) + 2 * math.log(K) - math.log(delta))
        logb = math.log(16 * H * d) + 0.5 * math.log(xi)
    else:
        lam = positive(lam, "lam")
        if div == "kl":
            xi = (math.log(1024 * d) + 2 * math.log(lam) + 3 * math.log(K) + math.log(H)
                  - math.log(delta))
            inner = H / lam + xi
            if inner <= 0:
                raise ValueError("lam: H/lam + xi must be positive for the KL constant")
            logb = math.log(16 * d * lam) + H / lam + 0.5 * math.log(inner)
        else:
            if chi2_reading == "H_over_2lam":
                t = 1 + H / (2 * lam)
            elif chi2_reading == "H_half_times_lam":
                t = 1 + H / 2 * lam
            else:
                raise ValueError(f"chi2_reading must be 'H_over_2lam' or 'H_half_times_lam', "
                                 f"got {chi2_reading!r}")
            xi = (math.log(192) + 5 * math.log(K) + 6 * math.log(H) + 3 * math.log(d)
                  + 3 * math.log(t) - math.log(delta))
            logb = math.log(8 * d * H * H * (1 + 1 / lam)) + 0.5 * math.log(xi)
    if log:
        return logb
    return math.exp(logb) if logb < 709 else math.inf


def _gram_inverses(data: OfflineDataset, ridge: float) -> np.ndarray:
    F = data.features
    gram = np.einsum("khi,khj->hij", F, F) + ridge * np.eye(F.shape[2])
    return np.linalg.inv(gram)


def uncertainty_function(data: OfflineDataset, env: FiniteLinearRRMDP, *, ridge: float = 1.0,
                         form: str = "relaxed", lam: float | None = None,
                         divergence: str | None = None) -> float:
    r"""The uncertainty function :math:`\Phi` of the upper bound, in a computable form.

    ``form="relaxed"``: :math:`\sum_h\max_{(s,a)\in S\times A}\sum_i\phi_i(s,a)
    \sqrt{(\Lambda_h^{-1})_{ii}}` (an upper bound on :math:`\Phi` for every admissible set);
    ``form="nominal"``: the same bonus averaged over the occupancy of the optimal robust
    policy (``plan(env, lam, divergence)``; with ``lam=None, divergence=None`` the nominal
    optimal policy) under the nominal kernel from ``env.initial``.

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import random_linear_rrmdp
    >>> env = random_linear_rrmdp(seed=0)
    >>> uncertainty_function(env.offline_dataset(200), env) > 0
    True
    """
    from fdivtheory.robust_rl.planning import plan

    if not isinstance(data, OfflineDataset):
        raise TypeError("data must be an OfflineDataset")
    if not isinstance(env, FiniteLinearRRMDP):
        raise TypeError("env must be a FiniteLinearRRMDP (the relaxation maximises over S x A)")
    ridge = positive(ridge, "ridge")
    inv = _gram_inverses(data, ridge)
    sq = np.sqrt(np.clip(np.diagonal(inv, axis1=1, axis2=2), 0, None))  # (H, d)
    bonus = np.einsum("sad,hd->hsa", env.features, sq)  # (H, S, A)
    if form == "relaxed":
        return float(bonus.max(axis=(1, 2)).sum())
    if form != "nominal":
        raise ValueError(f"form must be 'relaxed' or 'nominal', got {form!r}")
    pol = plan(env, lam, divergence).policy.actions
    P = env.kernel()
    occ = env.initial.copy()
    total = 0.0
    idx = np.arange(env.n_states)
    for h in range(env.horizon):
        total += float(occ @ bonus[h, idx, pol[h]])
        occ = occ @ P[h, idx, pol[h]]
    return total


@dataclass(frozen=True)
class SuboptimalityBound:
    """``bound = 2 * beta * phi`` (``form``: which version of the uncertainty function)."""

    beta: float
    phi: float
    bound: float
    form: str


def suboptimality_bound(data: OfflineDataset, env: FiniteLinearRRMDP, *, beta: float,
                        ridge: float = 1.0, form: str = "relaxed", lam: float | None = None,
                        divergence: str | None = None) -> SuboptimalityBound:
    r""":math:`2\beta\Phi` for a dataset (upper-bound theorem; see :func:`uncertainty_function`).

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import random_linear_rrmdp
    >>> env = random_linear_rrmdp(seed=0)
    >>> b = suboptimality_bound(env.offline_dataset(100), env, beta=1.0)
    >>> b.bound == 2 * b.phi
    True
    """
    beta = nonnegative(beta, "beta") if not (isinstance(beta, float) and math.isinf(beta)) \
        else beta
    phi = uncertainty_function(data, env, ridge=ridge, form=form, lam=lam,
                               divergence=divergence)
    return SuboptimalityBound(float(beta), phi, 2 * float(beta) * phi, form)
