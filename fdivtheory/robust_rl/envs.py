r"""Environments for d-rectangular linear robust regularised MDPs, and their offline data.

* :class:`FiniteLinearRRMDP`: a finite d-rectangular linear MDP (Tang, Liu & Xu, ICML 2025,
  Assumption 3.1): features :math:`\phi(s,a)\in\Delta_d`, factor distributions
  :math:`\mu^0_{h,i}\in\Delta(S)`, rewards :math:`r_h(s,a)=\langle\phi(s,a),\theta_h\rangle`,
  nominal kernel :math:`P^0_h(\cdot|s,a)=\sum_i\phi_i(s,a)\mu^0_{h,i}`. An optional
  *test* kernel (other factors) is the environment policies are evaluated in.
* :func:`SimulatedLinearMDP`: the paper's d = 4, H = 3 simulated MDP (from Liu & Xu 2024)
  with the step-1 perturbation ``q`` of the good-state factor.
* :func:`random_linear_rrmdp` and :func:`tabular_rrmdp` (one-hot features).
* :class:`AmericanPutOption`: the American put of Tamar et al. (2014) with hat features.

Every environment has ``horizon``, ``d``, ``n_actions`` and
``offline_dataset(n_trajectories, *, seed=0)`` returning an :class:`OfflineDataset`.
Conventions and the precise models: docs/theory/robust_rl.md, §4.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np

from fdivtheory._arguments import (
    choice,
    distributions,
    finite_array,
    nonnegative,
    positive,
    positive_int,
    probability,
)

__all__ = [
    "AmericanPutOption",
    "FiniteLinearRRMDP",
    "OfflineDataset",
    "SimulatedLinearMDP",
    "random_linear_rrmdp",
    "tabular_rrmdp",
]


@dataclass(frozen=True)
class OfflineDataset:
    r"""K trajectories of length H collected in the nominal environment.

    Attributes
    ----------
    features : ndarray, shape (K, H, d)
        :math:`\phi(s_h^\tau, a_h^\tau)` of the action taken.
    rewards : ndarray, shape (K, H)
    action_features : ndarray, shape (K, H + 1, A_lin, d)
        Features of every action with a *learned* (linear) Q-value at each visited state
        :math:`s_1..s_{H+1}` (the learners evaluate :math:`\hat V_{h+1}` from them).
    known_q : ndarray, shape (K, H + 1, A_known)
        Q-values of actions whose value is known in closed form (the put's exercise
        payoff); ``A_known = 0`` for linear MDPs. Actions are ordered linear first.
    fail : ndarray of bool, shape (K, H + 1)
        Whether the visited state is the designated fail state (used only by the
        reference code's convention "V = 0 at the fail state").
    states : ndarray, shape (K, H + 1)
        State indices (finite MDPs) or prices (American put).
    """

    features: np.ndarray
    rewards: np.ndarray
    action_features: np.ndarray
    known_q: np.ndarray
    fail: np.ndarray
    states: np.ndarray

    @property
    def n_trajectories(self) -> int:
        """K."""
        return int(self.features.shape[0])

    @property
    def horizon(self) -> int:
        """H."""
        return int(self.features.shape[1])

    @property
    def d(self) -> int:
        """Feature dimension."""
        return int(self.features.shape[2])

    def __post_init__(self) -> None:
        for name in ("features", "rewards", "action_features", "known_q", "states"):
            object.__setattr__(self, name, finite_array(getattr(self, name), f"data.{name}"))
        object.__setattr__(self, "fail", np.asarray(self.fail, dtype=bool))
        f = self.features
        if f.ndim != 3 or f.shape[0] == 0:
            raise ValueError(f"data.features must have shape (K, H, d) with K >= 1 (the dataset "
                             f"must not be empty), got {f.shape}")
        K, H, d = f.shape
        if self.rewards.shape != (K, H):
            raise ValueError(f"data.rewards must have shape {(K, H)}, got {self.rewards.shape}")
        af = self.action_features
        if af.ndim != 4 or af.shape[:2] != (K, H + 1) or af.shape[3] != d:
            raise ValueError(f"data.action_features must have shape (K, H+1, A, d) = "
                             f"({K}, {H + 1}, A, {d}), got {af.shape}")
        if self.known_q.ndim != 3 or self.known_q.shape[:2] != (K, H + 1):
            raise ValueError(f"data.known_q must have shape (K, H+1, A_known), "
                             f"got {self.known_q.shape}")
        if self.fail.shape != (K, H + 1) or self.states.shape != (K, H + 1):
            raise ValueError(f"data.fail and data.states must have shape (K, H+1) = "
                             f"{(K, H + 1)}, got {self.fail.shape} and {self.states.shape}")

    def subset(self, n: int) -> OfflineDataset:
        """The first ``n`` trajectories."""
        n = positive_int(n, "n")
        return OfflineDataset(self.features[:n], self.rewards[:n], self.action_features[:n],
                              self.known_q[:n], self.fail[:n], self.states[:n])


def _sample_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (K, S)."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), probs.shape[1] - 1)


@dataclass(frozen=True)
class FiniteLinearRRMDP:
    r"""A finite d-rectangular linear MDP with an optional perturbed test kernel.

    Parameters
    ----------
    features : array (S, A, d)
        :math:`\phi(s,a)`, each on the probability simplex.
    factors : array (H, d, S)
        Nominal factor distributions :math:`\mu^0_{h,i}`.
    theta : array (H, d)
        Reward parameters: :math:`r_h(s,a) = \phi(s,a)^\top\theta_h`.
    initial : array (S,)
        Initial-state distribution.
    test_factors : array (H, d, S) or None
        Factors of the environment policies are evaluated in (default: nominal).
    fail_states : tuple of int
        States the reference code treats as "value 0" (only used by that convention).
    name : str

    Examples
    --------
    >>> env = tabular_rrmdp(n_states=3, n_actions=2, horizon=2, seed=0)
    >>> env.features.shape, env.factors.shape
    ((3, 2, 6), (2, 6, 3))
    """

    features: np.ndarray
    factors: np.ndarray
    theta: np.ndarray
    initial: np.ndarray
    test_factors: np.ndarray | None = None
    fail_states: tuple[int, ...] = ()
    name: str = "finite linear RRMDP"
    meta: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if np.ndim(self.features) != 3:
            raise ValueError(f"features must have shape (S, A, d), got {np.shape(self.features)}")
        phi = distributions(self.features, "features", axis=-1, renormalize=False)
        S, A, d = phi.shape
        if np.ndim(self.factors) != 3 or np.shape(self.factors)[0] == 0:
            raise ValueError(f"factors must have shape (H, d, S) with horizon H >= 1, "
                             f"got {np.shape(self.factors)}")
        mu = distributions(self.factors, "factors", axis=-1, renormalize=False)
        if mu.shape[1:] != (d, S):
            raise ValueError(f"factors must have shape (H, d, S) = (H, {d}, {S}), got {mu.shape}")
        H = mu.shape[0]
        positive_int(H, "horizon")
        th = finite_array(self.theta, "theta")
        if th.shape != (H, d):
            raise ValueError(f"theta must have shape (H, d) = {(H, d)}, got {th.shape}")
        ini = distributions(self.initial, "initial", renormalize=False)
        if ini.shape != (S,):
            raise ValueError(f"initial must have shape ({S},), got {ini.shape}")
        test = mu if self.test_factors is None else distributions(self.test_factors,
                                                                 "test_factors", renormalize=False)
        if test.shape != mu.shape:
            raise ValueError(f"test_factors must have shape {mu.shape}, got {test.shape}")
        for name, val in (("features", phi), ("factors", mu), ("theta", th), ("initial", ini),
                          ("test_factors", test)):
            val.setflags(write=False)
            object.__setattr__(self, name, val)

    # --- shape -----------------------------------------------------------------------
    @property
    def n_states(self) -> int:
        """Number of states :math:`|S|`."""
        return int(self.features.shape[0])

    @property
    def n_actions(self) -> int:
        """Number of actions :math:`|A|`."""
        return int(self.features.shape[1])

    @property
    def d(self) -> int:
        """Feature dimension."""
        return int(self.features.shape[2])

    @property
    def horizon(self) -> int:
        """H."""
        return int(self.factors.shape[0])

    @property
    def rewards(self) -> np.ndarray:
        """r_h(s, a) = phi(s, a) . theta_h, shape (H, S, A)."""
        return np.einsum("sad,hd->hsa", self.features, self.theta)

    def kernel(self, *, test: bool = False) -> np.ndarray:
        r"""Kernel :math:`P_h(s'|s,a)=\sum_i\phi_i(s,a)\mu_{h,i}(s')`, shape (H, S, A, S)."""
        mu = self.test_factors if test else self.factors
        return np.einsum("sad,hdt->hsat", self.features, mu)

    def perturbed(self, test_factors: np.ndarray) -> FiniteLinearRRMDP:
        """The same nominal model with another test kernel."""
        return replace(self, test_factors=np.asarray(test_factors, dtype=float))

    # --- data --------------------------------------------------------------------------
    def offline_dataset(self, n_trajectories: int, *, seed: int = 0,
                        behaviour: np.ndarray | None = None) -> OfflineDataset:
        """K trajectories in the **nominal** kernel, uniform behaviour policy by default.

        ``behaviour``: optional (H, S, A) action probabilities.

        Examples
        --------
        >>> env = tabular_rrmdp(n_states=3, n_actions=2, horizon=2, seed=0)
        >>> env.offline_dataset(5, seed=1).features.shape
        (5, 2, 6)
        """
        K = positive_int(n_trajectories, "n_trajectories")
        rng = np.random.default_rng(seed)
        S, A, H = self.n_states, self.n_actions, self.horizon
        if behaviour is None:
            behaviour = np.full((H, S, A), 1.0 / A)
        behaviour = distributions(behaviour, "behaviour", renormalize=False)
        if behaviour.shape != (H, S, A):
            raise ValueError(f"behaviour must have shape {(H, S, A)}, got {behaviour.shape}")
        states = np.empty((K, H + 1), dtype=np.int64)
        actions = np.empty((K, H), dtype=np.int64)
        states[:, 0] = _sample_rows(rng, np.broadcast_to(self.initial, (K, S)))
        for h in range(H):
            s = states[:, h]
            actions[:, h] = _sample_rows(rng, behaviour[h, s])
            probs = self.features[s, actions[:, h]] @ self.factors[h]
            states[:, h + 1] = _sample_rows(rng, probs)
        # arrays are stored step-major (h first) and exposed as (K, H, ...) views, so that
        # the learners' per-step slices are contiguous
        feats = np.moveaxis(self.features[states[:, :H].T, actions.T], 0, 1)
        rewards = np.einsum("khd,hd->kh", feats, self.theta)
        fail = np.isin(states, np.asarray(self.fail_states, dtype=np.int64))
        return OfflineDataset(feats, rewards, np.moveaxis(self.features[states.T], 0, 1),
                              np.zeros((K, H + 1, 0)), fail, states.astype(float))


def SimulatedLinearMDP(q: float = 0.0, *, delta: float = 0.3, xi_norm: float = 0.2,  # noqa: N802
                       p: float = 0.001, test_env: str = "factor") -> FiniteLinearRRMDP:
    r"""The d = 4, H = 3 simulated linear MDP of the paper's experiments (from Liu & Xu 2024).

    States x1..x5 (indices 0..4), start x1; actions :math:`a\in\{-1,+1\}^4` (16, in
    ``itertools.product`` order, so action 15 is (1,1,1,1)); :math:`\xi=\xi_{norm}/4\cdot 1`,
    :math:`c=\langle\xi,a\rangle`; :math:`\phi(x_k,a)` puts :math:`1-\delta-c` on factor k and
    :math:`\delta+c` on factor 4 (k = 1, 2, 3), :math:`\phi(x_4)=e_3`, :math:`\phi(x_5)=e_4`;
    :math:`\theta_1=0`, :math:`\theta_2=\theta_3=e_4`. Factors:
    :math:`\mu^0_{h,1}=(1-p)\delta_{x_2}+p\delta_{x_4}`, :math:`\mu^0_{h,2}=(1-p)\delta_{x_3}+
    p\delta_{x_4}`, :math:`\mu^0_{h,3}=\delta_{x_4}` (x4 = fail, absorbing),
    :math:`\mu^0_{h,4}=\delta_{x_5}` (good, absorbing).

    Test kernel: at step 1 the good-state factor is perturbed,
    :math:`\mu_{1,4}=(1-q)\delta_{x_5}+q\delta_{x_4}`. ``test_env="factor"`` keeps
    :math:`\mu_{1,1}` nominal; ``"reference"`` also drops its p-leak (
    :math:`\mu_{1,1}=\delta_{x_2}`), as the released code's test environment does. Which one
    the paper intends is not stated (docs/theory/robust_rl.md, §4.1).

    Examples
    --------
    >>> env = SimulatedLinearMDP(q=0.5)
    >>> env.n_states, env.n_actions, env.d, env.horizon
    (5, 16, 4, 3)
    """
    q = probability(q, "q")
    delta = probability(delta, "delta")
    xi_norm = nonnegative(xi_norm, "xi_norm")
    p = probability(p, "p")
    choice(test_env, "test_env", ("factor", "reference"))
    acts = np.array(list(itertools.product([-1, 1], repeat=4)), dtype=float)
    c = acts @ np.full(4, xi_norm / 4)
    if np.any(delta + c < 0) or np.any(1 - delta - c < 0):
        raise ValueError(f"delta +- xi_norm must stay in [0, 1] so that features are on the "
                         f"simplex, got delta={delta}, xi_norm={xi_norm}")
    S, A, d, H = 5, 16, 4, 3
    phi = np.zeros((S, A, d))
    for k in range(3):
        phi[k, :, k] = 1 - delta - c
        phi[k, :, 3] = delta + c
    phi[3, :, 2] = 1.0
    phi[4, :, 3] = 1.0
    mu = np.zeros((H, d, S))
    mu[:, 0, 1], mu[:, 0, 3] = 1 - p, p
    mu[:, 1, 2], mu[:, 1, 3] = 1 - p, p
    mu[:, 2, 3] = 1.0
    mu[:, 3, 4] = 1.0
    theta = np.array([[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1]], dtype=float)
    test = mu.copy()
    test[0, 3] = 0.0
    test[0, 3, 4], test[0, 3, 3] = 1 - q, q
    if test_env == "reference":
        test[0, 0] = 0.0
        test[0, 0, 1] = 1.0
    initial = np.eye(S)[0]
    return FiniteLinearRRMDP(phi, mu, theta, initial, test, fail_states=(3,),
                             name="simulated linear MDP",
                             meta={"q": q, "delta": delta, "xi_norm": xi_norm, "p": p,
                                   "test_env": test_env, "actions": acts})


def random_linear_rrmdp(n_states: int = 12, n_actions: int = 4, d: int = 4, horizon: int = 4,
                        *, seed: int = 0, concentration: float = 0.5) -> FiniteLinearRRMDP:
    r"""A random finite d-rectangular linear MDP.

    :math:`\phi(s,a)\sim\mathrm{Dirichlet}(c\,1_d)`, :math:`\mu^0_{h,i}\sim
    \mathrm{Dirichlet}(c\,1_S)`, :math:`\theta_h\sim U[0,1]^d` (so rewards lie in [0, 1]),
    start uniform.

    Examples
    --------
    >>> random_linear_rrmdp(seed=1).rewards.shape
    (4, 12, 4)
    """
    S = positive_int(n_states, "n_states")
    A = positive_int(n_actions, "n_actions")
    d = positive_int(d, "d")
    H = positive_int(horizon, "horizon")
    c = positive(concentration, "concentration")
    rng = np.random.default_rng(seed)
    phi = rng.dirichlet(np.full(d, c), size=(S, A))
    mu = rng.dirichlet(np.full(S, c), size=(H, d))
    theta = rng.random((H, d))
    return FiniteLinearRRMDP(phi / phi.sum(-1, keepdims=True), mu / mu.sum(-1, keepdims=True),
                             theta, np.full(S, 1.0 / S), name="random linear RRMDP")


def tabular_rrmdp(n_states: int = 5, n_actions: int = 3, horizon: int = 4, *,
                  seed: int = 0) -> FiniteLinearRRMDP:
    r"""A random tabular MDP as a d-rectangular one with one-hot features, d = S * A.

    :math:`\phi(s,a)=e_{(s,a)}`, :math:`\mu^0_{h,(s,a)}=P_h(\cdot|s,a)\sim\mathrm{Dirichlet}(1)`,
    :math:`\theta_{h,(s,a)}=r_h(s,a)\sim U[0,1]`: the d-rectangular RRMDP becomes the
    (s,a)-rectangular one.

    Examples
    --------
    >>> tabular_rrmdp(n_states=2, n_actions=2, horizon=1).d
    4
    """
    S = positive_int(n_states, "n_states")
    A = positive_int(n_actions, "n_actions")
    H = positive_int(horizon, "horizon")
    rng = np.random.default_rng(seed)
    phi = np.eye(S * A).reshape(S, A, S * A)
    mu = rng.dirichlet(np.ones(S), size=(H, S * A))
    theta = rng.random((H, S * A))
    return FiniteLinearRRMDP(phi, mu, theta, np.full(S, 1.0 / S), name="one-hot tabular RRMDP")


@dataclass(frozen=True)
class AmericanPutOption:
    r"""American put option (Tamar et al. 2014) with d hat-function features.

    Price :math:`s_1\sim U[K_s-5, K_s+5]` drawn once per object from ``seed`` (or given as
    ``initial_price``); while held, :math:`s_{h+1}=1.02 s_h` with probability ``p_up``, else
    :math:`0.98 s_h`. Action 0 = hold (reward 0, learned linear Q with :math:`\theta_h=0`),
    action 1 = exercise (reward :math:`\max(0,K_s-s_h)`, then a terminal state of value 0;
    its Q-value is known). Features of the hold action:
    :math:`\phi_i(s)=\max(0,1-|s-s_i|/\Delta)`, anchors :math:`s_i=80+(i-1)\Delta`,
    :math:`\Delta=100/d`. These are not on the simplex outside the anchor range, so the model
    is only approximately d-rectangular; the reachable prices form a binomial lattice, so
    policy values are computed exactly (docs/theory/robust_rl.md, §4.2).

    Examples
    --------
    >>> env = AmericanPutOption(d=10, horizon=5, seed=0)
    >>> env.feature_map([100.0]).shape
    (1, 10)
    """

    d: int = 30
    horizon: int = 20
    p_up: float = 0.5
    strike: float = 100.0
    seed: int = 0
    initial_price: float | None = None
    up: float = 1.02
    down: float = 0.98

    def __post_init__(self) -> None:
        positive_int(self.d, "d")
        positive_int(self.horizon, "horizon")
        probability(self.p_up, "p_up")
        positive(self.strike, "strike")
        if self.initial_price is None:
            s1 = float(np.random.default_rng(self.seed).uniform(self.strike - 5,
                                                                 self.strike + 5))
            object.__setattr__(self, "initial_price", s1)
        else:
            positive(self.initial_price, "initial_price")

    n_actions = 2
    fail_states: tuple[int, ...] = ()

    @property
    def factors(self) -> None:
        """None: hat features leave the simplex, so no exact factor distributions exist."""
        return None

    @property
    def spacing(self) -> float:
        """Delta = (160 - 60) / d."""
        return 100.0 / self.d

    @property
    def anchors(self) -> np.ndarray:
        """s_i = 80 + (i - 1) Delta."""
        return 80.0 + self.spacing * np.arange(self.d)

    def feature_map(self, prices) -> np.ndarray:
        """Hat features of the hold action, shape (..., d)."""
        s = finite_array(prices, "prices")
        return np.maximum(0.0, 1.0 - np.abs(s[..., None] - self.anchors) / self.spacing)

    def payoff(self, prices) -> np.ndarray:
        """Exercise reward max(0, K_s - s)."""
        return np.maximum(0.0, self.strike - np.asarray(prices, dtype=float))

    def with_p_up(self, p_up: float) -> AmericanPutOption:
        """The same option (same s_1) with another price-up probability."""
        return replace(self, p_up=p_up)

    def lattice(self) -> list[np.ndarray]:
        """Reachable prices at steps 1..H+1: entry h has h+1 values (u = 0..h up-moves)."""
        s1 = float(self.initial_price)
        return [s1 * self.up ** np.arange(h + 1) * self.down ** (h - np.arange(h + 1))
                for h in range(self.horizon + 1)]

    def offline_dataset(self, n_trajectories: int, *, seed: int = 0) -> OfflineDataset:
        """K always-hold price paths of length H + 1 under ``p_up``.

        Examples
        --------
        >>> AmericanPutOption(d=5, horizon=3).offline_dataset(4).action_features.shape
        (4, 4, 1, 5)
        """
        K = positive_int(n_trajectories, "n_trajectories")
        rng = np.random.default_rng(seed)
        H = self.horizon
        ups = rng.random((K, H)) < self.p_up
        factor = np.where(ups, self.up, self.down)
        prices = np.empty((K, H + 1))
        prices[:, 0] = float(self.initial_price)
        prices[:, 1:] = float(self.initial_price) * np.cumprod(factor, axis=1)
        # step-major storage (see FiniteLinearRRMDP.offline_dataset)
        af = np.moveaxis(self.feature_map(np.ascontiguousarray(prices.T))[:, :, None, :], 0, 1)
        return OfflineDataset(af[:, :H, 0, :], np.zeros((K, H)), af,
                              self.payoff(prices)[:, :, None], np.zeros((K, H + 1), bool),
                              prices)
