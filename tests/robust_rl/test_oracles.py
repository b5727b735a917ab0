"""Independent oracles: duals on degenerate inputs, policy enumeration, exact-proportion data.

Every expected value here comes from a solver or a hand derivation that does not call the
code under test (LP / KKT active sets for the inner problem, enumeration of all deterministic
Markov policies for the planner, a dataset whose empirical factors equal the true ones for
the learners). docs/theory/robust_rl.md, §2-§5.
"""

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from fdivtheory.robust_rl import (
    FiniteLinearRRMDP,
    OfflineDataset,
    TabularPolicy,
    dual_value,
    evaluate,
    kl_constrained,
    plan,
    r2pvi,
    random_linear_rrmdp,
    worst_case,
)

DIVS = ("tv", "kl", "chi2")


def tv_lp(V, mu0, lam):
    """min_mu V.mu + lam/2 ||mu - mu0||_1 over the whole simplex (HiGHS)."""
    n = V.size
    eye = np.eye(n)
    res = linprog(np.r_[V, np.full(n, lam / 2)], A_ub=np.block([[eye, -eye], [-eye, -eye]]),
                  b_ub=np.r_[mu0, -mu0], A_eq=np.r_[np.ones(n), np.zeros(n)][None],
                  b_eq=[1.0], bounds=[(0, None)] * (2 * n), method="highs")
    return res.fun


def chi2_active_set(V, mu0, lam):
    """Exact chi2 primal by KKT: the zero-weight states are the k largest values of V."""
    s = mu0 > 0
    order = np.argsort(V[s])
    v, m = V[s][order], mu0[s][order]
    best = math.inf
    for k in range(1, v.size + 1):
        vv, mm = v[:k], m[:k]
        eta = (1 - mm.sum() + mm @ vv / (2 * lam)) * 2 * lam / mm.sum()
        x = np.zeros(v.size)
        x[:k] = mm * (1 + (eta - vv) / (2 * lam))
        if np.all(x >= -1e-13):
            best = min(best, v @ x + lam * np.sum((x - m) ** 2 / m))
    return best


def kl_gibbs_on_support(V, mu0, lam):
    """-lam log E exp(-V/lam) by exact rational-free summation on the support (mpmath-free:
    math.fsum with the support minimum factored out)."""
    s = mu0 > 0
    m = V[s].min()
    return m - lam * math.log(math.fsum(mu0[s] * np.exp(-(V[s] - m) / lam)))


def degenerate_instances(seed, n=120):
    rng = np.random.default_rng(seed)
    for it in range(n):
        k = int(rng.integers(1, 8))
        V = rng.uniform(0, 5, k)
        if it % 4 == 1:
            V = np.full(k, rng.uniform(0, 3))  # constant V
        elif it % 4 == 2:
            V = np.round(rng.uniform(0, 3, k))  # ties
        mu0 = rng.dirichlet(np.ones(k))
        if k > 1 and it % 2:
            zero = rng.random(k) < 0.5
            zero[rng.integers(k)] = False
            mu0[zero] = 0.0
            mu0 /= mu0.sum()
            if it % 4 == 3:  # values far below the support minimum where mu0 = 0
                V[zero] -= rng.uniform(0, 50, zero.sum())
        yield V, mu0, float(np.exp(rng.uniform(math.log(1e-3), math.log(50))))


def test_duals_on_degenerate_inputs_match_independent_oracles():
    for V, mu0, lam in degenerate_instances(0):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            tv = float(dual_value(V, mu0, lam, "tv"))
            kl = float(dual_value(V, mu0, lam, "kl"))
            chi = float(dual_value(V, mu0, lam, "chi2"))
            mus = {d: np.asarray(worst_case(V, mu0, lam, d)) for d in DIVS}
        assert tv == pytest.approx(tv_lp(V, mu0, lam), abs=1e-9)
        assert kl == pytest.approx(kl_gibbs_on_support(V, mu0, lam), abs=1e-12, rel=1e-12)
        assert chi == pytest.approx(chi2_active_set(V, mu0, lam), abs=1e-11)
        for d, mu in mus.items():
            assert np.all(np.isfinite(mu)) and mu.min() >= 0
            assert mu.sum() == pytest.approx(1.0, abs=1e-12)
            if d != "tv":  # KL and chi2 never leave the support of mu0
                assert np.all(mu[mu0 == 0] == 0)


