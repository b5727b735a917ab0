"""Variational lower bounds: never above the divergence, tight at the optimal critic."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory import variational as var
from fdivtheory.generators import available_generators, get_generator

#: Every shipped generator, with parameters where it needs them (and a few more settings).
_PARAMS: dict[str, list[dict]] = {
    "power": [{"beta": b} for b in (-1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0)],
    "hockey_stick": [{}, {"gamma": 2.5}],
    "chi_alpha": [{}, {"alpha": 1.5}, {"alpha": 3.0}],
    "skew_js": [{}, {"pi": 0.2}],
    "hellinger_sq": [{}, {"scale": 0.5}],
}
GENERATORS = [get_generator(name, **kw) for name in available_generators()
              for kw in _PARAMS.get(name, [{}])]
GEN_IDS = [g.name for g in GENERATORS]


def _pairs(seed: int, zeros: bool = False):
    rng = np.random.default_rng(seed)
    out = []
    for k in (2, 3, 6, 15):
        p, q = rng.dirichlet(0.7 * np.ones(k)), rng.dirichlet(0.7 * np.ones(k))
        if zeros and k > 2:
            p[0], q[1] = 0.0, 0.0
            p, q = p / p.sum(), q / q.sum()
        out.append((p, q))
    return out


def _close(a: float, b: float, rtol: float = 1e-10) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(1.0, abs(b))


def test_every_shipped_generator_is_covered():
    assert {g.name.split("(")[0] for g in GENERATORS} == set(available_generators())


@pytest.mark.parametrize("g", GENERATORS, ids=GEN_IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_tight_at_optimal_critic(g, seed):
    for p, q in _pairs(seed):
        T = var.optimal_critic(g, p, q)
        assert np.all(np.isfinite(T))
        d = float(fd.f_divergence(p, q, g))
        assert _close(var.lower_bound(g, T, T, weights_p=p, weights_q=q), d), (p, q)


@pytest.mark.parametrize("g", GENERATORS, ids=GEN_IDS)
def test_tight_with_support_mismatch(g):
    # zero-weight atoms are dropped, so T = f'(0+) = -inf or f'(inf) = +inf cause no 0 * inf
    for p, q in _pairs(5, zeros=True):
        T = var.optimal_critic(g, p, q)
        d = float(fd.f_divergence(p, q, g))
        assert _close(var.lower_bound(g, T, T, weights_p=p, weights_q=q), d), (p, q)


@pytest.mark.parametrize("g", GENERATORS, ids=GEN_IDS)
def test_never_exceeds_divergence_for_random_critics(g):
    rng = np.random.default_rng(3)
    for p, q in _pairs(2):
        d = float(fd.f_divergence(p, q, g))
        T_star = var.optimal_critic(g, p, q)
        for scale in (1e-3, 0.1, 1.0):
            for T in (T_star + scale * rng.normal(size=p.size), scale * rng.normal(size=p.size)):
                lb = var.lower_bound(g, T, T, weights_p=p, weights_q=q)
                assert lb <= d + 1e-10 * max(1.0, d)


def test_critic_outside_conjugate_domain_gives_minus_inf():
    p, q = np.array([0.3, 0.7]), np.array([0.6, 0.4])
    T = np.array([0.0, 0.9])  # TV: f* = +inf above 1/2
    assert var.lower_bound("tv", T, T, weights_p=p, weights_q=q) == -math.inf


@pytest.mark.parametrize("seed", range(4))
def test_donsker_varadhan_and_nwj(seed):
    rng = np.random.default_rng(seed)
    for p, q in _pairs(seed):
        kl = float(fd.kl(p, q))
        for c in (-3.0, 0.0, 5.0):
            T = np.log(p / q) + c
            assert _close(var.donsker_varadhan(T, T, weights_p=p, weights_q=q), kl)
        T = var.optimal_critic("kl", p, q)
        assert _close(var.nwj(T, T, weights_p=p, weights_q=q), kl)
        assert _close(var.lower_bound("kl", T, T, weights_p=p, weights_q=q), kl)
        assert np.allclose(var.optimal_critic("dv", p, q), np.log(p / q))
        for _ in range(20):
            T = rng.normal(scale=2.0, size=p.size)
            dv = var.donsker_varadhan(T, T, weights_p=p, weights_q=q)
            nw = var.nwj(T, T, weights_p=p, weights_q=q)
            assert nw <= dv + 1e-12 <= kl + 2e-12
            assert _close(nw, var.lower_bound("kl", T, T, weights_p=p, weights_q=q))


def test_donsker_varadhan_large_critics_do_not_overflow():
    p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    T = np.log(p / q) + 800.0
    assert _close(var.donsker_varadhan(T, T, weights_p=p, weights_q=q), float(fd.kl(p, q)))
    assert var.nwj(T, T, weights_p=p, weights_q=q) == -math.inf


@pytest.mark.parametrize("name", ["kl", "js", "pearson", "hellinger_sq", "tv"])
def test_monte_carlo_within_four_standard_errors(name):
    rng = np.random.default_rng(11)
    p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
    g = get_generator(name)
    T = var.optimal_critic(g, p, q) + 0.2 * rng.normal(size=5)  # a sub-optimal critic ...
    T = np.minimum(T, g.conjugate_domain[1] - 0.05)  # ... inside the domain of f*
    conj = np.asarray(g.conjugate(T), dtype=float)
    exact = var.lower_bound(g, T, T, weights_p=p, weights_q=q)
    n, m = 40_000, 50_000
    xp, xq = rng.choice(5, size=n, p=p), rng.choice(5, size=m, p=q)
    est = var.lower_bound(g, T[xp], T[xq])
    se = math.sqrt((p @ T**2 - (p @ T) ** 2) / n + (q @ conj**2 - (q @ conj) ** 2) / m)
    assert abs(est - exact) <= 4 * se
    if name == "kl":
        dv_exact = var.donsker_varadhan(T, T, weights_p=p, weights_q=q)
        e = np.exp(T)
        se_dv = math.sqrt((p @ T**2 - (p @ T) ** 2) / n
                          + (q @ e**2 - (q @ e) ** 2) / (m * (q @ e) ** 2))
        assert abs(var.donsker_varadhan(T[xp], T[xq]) - dv_exact) <= 4 * se_dv


@pytest.mark.parametrize("g", GENERATORS, ids=GEN_IDS)
def test_fenchel_young(g):
    u = np.geomspace(1e-3, 1e3, 41)
    lo, hi, hi_in = g.conjugate_domain
    top = hi if math.isfinite(hi) else 10.0
    t = np.linspace(-10.0, top, 37)[:, None]
    gap = var.fenchel_young_gap(g, u[None, :], t)
    assert gap.shape == (37, 41)
    assert np.all(gap >= 0)
    # zero exactly at t = f'(u) (a subgradient for piecewise-linear f)
    dfu = np.asarray(g.df(u), dtype=float)
    fu = np.abs(np.asarray(g.f(u), dtype=float))
    at_grad = var.fenchel_young_gap(g, u, dfu)
    assert np.all(at_grad <= 1e-10 * np.maximum(1.0, fu + np.abs(dfu * u)))
    assert var.fenchel_young_gap(g, 0.0, -1.0) >= 0
    assert isinstance(var.fenchel_young_gap(g, 1.0, 0.1), float)


@pytest.mark.parametrize("call, name", [
    (lambda: var.lower_bound("kl", [0.1, 0.2], [0.3], weights_p=[1.0]), "weights_p"),
    (lambda: var.lower_bound("kl", [0.1], [0.3, 0.1], weights_q=[0.5, -0.5]), "weights_q"),
    (lambda: var.lower_bound("kl", [0.1, math.nan], [0.3]), "critic_on_p"),
    (lambda: var.donsker_varadhan([], [0.3]), "critic_on_p"),
    (lambda: var.nwj([0.1], [0.3], weights_q=[0.0]), "weights_q"),
    (lambda: var.optimal_critic("kl", [0.5, 0.5], [1.0]), "same shape"),
    (lambda: var.optimal_critic("kl", [1.5, -0.5], [0.5, 0.5]), "p must"),
    (lambda: var.fenchel_young_gap("kl", -1.0, 0.0), "u must"),
    (lambda: var.fenchel_young_gap("kl", 1.0, math.inf), "t must"),
    (lambda: var.lower_bound("no_such_generator", [0.1], [0.1]), "unknown generator"),
])
def test_bad_inputs_raise_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
