"""Dual forms of the d-RRMDP inner problem against exact primal solvers and sympy."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize

from fdivtheory.robust_rl import dual_value, kl_constrained, worst_case

DIVS = ["tv", "kl", "chi2"]


def random_instance(rng, n=None):
    n = n or int(rng.integers(2, 9))
    V = rng.uniform(0, 5, n)
    mu0 = rng.dirichlet(np.ones(n))
    lam = float(np.exp(rng.uniform(np.log(0.05), np.log(20))))
    return V, mu0, lam


def primal_tv(V, mu0, lam):
    """LP in (mu, t): min V.mu + lam/2 sum t, t >= |mu - mu0|, mu in simplex."""
    n = V.size
    c = np.concatenate([V, np.full(n, lam / 2)])
    eye = np.eye(n)
    A_ub = np.block([[eye, -eye], [-eye, -eye]])
    b_ub = np.concatenate([mu0, -mu0])
    A_eq = np.concatenate([np.ones(n), np.zeros(n)])[None]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=[(0, None)] * (2 * n),
                  method="highs")
    return res.fun


def primal_chi2(V, mu0, lam):
    """QP over the simplex on supp mu0 (SLSQP, tight tolerance)."""
    s = mu0 > 0
    v, m = V[s], mu0[s]

    def f(x):
        return v @ x + lam * np.sum((x - m) ** 2 / m)

    res = minimize(f, m, jac=lambda x: v + 2 * lam * (x - m) / m, method="SLSQP",
                   bounds=[(0, 1)] * m.size,
                   constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1,
                                 "jac": lambda x: np.ones_like(x)}],
                   options={"ftol": 1e-15, "maxiter": 1000})
    return res.fun


def primal_kl_softmax(V, mu0, lam):
    s = mu0 > 0
    v, m = V[s], mu0[s]

    def f(z):
        x = np.exp(z - z.max())
        x /= x.sum()
        return v @ x + lam * np.sum(x * np.log(np.maximum(x, 1e-300) / m))

    return minimize(f, np.log(m), method="BFGS", options={"gtol": 1e-12}).fun


def test_duality_300_random_instances():
    rng = np.random.default_rng(0)
    errs = {d: 0.0 for d in DIVS}
    for _ in range(300):
        V, mu0, lam = random_instance(rng)
        errs["tv"] = max(errs["tv"], abs(float(dual_value(V, mu0, lam, "tv"))
                                         - primal_tv(V, mu0, lam)))
        mu = np.asarray(worst_case(V, mu0, lam, "kl"))
        kl = float(np.sum(mu * np.log(mu / mu0)))
        errs["kl"] = max(errs["kl"], abs(float(dual_value(V, mu0, lam, "kl"))
                                         - (mu @ V + lam * kl)))
        j = float(dual_value(V, mu0, lam, "chi2"))
        errs["chi2"] = max(errs["chi2"], j - primal_chi2(V, mu0, lam))  # dual <= primal
        assert j >= primal_chi2(V, mu0, lam) - 1e-7
    assert errs["tv"] <= 1e-8 and errs["kl"] <= 1e-8 and errs["chi2"] <= 1e-8


def test_kl_against_softmax_minimisation():
    rng = np.random.default_rng(1)
    for _ in range(20):
        V, mu0, lam = random_instance(rng)
        assert float(dual_value(V, mu0, lam, "kl")) <= primal_kl_softmax(V, mu0, lam) + 1e-9
        assert float(dual_value(V, mu0, lam, "kl")) == pytest.approx(
            primal_kl_softmax(V, mu0, lam), abs=1e-5)  # BFGS accuracy


def test_tv_off_support_global_minimum():
    V, mu0 = np.array([0.0, 1, 2, 3]), np.array([0.0, 0.2, 0.3, 0.5])
    assert float(dual_value(V, mu0, 0.5, "tv")) == pytest.approx(0.5, abs=1e-15)
    assert primal_tv(V, mu0, 0.5) == pytest.approx(0.5, abs=1e-9)
    # the (wrong) support-only minimum would give 1.4
    s = mu0 > 0
    assert float(mu0[s] @ np.minimum(V[s], V[s].min() + 0.5)) == pytest.approx(1.4)
    mu = np.asarray(worst_case(V, mu0, 0.5, "tv"))
    assert mu[0] == pytest.approx(1.0) and mu.sum() == pytest.approx(1.0)


def test_chi2_check_13_maximises():
    V, mu0, lam = np.array([0.0, 1, 2, 3]), np.array([0.1, 0.2, 0.3, 0.4]), 0.1
    at_vmax = mu0 @ V - (mu0 @ V**2 - (mu0 @ V) ** 2) / (4 * lam)
    assert at_vmax == pytest.approx(-0.5)
    j = float(dual_value(V, mu0, lam, "chi2"))
    assert j > 0 and j > at_vmax
    # brute force over a fine alpha grid (the dual is a sup over alpha)
    a = np.linspace(0, 3, 300001)
    t = np.minimum(V[None], a[:, None])
    g = t @ mu0 - ((t**2) @ mu0 - (t @ mu0) ** 2) / (4 * lam)
    assert j == pytest.approx(g.max(), abs=1e-9)
    assert j >= g.max() - 1e-12


def test_chi2_dual_piece_symbolic():
    """On a piece, E[V]_a - Var[V]_a/(4 lam) is quadratic with vertex (A + 2 lam)/(1 - B)."""
    a, lam, A, B, C = sp.symbols("alpha lambda A B C", real=True)
    mean = A + B * a
    second = C + B * a**2
    g = mean - (second - mean**2) / (4 * lam)
    vertex = sp.solve(sp.diff(g, a), a)
    assert len(vertex) == 1
    assert sp.simplify(vertex[0] - (A + 2 * lam) / (1 - B)) == 0
    # numeric agreement on a random piece
    rng = np.random.default_rng(3)
    V = np.sort(rng.uniform(0, 4, 6))
    mu0 = rng.dirichlet(np.ones(6))
    lv = 0.7
    j = 2
    vals = {A: float(mu0[: j + 1] @ V[: j + 1]), B: float(mu0[j + 1:].sum()),
            C: float(mu0[: j + 1] @ V[: j + 1] ** 2), lam: lv}
    gf = sp.lambdify(a, g.subs(vals))
    x = (V[j] + V[j + 1]) / 2
    t = np.minimum(V, x)
    direct = mu0 @ t - (mu0 @ t**2 - (mu0 @ t) ** 2) / (4 * lv)
    assert gf(x) == pytest.approx(direct, abs=1e-12)


def test_kl_and_tv_duals_symbolic():
    """KL: stationarity of the Lagrangian gives the Gibbs tilt; TV: closed form on 2 states."""
    x, lam, v1, v2, m1 = sp.symbols("x lambda v1 v2 m1", positive=True)
    # two states, mu = (x, 1 - x); primal objective and the Gibbs tilt
    f = x * v1 + (1 - x) * v2 + lam * (x * sp.log(x / m1) + (1 - x) * sp.log((1 - x) / (1 - m1)))
    xs = m1 * sp.exp(-v1 / lam) / (m1 * sp.exp(-v1 / lam) + (1 - m1) * sp.exp(-v2 / lam))
    dual = -lam * sp.log(m1 * sp.exp(-v1 / lam) + (1 - m1) * sp.exp(-v2 / lam))
    stationarity = sp.diff(f, x).subs(x, xs)
    val = f.subs(x, xs)
    rng = np.random.default_rng(11)
    for _ in range(5):
        pt = {v1: rng.uniform(0, 3), v2: rng.uniform(0, 3), m1: rng.uniform(0.05, 0.95),
              lam: rng.uniform(0.1, 3)}
        assert abs(float(stationarity.subs(pt))) < 1e-12
        assert float(val.subs(pt)) == pytest.approx(float(dual.subs(pt)), abs=1e-12)
    subs = {v1: 0.3, v2: 1.7, m1: 0.35, lam: 0.6}
    assert float(val.subs(subs)) == pytest.approx(float(dual.subs(subs)), abs=1e-12)
    assert float(dual.subs(subs)) == pytest.approx(
        float(dual_value(np.array([0.3, 1.7]), np.array([0.35, 0.65]), 0.6, "kl")), abs=1e-12)
    # TV on 2 states: min over x of x v1 + (1-x) v2 + lam |x - m1|, v1 < v2 -> x = 1 if lam < v2-v1
    for lv in (0.5, 2.0):
        ref = min(v for v in [0.3 + lv * (1 - 0.35), 0.35 * 0.3 + 0.65 * 1.7])
        assert float(dual_value(np.array([0.3, 1.7]), np.array([0.35, 0.65]), lv, "tv")) == \
            pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("div", DIVS)
def test_minimiser_attains_value(div):
    rng = np.random.default_rng(4)
    for _ in range(200):
        V, mu0, lam = random_instance(rng)
        mu = np.asarray(worst_case(V, mu0, lam, div))
        assert mu.min() >= -1e-12 and mu.sum() == pytest.approx(1.0, abs=1e-12)
        if div == "tv":
            pen = 0.5 * np.abs(mu - mu0).sum()
            assert pen == pytest.approx(mu0[V > V.min() + lam].sum(), abs=1e-12)
        elif div == "kl":
            pen = float(np.sum(mu[mu > 0] * np.log(mu[mu > 0] / mu0[mu > 0])))
        else:
            pen = float(np.sum((mu - mu0) ** 2 / mu0))
        assert mu @ V + lam * pen == pytest.approx(float(dual_value(V, mu0, lam, div)),
                                                    abs=5e-8)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), div=st.sampled_from(DIVS), c=st.floats(-3, 3))
def test_structural_properties(seed, div, c):
    rng = np.random.default_rng(seed)
    V, mu0, lam = random_instance(rng)
    j = float(dual_value(V, mu0, lam, div))
    assert V.min() - 1e-12 <= j <= mu0 @ V + 1e-12
    assert float(dual_value(V + c, mu0, lam, div)) == pytest.approx(j + c, abs=1e-12)
    assert float(dual_value(V, mu0, 2 * lam, div)) >= j - 1e-12
    V2 = V + rng.uniform(0, 0.5, V.size)
    j2 = float(dual_value(V2, mu0, lam, div))
    assert j2 >= j - 1e-12
    assert j2 - j <= np.max(np.abs(V2 - V)) + 1e-12
    assert float(dual_value(V, mu0, lam, "chi2")) >= float(dual_value(V, mu0, lam, "kl")) - 1e-12


def test_lambda_limits():
    rng = np.random.default_rng(5)
    B = 5.0
    for _ in range(50):
        V, mu0, _ = random_instance(rng)
        ev, var = mu0 @ V, mu0 @ V**2 - (mu0 @ V) ** 2
        big = V.max() - V.min()
        assert float(dual_value(V, mu0, big, "tv")) == pytest.approx(ev, abs=1e-12)
        for lam in (0.5, 5.0, 50.0):
            kl = float(dual_value(V, mu0, lam, "kl"))
            chi = float(dual_value(V, mu0, lam, "chi2"))
            assert ev - B**2 / (8 * lam) - 1e-12 <= kl <= ev + 1e-12
            assert ev - var / (4 * lam) - 1e-12 <= chi <= ev + 1e-12
        # lam -> 0: the point mass on argmin V costs lam * D(delta || mu0)
        s = np.argmin(V)
        cost = {"tv": 1 - mu0[s], "kl": -math.log(mu0[s]), "chi2": 1 / mu0[s] - 1}
        for div in DIVS:
            j = float(dual_value(V, mu0, 1e-4, div))
            assert V.min() - 1e-12 <= j <= V.min() + 1e-4 * cost[div] + 1e-12


def test_batched_matches_loop():
    rng = np.random.default_rng(6)
    V = rng.uniform(0, 3, (4, 3, 6))
    mu0 = rng.dirichlet(np.ones(6), size=(3,))
    lam = rng.uniform(0.1, 2, (4, 3))
    for div in DIVS:
        out = np.asarray(dual_value(V, mu0, lam, div))
        assert out.shape == (4, 3)
        ref = [[float(dual_value(V[i, j], mu0[j], lam[i, j], div)) for j in range(3)]
               for i in range(4)]
        assert np.allclose(out, ref, atol=1e-14, rtol=0)
        assert np.asarray(worst_case(V, mu0, lam, div)).shape == (4, 3, 6)


def test_array_api_strict_path():
    xp = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(7)
    V = rng.uniform(0, 3, (5, 4))
    mu0 = rng.dirichlet(np.ones(4), size=5)
    for div in DIVS:
        a = dual_value(xp.asarray(V), xp.asarray(mu0), 0.4, div)
        assert type(a).__module__.startswith("array_api_strict")
        assert np.allclose(np.asarray(a), np.asarray(dual_value(V, mu0, 0.4, div)), atol=1e-14)
        w = worst_case(xp.asarray(V), xp.asarray(mu0), 0.4, div)
        assert np.allclose(np.asarray(w), np.asarray(worst_case(V, mu0, 0.4, div)), atol=1e-14)


@pytest.mark.gpu
def test_cupy_path():
    cp = pytest.importorskip("cupy")
    rng = np.random.default_rng(8)
    V = rng.uniform(0, 3, (50, 8))
    mu0 = rng.dirichlet(np.ones(8), size=50)
    for div in DIVS:
        a = dual_value(cp.asarray(V), cp.asarray(mu0), 0.4, div)
        assert isinstance(a, cp.ndarray)
        assert np.allclose(cp.asnumpy(a), np.asarray(dual_value(V, mu0, 0.4, div)), atol=1e-12)


def test_kl_constrained_matches_regularised_dual():
    rng = np.random.default_rng(9)
    count = 0
    for _ in range(100):
        V, mu0, _ = random_instance(rng)
        for rho in (0.01, 0.1, 0.5):
            if rho >= -math.log(mu0[np.argmin(V)]):
                continue
            r = kl_constrained(V, mu0, rho)
            mu = r.worst_case
            assert float(np.sum(mu * np.log(mu / mu0))) == pytest.approx(rho, abs=1e-9)
            lams = r.lam * np.array([0.9, 1.0, 1.1])
            duals = [float(dual_value(V, mu0, x, "kl")) - x * rho for x in lams]
            assert duals[1] >= max(duals) - 1e-12
            assert r.value == pytest.approx(duals[1], abs=1e-9)
            count += 1
    assert count > 100


@pytest.mark.parametrize("kwargs, match", [
    ({"lam": 0.0}, "lam"), ({"lam": -1.0}, "lam"), ({"lam": float("nan")}, "lam"),
    ({"mu0": np.array([0.5, 0.6, -0.1])}, "mu0"), ({"mu0": np.array([0.3, 0.3, 0.3])}, "mu0"),
    ({"mu0": np.array([0.5, 0.5])}, "mu0"), ({"V": np.array([0.0, np.nan, 1.0])}, "V"),
    ({"divergence": "hellinger"}, "divergence"),
])
def test_bad_input(kwargs, match):
    args = {"V": np.array([0.0, 1.0, 2.0]), "mu0": np.array([0.2, 0.3, 0.5]), "lam": 1.0,
            "divergence": "kl"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        dual_value(**args)
    with pytest.raises(ValueError, match=match):
        worst_case(**args)
