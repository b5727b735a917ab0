"""Monte Carlo best-of-N against the exact law (seeded; within 4 standard errors)."""

import math

import numpy as np
import pytest
from scipy.stats import chi2

from fdivtheory.alignment import MemorylessModel, best_of_n, sample_best_of_n

P6 = np.array([0.05, 0.25, 0.1, 0.0, 0.35, 0.25])
R6 = np.array([3.0, 1.0, 3.0, 9.0, -2.0, 1.0])


def test_mean_and_frequencies_within_4se():
    rng = np.random.default_rng(11)
    n, size = 6, 200_000
    idx = sample_best_of_n(P6, R6, n, size, rng)
    exact = best_of_n(P6, R6, n)
    rewards = R6[idx]
    se = rewards.std(ddof=1) / math.sqrt(size)
    assert abs(rewards.mean() - exact.expected_reward) <= 4 * se
    counts = np.bincount(idx, minlength=P6.size)
    assert counts[3] == 0  # zero-mass outcome never drawn
    freq_se = np.sqrt(exact.pmf * (1 - exact.pmf) / size)
    assert np.all(np.abs(counts / size - exact.pmf) <= 4 * freq_se + 1e-12)
    pos = exact.pmf > 0
    stat = np.sum((counts[pos] - size * exact.pmf[pos]) ** 2 / (size * exact.pmf[pos]))
    assert chi2.sf(stat, pos.sum() - 1) > 1e-4


def test_c1_monte_carlo():
    rng = np.random.default_rng(20240401)
    law = MemorylessModel([0.7, 0.3], [0.0, 1.0], 20).best_of_n(8)
    idx = sample_best_of_n(law.pmf * 0 + MemorylessModel([0.7, 0.3], [0, 1], 20).reference.pmf,
                           law.support, 8, 200_000, rng)
    rewards = law.support[idx]
    se = rewards.std(ddof=1) / math.sqrt(rewards.size)
    assert abs(rewards.mean() - 8.97921583067025) <= 4 * se


def test_win_rate_monte_carlo():
    rng = np.random.default_rng(5)
    p, r, n, size = np.array([0.1, 0.2, 0.3, 0.4]), np.arange(4.0), 3, 100_000
    y = sample_best_of_n(p, r, n, size, rng)
    z = rng.choice(4, size=size, p=p)
    wins = np.where(r[y] > r[z], 1.0, np.where(r[y] == r[z], 0.5, 0.0))
    se = wins.std(ddof=1) / math.sqrt(size)
    assert abs(wins.mean() - best_of_n(p, r, n).win_rate) <= 4 * se


def test_chunking_and_reproducibility():
    a = sample_best_of_n(P6, R6, 3_000_000, 3, np.random.default_rng(1))
    b = sample_best_of_n(P6, R6, 3_000_000, 3, np.random.default_rng(1))
    assert a.shape == (3,) and np.array_equal(a, b)
    # with N = 3e6 draws the top reward (mass 0.15) is always found
    assert set(a.tolist()) <= {0, 2}


def test_array_api_strict_namespace():
    xp = pytest.importorskip("array_api_strict")
    out = sample_best_of_n(xp.asarray(P6), xp.asarray(R6), 4, 1000, np.random.default_rng(0))
    assert type(out).__module__.startswith("array_api_strict") and out.shape == (1000,)


@pytest.mark.gpu
def test_cupy_matches_numpy_law():
    cp = pytest.importorskip("cupy")
    rng = np.random.default_rng(3)
    idx = sample_best_of_n(cp.asarray(P6), cp.asarray(R6), 6, 200_000, rng)
    assert isinstance(idx, cp.ndarray)
    rewards = cp.asnumpy(cp.asarray(R6)[idx])
    se = rewards.std(ddof=1) / math.sqrt(rewards.size)
    assert abs(rewards.mean() - best_of_n(P6, R6, 6).expected_reward) <= 4 * se


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_draws=0, size=10), "n_draws must be >= 1"),
    (dict(n_draws=2, size=0), "size must be >= 1"),
    (dict(n_draws=2.5, size=10), "n_draws must be an integer"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample_best_of_n(P6, R6, rng=np.random.default_rng(0), **kwargs)
    with pytest.raises(ValueError, match="p must sum to 1"):
        sample_best_of_n([0.5, 0.6], [0, 1], 2, 10, np.random.default_rng(0))
