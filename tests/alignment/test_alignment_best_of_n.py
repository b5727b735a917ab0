"""Exact best-of-N law, KL, win rate, bound and estimator (docs/theory/alignment.md, §4; C1-C6, C14)."""

import itertools
import math

import mpmath
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory.alignment import (
    MemorylessModel,
    best_of_n,
    best_of_n_gaps,
    best_of_n_kl_bound,
    best_of_n_kl_estimate,
    best_of_n_kl_estimator,
    best_of_n_level_log_pmf,
)


def mp_best_of_n(p, r, log_n, order=None, dps=50):
    """50-digit oracle: pmf, KL, win rate, E r of best-of-N.

    ``order=None``: uniform ties (reward levels); otherwise a strict ranking key.
    """
    with mpmath.workdps(dps):
        pm = [mpmath.mpf(float(x)) for x in p]
        total = sum(pm)
        pm = [x / total for x in pm]  # as the library does: F = 1 exactly at the top
        big_n = mpmath.exp(mpmath.mpf(log_n))
        idx = [i for i in range(len(p)) if p[i] > 0]
        levels = sorted({float(r[i]) for i in idx})
        mass = {v: sum(pm[i] for i in idx if r[i] == v) for v in levels}
        cdf, acc = {}, mpmath.mpf(0)
        for v in levels:
            acc += mass[v]
            cdf[v] = acc
        pi = [mpmath.mpf(0)] * len(p)
        if order is None:
            for i in idx:
                hi, lo = cdf[r[i]], cdf[r[i]] - mass[r[i]]
                pi[i] = pm[i] * (hi**big_n - lo**big_n) / mass[r[i]]
        else:
            ranked = sorted(idx, key=lambda i: (r[i], order[i]))
            acc = mpmath.mpf(0)
            for i in ranked:
                lo = acc
                acc += pm[i]
                pi[i] = acc**big_n - lo**big_n
        kl = sum(pi[i] * mpmath.log(pi[i] / pm[i]) for i in idx if pi[i] > 0)
        win = sum(pi[i] * (2 * cdf[r[i]] - mass[r[i]]) / 2 for i in idx)
        mean = sum(pi[i] * r[i] for i in idx)
        return [float(x) for x in pi], float(kl), float(win), float(mean)


P6 = np.array([0.05, 0.25, 0.1, 0.0, 0.35, 0.25])
R6 = np.array([3.0, 1.0, 3.0, 9.0, -2.0, 1.0])  # ties at 1 and 3, a zero-mass top reward


@pytest.mark.parametrize("n", [1, 2, 7.5, 1000, 10**30])
@pytest.mark.parametrize("ties", ["uniform", "lexicographic"])
def test_matches_mpmath_oracle(n, ties):
    res = best_of_n(P6, R6, n, ties=ties)
    order = None if ties == "uniform" else np.arange(P6.size)
    pi, kl, win, mean = mp_best_of_n(P6, R6, math.log(n), order)
    np.testing.assert_allclose(res.pmf, pi, rtol=1e-12, atol=1e-300)
    assert res.kl == pytest.approx(kl, rel=1e-12, abs=1e-14)
    assert res.win_rate == pytest.approx(win, abs=1e-14)
    assert res.expected_reward == pytest.approx(mean, abs=1e-13)
    assert res.ties == ties and res.pmf[3] == 0.0


def test_light_level_has_no_cancellation():
    # F^N - F-^N cancels in floats when p(y) << F; the stable form keeps full accuracy
    # dyadic masses summing to 1 exactly, so the oracle sees the very same reference
    p = np.array([1 - 2.0**-40 - 2.0**-50, 2.0**-50, 2.0**-40])
    assert p.sum() == 1.0
    r = np.array([0.0, 1.0, 2.0])
    for n in (10, 1e6, 1e11):
        res = best_of_n(p, r, n)
        pi, kl, _, _ = mp_best_of_n(p, r, math.log(n))
        np.testing.assert_allclose(res.pmf, pi, rtol=1e-12)
        assert res.kl == pytest.approx(kl, rel=1e-10, abs=1e-25)


