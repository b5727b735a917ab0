"""The fixed-input KL bracket is proven: checked against independent oracles.

References are closed forms (mpmath) or a dense grid of the defining ratio,
written here with their own KL, never values produced by the code under test.
"""

import mpmath as mp
import numpy as np
import pytest

from fdivtheory.sdpi import bec, bsc, eta_chi2, eta_kl, z_channel


def _kl(a, b):
    m = a > 0
    return float(np.sum(a[m] * np.log(a[m] / b[m])))


def _grid_max_binary(K, p, n=20_001):
    """Max of D(QK||PK)/D(Q||P) over a dense grid of Q = (1 - q, q), exact vertices included."""
    from scipy.special import rel_entr

    q = np.linspace(0.0, 1.0, n)
    Q = np.stack([1 - q, q], axis=1)
    P = np.array([1 - p, p])
    den = rel_entr(Q, P).sum(axis=1)
    num = rel_entr(Q @ K, P @ K).sum(axis=1)
    keep = den > 1e-7
    return float(np.max(num[keep] / den[keep]))


def test_z_channel_bracket_contains_closed_form_and_is_narrow():
    res = eta_kl(z_channel(0.4), [0.5, 0.5], return_info=True)
    mp.mp.dps = 30
    exact = float(1 - mp.log(mp.mpf("1.4")) / mp.log(2))
    lo, hi = res.bracket
    assert lo - 1e-15 <= exact <= hi
    assert hi - lo <= 1e-8


@pytest.mark.parametrize(("K", "p", "exact"), [
    (bsc(0.1), 0.5, 0.64),          # local limit Q -> P_X (rho_m^2 = (1 - 2 delta)^2)
    (bec(0.3), 0.8, 0.7),           # erasure: every ratio equals 1 - eps
])
def test_two_point_bracket_closed_forms(K, p, exact):
    lo, hi = eta_kl(K, [1 - p, p], return_info=True).bracket
    assert lo - 1e-12 <= exact <= hi
    assert hi - lo <= 1e-8


def test_two_point_bracket_against_dense_grid():
    rng = np.random.default_rng(2024)
    for _ in range(8):
        K = rng.dirichlet(np.ones(int(rng.integers(2, 6))), size=2)
        p = float(rng.uniform(0.05, 0.95))
        lo, hi = eta_kl(K, [1 - p, p], return_info=True).bracket
        grid = _grid_max_binary(K, p)
        assert grid <= hi + 1e-12          # the upper end is a bound on every feasible ratio
        assert lo >= grid - 1e-6           # and the search is at least as good as the grid
        assert hi - lo <= 1e-8             # certified to 1e-8


def test_many_point_upper_end_is_a_bound():
    """Three inputs: the (wide) upper end dominates every ratio and the Pinsker-type bound holds."""
    rng = np.random.default_rng(7)
    for _ in range(5):
        K = rng.dirichlet(np.ones(3), size=3)
        p = rng.dirichlet(np.ones(3) * 2)
        res = eta_kl(K, p, return_info=True)
        rho2 = eta_chi2(K, p)
        s = np.sort(p)
        pinsker = rho2 * 0.5 * (1 / s[0] + 1 / s[1])
        pk = p @ K
        Q = np.vstack([rng.dirichlet(np.ones(3) * a, size=400) for a in (0.2, 1.0, 20.0)])
        ratios = [_kl(q @ K, pk) / _kl(q, p) for q in Q if _kl(q, p) > 1e-8]
        assert max(ratios) <= min(res.bracket[1], pinsker) + 1e-12
        assert max(ratios) <= res.value + 1e-9
        assert res.bracket[0] <= res.value <= res.bracket[1]


