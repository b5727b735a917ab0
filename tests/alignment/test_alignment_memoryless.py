"""Exact reward laws of a memoryless model (docs/theory/alignment.md, §5-6; checks C10-C13)."""

import itertools
import math

import mpmath
import numpy as np
import pytest

from fdivtheory.alignment import (
    MemorylessModel,
    RewardLaw,
    best_of_n,
    best_of_n_kl_bound,
    kl_constrained_optimum,
)

P3, R3 = np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, 2.0])
SQRT2 = math.sqrt(2.0)


def brute_force_law(p, r, n):
    """Law of the total reward by enumerating all sequences (reward -> probability)."""
    out = {}
    for seq in itertools.product(range(len(p)), repeat=n):
        key = round(sum(r[i] for i in seq), 9)
        out[key] = out.get(key, 0.0) + math.prod(p[i] for i in seq)
    keys = sorted(out)
    return np.array(keys), np.array([out[k] for k in keys])


def test_binomial_law_matches_mpmath():
    n, q = 60, 0.3
    law = MemorylessModel([1 - q, q], [0.0, 1.0], n).reference
    with mpmath.workdps(50):
        qm = mpmath.mpf(q)
        ref = [mpmath.log(mpmath.binomial(n, k)) + k * mpmath.log(qm)
               + (n - k) * mpmath.log(mpmath.mpf(1 - q)) for k in range(n + 1)]
    np.testing.assert_allclose(law.log_pmf, [float(x) for x in ref], rtol=1e-14)
    np.testing.assert_array_equal(law.support, np.arange(n + 1.0))


@pytest.mark.parametrize("p, r", [
    (P3, R3), (P3, [0.0, 1.0, SQRT2]), ([0.7, 0.3], [-1.0, 2.5]), ([0.2, 0.3, 0.5], [0, 1, 1]),
    ([0.1, 0.2, 0.3, 0.4], [0, 3, 5, 9]), ([0.25, 0.25, 0.5], [0, 2, 4])])
def test_laws_match_brute_force(p, r):
    n = 6
    model = MemorylessModel(p, r, n)
    vals, probs = brute_force_law(np.asarray(p, float), np.asarray(r, float), n)
    np.testing.assert_allclose(model.reference.support, vals, atol=1e-9)
    np.testing.assert_allclose(model.reference.pmf, probs, rtol=1e-12)


def test_methods_agree_convolution_types():
    conv = MemorylessModel(P3, R3, 30, method="convolution")
    types = MemorylessModel(P3, R3, 30, method="types")
    assert conv.law_method == "convolution" and types.law_method == "types"
    np.testing.assert_array_equal(conv.reference.support, types.reference.support)
    assert np.max(np.abs(conv.reference.pmf - types.reference.pmf)) < 1e-15
    # log space: the tails agree to relative accuracy, not just absolutely
    np.testing.assert_allclose(conv.reference.log_pmf, types.reference.log_pmf, rtol=1e-13)
    t1, t2 = conv.tilted(6.0), types.tilted(6.0)
    np.testing.assert_allclose(t1.log_pmf, t2.log_pmf, rtol=1e-12)


def test_auto_method_choice():
    assert MemorylessModel([0.7, 0.3], [0, 1], 10).law_method == "binomial"
    assert MemorylessModel(P3, R3, 10).law_method == "convolution"
    assert MemorylessModel(P3, [0, 1, SQRT2], 10).law_method == "types"
    assert MemorylessModel(P3, [0, 1, 1000], 50).law_method == "types"
    assert MemorylessModel([0.5, 0.5], [1, 1], 7).law_method == "point"


def test_deep_tail_no_underflow():
    # P(R_n = n) = q^n = e^{-120397} for n = 1e5 letters with q = 0.3
    n, q = 10**5, 0.3
    law = MemorylessModel([1 - q, q], [0.0, 1.0], n).reference
    assert float(law.log_tail(n)) == pytest.approx(n * math.log(q), rel=1e-14)
    assert float(law.log_tail(n - 1)) == pytest.approx(
        float(mpmath.log(mpmath.mpf(q) ** n + n * mpmath.mpf(q) ** (n - 1)
                         * (1 - mpmath.mpf(q)))), rel=1e-14)
    assert law.log_tail(0.0) == pytest.approx(0.0, abs=1e-14)
    assert law.log_tail(n + 1) == -np.inf and law.tail(n + 1) == 0.0


