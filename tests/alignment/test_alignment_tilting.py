"""KL-constrained optimum (docs/theory/alignment.md, §2; checks C7-C9) against reference values and mpmath."""

import math

import mpmath
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory.alignment import (
    MemorylessModel,
    kl_constrained_optimum,
    log_partition,
    tilt,
    tilted_kl,
)

P3, R3 = np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, 2.0])


def mp_tilt_root(p, r, delta, dps=50):
    """lam with D(p_lam || p) = delta, and E_{p_lam} r, at ``dps`` digits."""
    with mpmath.workdps(dps):
        pm = [mpmath.mpf(x) for x in p]
        rm = [mpmath.mpf(x) for x in r]

        def log_z(t):
            return mpmath.log(sum(a * mpmath.exp(t * b) for a, b in zip(pm, rm, strict=True)))

        def mean(t):
            z = sum(a * mpmath.exp(t * b) for a, b in zip(pm, rm, strict=True))
            return sum(a * b * mpmath.exp(t * b) for a, b in zip(pm, rm, strict=True)) / z

        lam = mpmath.findroot(lambda t: t * mean(t) - log_z(t) - mpmath.mpf(delta),
                              (mpmath.mpf("1e-12"), mpmath.mpf(60)), solver="illinois")
        return lam, mean(lam)


def test_c7_reference_values():
    opt = kl_constrained_optimum(P3, R3, 0.2)
    assert abs(float(fd.kl(opt.policy, P3)) - 0.2) < 1e-13
    assert abs(opt.expected_reward - 1.21138550507447) < 1e-13
    assert abs(opt.kl - 0.2) < 1e-13
    assert not opt.saturated and opt.delta == 0.2


@pytest.mark.parametrize("delta", [1e-12, 1e-6, 0.01, 0.2, 1.0, 1.6])
def test_lambda_matches_mpmath(delta):
    opt = kl_constrained_optimum(P3, R3, delta)
    lam, mean = mp_tilt_root(P3, R3, delta)
    assert opt.lam == pytest.approx(float(lam), rel=1e-12)
    assert opt.expected_reward == pytest.approx(float(mean), abs=1e-14)
    # the KL keeps full relative accuracy down to tiny budgets
    assert opt.kl == pytest.approx(delta, rel=1e-12)


def test_random_search_never_beats_optimum():
    opt = kl_constrained_optimum(P3, R3, 0.2)
    rng = np.random.default_rng(0)
    cand = rng.dirichlet(np.ones(3), size=50_000)
    kls = np.asarray(fd.kl(cand, P3[None, :]))
    assert np.max(cand[kls <= 0.2] @ R3) <= opt.expected_reward


def test_frontier_slope_is_inverse_lambda():
    opt = kl_constrained_optimum(P3, R3, 0.2)
    h = 1e-5
    up = kl_constrained_optimum(P3, R3, 0.2 + h).expected_reward
    down = kl_constrained_optimum(P3, R3, 0.2 - h).expected_reward
    assert (up - down) / (2 * h) == pytest.approx(1 / opt.lam, abs=1e-9)


def test_frontier_increasing_and_concave():
    deltas = np.linspace(0.0, 1.5, 31)
    values = np.array([kl_constrained_optimum(P3, R3, d).expected_reward for d in deltas])
    assert np.all(np.diff(values) > 0)
    assert np.all(np.diff(values, 2) < 0)


def test_delta_zero_and_saturation():
    opt0 = kl_constrained_optimum(P3, R3, 0.0)
    assert opt0.lam == 0.0 and np.array_equal(opt0.policy, P3) and opt0.kl == 0.0
    for delta in (-math.log(0.2), 2.0, math.inf):
        opt = kl_constrained_optimum(P3, R3, delta)
        assert opt.saturated and math.isinf(opt.lam)
        assert np.array_equal(opt.policy, [0.0, 0.0, 1.0])
        assert opt.kl == pytest.approx(-math.log(0.2), rel=1e-15)
        assert opt.expected_reward == 2.0
    just_below = kl_constrained_optimum(P3, R3, -math.log(0.2) * (1 - 1e-9))
    assert not just_below.saturated and just_below.policy[2] > 1 - 1e-6


def test_saturation_with_tied_maximisers_and_zero_mass():
    p = np.array([0.4, 0.0, 0.3, 0.3])
    r = np.array([0.0, 5.0, 1.0, 1.0])  # r = 5 has no mass: argmax over supp p is {2, 3}
    opt = kl_constrained_optimum(p, r, 10.0)
    assert np.allclose(opt.policy, [0.0, 0.0, 0.5, 0.5], atol=0, rtol=1e-15)
    assert opt.kl == pytest.approx(-math.log(0.6), rel=1e-15)
    assert kl_constrained_optimum(p, r, 0.1).policy[1] == 0.0