def test_network_coefficient_variants_bound_every_contraction_step():
    """Each variant of the per-layer coefficient must dominate the exact ratio C_l / C_{l-1}."""
    from fdivtheory.sdpi import analyse_network
    from fdivtheory.sdpi.checks import toy_network

    net = toy_network()
    res = {c: analyse_network(net, 2, gamma=2.0, coefficient=c) for c in ("kl", "tv", "kl_input")}
    C = res["kl"].conditional_parts
    for a in res.values():
        assert a.conditional_parts == pytest.approx(C, abs=1e-15)   # the flag changes only eta
        for layer in (1, 2):
            assert C[layer] <= a.layer_etas[layer - 1] * C[layer - 1] + 1e-15
    for layer in range(2):   # Dobrushin dominates the sup-over-inputs KL coefficient
        assert res["kl"].layer_etas[layer] <= res["tv"].layer_etas[layer] + 1e-12
        assert res["kl_input"].layer_etas[layer] <= res["tv"].layer_etas[layer] + 1e-12
    with pytest.raises(ValueError, match="coefficient"):
        analyse_network(net, 2, gamma=2.0, coefficient="chi2")


def test_three_point_bracket_against_dense_grid():
    """Branch and bound over the simplex: the upper end dominates a dense grid, and closes to 1e-8."""
    from scipy.special import rel_entr

    N = 200
    i, j = np.meshgrid(np.arange(N + 1), np.arange(N + 1), indexing="ij")
    m = i + j <= N
    G = np.stack([i[m], j[m], N - i[m] - j[m]], axis=1) / N
    rng = np.random.default_rng(31)
    for _ in range(4):
        K = rng.dirichlet(np.ones(int(rng.integers(2, 5))), size=3)
        p = rng.dirichlet(np.ones(3))
        lo, hi = eta_kl(K, p, return_info=True).bracket
        den = rel_entr(G, p).sum(axis=1)
        num = rel_entr(G @ K, p @ K).sum(axis=1)
        grid = float(np.max(num[den > 1e-6] / den[den > 1e-6]))
        assert grid <= hi + 1e-12
        assert lo >= grid - 1e-6
        assert hi - lo <= 1e-8


def _rho2(K, p):
    """rho_m^2 by a plain SVD of the normalised joint matrix (independent of the library)."""
    keep = p > 1e-12
    K, p = K[keep], p[keep] / p[keep].sum()
    py = p @ K
    B = np.sqrt(p)[:, None] * K / np.sqrt(np.where(py > 0, py, 1.0))[None, :]
    s = np.linalg.svd(B[:, py > 0], compute_uv=False)
    return float(s[1] ** 2) if s.size > 1 else 0.0


@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (5, 5), (8, 6)])
def test_sup_over_inputs_certified_by_the_binary_input_theorem(shape):
    """eta_chi2(K) = eta_KL(K) is the best binary-input subchannel (Ordentlich-Polyanskiy 2020).

    The bracket must be closed to rounding, and no input law (random, sparse or a local
    ascent from it) may exceed its upper end.
    """
    from scipy.optimize import minimize
    from scipy.special import softmax

    rng = np.random.default_rng(sum(shape))
    n, m = shape
    for _ in range(3):
        K = rng.dirichlet(np.ones(m) * rng.choice([0.3, 1.0, 3.0]), size=n)
        res = eta_chi2(K, return_info=True)
        lo, hi = res.bracket
        assert hi - lo < 1e-10
        assert _rho2(K, res.argmax) == pytest.approx(res.value, abs=1e-10)
        P = np.vstack([rng.dirichlet(np.ones(n) * a, size=300) for a in (0.1, 1.0, 10.0)])
        best = max(_rho2(K, p) for p in P)
        for p0 in P[np.argsort([-_rho2(K, p) for p in P])[:3]]:
            r = minimize(lambda t, K=K: -_rho2(K, softmax(t)), np.log(p0), method="Nelder-Mead",
                         options={"maxiter": 2000, "xatol": 1e-10, "fatol": 1e-14})
            best = max(best, -r.fun)
        assert best <= hi + 1e-12
        assert eta_kl(K) == res.value


def test_batched_sup_over_inputs_equals_the_single_channel_values():
    rng = np.random.default_rng(5)
    K = rng.dirichlet(np.ones(4), size=(30, 5))
    single = np.array([eta_chi2(k) for k in K])
    assert np.max(np.abs(eta_chi2(K) - single)) < 1e-12


