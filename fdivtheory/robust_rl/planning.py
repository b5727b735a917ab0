r"""Exact planning and exact policy evaluation for small d-rectangular RRMDPs.

* :func:`plan`: backward dynamic programming on the known model with the robust
  regularised Bellman equation :math:`Q_h = \phi^\top(\theta_h + w_h)`,
  :math:`w_{h,i} = J_f(V_{h+1};\mu^0_{h,i},\lambda)` (Tang, Liu & Xu, ICML 2025, the linear
  representation proposition; docs/theory/robust_rl.md, §3), or the non-robust optimum.
* :func:`evaluate`: the value of a policy in an environment's test kernel (exact by
  enumeration where the state space is finite or a lattice, else Monte Carlo), or its
  robust regularised value :math:`V^{\pi,\lambda}_1` when ``lam`` is given.

Greedy tie rule (used everywhere): the first action whose Q-value is within
``1e-12 * (1 + |max Q|)`` of the maximum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from fdivtheory._arguments import choice, positive, positive_int
from fdivtheory.robust_rl._validation import divergence_name
from fdivtheory.robust_rl.duals import dual_value
from fdivtheory.robust_rl.envs import AmericanPutOption, FiniteLinearRRMDP

__all__ = ["PolicyValue", "RobustPlan", "TabularPolicy", "evaluate", "greedy", "plan"]

TIE_TOL = 1e-12


def greedy(q: np.ndarray) -> np.ndarray:
    """Index of the first action within ``1e-12 (1 + |max|)`` of the row maximum."""
    q = np.asarray(q, dtype=float)
    top = q.max(axis=-1, keepdims=True)
    return np.argmax(q >= top - TIE_TOL * (1.0 + np.abs(top)), axis=-1)


@dataclass(frozen=True)
class TabularPolicy:
    """A deterministic Markov policy on a finite MDP: ``actions[h, s]``."""

    actions: np.ndarray

    def table(self, env: FiniteLinearRRMDP) -> np.ndarray:
        """The (H, S) action table."""
        a = np.asarray(self.actions)
        if a.shape != (env.horizon, env.n_states):
            raise ValueError(f"policy.actions must have shape {(env.horizon, env.n_states)}, "
                             f"got {a.shape}")
        if not np.issubdtype(a.dtype, np.integer):
            raise ValueError(f"policy.actions must be integer action indices, got dtype "
                             f"{a.dtype}")
        if a.size and (a.min() < 0 or a.max() >= env.n_actions):
            raise ValueError(f"policy.actions must lie in [0, {env.n_actions - 1}] (the action "
                             f"indices of env), got range [{a.min()}, {a.max()}]")
        return a


@dataclass(frozen=True)
class RobustPlan:
    """Result of :func:`plan`.

    Attributes
    ----------
    value : float
        :math:`\\mathbb{E}_{s\\sim\\text{initial}} V_1(s)`.
    values : ndarray (H + 1, S)
        Optimal values, :math:`V_{H+1} = 0`.
    q : ndarray (H, S, A)
    w : ndarray (H, d)
        Robust factor values :math:`w_{h,i}` (robust plans; NaN-free zeros otherwise).
    policy : TabularPolicy
    lam, divergence : the regularisation planned for (``None`` for the non-robust plan).
    """

    value: float
    values: np.ndarray
    q: np.ndarray
    w: np.ndarray
    policy: TabularPolicy
    lam: float | None
    divergence: str | None


@dataclass(frozen=True)
class PolicyValue:
    """Result of :func:`evaluate`: ``value`` with its Monte Carlo ``standard_error``.

    ``exact`` is True (and ``standard_error`` 0) when the value was computed by
    enumeration; ``values`` holds the per-state values (H + 1, S) for finite MDPs.
    """

    value: float
    standard_error: float
    exact: bool
    values: np.ndarray | None = None


def _check_env(env) -> None:
    if not isinstance(env, FiniteLinearRRMDP | AmericanPutOption):
        raise TypeError(f"env must be a FiniteLinearRRMDP or AmericanPutOption, "
                        f"got {type(env).__name__}")


def plan(env, lam: float | None, divergence: str | None, *, kernel: str = "nominal"
         ) -> RobustPlan:
    r"""Exact optimal robust regularised values and a greedy optimal policy.

    Parameters
    ----------
    env : FiniteLinearRRMDP
    lam : float > 0, or None
        Regulariser. ``None`` (with ``divergence=None``) plans the non-robust MDP.
    divergence : {"tv", "kl", "chi2"} or None
    kernel : {"nominal", "test"}
        Non-robust plans only: plan in the nominal or in the test kernel (the latter is the
        best achievable value in the perturbed environment).

    Notes
    -----
    :math:`V_{H+1}=0`; :math:`w_{h,i}=\inf_\mu \mathbb{E}_\mu V_{h+1}+\lambda D_f(\mu\|\mu^0_{h,i})`
    (:func:`~fdivtheory.robust_rl.dual_value`), :math:`Q_h=\phi^\top(\theta_h+w_h)`,
    :math:`V_h=\max_a Q_h`. A deterministic Markov policy is optimal (paper, the existence
    proposition); docs/theory/robust_rl.md, §3.

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import SimulatedLinearMDP
    >>> round(plan(SimulatedLinearMDP(), None, None).value, 6)
    1.62425
    """
    _check_env(env)
    if isinstance(env, AmericanPutOption):
        if lam is not None or divergence is not None:
            raise ValueError("env: the American put is not an exact d-rectangular linear MDP; "
                             "only the non-robust plan (lam=None, divergence=None) is exact")
        return _plan_put(env)
    robust = not (lam is None and divergence is None)
    if robust:
        lam = positive(lam, "lam")
        divergence = divergence_name(divergence)
    choice(kernel, "kernel", ("nominal", "test"))
    H, S, A, d = env.horizon, env.n_states, env.n_actions, env.d
    V = np.zeros((H + 1, S))
    Q = np.zeros((H, S, A))
    W = np.zeros((H, d))
    P = env.kernel(test=(kernel == "test"))
    R = env.rewards
    acts = np.zeros((H, S), dtype=np.int64)
    for h in range(H - 1, -1, -1):
        if robust:
            W[h] = np.asarray(dual_value(np.broadcast_to(V[h + 1], (d, S)), env.factors[h],
                                         lam, divergence))
            Q[h] = env.features @ (env.theta[h] + W[h])
        else:
            Q[h] = R[h] + P[h] @ V[h + 1]
        acts[h] = greedy(Q[h])
        V[h] = Q[h].max(axis=-1)
    return RobustPlan(float(env.initial @ V[0]), V, Q, W, TabularPolicy(acts),
                      lam if robust else None, divergence if robust else None)


def _plan_put(env: AmericanPutOption) -> RobustPlan:
    lat = env.lattice()
    H, p = env.horizon, env.p_up
    nxt = np.zeros(H + 1)
    for h in range(H - 1, -1, -1):
        hold = p * nxt[1:h + 2] + (1 - p) * nxt[:h + 1]
        nxt = np.maximum(hold, env.payoff(lat[h]))
    return RobustPlan(float(nxt[0]), np.array([nxt[0]]), np.zeros((0, 0, 0)), np.zeros((0, 0)),
                      TabularPolicy(np.zeros((0, 0), dtype=np.int64)), None, None)


def _policy_table(policy, env: FiniteLinearRRMDP) -> np.ndarray:
    if hasattr(policy, "table"):
        return np.asarray(policy.table(env))
    raise TypeError(f"policy must be a TabularPolicy or a learned policy, "
                    f"got {type(policy).__name__}")


def evaluate(policy: Any, env, *, episodes: int | None = None, seed: int = 0,
             lam: float | None = None, divergence: str | None = None) -> PolicyValue:
    r"""Value of ``policy`` in ``env``'s test kernel (exact where computable).

    Parameters
    ----------
    policy : TabularPolicy or a policy returned by the learners
    env : FiniteLinearRRMDP or AmericanPutOption
    episodes : int or None
        ``None``: exact (finite MDPs by backward recursion, the put on its price lattice).
        An integer: Monte Carlo over that many episodes, with its standard error.
    lam, divergence : optional
        Finite MDPs: return the robust regularised value :math:`V^{\pi,\lambda}_1` (the
        adversary plays against the nominal factors) instead of the test-kernel value.

    Examples
    --------
    >>> from fdivtheory.robust_rl.envs import SimulatedLinearMDP
    >>> env = SimulatedLinearMDP(q=1.0)
    >>> opt = plan(SimulatedLinearMDP(), None, None).policy
    >>> round(evaluate(opt, env).value, 4)   # nominal policy when the good factor fails
    0.6243
    """
    _check_env(env)
    if isinstance(env, AmericanPutOption):
        if lam is not None or divergence is not None:
            raise ValueError("lam/divergence: robust values are only defined for finite "
                             "d-rectangular MDPs")
        return _evaluate_put(policy, env, episodes, seed)
    table = _policy_table(policy, env)
    H, S = env.horizon, env.n_states
    if episodes is not None:
        if lam is not None:
            raise ValueError("episodes: robust values are computed exactly only (episodes=None)")
        return _mc_finite(table, env, positive_int(episodes, "episodes"), seed)
    robust = not (lam is None and divergence is None)
    if robust:
        lam = positive(lam, "lam")
        divergence = divergence_name(divergence)
    V = np.zeros((H + 1, S))
    P = env.kernel(test=True)
    R = env.rewards
    idx = np.arange(S)
    for h in range(H - 1, -1, -1):
        if robust:
            w = np.asarray(dual_value(np.broadcast_to(V[h + 1], (env.d, S)), env.factors[h],
                                      lam, divergence))
            V[h] = np.einsum("sd,d->s", env.features[idx, table[h]], env.theta[h] + w)
        else:
            V[h] = R[h, idx, table[h]] + P[h, idx, table[h]] @ V[h + 1]
    return PolicyValue(float(env.initial @ V[0]), 0.0, True, V)


def _mc_finite(table, env: FiniteLinearRRMDP, n: int, seed: int) -> PolicyValue:
    from fdivtheory.robust_rl.envs import _sample_rows

    rng = np.random.default_rng(seed)
    s = _sample_rows(rng, np.broadcast_to(env.initial, (n, env.n_states)))
    total = np.zeros(n)
    R = env.rewards
    for h in range(env.horizon):
        a = table[h, s]
        total += R[h, s, a]
        s = _sample_rows(rng, env.features[s, a] @ env.test_factors[h])
    return PolicyValue(float(total.mean()), float(total.std(ddof=1) / math.sqrt(n)), False)


def _put_actions(policy, env: AmericanPutOption, h: int, prices: np.ndarray) -> np.ndarray:
    """1 = exercise, 0 = hold."""
    if hasattr(policy, "q_values"):
        feats = env.feature_map(prices)[..., None, :]
        q = policy.q_values(h, feats, env.payoff(prices)[..., None])
        return greedy(q)
    if callable(policy):
        return np.asarray(policy(h, prices), dtype=np.int64)
    raise TypeError("policy must be a learned policy or a callable (h, prices) -> actions")


def _evaluate_put(policy, env: AmericanPutOption, episodes, seed) -> PolicyValue:
    H, p = env.horizon, env.p_up
    if episodes is None:
        lat = env.lattice()
        nxt = np.zeros(H + 1)
        for h in range(H - 1, -1, -1):
            ex = _put_actions(policy, env, h, lat[h]) == 1
            hold = p * nxt[1:h + 2] + (1 - p) * nxt[:h + 1]
            nxt = np.where(ex, env.payoff(lat[h]), hold)
        return PolicyValue(float(nxt[0]), 0.0, True)
    n = positive_int(episodes, "episodes")
    rng = np.random.default_rng(seed)
    s = np.full(n, float(env.initial_price))
    alive = np.ones(n, dtype=bool)
    total = np.zeros(n)
    for h in range(H):
        ex = (_put_actions(policy, env, h, s) == 1) & alive
        total[ex] = env.payoff(s[ex])
        alive &= ~ex
        s = s * np.where(rng.random(n) < p, env.up, env.down)
    return PolicyValue(float(total.mean()), float(total.std(ddof=1) / math.sqrt(n)), False)