def test_tail_includes_atom_at_rounded_threshold():
    law = MemorylessModel([0.5, 0.5], [0.0, 0.1], 3).reference  # support 0, .1, .2, .3
    # 3 * 0.1 = 0.30000000000000004 in floats: the atom at 0.3 must count
    assert float(law.tail(3 * 0.1)) == pytest.approx(0.125, abs=1e-15)
    np.testing.assert_allclose(law.tail([0.0, 0.05, 0.1]), [1.0, 0.875, 0.875], atol=1e-15)


def test_c10_table():
    table = {10: -0.162492, 100: -0.089772, 1000: -0.073996, 10**4: -0.071418,
             10**5: -0.071057}
    for n, ref in table.items():
        law = MemorylessModel([0.7, 0.3], [0.0, 1.0], n).tilted(0.1 * n)
        assert float(law.log_tail(0.7 * n)) / n == pytest.approx(ref, abs=1e-6)


def mp_log_z_derivs(p, r, lam, kmax):
    with mpmath.workdps(50):
        def log_z(t):
            return mpmath.log(sum(mpmath.mpf(a) * mpmath.exp(t * b)
                                  for a, b in zip(p, r, strict=True)))
        return [float(mpmath.diff(log_z, mpmath.mpf(lam), k)) for k in range(1, kmax + 1)]


@pytest.mark.parametrize("n", [1, 7, 40])
def test_c11_cumulants_linear_in_n(n):
    model = MemorylessModel(P3, R3, n)
    lam = model.optimum(0.2 * n).lam
    derivs = mp_log_z_derivs(P3, R3, lam, 4)
    law = model.tilted(0.2 * n)
    for k in range(1, 5):
        assert law.cumulant(k) / n == pytest.approx(derivs[k - 1], abs=1e-11)
    ref_derivs = mp_log_z_derivs(P3, R3, 0.0, 3)
    for k in range(1, 4):
        assert model.reference.cumulant(k) / n == pytest.approx(ref_derivs[k - 1], abs=1e-11)


def test_tilted_law_kl_and_mean():
    n, delta = 50, 0.15
    model = MemorylessModel(P3, [0.0, 1.0, SQRT2], n)
    opt = kl_constrained_optimum(P3, [0.0, 1.0, SQRT2], delta)
    law = model.tilted(n * delta)
    assert law.expected_reward == pytest.approx(n * opt.expected_reward, rel=1e-13)
    # phi / p^n is a function of R_n, so the level KL is the sequence KL n * delta
    assert law.kl(model.reference) == pytest.approx(n * delta, rel=1e-12)
    sat = model.tilted(10 * n)
    assert sat.pmf[-1] == 1.0 and sat.expected_reward == pytest.approx(n * SQRT2, rel=1e-15)
    assert model.tilted(0.0) is model.reference


def test_best_of_n_law_matches_sequences():
    model = MemorylessModel(P3, R3, 4)
    seq_p, seq_r = model.sequences()
    for n_draws in (1, 3, 50):
        direct = best_of_n(seq_p, seq_r, n_draws)
        law = model.best_of_n(n_draws)
        np.testing.assert_allclose(law.pmf, direct.level_pmf, rtol=1e-12)
        assert law.kl(model.reference) == pytest.approx(direct.kl, abs=1e-14)


def test_c12_chain_reference_values():
    m = MemorylessModel([0.7, 0.3], [0.0, 1.0], 20)
    bon = m.best_of_n(8)
    kl = bon.kl(m.reference)
    assert bon.expected_reward == pytest.approx(8.97921583, abs=1e-8)
    assert m.tilted(kl).expected_reward == pytest.approx(9.26577875, abs=1e-8)
    assert m.tilted(math.log(8)).expected_reward == pytest.approx(10.37944871, abs=1e-8)
    assert kl <= best_of_n_kl_bound(8)
    m3 = MemorylessModel(P3, R3, 30)
    bon3 = m3.best_of_n(1000)
    kl3 = bon3.kl(m3.reference)
    assert bon3.expected_reward == pytest.approx(35.32813, abs=1e-5)
    assert m3.tilted(kl3).expected_reward == pytest.approx(36.17289, abs=1e-5)
    assert kl3 == pytest.approx(5.869983, abs=1e-6) and kl3 <= 5.908755