def test_astronomical_n():
    res = best_of_n(np.full(10, 0.1), np.arange(10), log_n=1e5)
    assert res.kl == pytest.approx(math.log(10), abs=1e-15) and res.pmf[-1] == 1.0
    assert res.win_rate == pytest.approx(0.95, abs=1e-15)
    assert math.isinf(res.n) and res.log_n == 1e5
    # Python ints beyond the float range are accepted as n
    huge = best_of_n([0.5, 0.5], [0.0, 1.0], 10**400)
    assert huge.kl == pytest.approx(math.log(2), abs=1e-15)


def test_level_log_pmf_sums_to_one_and_matches_formula():
    log_p = np.log(np.array([0.2, 0.5, 0.3]))
    out = best_of_n_level_log_pmf(log_p, math.log(5.0))
    cdf = np.cumsum([0.2, 0.5, 0.3])
    direct = cdf**5 - np.concatenate([[0.0], cdf[:-1]]) ** 5
    np.testing.assert_allclose(np.exp(out), direct, rtol=1e-13)
    assert np.exp(out).sum() == pytest.approx(1.0, abs=1e-15)


def test_c1_exact_law_of_bernoulli_sequences():
    law = MemorylessModel([0.7, 0.3], [0.0, 1.0], 20).best_of_n(8)
    assert law.expected_reward == pytest.approx(8.97921583067025, abs=1e-13)
    assert math.sqrt(law.cumulant(2)) == pytest.approx(1.3674936, abs=1e-7)
    assert law.pmf.sum() == pytest.approx(1.0, abs=1e-14)
    with mpmath.workdps(40):
        pm = [mpmath.binomial(20, k) * mpmath.mpf("0.3") ** k * mpmath.mpf("0.7") ** (20 - k)
              for k in range(21)]
    res = best_of_n(np.array([float(x) for x in pm]), np.arange(21.0), 8)
    np.testing.assert_allclose(res.pmf, law.pmf, rtol=1e-12)


UNIFORM_TABLE = [
    (10, 10, 1.361097, 1.402585, 1.378887), (10, 100, 2.302279, 3.615170, 2.302316),
    (100, 100, 3.574476, 3.615170, 3.589667), (100, 1000, 4.604693, 5.908755, 4.604750),
    (1000, 1000, 5.868100, 5.908755, 5.883078), (1000, 10**4, 6.907258, 8.210440, 6.907317),
    (10**4, 10**4, 8.169788, 8.210440, 8.184745), (10**4, 10**5, 9.209841, 10.512935, 9.209900),
]


@pytest.mark.parametrize("L, n, kl, bound, est", UNIFORM_TABLE)
def test_c3_uniform_table(L, n, kl, bound, est):
    p, r = np.full(L, 1.0 / L), np.arange(L, dtype=float)
    assert best_of_n(p, r, n).kl == pytest.approx(kl, abs=1e-6)
    assert best_of_n_kl_bound(n) == pytest.approx(bound, abs=1e-6)
    assert best_of_n_kl_estimate(p, r, n) == pytest.approx(est, abs=1e-6)


@pytest.mark.parametrize("n, kl, bound, est", [
    (10, 1.40216, 1.40259, 1.40255), (100, 3.57408, 3.61517, 3.58927),
    (10**3, 4.71970, 5.90876, 4.71987), (10**4, 6.85481, 8.21044, 6.86430),
    (10**5, 9.20963, 10.51294, 9.20969), (10**6, 9.21034, 12.81551, 9.21034)])
def test_c3_cherry_picked_table(n, kl, bound, est):
    p = np.append(np.full(99, (1 - 1e-4) / 99), 1e-4)
    r = np.arange(100, dtype=float)
    assert best_of_n(p, r, n).kl == pytest.approx(kl, abs=1e-5)
    assert best_of_n_kl_bound(n) == pytest.approx(bound, abs=1e-5)
    assert best_of_n_kl_estimate(p, r, n) == pytest.approx(est, abs=1e-5)


def test_c3_continuum_limit():
    L = 10**4
    gap = best_of_n_kl_bound(10) - best_of_n(np.full(L, 1 / L), np.arange(L), 10).kl
    assert 0 < gap < 1e-6


@pytest.mark.parametrize("n, kl", [(2, 0.1308120359), (4, 0.4593555219), (16, 0.6929626965)])
def test_c4_binary_counterexample(n, kl):
    assert best_of_n([0.5, 0.5], [0.0, 1.0], n).kl == pytest.approx(kl, abs=1e-10)


