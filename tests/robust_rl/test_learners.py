"""The shared ridge/penalty core and the four learners against exact oracles."""

import numpy as np
import pytest

from fdivtheory.robust_rl import (
    REFERENCE,
    AmericanPutOption,
    Conventions,
    OfflineDataset,
    SimulatedLinearMDP,
    beta_constant,
    drpvi,
    drvi_l,
    evaluate,
    pevi,
    plan,
    r2pvi,
    random_linear_rrmdp,
    suboptimality_bound,
    tabular_rrmdp,
)
from fdivtheory.robust_rl.learners import _chi2_weights, _drpvi_weights, _drvi_weights

XP = __import__("array_api_compat.numpy", fromlist=["numpy"])


def test_one_hot_ridge_is_a_shrunk_mean():
    env = tabular_rrmdp(n_states=3, n_actions=2, horizon=1, seed=0)
    data = env.offline_dataset(400, seed=1)
    pol = pevi(data, env, beta=0.0, ridge=2.0)
    idx = data.features[:, 0].argmax(axis=1)
    for i in range(env.d):
        sel = idx == i
        assert pol.weights[0, i] == pytest.approx(data.rewards[sel, 0].sum() / (sel.sum() + 2.0),
                                                  abs=1e-12)


def test_exact_linear_targets_recovered_with_tiny_ridge():
    env = random_linear_rrmdp(seed=2, horizon=1)
    data = env.offline_dataset(300, seed=0)
    pol = pevi(data, env, beta=0.0, ridge=1e-10)
    assert np.allclose(pol.weights[0], env.theta[0], atol=1e-6)


def random_problem(seed, K=60, d=5):
    rng = np.random.default_rng(seed)
    Phi = rng.dirichlet(np.ones(d), size=K)
    M = np.linalg.solve(Phi.T @ Phi + np.eye(d), Phi.T)
    y = rng.uniform(0, 3, K)
    return M, y


@pytest.mark.parametrize("conv", ["paper", "reference"])
def test_chi2_estimator_is_exact_max_over_alpha(conv):
    from fdivtheory.robust_rl.learners import _conventions
    c = _conventions(conv)
    H, lam = 3, 0.3
    for seed in range(10):
        M, y = random_problem(seed)
        w = _chi2_weights(XP, M, y, lam, H, c)
        lo, hi = (y.min(), y.max()) if c.chi2_range == "sample" else (0.0, float(H))
        a = np.linspace(lo, hi, 20001)
        t = np.minimum(y[None], a[:, None])
        e = np.clip(t @ M.T, 0, H)
        e2 = np.clip((t**2) @ M.T, 0, H**2)
        g = (e + e**2 / (4 * lam) - e2 / (4 * lam)).max(axis=0)
        assert np.all(w >= g - 1e-12)       # never below any grid point
        assert np.allclose(w, g, atol=1e-6)  # and the grid approaches it


def test_drpvi_estimator_is_exact():
    H = 3.0
    for seed in range(10):
        M, y = random_problem(seed)
        rho = np.full(M.shape[0], 0.2)
        w = _drpvi_weights(XP, M, y, rho, H, 0.0)
        a = np.linspace(0, H, 30001)
        g = (np.minimum(y[None], a[:, None]) @ M.T - 0.2 * a[:, None]).max(axis=0)
        assert np.all(w >= g - 1e-12) and np.allclose(w, g, atol=1e-4)


def test_drvi_estimator_matches_dense_grid():
    H = 3.0
    for seed in range(5):
        M, y = random_problem(seed)
        rho = np.full(M.shape[0], 0.1)
        w = _drvi_weights(XP, M, y, rho, H, Conventions())
        a = np.geomspace(1e-4 * H, H, 20001)
        m = y.min()
        z = np.exp(-(y[None] - m) / a[:, None]) @ M.T
        with np.errstate(divide="ignore", invalid="ignore"):
            val = np.where(z > 0, np.minimum(m - a[:, None] * np.log(np.where(z > 0, z, 1.0)),
                                             H), H)  # the floor e^{-(H-m)/a} caps at H
        g = (val - a[:, None] * 0.1).max(axis=0)
        assert np.allclose(w, g, atol=1e-6)