def test_c12_larger_instance_chain_and_identity():
    m = MemorylessModel(P3, R3, 100)
    bon = m.best_of_n(log_n=10.0)
    kl = bon.kl(m.reference)
    assert bon.expected_reward <= m.tilted(kl).expected_reward <= m.tilted(10.0).expected_reward
    assert kl <= best_of_n_kl_bound(log_n=10.0)
    eq = m.equivalence(0.1)
    assert abs(eq.identity_residual) < 1e-10


BERN_ROWS = [  # n: E/n (6 dp), lam*gap (4 dp), KL(pi||phi) (4 dp), KL(pi||p) - Delta
    (10, 0.412563, 0.9245, 0.2743, -0.650, 1e-3), (10**3, 0.511258, 3.0534, 1.9894, -1.064, 1e-3),
    (10**4, 0.514166, 4.1914, 3.1259, -1.0655, 1e-4),
    (10**5, 0.514570, 5.3402, 4.2742, -1.0660, 1e-4)]


@pytest.mark.parametrize("n, reward, scaled_gap, kl_phi, slack, slack_tol", BERN_ROWS)
def test_c13_bernoulli_rows(n, reward, scaled_gap, kl_phi, slack, slack_tol):
    eq = MemorylessModel([0.7, 0.3], [0.0, 1.0], n).equivalence(0.1)
    assert eq.bon_reward_per_token == pytest.approx(reward, abs=1e-6)
    assert eq.lam * eq.reward_gap == pytest.approx(scaled_gap, abs=1e-4)
    assert eq.kl_bon_tilted == pytest.approx(kl_phi, abs=1e-4)
    assert eq.kl_bon_reference - eq.budget == pytest.approx(slack, abs=slack_tol)
    # the identity adds and subtracts O(n) quantities (KL(pi||p) ~ n delta, lam E R_n),
    # each accurate to ~2e-13 relative (best-of-N level laws against 400-digit mpmath)
    assert abs(eq.identity_residual) < 1e-12 * (eq.kl_bon_reference + eq.lam * eq.bon_reward)


def test_c13_bernoulli_million_tokens():
    eq = MemorylessModel([0.7, 0.3], [0.0, 1.0], 10**6).equivalence(0.1)
    assert eq.lam * eq.reward_gap == pytest.approx(6.4911, abs=1e-4)
    assert eq.kl_bon_tilted == pytest.approx(5.4251, abs=1e-4)
    assert eq.kl_bon_reference - eq.budget == pytest.approx(-1.0660, abs=1e-4)
    assert eq.kl_bon_tilted / 10**6 == pytest.approx(5.4e-6, abs=1e-7)


@pytest.mark.parametrize("n, reward, kl_phi, slack, slack_tol", [
    (10, 0.731712, 0.2708, -0.633, 1e-3), (100, 0.825676, 0.9062, -1.0003, 1e-4),
    (1000, 0.846863, 1.9781, -1.0000, 1e-4)])
def test_c13_non_lattice_rows(n, reward, kl_phi, slack, slack_tol):
    model = MemorylessModel(P3, [0.0, 1.0, SQRT2], n)
    eq = model.equivalence(0.1)
    assert eq.lam == pytest.approx(0.7592394, abs=1e-7)
    assert eq.tilted_reward / n == pytest.approx(0.8507860, abs=1e-7)
    assert eq.bon_reward_per_token == pytest.approx(reward, abs=1e-6)
    assert eq.kl_bon_tilted == pytest.approx(kl_phi, abs=1e-4)
    assert eq.kl_bon_reference - eq.budget == pytest.approx(slack, abs=slack_tol)