def test_kl_ignores_zero_mass_states_far_below_the_support():
    """exp(-(V - m)/lam) of a zero-mass state would overflow to inf and give 0 * inf = NaN."""
    V, mu0 = np.array([-1000.0, 0.0, 1.0]), np.array([0.0, 0.5, 0.5])
    with np.errstate(over="raise", invalid="raise"):
        j = float(dual_value(V, mu0, 0.1, "kl"))
        mu = np.asarray(worst_case(V, mu0, 0.1, "kl"))
    assert j == pytest.approx(-0.1 * math.log(0.5 + 0.5 * math.exp(-10.0)), abs=1e-15)
    assert mu[0] == 0.0
    # TV may move mass there: min over the whole space
    assert float(dual_value(V, mu0, 0.1, "tv")) == pytest.approx(-1000.0 + 0.1, abs=1e-12)


def test_chi2_example_hand_value():
    """V=(0,1,2,3), mu0=(.1,.2,.3,.4), lam=.1. By hand: on the piece alpha in [1, 2] the dual
    is 0.2 + 0.7a - (0.2 + 0.7a^2 - (0.2 + 0.7a)^2)/0.4 with vertex a = (0.2 + 0.2)/(1 - 0.7)
    = 4/3, value 11/15; the other pieces give at most 0.675 (a = 1), and the alpha = Vmax
    value is E V - Var V/(4 lam) = 2 - 1/0.4 = -0.5 (the infimum over alpha)."""
    V, mu0 = np.array([0.0, 1, 2, 3]), np.array([0.1, 0.2, 0.3, 0.4])
    assert float(dual_value(V, mu0, 0.1, "chi2")) == pytest.approx(11 / 15, abs=1e-14)
    mu = np.asarray(worst_case(V, mu0, 0.1, "chi2"))
    # mu* = mu0 (1 - ([V]_a - E[V]_a)/(2 lam)) at a = 4/3, E[V]_a = 17/15
    t = np.minimum(V, 4 / 3)
    assert mu == pytest.approx(mu0 * (1 - (t - 17 / 15) / 0.2), abs=1e-14)


def test_kl_constrained_degenerate_cases():
    V, mu0 = np.array([2.0, 2.0, 5.0]), np.array([0.0, 0.5, 0.5])
    slack = kl_constrained(V, mu0, 10.0)  # rho >= -log mu0(argmin) = log 2
    assert slack.value == 2.0 and slack.lam == 0.0
    const = kl_constrained(np.array([1.0, 1.0]), np.array([0.5, 0.5]), 0.3)
    assert const.value == 1.0


@pytest.mark.parametrize("div", DIVS)
def test_planner_equals_enumeration_of_all_deterministic_policies(div):
    env = random_linear_rrmdp(n_states=3, n_actions=2, d=3, horizon=2, seed=11)
    for lam in (0.05, 0.5, 5.0):
        values = [evaluate(TabularPolicy(np.array(a).reshape(2, 3)), env, lam=lam,
                           divergence=div).value
                  for a in itertools.product(range(2), repeat=6)]
        res = plan(env, lam, div)
        assert res.value == pytest.approx(max(values), abs=1e-13)
        assert evaluate(res.policy, env, lam=lam, divergence=div).value == pytest.approx(
            res.value, abs=1e-13)


def exact_proportion_dataset(env: FiniteLinearRRMDP, m: int) -> OfflineDataset:
    """Per step, m samples of every (s, a) whose next states follow mu0_{h,(s,a)} exactly
    (factors must be multiples of 1/m). One-hot features make every ridge estimate a
    shrunk empirical mean of the exact factor expectation."""
    S, A, H, d = env.n_states, env.n_actions, env.horizon, env.d
    sa = [(s, a) for s in range(S) for a in range(A)]
    K = len(sa) * m
    feats = np.zeros((K, H, d))
    nxt = np.zeros((K, H + 1), dtype=int)
    for h in range(H):
        k = 0
        for s, a in sa:
            counts = np.rint(env.factors[h, s * A + a] * m).astype(int)
            assert counts.sum() == m
            for s2, c in enumerate(counts):
                for _ in range(c):
                    feats[k, h] = env.features[s, a]
                    nxt[k, h + 1] = s2
                    k += 1
    af = env.features[nxt]  # (K, H+1, A, d); the h = 0 column is never read
    rew = np.einsum("khd,hd->kh", feats, env.theta)
    return OfflineDataset(feats, rew, af, np.zeros((K, H + 1, 0)), np.zeros((K, H + 1), bool),
                          nxt.astype(float))


