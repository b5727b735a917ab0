"""Generator TV and the expected test error, against closed forms and Monte Carlo."""

import math

import numpy as np
import pytest
from scipy.special import ndtr

from fdivtheory import closed_form
from fdivtheory.augmentation import expected_test_error, generator_tv, tv_gaussian_diagonal_mc


def test_importance_sampling_matches_closed_form_1d():
    rng = np.random.default_rng(0)
    mean_q = np.array([[0.3], [-0.5], [1.2]])
    var_q = np.array([[0.2], [0.5], [0.36]])
    est, se = tv_gaussian_diagonal_mc(np.array([0.1]), 0.36, mean_q, var_q, 100_000, rng)
    for k in range(3):
        exact = closed_form.tv(closed_form.Gaussian(0.1, 0.36),
                               closed_form.Gaussian(float(mean_q[k, 0]), float(var_q[k, 0])))
        assert abs(est[k] - exact) <= 4 * se[k]


def test_importance_sampling_equal_covariance_3d():
    rng = np.random.default_rng(1)
    est, se = tv_gaussian_diagonal_mc(np.zeros(3), 0.25, np.array([[0.3, 0.4, 0.0]]),
                                      np.full((1, 3), 0.25), 200_000, rng)
    assert abs(est[0] - (2 * ndtr(0.5) - 1)) <= 4 * se[0]


@pytest.mark.parametrize("m, ref, unit", [(10, 0.1887, 1e-4), (40, 0.0902, 1e-4),
                                          (100, 0.05659, 1e-5)])
def test_generator_tv_1d_reference(m, ref, unit):
    # reference values: an independent high-precision run (docs/theory/gda.md, §8), printed
    # to `unit`; tolerance 4 SE plus half a unit of rounding
    r = generator_tv(1, m, 3000, seed=2)
    assert r.exact and abs(r.mean - ref) <= 4 * r.se + unit / 2


def test_generator_tv_decreases_like_inverse_sqrt_m():
    a, b = generator_tv(1, 100, 1500, seed=3), generator_tv(1, 1600, 1500, seed=4)
    ratio = a.mean / b.mean                 # sqrt(1600 / 100) = 4
    se = ratio * math.hypot(a.se / a.mean, b.se / b.mean)
    # sqrt(m) E TV is 0.5659 at m = 100 and about 0.565 beyond: the ratio is 4 within 0.3 %
    assert abs(ratio - 4.0) <= 4 * se + 0.012


def test_generator_tv_saturates_in_high_dimension():
    low, high = generator_tv(2, 10, 200, seed=5, samples=500), generator_tv(
        20, 10, 50, seed=6, samples=500)
    assert not low.exact and low.mean < high.mean < 1.0


def test_expected_test_error_monte_carlo():
    rng = np.random.default_rng(7)
    for d, m in [(2, 10), (10, 20), (50, 10)]:
        mu = np.full(d, 1 / math.sqrt(d))
        th = mu + 0.6 / math.sqrt(m) * rng.standard_normal((200_000, d))
        v = ndtr(-(th @ mu) / (0.6 * np.linalg.norm(th, axis=1)))
        assert abs(expected_test_error(d, m) - v.mean()) <= 4 * v.std() / math.sqrt(v.size)


def test_expected_test_error_limits():
    bayes = float(ndtr(-1 / 0.6))
    errs = [expected_test_error(10, m) for m in (10, 100, 1000)]
    assert bayes < errs[2] < errs[1] < errs[0]
    assert expected_test_error(1, 10**4) == pytest.approx(bayes, abs=1e-12)
    assert expected_test_error(3, 10, mu_norm=0.0) == 0.5


@pytest.mark.parametrize("call, match", [
    (lambda: generator_tv(0, 10, 10), "d"), (lambda: generator_tv(1, 3, 10), "m_s"),
    (lambda: generator_tv(1, 10, 1), "trials"), (lambda: generator_tv(1, 10, 5, sigma=-1), "sigma"),
    (lambda: expected_test_error(0, 10), "d"), (lambda: expected_test_error(1, 1), "m_s"),
    (lambda: expected_test_error(1, 10, sigma=math.inf), "sigma"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