def test_c4_below_log2_for_every_n():
    kls = [best_of_n([0.5, 0.5], [0.0, 1.0], n).kl for n in range(1, 41)]
    assert max(kls) < math.log(2) and np.all(np.diff(kls) > 0)


def random_cases(rng, count):
    for i in range(count):
        k = int(rng.integers(1, 40))
        p = rng.dirichlet(np.full(k, (0.1, 1.0, 5.0)[i % 3]))
        p = np.where(p < 1e-300, 0.0, p)
        p = p / p.sum()
        yield p, rng.permutation(k).astype(float)


def test_c2_strict_bound_on_random_references():
    rng = np.random.default_rng(2)
    for p, r in random_cases(rng, 150):
        prev = 0.0
        top = -math.log(p[np.argmax(np.where(p > 0, r, -np.inf))])
        for n in (1, 2, 3, 5, 16, 100, 1000):
            res = best_of_n(p, r, n)
            if n == 1:
                assert abs(res.kl) < 1e-15
            else:
                assert res.kl < best_of_n_kl_bound(n)
            pos = p > 0
            assert np.all(res.pmf[pos] <= n * p[pos] * (1 + 1e-12))
            assert res.kl >= prev - 1e-12 and res.kl <= top + 1e-12
            assert res.win_rate <= n / (n + 1) + 1e-14
            prev = res.kl


def test_c5_gap_bounds():
    rng = np.random.default_rng(5)
    for p, r in random_cases(rng, 100):
        for n in (2, 4, 16):
            g = best_of_n_gaps(p, r, n)
            assert g.kl_gap_lower - 1e-12 <= g.kl_gap <= g.kl_gap_upper
            assert -1e-14 <= g.win_gap <= g.win_gap_upper + 1e-14
            if n == 2:
                assert g.win_gap == pytest.approx(np.sum(p**3) / 6, abs=1e-14)
    assert best_of_n([0.1, 0.2, 0.3, 0.4], [0, 1, 2, 3], 2).win_rate == pytest.approx(0.65,
                                                                                       abs=1e-15)


def brute_force_best_of_n(seq_p, seq_r, n_draws, tie_key):
    """Enumerate all draws; among the best rewards keep the draw with the largest key."""
    m = seq_p.size
    draws = np.array(list(itertools.product(range(m), repeat=n_draws)), dtype=np.int64)
    weight = np.prod(seq_p[draws], axis=1)
    rew = seq_r[draws]
    key = np.where(rew == rew.max(axis=1, keepdims=True), tie_key(draws), -np.inf)
    chosen = draws[np.arange(draws.shape[0]), np.argmax(key, axis=1)]
    return np.bincount(chosen, weights=weight, minlength=m)


def test_c14_ties_brute_force():
    model = MemorylessModel([0.5, 0.3, 0.2], [0.0, 1.0, 2.0], 3)
    seq_p, seq_r = model.sequences()
    first_draw = brute_force_best_of_n(seq_p, seq_r, 4, lambda d: -np.arange(d.shape[1])
                                       + 0.0 * d)
    lexicographic = brute_force_best_of_n(seq_p, seq_r, 4, lambda d: d.astype(float))
    kl_index = float(fd.kl(first_draw, seq_p))
    kl_lex = float(fd.kl(lexicographic, seq_p))
    assert kl_index == pytest.approx(0.6036456, abs=1e-7)
    assert kl_lex == pytest.approx(0.6349474, abs=1e-7)
    uni = best_of_n(seq_p, seq_r, 4)
    lex = best_of_n(seq_p, seq_r, 4, ties="lexicographic")
    np.testing.assert_allclose(uni.pmf, first_draw, rtol=1e-12)
    np.testing.assert_allclose(lex.pmf, lexicographic, rtol=1e-12)
    assert uni.kl == pytest.approx(model.best_of_n(4).kl(model.reference), abs=1e-13)
    assert max(uni.kl, lex.kl) < best_of_n_kl_bound(4)
    # the reward law, win rate and mean do not depend on the convention
    assert uni.win_rate == lex.win_rate and uni.expected_reward == lex.expected_reward
    # a user-supplied strict order: reversed index = lexicographically smallest wins
    rev = best_of_n(seq_p, seq_r, 4, ties=-np.arange(seq_p.size, dtype=float))
    smallest = brute_force_best_of_n(seq_p, seq_r, 4, lambda d: -d.astype(float))
    np.testing.assert_allclose(rev.pmf, smallest, rtol=1e-12)
    assert rev.ties == "custom"


