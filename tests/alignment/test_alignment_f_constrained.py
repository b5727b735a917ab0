"""f-divergence-constrained optimum against a generic convex solver and the KL closed form."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize

import fdivtheory as fd
from fdivtheory.alignment import f_constrained_optimum, kl_constrained_optimum

P3, R3 = np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, 2.0])
P5, R5 = np.array([0.3, 0.25, 0.2, 0.15, 0.1]), np.array([0.2, -1.0, 1.5, 0.7, 2.0])


def slsqp_optimum(p, r, delta, gen):
    """Generic convex solver (several starts); returns the best feasible E r found."""
    def div(x):
        return float(p @ np.asarray(gen.f(np.maximum(x, 0.0) / p)))

    cons = [{"type": "eq", "fun": lambda x: x.sum() - 1.0},
            {"type": "ineq", "fun": lambda x: delta - div(x)}]
    best = -math.inf
    for x0 in (p, np.full(p.size, 1.0 / p.size), 0.5 * p + 0.5 * np.eye(p.size)[np.argmax(r)]):
        res = minimize(lambda x: -(x @ r), x0, method="SLSQP", bounds=[(0.0, 1.0)] * p.size,
                       constraints=cons, options={"ftol": 1e-14, "maxiter": 2000})
        if res.success and div(res.x) <= delta + 1e-9:
            best = max(best, float(res.x @ r))
    return best


@pytest.mark.parametrize("name", ["kl", "pearson", "reverse_kl", "hellinger_sq", "js",
                                  "neyman", "le_cam", "triangular"])
@pytest.mark.parametrize("delta", [0.02, 0.3])
def test_matches_generic_solver(name, delta):
    gen = fd.get_generator(name)
    for p, r in ((P3, R3), (P5, R5)):
        opt = f_constrained_optimum(p, r, delta, name)
        assert opt.divergence == pytest.approx(delta, rel=1e-10)
        assert float(fd.f_divergence(opt.policy, p, gen)) == pytest.approx(delta, rel=1e-9)
        assert opt.policy.sum() == pytest.approx(1.0, abs=1e-14) and np.all(opt.policy >= 0)
        ref = slsqp_optimum(p, r, delta, gen)
        # SLSQP converges to ~1e-8; the closed form must be at least as good
        assert opt.expected_reward >= ref - 1e-9
        assert opt.expected_reward == pytest.approx(ref, abs=1e-6)


def test_kl_reduces_to_tilting():
    for delta in (0.01, 0.2, 1.0):
        opt = f_constrained_optimum(P5, R5, delta, "kl")
        ref = kl_constrained_optimum(P5, R5, delta)
        np.testing.assert_allclose(opt.policy, ref.policy, rtol=1e-11)
        assert 1.0 / opt.beta == pytest.approx(ref.lam, rel=1e-11)
        assert opt.expected_reward == pytest.approx(ref.expected_reward, abs=1e-13)


def test_pearson_clips_low_rewards_kkt():
    opt = f_constrained_optimum(P3, R3, 2.0, "pearson")
    assert opt.policy[0] == 0.0 and np.all(opt.policy[1:] > 0)
    # stationarity: f'(phi/p) = 2 (phi/p - 1) = (r - nu) / beta on the support
    u = opt.policy[1:] / P3[1:]
    np.testing.assert_allclose(2 * (u - 1), (R3[1:] - opt.nu) / opt.beta, atol=1e-10)
    # the clipped outcome: (r - nu) / beta <= f'(0+) = -2
    assert (R3[0] - opt.nu) / opt.beta <= -2 + 1e-12


def test_delta_zero_and_saturation():
    zero = f_constrained_optimum(P3, R3, 0.0, "hellinger_sq")
    np.testing.assert_array_equal(zero.policy, P3)
    # D_f(p(.|top) || p) = p* f(1/p*) + (1 - p*) f(0)
    gen = fd.get_generator("pearson")
    d_max = 0.2 * float(gen.f(5.0)) + 0.8 * float(gen.f(0.0))
    sat = f_constrained_optimum(P3, R3, d_max, "pearson")
    assert sat.saturated and np.array_equal(sat.policy, [0.0, 0.0, 1.0])
    assert not f_constrained_optimum(P3, R3, 0.99 * d_max, "pearson").saturated
    # reverse KL: f(0+) = inf, never saturates
    assert not f_constrained_optimum(P3, R3, 50.0, "reverse_kl").saturated


def test_generator_object_accepted():
    gen = fd.get_generator("power", beta=0.5)
    opt = f_constrained_optimum(P3, R3, 0.1, gen)
    assert opt.divergence == pytest.approx(0.1, rel=1e-10)


@pytest.mark.parametrize("f, match", [("tv", "f: .* not strictly convex"),
                                      ("nonexistent", "f: unknown generator")])
def test_bad_generator(f, match):
    with pytest.raises(ValueError, match=match):
        f_constrained_optimum(P3, R3, 0.1, f)


def test_bad_delta_and_reference():
    with pytest.raises(ValueError, match="delta must be >= 0"):
        f_constrained_optimum(P3, R3, -1.0, "kl")
    with pytest.raises(ValueError, match="p must have entries >= 0"):
        f_constrained_optimum([1.5, -0.5], [0, 1], 0.1, "kl")


def test_budget_beyond_float_resolution_raises():
    # reverse KL never saturates, but beta ~ exp(-delta / 0.8) leaves the float range
    with pytest.raises(ValueError, match="delta: .* too close to the saturation value"):
        f_constrained_optimum(P3, R3, 1e5, "reverse_kl")