def test_constant_reward():
    opt = kl_constrained_optimum(P3, [1.0, 1.0, 1.0], 0.3)
    assert np.allclose(opt.policy, P3) and opt.saturated and opt.kl == 0.0


def test_regularised_form_and_helpers():
    # max E r - beta KL is solved by phi_{1/beta}; check against the variational identity
    beta = 0.7
    lam = 1 / beta
    phi = tilt(P3, R3, lam)
    value = float(phi @ R3) - beta * tilted_kl(P3, R3, lam)
    assert value == pytest.approx(beta * log_partition(P3, R3, lam), abs=1e-14)
    with mpmath.workdps(30):
        lm = mpmath.mpf(lam)
        z = sum(mpmath.mpf(a) * mpmath.exp(lm * b) for a, b in zip(P3, R3, strict=True))
    assert log_partition(P3, R3, lam) == pytest.approx(float(mpmath.log(z)), abs=1e-15)
    assert np.array_equal(tilt(P3, R3, math.inf), [0.0, 0.0, 1.0])
    assert np.array_equal(tilt(P3, R3, -math.inf), [1.0, 0.0, 0.0])
    assert tilted_kl(P3, R3, 0.0) == 0.0
    assert log_partition(P3, R3, 1e4) == pytest.approx(2e4 + math.log(0.2), rel=1e-15)


def test_near_optimality_identity_c8():
    opt = kl_constrained_optimum(P3, R3, 0.2)
    rng = np.random.default_rng(8)
    phi = rng.dirichlet(np.ones(3), size=2000)
    lhs = np.asarray(fd.kl(phi, opt.policy[None, :]))
    d_phi = np.asarray(fd.kl(phi, P3[None, :]))
    gap = opt.expected_reward - phi @ R3
    assert np.max(np.abs(lhs - (d_phi - 0.2 + opt.lam * gap))) < 1e-12
    bound = np.maximum(d_phi - 0.2, 0) + opt.lam * np.maximum(gap, 0)
    assert np.all(lhs <= bound + 1e-12)


@pytest.mark.parametrize("delta", [0.05, 0.2, 1.0])
def test_factorisation_c9(delta):
    n = 5
    model = MemorylessModel(P3, R3, n)
    seq_p, seq_r = model.sequences()
    joint = kl_constrained_optimum(seq_p, seq_r, n * delta)
    letter = kl_constrained_optimum(P3, R3, delta)
    prod = MemorylessModel(letter.policy, R3, n).sequences()[0]
    assert np.max(np.abs(joint.policy - prod)) < 1e-14
    assert joint.lam == pytest.approx(letter.lam, rel=1e-12)
    assert joint.expected_reward == pytest.approx(n * letter.expected_reward, rel=1e-13)


@pytest.mark.parametrize("bad, match", [
    (dict(p=[0.5, 0.6], reward=[0, 1], delta=0.1), "p must sum to 1"),
    (dict(p=[1.2, -0.2], reward=[0, 1], delta=0.1), "p must have entries >= 0"),
    (dict(p=[0.5, 0.5], reward=[0, 1, 2], delta=0.1), "reward must have the same length"),
    (dict(p=[0.5, 0.5], reward=[0, np.inf], delta=0.1), "reward must be finite"),
    (dict(p=[0.5, 0.5], reward=[0, np.nan], delta=0.1), "reward must be finite"),
    (dict(p=[0.5, 0.5], reward=[0, 1], delta=-0.1), "delta must be >= 0"),
    (dict(p=[0.5, 0.5], reward=[0, 1], delta=np.nan), "delta must be >= 0"),
    (dict(p=[], reward=[], delta=0.1), "p must not be empty"),
    (dict(p=[[0.5, 0.5]], reward=[0, 1], delta=0.1), "p must be 1-D"),
])
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        kl_constrained_optimum(**bad)


def test_sum_tolerance_boundary():
    # one sum tolerance in the library: the core's normalize="check" tolerance
    from fdivtheory._arguments import SUM_TOL as ARGUMENTS_SUM_TOL
    from fdivtheory._validation import SUM_TOL

    assert ARGUMENTS_SUM_TOL == SUM_TOL == 1e-9
    kl_constrained_optimum([0.5, 0.5 + 5e-10], [0, 1], 0.1)
    with pytest.raises(ValueError, match="p must sum to 1"):
        kl_constrained_optimum([0.5, 0.5 + 5e-9], [0, 1], 0.1)