def test_estimator_properties():
    eps = np.concatenate([[0.0], np.geomspace(1e-12, 1, 300)])
    for n in (1, 2, 5, 100, 10**5):
        d = best_of_n_kl_estimator(eps, n)
        bound = best_of_n_kl_bound(n)
        assert np.all(d >= -1e-15) and np.all(d <= bound + 1e-14)
        assert np.all(np.diff(d) <= 1e-14)
        assert d[0] == bound and d[-1] == 0.0
    assert float(best_of_n_kl_estimator(1.0, 3)) == 0.0
    assert np.isscalar(best_of_n_kl_estimator(0.5, 3)) or best_of_n_kl_estimator(0.5, 3).ndim == 0


@pytest.mark.parametrize("eps, n", [(0.3, 4), (1e-3, 100), (0.9, 2), (1e-8, 10**6)])
def test_estimator_formula_mpmath(eps, n):
    with mpmath.workdps(50):
        e, N = mpmath.mpf(eps), mpmath.mpf(n)
        c = (1 - e) ** N
        ref = (c * (mpmath.log(N) + (N - 1) * mpmath.log(1 - e) - (N - 1) / N)
               + (1 - c) * mpmath.log((1 - c) / e))
    assert float(best_of_n_kl_estimator(eps, n)) == pytest.approx(float(ref), rel=1e-12)


def test_estimator_is_exact_kl_of_continuum_plus_atom():
    # continuum of mass 1 - eps (L fine atoms) plus a top atom eps; the L-atom
    # discretisation gap is at most 2N(N-1) sum p^2 ~ 2N(N-1)(1-eps)^2 / L
    eps, n, L = 0.05, 4, 200_000
    p = np.append(np.full(L, (1 - eps) / L), eps)
    kl = best_of_n(p, np.arange(L + 1.0), n).kl
    assert 0 <= float(best_of_n_kl_estimator(eps, n)) - kl <= 2 * n * (n - 1) / L


def test_uniform_expected_estimator_identity():
    for L in (2, 10, 100):
        for n in (2, 10, 100):
            p = np.full(L, 1 / L)
            assert best_of_n_kl_estimate(p, np.arange(L), n) == pytest.approx(
                float(best_of_n_kl_estimator(1 / L, n)), abs=1e-12)


def test_bound_values():
    assert best_of_n_kl_bound(1) == 0.0
    assert best_of_n_kl_bound(4) == pytest.approx(math.log(4) - 0.75, abs=1e-15)
    assert best_of_n_kl_bound(log_n=1e5) == 1e5 - 1
    assert best_of_n_kl_bound(log_n=1e-10) == pytest.approx(1e-20 / 2, rel=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=0.5), "n must be a finite number >= 1"),
    (dict(n=-3), "n must be a finite number >= 1"),
    (dict(n=math.inf), "n must be a finite number >= 1"),
    (dict(n=2, log_n=1.0), "exactly one of n and log_n"),
    (dict(), "exactly one of n and log_n"),
    (dict(log_n=-1.0), "log_n must be >= 0"),
    (dict(log_n=math.inf), "log_n must be finite"),
    (dict(n=2, ties="random"), "ties must be"),
    (dict(n=2, ties=[0.0, 1.0, 1.0]), "ties: secondary keys must be distinct"),
    (dict(n=2, ties=[0.0, 1.0]), "ties must have the same length"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        best_of_n([0.5, 0.25, 0.25], [1.0, 0.0, 0.0], **kwargs)


def test_bad_reference_and_eps():
    with pytest.raises(ValueError, match="p must sum to 1"):
        best_of_n([0.5, 0.4], [0, 1], 2)
    with pytest.raises(ValueError, match="reward must have the same length"):
        best_of_n([0.5, 0.5], [0, 1, 2], 2)
    with pytest.raises(ValueError, match="eps must lie in"):
        best_of_n_kl_estimator(1.5, 2)
    with pytest.raises(ValueError, match="n must be a finite number >= 1"):
        best_of_n_kl_bound(0)
