"""Environments, the exact planner and exact evaluation against hand computations."""

import numpy as np
import pytest

from fdivtheory.robust_rl import (
    AmericanPutOption,
    FiniteLinearRRMDP,
    SimulatedLinearMDP,
    TabularPolicy,
    dual_value,
    evaluate,
    plan,
    random_linear_rrmdp,
    tabular_rrmdp,
)

P, DELTA, XI = 0.001, 0.3, 0.2


def nominal_hand():
    """V*_1(x1) of the simulated MDP from the definitions (best action c = xi_norm)."""
    c = XI
    v3_x3, v3_x5 = DELTA + c, 1.0
    v2_x2 = (DELTA + c) + (1 - P) * (1 - DELTA - c) * v3_x3 + (DELTA + c) * v3_x5
    v2_x5 = 2.0
    return (1 - P) * (1 - DELTA - c) * v2_x2 + (DELTA + c) * v2_x5, v2_x2, v2_x5


def test_simulated_mdp_structure_and_nominal_value():
    env = SimulatedLinearMDP()
    assert env.features.shape == (5, 16, 4) and env.factors.shape == (3, 4, 5)
    assert np.allclose(env.features.sum(-1), 1.0)
    res = plan(env, None, None)
    assert res.value == pytest.approx(nominal_hand()[0], abs=1e-12)
    assert np.all(res.policy.actions[:, :3] == 15)  # (1,1,1,1)


@pytest.mark.parametrize("div", ["tv", "kl", "chi2"])
def test_robust_planner_structure(div):
    env = SimulatedLinearMDP()
    nominal = plan(env, None, None).value
    vals = [plan(env, lam, div).value for lam in (0.1, 0.3, 1.0, 10.0)]
    assert all(v <= nominal + 1e-12 for v in vals)
    assert all(b >= a - 1e-12 for a, b in zip(vals, vals[1:], strict=False))
    for lam in (0.1, 0.3, 1.0, 10.0):
        assert plan(env, lam, div).policy.actions[0, 0] == 15
    if div == "tv":
        assert vals[-1] == pytest.approx(nominal, abs=1e-12)  # lam >= max V - min V
    else:  # KL / chi2 cannot move the step-1 good factor (mu0 = point mass)
        assert plan(env, 0.1, div).w[0, 3] == pytest.approx(2.0, abs=1e-12)


def test_tv_near_tie_at_step_one():
    env = SimulatedLinearMDP()
    w = plan(env, 0.1, "tv").w[0]
    assert w[3] - w[0] == pytest.approx(P * 0.1, abs=1e-12)


def test_switch_point_of_the_perturbed_environment():
    _, v2x2, v2x5 = nominal_hand()
    acts = SimulatedLinearMDP().meta["actions"]
    c = acts @ np.full(4, XI / 4)

    def first_values(q):
        return (1 - DELTA - c) * (1 - P) * v2x2 + (DELTA + c) * (1 - q) * v2x5

    # exact switch point between a = (1,1,1,1) (c = .2) and (-1,...,-1) (c = -.2)
    q_star = 1 - (1 - P) * v2x2 / v2x5
    for q in (0.0, 0.3, q_star - 0.01, q_star + 0.01, 1.0):
        env = SimulatedLinearMDP(q=q)
        best = plan(env, None, None, kernel="test")
        assert best.value == pytest.approx(first_values(q).max(), abs=1e-12)
        assert best.policy.actions[0, 0] == (15 if q < q_star else 0)


def test_tabular_reduction_matches_sa_rectangular_planner():
    for div in ("tv", "kl", "chi2"):
        for lam in (0.1, 1.0, 10.0):
            env = tabular_rrmdp(n_states=5, n_actions=3, horizon=4, seed=2)
            S, A, H = 5, 3, 4
            P = env.kernel()
            R = env.rewards
            V = np.zeros(S)
            for h in range(H - 1, -1, -1):
                Q = np.array([[R[h, s, a] + float(dual_value(V, P[h, s, a], lam, div))
                               for a in range(A)] for s in range(S)])
                V = Q.max(axis=1)
            assert plan(env, lam, div).values[0] == pytest.approx(V, abs=1e-10)


def test_exact_evaluation_matches_monte_carlo():
    env = SimulatedLinearMDP(q=0.6)
    pol = plan(SimulatedLinearMDP(), None, None).policy
    exact = evaluate(pol, env)
    mc = evaluate(pol, env, episodes=20000, seed=3)
    assert exact.exact and not mc.exact
    assert abs(mc.value - exact.value) <= 4 * mc.standard_error


def test_robust_evaluation_of_optimal_policy_equals_plan():
    env = random_linear_rrmdp(seed=4)
    for div in ("tv", "kl", "chi2"):
        res = plan(env, 0.5, div)
        assert evaluate(res.policy, env, lam=0.5, divergence=div).value == pytest.approx(
            res.value, abs=1e-12)
        other = TabularPolicy(np.zeros_like(res.policy.actions))
        assert evaluate(other, env, lam=0.5, divergence=div).value <= res.value + 1e-12


def test_american_put_lattice_and_monte_carlo():
    env = AmericanPutOption(d=30, horizon=20, p_up=0.4, seed=1)
    assert 95 <= env.initial_price <= 105
    data = env.offline_dataset(50, seed=0)
    assert data.features.shape == (50, 20, 30)
    assert np.allclose(data.states[:, 0], env.initial_price)

    def threshold(h, prices):
        return (prices < 97.0).astype(int)

    exact = evaluate(threshold, env)
    mc = evaluate(threshold, env, episodes=20000, seed=2)
    assert abs(mc.value - exact.value) <= 4 * mc.standard_error
    best = plan(env, None, None).value
    assert best >= exact.value - 1e-12
    assert best >= float(env.payoff(env.initial_price))


@pytest.mark.parametrize("call, match", [
    (lambda: SimulatedLinearMDP(q=1.5), "q"),
    (lambda: random_linear_rrmdp(horizon=0), "horizon"),
    (lambda: AmericanPutOption(horizon=0), "horizon"),
    (lambda: FiniteLinearRRMDP(np.ones((2, 2, 3)) / 3, np.ones((2, 2, 2)) / 2, np.zeros((2, 3)),
                               np.array([0.5, 0.5])), "factors"),
    (lambda: FiniteLinearRRMDP(np.ones((2, 2, 3)), np.ones((2, 3, 2)) / 2, np.zeros((2, 3)),
                               np.array([0.5, 0.5])), "features"),
    (lambda: SimulatedLinearMDP().offline_dataset(0), "n_trajectories"),
    (lambda: plan(SimulatedLinearMDP(), 0.0, "kl"), "lam"),
    (lambda: plan(SimulatedLinearMDP(), 1.0, "renyi"), "divergence"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