def test_c13_trends_and_budget_convention():
    rows = [MemorylessModel([0.7, 0.3], [0.0, 1.0], n).equivalence(0.1)
            for n in (100, 1000, 10**4)]
    excess = [e.kl_bon_tilted - 0.5 * math.log(e.length) for e in rows]
    assert max(excess) - min(excess) < 0.1  # grows like log(n)/2: bounded excess
    assert rows[-1].kl_bon_tilted > rows[0].kl_bon_tilted  # does not converge to 0
    assert all(e.kl_bon_reference <= best_of_n_kl_bound(log_n=e.log_n) for e in rows)
    alt = MemorylessModel([0.7, 0.3], [0.0, 1.0], 10**4).equivalence(0.1, budget="bon_bound")
    assert alt.budget == pytest.approx(1000.0 - 1.0, rel=1e-15)
    # per-token limits do not depend on the convention
    assert abs(alt.tilted_reward - rows[-1].tilted_reward) / 10**4 < 1e-3


def test_reward_law_kl_with_different_supports():
    a = RewardLaw(np.array([0.0, 1.0]), np.log([0.5, 0.5]))
    b = RewardLaw(np.array([0.0, 1.0, 2.0]), np.log([0.25, 0.25, 0.5]))
    assert a.kl(b) == pytest.approx(math.log(2), abs=1e-15)
    assert b.kl(a) == math.inf


@pytest.mark.parametrize("kwargs, match", [
    (dict(p=[0.5, 0.5], reward=[0, 1], length=0), "length must be >= 1"),
    (dict(p=[0.5, 0.5], reward=[0, 1], length=2.5), "length must be an integer"),
    (dict(p=[0.5, 0.5], reward=[0, 1], length=3, method="fft"), "method must be one of"),
    (dict(p=[0.5, 0.6], reward=[0, 1], length=3), "p must sum to 1"),
    (dict(p=[0.5, 0.5], reward=[0, np.inf], length=3), "reward must be finite"),
])
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MemorylessModel(**kwargs)


def test_bad_method_requests():
    with pytest.raises(ValueError, match="method: 'binomial' needs two"):
        _ = MemorylessModel(P3, R3, 3, method="binomial").reference
    with pytest.raises(ValueError, match="method: 'convolution' needs integer"):
        _ = MemorylessModel(P3, [0, 0.5, 1], 3, method="convolution").reference
    with pytest.raises(ValueError, match="length: .* types exceed"):
        _ = MemorylessModel([0.2] * 5, [0, 1, SQRT2, math.pi, math.e], 200).reference
    with pytest.raises(ValueError, match="length: .* brute-force limit"):
        MemorylessModel(P3, R3, 20).sequences()
    with pytest.raises(ValueError, match="delta_total must be >= 0"):
        MemorylessModel(P3, R3, 3).tilted(-1.0)
    with pytest.raises(ValueError, match="budget must be"):
        MemorylessModel(P3, R3, 3).equivalence(0.1, budget="N")
    with pytest.raises(ValueError, match="k must be >= 1"):
        MemorylessModel(P3, R3, 3).reference.cumulant(0)


def test_reward_law_win_rate_matches_outcome_formula():
    model = MemorylessModel(P3, R3, 6)
    ref = model.reference
    for n_draws in (1, 3, 1000):
        law = model.best_of_n(n_draws)
        direct = best_of_n(ref.pmf, ref.support, n_draws)
        assert law.win_rate(ref) == pytest.approx(direct.win_rate, abs=1e-14)
    assert ref.win_rate(ref) == pytest.approx(0.5, abs=1e-15)


def test_log_loss_rate_for_astronomical_n():
    # one fair binary letter: pi_N = (2^-N, 1 - 2^-N), so 1 - W = 1/4 + 2^-N / 2
    model = MemorylessModel([0.5, 0.5], [0.0, 1.0], 1)
    law = model.best_of_n(log_n=1e5)
    assert law.log_loss_rate(model.reference) == pytest.approx(math.log(0.25), abs=1e-15)
    # long sequences: 1 - W is far below one ulp of 1 but exact in log space
    big = MemorylessModel([0.7, 0.3], [0.0, 1.0], 10**4)
    bon = big.best_of_n(log_n=500.0)
    ll = bon.log_loss_rate(big.reference)
    assert bon.win_rate(big.reference) == 1.0 - math.exp(ll) or ll < -37
    assert -500.0 - 1.0 < ll < -500.0 + 1.0  # 1 - W ~ 1/(N+1) near the continuum