def test_r2pvi_converges_to_planner_with_one_hot_features():
    env = tabular_rrmdp(n_states=3, n_actions=2, horizon=3, seed=5)
    data = env.offline_dataset(40000, seed=0)
    for div, lam in (("tv", 0.3), ("kl", 0.5), ("chi2", 0.5)):
        pol = r2pvi(data, env, lam=lam, divergence=div, beta=0.0, ridge=1e-3)
        exact = plan(env, lam, div)
        # the factor estimates converge to the exact robust factor values
        assert np.max(np.abs(pol.weights - (env.theta + exact.w))) < 0.05
        got = evaluate(pol, env, lam=lam, divergence=div).value
        assert got == pytest.approx(exact.value, abs=0.02)


def test_fitting_twice_is_deterministic():
    env = SimulatedLinearMDP()
    data = env.offline_dataset(100, seed=0)
    a = r2pvi(data, env, lam=0.1, divergence="kl", beta=1.0, ridge=0.1)
    b = r2pvi(data, env, lam=0.1, divergence="kl", beta=1.0, ridge=0.1)
    assert np.array_equal(a.weights, b.weights)


def test_penalty_forms():
    env = random_linear_rrmdp(seed=3)
    data = env.offline_dataset(100, seed=0)
    paper = r2pvi(data, env, lam=0.5, divergence="tv", beta=1.0)
    ref = r2pvi(data, env, lam=0.5, divergence="tv", beta=1.0, conventions=REFERENCE)
    f = env.features.reshape(-1, env.d)
    for h in range(env.horizon):
        assert np.all(paper.penalty_values(h, f) >= ref.penalty_values(h, f) - 1e-12)
    onehot = np.eye(env.d)
    assert np.allclose(paper.penalty_values(0, onehot), ref.penalty_values(0, onehot))


def test_reference_conventions_reproduce_released_tv_shape():
    """Reference TV agent on the simulated MDP (released code's averages 1.400/1.197/0.994)."""
    env = SimulatedLinearMDP()
    vals = []
    for seed in range(20):
        data = env.offline_dataset(100, seed=seed)
        pol = r2pvi(data, env, lam=0.1, divergence="tv", beta=1.0, ridge=0.1,
                    conventions="reference")
        vals.append([evaluate(pol, SimulatedLinearMDP(q=q, test_env="reference")).value
                     for q in (0.0, 0.5, 1.0)])
    mean = np.mean(vals, axis=0)
    assert mean[0] > mean[1] > mean[2]
    assert mean[2] > 0.9  # robust: PEVI's nominal-style policy gives about 0.73


def test_pessimism_with_theoretical_beta():
    env = random_linear_rrmdp(seed=6)
    data = env.offline_dataset(400, seed=1)
    K, H, d = 400, env.horizon, env.d
    for div, lam in (("tv", 0.3), ("kl", 0.5), ("chi2", 0.5)):
        beta = beta_constant(div, H=H, d=d, K=K, delta=0.1, lam=lam)
        pol = r2pvi(data, env, lam=lam, divergence=div, beta=beta)
        vhat = pol.values(0, env.features)
        true = evaluate(pol, env, lam=lam, divergence=div).values[0]
        assert np.all(vhat <= true + 1e-12)
        sub = plan(env, lam, div).values[0] - true
        bound = suboptimality_bound(data, env, beta=beta).bound
        assert np.all(sub >= -1e-12) and np.all(sub <= bound)


def test_beta_constants():
    assert beta_constant("chi2", H=3, d=4, K=100, delta=0.05, lam=0.1) == pytest.approx(
        22478.8, abs=0.1)
    assert beta_constant("chi2", H=3, d=4, K=100, delta=0.05, lam=0.1,
                         chi2_reading="H_half_times_lam") == pytest.approx(20640.4, abs=0.1)
    a = beta_constant("chi2", H=3, d=4, K=100, delta=0.05, lam=1.0)
    b = beta_constant("chi2", H=3, d=4, K=100, delta=0.05, lam=1.0,
                      chi2_reading="H_half_times_lam")
    assert a == pytest.approx(b, rel=1e-14)
    log_kl = beta_constant("kl", H=3, d=4, K=100, delta=0.05, lam=0.1, log=True)
    assert log_kl > 30  # carries e^{H/lam} = e^30
    assert beta_constant("kl", H=100, d=4, K=100, delta=0.05, lam=0.1) == float("inf")
    tv = beta_constant("tv", H=3, d=4, K=100, delta=0.05)
    xi = 2 * np.log(1024 * 3 * 2 * 100**2 / 0.05)
    assert tv == pytest.approx(16 * 3 * 4 * np.sqrt(xi), rel=1e-14)