def test_r2pvi_with_exact_data_and_no_penalty_recovers_the_exact_planner():
    """gamma -> 0, beta = 0 and empirical factors equal to the true ones: R2PVI's factor
    estimates are the exact robust factor values (the chi2 moments are the exact truncated
    moments, the TV minimum is the exact global minimum), to O(gamma)."""
    rng = np.random.default_rng(5)
    S, A, H, m = 3, 2, 3, 10
    counts = rng.multinomial(m, np.ones(S) / S, size=(H, S * A))
    factors = counts / m
    theta = rng.random((H, S * A))
    env = FiniteLinearRRMDP(np.eye(S * A).reshape(S, A, S * A), factors, theta,
                            np.full(S, 1 / S))
    data = exact_proportion_dataset(env, m)
    ridge = 1e-10
    for div, lam in (("tv", 0.3), ("kl", 0.5), ("chi2", 0.5), ("chi2", 0.05), ("tv", 5.0)):
        pol = r2pvi(data, env, lam=lam, divergence=div, beta=0.0, ridge=ridge)
        exact = plan(env, lam, div)
        # ridge shrinkage: w_hat = n/(n + gamma) w, error <= gamma/n * H
        assert np.max(np.abs(pol.factor_values - exact.w)) <= 1e-8
        assert np.array_equal(pol.table(env), exact.policy.actions)


@pytest.mark.parametrize("call, match", [
    (lambda: dual_value(["a", "b"], [0.5, 0.5], 1.0, "kl"), "V"),
    (lambda: dual_value([0.0, 1.0], [0.5, 0.5], "a", "kl"), "lam"),
    (lambda: dual_value([0.0, 1.0], [0.5, 0.5], 1j, "kl"), "lam"),
    (lambda: dual_value(np.zeros((3, 2)), np.full((2, 2), 0.5), 1.0, "tv"), "broadcast"),
    (lambda: dual_value(np.zeros((2, 3)), np.full(3, 1 / 3), np.ones(5), "kl"), "broadcast"),
    (lambda: kl_constrained([0.0, 1.0], [0.5, 0.5], "x"), "rho"),
    (lambda: FiniteLinearRRMDP(np.ones((3, 2)), np.ones((1, 2, 3)) / 3, np.zeros((1, 2)),
                               np.ones(3) / 3), "features must have shape"),
    (lambda: FiniteLinearRRMDP(np.ones((3, 2, 2)) / 2, np.ones((0, 2, 3)) / 3,
                               np.zeros((0, 2)), np.ones(3) / 3), "horizon"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_policy_tables_are_checked_against_the_action_set():
    env = random_linear_rrmdp(n_states=3, n_actions=2, d=2, horizon=2, seed=0)
    for actions, match in ((np.full((2, 3), 2), "lie in"), (np.full((2, 3), -1), "lie in"),
                           (np.full((2, 3), 0.5), "integer")):
        with pytest.raises(ValueError, match=match):
            evaluate(TabularPolicy(actions), env)


def test_offline_dataset_accepts_lists_and_rejects_nan():
    data = OfflineDataset([[[1.0]]], [[0.0]], [[[[1.0]], [[1.0]]]], np.zeros((1, 2, 0)),
                          [[False, False]], [[0.0, 0.0]])
    assert data.features.shape == (1, 1, 1)
    with pytest.raises(ValueError, match="data.features"):
        OfflineDataset([[[np.nan]]], [[0.0]], [[[[1.0]], [[1.0]]]], np.zeros((1, 2, 0)),
                       [[False, False]], [[0.0, 0.0]])


def test_extreme_regularisers():
    """lam -> 0: point mass on the support minimiser; lam -> inf: E V - Var V/(2 lam) (KL,
    second-order cumulant expansion) and E V - Var V/(4 lam) (chi2, alpha = V_max is optimal
    once 2 lam >= V_max - E V)."""
    V, mu0 = np.array([0.3, 1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3, 0.4])
    ev, var = mu0 @ V, mu0 @ V**2 - (mu0 @ V) ** 2
    for lam in (1e6, 1e12):
        assert float(dual_value(V, mu0, lam, "kl")) == pytest.approx(ev - var / (2 * lam),
                                                                     abs=1e-15 + 1 / lam**2)
        assert float(dual_value(V, mu0, lam, "chi2")) == pytest.approx(ev - var / (4 * lam),
                                                                       abs=1e-15)
    assert float(dual_value(V, mu0, 1e300, "kl")) == pytest.approx(ev, abs=1e-15)
    for lam in (1e-17, 1e-300):
        for div in DIVS:
            assert float(dual_value(V, mu0, lam, div)) == pytest.approx(0.3, abs=1e-15)
            assert np.asarray(worst_case(V, mu0, lam, div)) == pytest.approx([1, 0, 0, 0])
