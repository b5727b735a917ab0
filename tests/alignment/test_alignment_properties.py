"""Property tests (hypothesis): the theorems, on random references and rewards."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import fdivtheory as fd
from fdivtheory.alignment import (
    best_of_n,
    best_of_n_kl_bound,
    kl_constrained_optimum,
    rate_function,
)

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def reference_and_reward(draw, max_size=12):
    """A pmf with at least two support points and a reward with some ties."""
    k = draw(st.integers(2, max_size))
    weights = draw(st.lists(st.floats(0.01, 10.0), min_size=k, max_size=k))
    p = np.array(weights) / np.sum(weights)
    reward = np.array(draw(st.lists(st.integers(-3, 3), min_size=k, max_size=k)), dtype=float)
    return p, reward


@SETTINGS
@given(reference_and_reward(), st.floats(1.0, 1e6))
def test_best_of_n_kl_below_folk_bound(pr, n):
    p, r = pr
    res = best_of_n(p, r, n)
    assert -1e-15 <= res.kl <= best_of_n_kl_bound(n) + 1e-15
    if n >= 2:
        assert res.kl < best_of_n_kl_bound(n)  # strict for a discrete reference
    assert abs(res.pmf.sum() - 1) < 1e-12
    assert res.win_rate <= n / (n + 1) + 1e-14
    assert res.expected_reward >= float(p @ r) - 1e-12


@SETTINGS
@given(reference_and_reward(), st.floats(0.0, 3.0))
def test_tilt_meets_budget_and_beats_random_feasible_policies(pr, delta):
    p, r = pr
    opt = kl_constrained_optimum(p, r, delta)
    top = -math.log(p[r == r.max()].sum())
    assert math.isclose(opt.kl, min(delta, top), rel_tol=1e-10, abs_tol=1e-14)
    rng = np.random.default_rng(0)
    cand = rng.dirichlet(np.ones(p.size), size=500)
    feasible = np.asarray(fd.kl(cand, p[None, :])) <= delta
    if feasible.any():
        assert np.max(cand[feasible] @ r) <= opt.expected_reward + 1e-12


@SETTINGS
@given(reference_and_reward(max_size=5), st.floats(0.01, 0.5),
       st.floats(0.02, 0.98))
def test_rate_function_forms_agree(pr, delta, u):
    p, r = pr
    if r.min() == r.max():
        return
    opt = kl_constrained_optimum(p, r, delta)
    if opt.saturated:
        return
    x = r.min() + u * (r.max() - r.min())
    vals = [float(rate_function(p, r, delta, x, form=f))
            for f in ("legendre", "tilted", "mismatched")]
    assert max(vals) - min(vals) <= 1e-10 * max(1.0, max(vals))