def test_array_api_strict_learner_parity():
    xps = pytest.importorskip("array_api_strict")
    env = SimulatedLinearMDP()
    data = env.offline_dataset(80, seed=0)
    for div in ("tv", "kl", "chi2"):
        a = r2pvi(data, env, lam=0.2, divergence=div, beta=1.0, ridge=0.1)
        b = r2pvi(data, env, lam=0.2, divergence=div, beta=1.0, ridge=0.1, xp=xps)
        assert np.allclose(a.weights, b.weights, atol=1e-12)
    rho = np.zeros((3, 4))
    rho[0, 3] = 0.1
    for fit in (drpvi, drvi_l):
        a = fit(data, env, rho=rho, beta=1.0, ridge=0.1)
        b = fit(data, env, rho=rho, beta=1.0, ridge=0.1, xp=xps)
        assert np.allclose(a.weights, b.weights, atol=1e-10)


@pytest.mark.gpu
def test_cupy_learner_parity():
    cp = pytest.importorskip("cupy")
    env = AmericanPutOption(d=30, horizon=20, seed=0)
    data = env.offline_dataset(2000, seed=0)
    for div in ("tv", "kl", "chi2"):
        a = r2pvi(data, env, lam=1.0, divergence=div, beta=0.1)
        b = r2pvi(data, env, lam=1.0, divergence=div, beta=0.1, xp=cp)
        assert np.allclose(a.weights, b.weights, atol=1e-8)


def test_kl_rules_do_not_overflow_for_large_targets():
    """Put payoffs exceed H; tiny lam must not overflow the e^{-H/lam} floor."""
    env = AmericanPutOption(d=10, horizon=5, seed=3, initial_price=60.0)
    data = env.offline_dataset(50, seed=0)
    for pol in (r2pvi(data, env, lam=0.01, divergence="kl", beta=0.1),
                drvi_l(data, env, rho=0.1, beta=0.1)):
        assert np.all(np.isfinite(pol.weights)) and np.all(pol.factor_values <= 5 + 1e-12)


def test_put_learners_run_and_evaluate():
    env = AmericanPutOption(d=30, horizon=20, seed=0)
    data = env.offline_dataset(100, seed=0)
    for pol in (pevi(data, env, beta=0.1), r2pvi(data, env, lam=1.0, divergence="tv", beta=0.1),
                r2pvi(data, env, lam=1.0, divergence="chi2", beta=0.1),
                drpvi(data, env, rho=0.1, beta=0.1), drvi_l(data, env, rho=0.1, beta=0.1)):
        v = evaluate(pol, env.with_p_up(0.4))
        assert 0 <= v.value <= plan(env.with_p_up(0.4), None, None).value + 1e-12


@pytest.mark.parametrize("call, match", [
    (lambda env, data: r2pvi(data, env, lam=0.0, divergence="tv", beta=1.0), "lam"),
    (lambda env, data: r2pvi(data, env, lam=1.0, divergence="js", beta=1.0), "divergence"),
    (lambda env, data: drpvi(data, env, rho=-0.1, beta=1.0), "rho"),
    (lambda env, data: drvi_l(data, env, rho=[0.1, 0.2], beta=1.0), "rho"),
    (lambda env, data: pevi(data, env, beta=-1.0), "beta"),
    (lambda env, data: pevi(data, env, beta=1.0, ridge=0.0), "ridge"),
    (lambda env, data: pevi(data, random_linear_rrmdp(d=3, horizon=3), beta=1.0), "data"),
    (lambda env, data: pevi(OfflineDataset(np.zeros((0, 3, 4)), np.zeros((0, 3)),
                                           np.zeros((0, 4, 1, 4)), np.zeros((0, 4, 0)),
                                           np.zeros((0, 4), bool), np.zeros((0, 4))),
                            env, beta=1.0), "empty"),
    (lambda env, data: r2pvi(data, env, lam=1.0, divergence="tv", beta=1.0,
                             conventions="mine"), "conventions"),
])
def test_bad_input(call, match):
    env = SimulatedLinearMDP()
    data = env.offline_dataset(10)
    with pytest.raises(ValueError, match=match):
        call(env, data)
