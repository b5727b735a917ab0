"""Monte Carlo risk: agreement with exact risks (4 SE), array-API parity, the GPU path."""

import math

import numpy as np
import pytest
import scipy.stats as st

from fdivtheory.projection import exact_risk, family, risk_expansion, simulate_risk

PAIRS = [
    (family("exponential"), st.gamma(2), 20),
    (family("normal"), st.norm(1, 3), 15),
    (family("mvn", d=2), st.multivariate_normal([0, 1], [[2, 0.5], [0.5, 1]]), 12),
    (family("categorical", k=3), np.array([0.2, 0.3, 0.5]), 15),
    (family("poisson"), st.nbinom(2, 0.5), 10),
    (family("bernoulli"), st.bernoulli(0.3), 12),
    (family("normal_known_variance", sigma2=1.0), st.gamma(4), 9),
]


@pytest.mark.parametrize(("fam", "truth", "n"), PAIRS, ids=lambda v: getattr(v, "name", ""))
def test_monte_carlo_matches_exact_within_4se(fam, truth, n):
    ex = exact_risk(fam, truth, n)
    mc = simulate_risk(fam, truth, n, 40_000, seed=11)
    assert abs(mc.mean - ex.risk) <= 4 * mc.se
    assert abs(mc.p_nonexistence - ex.p_nonexistence) <= 4 * math.sqrt(
        max(ex.p_nonexistence, 1e-6) / 40_000) + 1e-12


def test_sympy_family_monte_carlo_matches_builtin():
    """Same draws, same losses: the generic Newton route equals the closed-form route."""
    import sympy as sp

    from fdivtheory.projection import family_from_sympy

    t1, t2, x = sp.symbols("t1 t2 x")
    sym = family_from_sympy([x, x**2], -t1**2 / (4 * t2) - sp.log(-2 * t2) / 2, [t1, t2],
                            theta0=[0.0, -0.5])
    a = simulate_risk(sym, st.gamma(3), 25, 400, seed=3)
    b = simulate_risk(family("normal"), st.gamma(3), 25, 400, seed=3)
    assert a.mean == pytest.approx(b.mean, rel=1e-8)
    # the sympy-built gamma family, well specified: c1 = p/2 = 1; MC within 4 SE of R12
    gam = simulate_risk(family("gamma"), st.gamma(3), 40, 1000, seed=3)
    c = risk_expansion(family("gamma"), st.gamma(3))
    assert c.c1 == pytest.approx(1.0, rel=1e-8)
    assert gam.existing == 1000 and abs(gam.mean - c.risk(40)) <= 4 * gam.se


def test_seed_reproducible_and_chunking_invariant():
    fam, truth = family("normal"), st.gamma(4)
    a = simulate_risk(fam, truth, 30, 5000, seed=7)
    b = simulate_risk(fam, truth, 30, 5000, seed=7, chunk=1000)
    c = simulate_risk(fam, truth, 30, 5000, seed=8)
    assert a.mean == pytest.approx(b.mean, rel=1e-12)  # same stream, other summation order
    assert a.mean != c.mean
    assert a == simulate_risk(fam, truth, 30, 5000, seed=7)


def test_bootstrap_from_data_array():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2))
    res = simulate_risk(family("mvn", d=2), x, 200, 3000, seed=1)
    c = risk_expansion(family("mvn", d=2), x)
    # 4 SE plus the n^-3 remainder of a normal-like law (75 / n^3 for d = 2)
    assert abs(res.mean - c.risk(200)) <= 4 * res.se + 75 / 200**3


@pytest.mark.parametrize("name", ["normal", "mvn", "exponential", "poisson", "categorical",
                                  "bernoulli", "normal_known_variance"])
def test_array_api_strict_parity(name):
    xps = pytest.importorskip("array_api_strict")
    fam, truth, n = next((f, t, n) for f, t, n in PAIRS if f.name.startswith(name))
    a = simulate_risk(fam, truth, n, 2000, seed=5)
    b = simulate_risk(fam, truth, n, 2000, seed=5, device=xps)
    assert b.mean == pytest.approx(a.mean, rel=1e-12)
    assert b.se == pytest.approx(a.se, rel=1e-9)
    assert b.existing == a.existing


def test_cpu_only_family_rejects_other_namespace():
    xps = pytest.importorskip("array_api_strict")
    with pytest.raises(ValueError, match="device='cpu'"):
        simulate_risk(family("gamma"), st.gamma(2), 10, 10, device=xps)


def test_small_n_and_bad_arguments():
    r = simulate_risk(family("mvn", d=3), st.multivariate_normal(np.zeros(3)), 3, 10)
    assert math.isinf(r.mean) and "n <= d" in r.reason
    with pytest.raises(ValueError, match="replications"):
        simulate_risk(family("normal"), st.norm(), 10, 1)
    with pytest.raises(ValueError, match="device"):
        simulate_risk(family("normal"), st.norm(), 10, 10, device="tpu")


@pytest.mark.gpu
def test_gpu_matches_cpu():
    pytest.importorskip("cupy")
    fam, truth = family("mvn", d=2), st.multivariate_normal([0, 0])
    a = simulate_risk(fam, truth, 20, 20000, seed=2)
    b = simulate_risk(fam, truth, 20, 20000, seed=2, device="gpu")
    assert b.mean == pytest.approx(a.mean, rel=1e-10)