def test_many_point_upper_end_uses_the_certified_sup_over_inputs():
    """Five or more support points: the upper end is at most eta_KL(K) on supp P_X."""
    rng = np.random.default_rng(11)
    for n in (5, 7):
        K = rng.dirichlet(np.ones(6), size=n)
        p = rng.dirichlet(np.ones(n))
        res = eta_kl(K, p, return_info=True)
        sup = eta_chi2(K, return_info=True).bracket[1]
        assert res.bracket[0] <= res.value <= res.bracket[1] <= sup + 1e-15
        assert res.value <= sup


def test_hockey_stick_closed_form_against_brute_force():
    """eta of E_gamma is max_{x != x'} E_gamma(K_x || K_x') (Asoodeh et al. 2020): attained at a
    pair of point masses, and no random pair of laws on all inputs does better."""
    import fdivtheory as fd
    from fdivtheory.sdpi import eta_f, eta_tv

    rng = np.random.default_rng(21)
    for gamma in (1.0, 1.5, 3.0):
        g = fd.get_generator("hockey_stick", gamma=gamma)
        for n, m in ((2, 3), (3, 4), (5, 2)):
            K = rng.dirichlet(np.ones(m) * 0.5, size=n)
            res = eta_f(K, g, return_info=True)
            brute = max(np.maximum(K[i] - gamma * K[j], 0).sum()
                        for i in range(n) for j in range(n) if i != j)
            assert res.value == pytest.approx(brute, abs=1e-15)
            assert res.bracket == (res.value, res.value)
            P, Q = rng.dirichlet(np.ones(n) * 0.3, size=(2, 5000))
            den = fd.f_divergence(P, Q, g)
            num = fd.f_divergence(P @ K, Q @ K, g)
            ok = den > 1e-4   # rounding of a ratio: about 4e-16 / den, below 1e-11 here
            assert np.max(num[ok] / den[ok]) <= res.value + 1e-11
            if gamma == 1.0:
                assert res.value == pytest.approx(eta_tv(K), abs=1e-15)


@pytest.mark.parametrize("name, params", [("power", {"beta": 3.0}), ("power", {"beta": -2.0}),
                                          ("chi_alpha", {"alpha": 3.0}),
                                          ("chi_alpha", {"alpha": 1.5})])
def test_generic_f_bracket_is_ordered_and_dominates_a_dense_pair_grid(name, params):
    """Brackets are ordered, never above eta_TV, and dominate a dense scan of every binary-input
    subchannel (independent code: the divergences are written out here)."""
    import fdivtheory as fd
    from fdivtheory.sdpi import eta_f, eta_tv

    g = fd.get_generator(name, **params)
    rng = np.random.default_rng(len(name) + int(abs(10 * sum(params.values()))))
    t = np.concatenate([np.geomspace(1e-10, 1e-2, 30), np.linspace(0.01, 0.99, 300),
                        1 - np.geomspace(1e-10, 1e-2, 30)])
    p, q = np.meshgrid(t, t, indexing="ij")
    keep = np.abs(p - q) > 1e-4
    p, q = p[keep], q[keep]
    f = g.f

    def div(P, Q):          # sum_i Q_i f(P_i / Q_i), all masses positive here
        return (Q * f(P / Q)).sum(axis=-1)

    for _ in range(4):
        n, m = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        K = rng.dirichlet(np.ones(m), size=n)
        res = eta_f(K, g, return_info=True)
        lo, hi = res.bracket
        assert lo <= hi <= eta_tv(K) + 1e-15
        best = 0.0
        for a in range(n):
            for b in range(n):
                if a < b:
                    mp = np.outer(1 - p, K[a]) + np.outer(p, K[b])
                    mq = np.outer(1 - q, K[a]) + np.outer(q, K[b])
                    den = div(np.stack([1 - p, p], 1), np.stack([1 - q, q], 1))
                    r = div(mp, mq) / den
                    best = max(best, float(np.max(r[den > 1e-6])))
        assert best <= hi + 1e-9
        assert lo >= best - 1e-6 * max(1.0, best)   # the search is at least as good as the scan
