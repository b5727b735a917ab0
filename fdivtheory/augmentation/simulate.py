r"""Monte Carlo of the binary-GMM augmentation experiment (the authors' Figure 1).

Model (docs/theory/gda.md, §4): :math:`y` uniform on :math:`\{-1,+1\}`,
:math:`x \mid y \sim N(y\mu, \sigma^2 I_d)`, :math:`\mu = 1_d/\sqrt d`.  Per trial: a
balanced training set :math:`S` of :math:`m_S` points, one Gaussian generator
(class means, pooled unbiased diagonal variance plus :math:`10^{-9}`), and for
each :math:`\gamma` a generated set of :math:`m_G = \lfloor\gamma m_S\rfloor`
points with balanced labels; the learner is :math:`\hat\theta = \frac{1}{m_T}\sum y x`
over :math:`S \cup S_G`; the NLL loss is :math:`\lVert x - y\theta\rVert^2/(2\sigma^2)`
and the classifier :math:`\mathrm{sign}(\theta^\top x)` (a tie predicts +1).  The
training set and the test set are shared by all :math:`\gamma` of a trial, as in
the reference code.

Two samplers, equal in law for every reported quantity:

* ``method="full"`` draws every training, generated and test point, as the
  authors' script does (the test risks are taken from the drawn normals,
  docs/theory/gda.md, §4.3);
* ``method="sufficient"`` draws the training points (the 0-1 training error
  needs them) but only the sufficient statistics of the generated and test
  sets: generated class means :math:`N(\bar u_c, \hat v/g_c)` and within-class
  sums of squares :math:`\hat v_j\chi^2_{g_c-1}`; the test NLL from one
  :math:`\chi^2_{(n-1)d}` and one :math:`N(\mu, \sigma^2/n\, I)` mean; the 0-1
  errors of the generated points from the :math:`g_c` centred projections
  :math:`s(z_k - \bar z)`, :math:`s^2 = \sum_j \hat\theta_j^2 \hat v_j`; the test 0-1
  error as :math:`\mathrm{Binomial}(n, \Phi(-\hat\theta^\top\mu/(\sigma\lVert\hat\theta\rVert)))/n`.
  Each gap is exact in law for each :math:`\gamma`; the joint law of the NLL and
  0-1 gaps, and of the 0-1 test errors across :math:`\gamma`, is not the reference's.

The array work runs on NumPy, CuPy (``device="gpu"``) or any array-API
namespace passed as ``xp``; random numbers come from NumPy (CPU) or CuPy's
generator seeded from ``seed`` (GPU).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr

from fdivtheory import _backend
from fdivtheory._arguments import check_shape, choice, finite_array, positive, positive_int

from ._validation import as_gammas, class_sizes

__all__ = ["GMMSimulation", "simulate_gmm"]

METHODS = ("sufficient", "full")
DEVICES = ("cpu", "gpu")
#: Variance smoothing of the reference generator (added to every variance).
VAR_SMOOTHING = 1e-9
_CHUNK_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class GMMSimulation:
    r"""Monte Carlo estimates of the train-test gaps of the bGMM experiment.

    Gaps are signed as test minus train (:math:`R_D - \hat R_{\tilde S}`, the sign of
    :func:`~fdivtheory.augmentation.expected_gap`); "abs" is the absolute gap the
    authors plot.  Arrays have one entry per ``gamma`` (floats when ``gamma`` was
    a scalar).  ``se_*`` are standard errors over trials (sample sd / sqrt(trials)).

    Attributes
    ----------
    gamma, m_g : array or float
        Ratios and the generated-set sizes ``int(gamma * m_s)``.
    mean_abs_gap, se_abs_gap, mean_gap, se_gap : array or float
        NLL gap.
    mean_abs_gap_01, se_abs_gap_01, mean_gap_01, se_gap_01 : array or float or None
        0-1 gap (``None`` when ``zero_one=False``).
    q95_abs_gap : array or float
        95 % quantile of the absolute NLL gap over trials.
    d, m_s, trials, test_size, method, sigma :
        The inputs (``test_size`` None: the exact population risks were used).
    """

    gamma: Any
    m_g: Any
    mean_abs_gap: Any
    se_abs_gap: Any
    mean_gap: Any
    se_gap: Any
    mean_abs_gap_01: Any
    se_abs_gap_01: Any
    mean_gap_01: Any
    se_gap_01: Any
    q95_abs_gap: Any
    d: int
    m_s: int
    trials: int
    test_size: int | None
    method: str
    sigma: float


class _Draws:
    """Random variates as arrays of ``xp``: CuPy's generator on GPU, NumPy's elsewhere."""

    def __init__(self, rng: np.random.Generator, xp: Any, device: str) -> None:
        self.rng, self.xp = rng, xp
        self.gpu = None
        if device == "gpu":
            self.gpu = _backend.cupy_random_state(int(rng.integers(2**63 - 1)))

    def normal(self, shape: tuple[int, ...], dtype=np.float64) -> Any:
        if self.gpu is not None:
            return self.gpu.standard_normal(shape, dtype=dtype)
        return self.xp.asarray(self.rng.standard_normal(shape, dtype=dtype))

    def chi2(self, df: float, shape: tuple[int, ...]) -> Any:
        """Chi-square(df) variates; ``df = 0`` gives zeros."""
        if df <= 0:
            return self.xp.zeros(shape, dtype=self.xp.float64)
        if self.gpu is not None:
            return self.gpu.chisquare(df, shape)
        return self.xp.asarray(2.0 * self.rng.standard_gamma(df / 2.0, shape))


def simulate_gmm(d: int, m_s: int, gamma, trials: int, *, sigma: float = 0.6,
                 test_size: int | None = 10_000, seed: int | np.random.Generator = 0,
                 method: str = "sufficient", device: str = "cpu", zero_one: bool = True,
                 mu=None, xp: Any = None) -> GMMSimulation:
    r"""Simulate the train-test gaps of GDA on the binary Gaussian mixture.

    Estimates :math:`\mathbb E|R_{test}(\hat\theta) - \hat R_{\tilde S}(\hat\theta)|` (the
    quantity of the authors' Figure 1) and the signed gap, for the NLL and the
    0-1 loss; the procedure is described in the module docstring and in
    docs/theory/gda.md, §4.  The signed NLL gap has the exact mean
    :math:`d(m_S + 2m_G)/m_T^2` (:func:`~fdivtheory.augmentation.expected_gap`).

    Parameters
    ----------
    d : int
        Dimension, :math:`\ge 1`.
    m_s : int
        Training points, :math:`\ge 4` (two per class for the unbiased variance).
    gamma : float or sequence of float
        Ratios :math:`m_G/m_S \ge 0`; all share each trial's training and test sets.
    trials : int
        Independent trials, :math:`\ge 2`.
    sigma : float
        Noise level :math:`> 0`.
    test_size : int or None
        Test points per trial (10,000 in the reference code); ``None`` uses the
        exact population risks :math:`d/2 + \lVert\theta-\mu\rVert^2/(2\sigma^2)` and
        :math:`\Phi(-\theta^\top\mu/(\sigma\lVert\theta\rVert))` instead.
    seed : int or numpy.random.Generator
        Seed of the NumPy generator (GPU: seeds CuPy's generator).
    method : {"sufficient", "full"}
        Sampler (see the module docstring); equal in law.
    device : {"cpu", "gpu"}
        ``"gpu"`` runs the array work and the draws on CuPy.
    zero_one : bool
        Also estimate the 0-1 gap (its cost grows with :math:`m_G`; the NLL gap's
        does not with ``method="sufficient"``).
    mu : array_like, optional
        Class mean :math:`\mu` (length ``d``); default :math:`1_d/\sqrt d`.
    xp : namespace, optional
        Array namespace for the array work (e.g. ``array_api_strict``); default
        NumPy, or CuPy for ``device="gpu"``.

    Returns
    -------
    GMMSimulation

    Examples
    --------
    >>> r = simulate_gmm(50, 10, 0.0, 2000, seed=1)
    >>> abs(r.mean_gap - 5.0) < 4 * r.se_gap      # E[gap] = d / m_S without augmentation
    True
    """
    d = positive_int(d, "d", minimum=1, allow_integral_float=True)
    m_s = positive_int(m_s, "m_s", minimum=4, allow_integral_float=True)
    gammas, scalar = as_gammas(gamma)
    trials = positive_int(trials, "trials", minimum=2, allow_integral_float=True)
    sigma = positive(sigma, "sigma")
    if test_size is not None:
        test_size = positive_int(test_size, "test_size", minimum=1, allow_integral_float=True)
    method = choice(method, "method", METHODS)
    device = choice(device, "device", DEVICES)
    if not isinstance(zero_one, bool):
        raise TypeError(f"zero_one must be a bool, got {type(zero_one).__name__}")
    if mu is None:
        mu_np = np.full(d, 1.0 / math.sqrt(d))
    else:
        mu_np = check_shape(finite_array(mu, "mu"), "mu", (d,), reason="one entry per dimension")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(
        positive_int(seed, "seed", minimum=0, allow_integral_float=True))
    xp = _backend.device_namespace(device if xp is None else xp)
    draws = _Draws(rng, xp, device)
    m_g = np.array([int(g * m_s) for g in gammas])
    per_trial = max(m_s * d, (test_size or 1) * d if method == "full" else 1,
                    int(m_g.max()) * (d if method == "full" else 1))
    chunk = max(1, _CHUNK_ELEMENTS // per_trial)
    kernel = _full if method == "full" else _sufficient
    parts = []
    for start in range(0, trials, chunk):
        b = min(chunk, trials - start)
        parts.append(kernel(xp, draws, rng, b, d, m_s, m_g, sigma, test_size, zero_one, mu_np))
    gaps = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return _summary(gaps, gammas, m_g, scalar, d, m_s, trials, test_size, method, sigma)


def _summary(gaps: dict[str, np.ndarray], gammas: np.ndarray, m_g: np.ndarray, scalar: bool,
             d: int, m_s: int, trials: int, test_size: int | None, method: str,
             sigma: float) -> GMMSimulation:
    def stats(x: np.ndarray | None):
        if x is None:
            return None, None, None, None
        a = np.abs(x)
        out = (a.mean(axis=0), a.std(axis=0, ddof=1) / math.sqrt(trials),
               x.mean(axis=0), x.std(axis=0, ddof=1) / math.sqrt(trials))
        return tuple(float(o[0]) if scalar else o for o in out)

    nll = stats(gaps["nll"])
    zo = stats(gaps.get("zero_one"))
    g = float(gammas[0]) if scalar else gammas
    mg = int(m_g[0]) if scalar else m_g
    q95 = np.quantile(np.abs(gaps["nll"]), 0.95, axis=0)
    return GMMSimulation(g, mg, *nll, *zo, float(q95[0]) if scalar else q95, d, m_s, trials,
                         test_size, method, sigma)


def _split_stats(xp: Any, u: Any, n_minus: int):
    """Class means, within-class sums of squares and the pooled variance of u (b, m, d)."""
    m = u.shape[1]
    n_plus = m - n_minus
    out = []
    for part in (u[:, :n_minus, :], u[:, n_minus:, :]):
        mean = xp.mean(part, axis=1)
        ss = xp.sum((part - mean[:, None, :]) ** 2, axis=1)
        out.append((mean, ss))
    (mean_m, ss_m), (mean_p, ss_p) = out
    var = (n_minus / m) * ss_m / (n_minus - 1) + (n_plus / m) * ss_p / (n_plus - 1) + VAR_SMOOTHING
    return mean_m, ss_m, mean_p, ss_p, var


def _zero_one_train(xp: Any, proj: Any, n_minus: int) -> Any:
    """Misclassified count of projections theta^T u, class -1 first (a tie predicts +1)."""
    wrong_m = xp.sum(xp.astype(proj[:, :n_minus] <= 0, xp.float64), axis=1)
    wrong_p = xp.sum(xp.astype(proj[:, n_minus:] < 0, xp.float64), axis=1)
    return wrong_m + wrong_p


def _test_zero_one(rng: np.random.Generator, theta: np.ndarray, mu: np.ndarray, sigma: float,
                   test_size: int | None) -> np.ndarray:
    norm = np.sqrt(np.sum(theta * theta, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = ndtr(-(theta @ mu) / (sigma * norm))
    p = np.where(norm > 0, p, 0.5)
    if test_size is None:
        return p
    return rng.binomial(test_size, p) / test_size


def _sufficient(xp, draws: _Draws, rng, b, d, m_s, m_g, sigma, test_size, zero_one, mu_np):
    n_minus, _ = class_sizes(m_s)
    mu = xp.asarray(mu_np, dtype=xp.float64)
    u = mu + sigma * draws.normal((b, m_s, d))
    mean_m, ss_m, mean_p, ss_p, var = _split_stats(xp, u, n_minus)
    sum_s = n_minus * mean_m + (m_s - n_minus) * mean_p
    ss_s = xp.sum(ss_m + ss_p, axis=1)
    if test_size is not None:
        test_ss = sigma**2 * draws.chi2((test_size - 1) * d, (b,))
        test_mean = mu + (sigma / math.sqrt(test_size)) * draws.normal((b, d))
    two_s2 = 2.0 * sigma**2
    nll, zo = [], []
    for mg in m_g:
        m_t = m_s + int(mg)
        g_minus, g_plus = class_sizes(int(mg))
        gen = []
        for g, mean in ((g_minus, mean_m), (g_plus, mean_p)):
            if g == 0:
                continue
            w = mean + xp.sqrt(var / g) * draws.normal((b, d))
            ss = var * draws.chi2(g - 1, (b, d))
            gen.append((g, w, ss))
        theta = (sum_s + sum(g * w for g, w, _ in gen)) / m_t
        train = ss_s + (m_s - n_minus) * xp.sum((mean_p - theta) ** 2, axis=1) \
            + n_minus * xp.sum((mean_m - theta) ** 2, axis=1)
        for g, w, ss in gen:
            train = train + xp.sum(ss, axis=1) + g * xp.sum((w - theta) ** 2, axis=1)
        train = train / (two_s2 * m_t)
        if test_size is None:
            test = d / 2.0 + xp.sum((theta - mu) ** 2, axis=1) / two_s2
        else:
            test = (test_ss + test_size * xp.sum((test_mean - theta) ** 2, axis=1)) / (
                two_s2 * test_size)
        nll.append(_backend.to_numpy(test - train))
        if zero_one:
            wrong = _zero_one_train(xp, xp.sum(u * theta[:, None, :], axis=2), n_minus)
            s = xp.sqrt(xp.sum(theta * theta * var, axis=1))
            for cls, (g, w, _) in zip(_classes(g_minus, g_plus), gen, strict=True):
                # theta^T u_k = theta^T w + s (z_k - z_bar) < 0  <=>  z_k < z_bar - theta^T w / s
                z = draws.normal((b, g), dtype=np.float32)
                z_bar = xp.mean(xp.astype(z, xp.float64), axis=1)
                a = xp.sum(w * theta, axis=1)
                safe = xp.where(s > 0, s, xp.ones_like(s))
                # s = 0 only if theta = 0 (probability 0); any threshold will do
                thr = xp.where(s > 0, z_bar - a / safe, xp.zeros_like(a))
                thr = xp.astype(thr, xp.float32)[:, None]
                bad = z <= thr if cls < 0 else z < thr
                wrong = wrong + xp.sum(xp.astype(bad, xp.float64), axis=1)
            test01 = _test_zero_one(rng, _backend.to_numpy(theta), mu_np, sigma, test_size)
            zo.append(test01 - _backend.to_numpy(wrong) / m_t)
    out = {"nll": np.stack(nll, axis=1)}
    if zero_one:
        out["zero_one"] = np.stack(zo, axis=1)
    return out


def _classes(g_minus: int, g_plus: int) -> list[int]:
    return [c for c, g in ((-1, g_minus), (1, g_plus)) if g > 0]


def _full(xp, draws: _Draws, rng, b, d, m_s, m_g, sigma, test_size, zero_one, mu_np):
    """Every point drawn; labels balanced (class -1 first), x = y mu + sigma e.

    Losses use ``u = y x``: ``||x - y theta||^2 = ||u - theta||^2`` and
    ``y theta^T x = theta^T u``.  Sums over a data set are taken through its sums of
    ``u`` and of ``||u||^2``, which is
    the same arithmetic as averaging the per-point losses.
    """
    n_minus, _ = class_sizes(m_s)
    mu = xp.asarray(mu_np, dtype=xp.float64)
    y_s = xp.asarray(np.repeat([-1.0, 1.0], [n_minus, m_s - n_minus]))
    x = y_s[None, :, None] * mu + sigma * draws.normal((b, m_s, d))
    # generator fit on x (per-class means, pooled ddof-1 variance), as GaussianNB does
    mean_m, _, mean_p, _, var = _split_stats(xp, x, n_minus)
    yx_s = y_s[None, :, None] * x
    two_s2 = 2.0 * sigma**2
    thetas, trains, train01 = [], [], []
    for mg in m_g:
        g_minus, g_plus = class_sizes(int(mg))
        yx, labels = yx_s, y_s
        if mg:
            y_g = xp.asarray(np.repeat([-1.0, 1.0], [g_minus, g_plus]))
            centre = xp.where(y_g[None, :, None] < 0, mean_m[:, None, :], mean_p[:, None, :])
            x_g = centre + xp.sqrt(var)[:, None, :] * draws.normal((b, int(mg), d))
            yx = xp.concat([yx_s, y_g[None, :, None] * x_g], axis=1)
            labels = xp.concat([y_s, y_g])
        theta = xp.mean(yx, axis=1)
        thetas.append(theta)
        trains.append(xp.mean(xp.sum((yx - theta[:, None, :]) ** 2, axis=2), axis=1) / two_s2)
        if zero_one:
            proj = xp.sum(yx * theta[:, None, :], axis=2)
            # a tie predicts +1, which is wrong exactly for y = -1
            bad = xp.where(labels[None, :] < 0, proj <= 0, proj < 0)
            train01.append(xp.mean(xp.astype(bad, xp.float64), axis=1))
    theta_all = xp.stack(thetas, axis=2)                       # (b, d, G)
    if test_size is None:
        diff = theta_all - mu[None, :, None]
        test = d / 2.0 + xp.sum(diff * diff, axis=1) / two_s2  # (b, G)
        test01 = _test_zero_one_all(rng, _backend.to_numpy(theta_all), mu_np, sigma) if zero_one \
            else None
    else:
        t_minus, _ = class_sizes(test_size)
        # y x = y (y mu + sigma e) = mu + sigma (y e), and y e has the law of e.  The test
        # risks need sum ||u||^2, sum u and each u^T theta; all are taken from the normals e
        # directly (one pass each over the largest array of the simulation).
        e = draws.normal((b, test_size, d))
        e_sum = xp.sum(e, axis=1)                              # (b, d)
        e_sq = xp.sum(e * e, axis=(1, 2))                      # (b,)
        tot = test_size * mu + sigma * e_sum                   # sum of u over the test set
        sq = (test_size * xp.sum(mu * mu) + 2.0 * sigma * xp.sum(e_sum * mu, axis=1)
              + sigma**2 * e_sq)                               # sum of ||u||^2
        cross = xp.sum(tot[:, :, None] * theta_all, axis=1)    # (b, G)
        norm2 = xp.sum(theta_all * theta_all, axis=1)
        test = (sq[:, None] - 2.0 * cross + test_size * norm2) / (two_s2 * test_size)
        if zero_one:
            # u^T theta = mu^T theta + sigma e^T theta < 0  <=>  e^T theta < -mu^T theta / sigma;
            # a tie predicts +1, wrong for the t_minus points of class -1 (listed first)
            thr = -xp.sum(mu[None, :, None] * theta_all, axis=1)[:, None, :] / sigma
            pe = xp.matmul(e, theta_all)                       # (b, n, G)
            # (counted as int8 sums, which the array API accumulates in the default integer)
            wrong = (xp.sum(xp.astype(pe[:, :t_minus, :] <= thr, xp.int8), axis=1)
                     + xp.sum(xp.astype(pe[:, t_minus:, :] < thr, xp.int8), axis=1))
            test01 = _backend.to_numpy(xp.astype(wrong, xp.float64)) / test_size
    out = {"nll": _backend.to_numpy(test) - np.stack([_backend.to_numpy(t) for t in trains], axis=1)}
    if zero_one:
        out["zero_one"] = test01 - np.stack([_backend.to_numpy(t) for t in train01], axis=1)
    return out


def _test_zero_one_all(rng, theta_all: np.ndarray, mu: np.ndarray, sigma: float) -> np.ndarray:
    return np.stack([_test_zero_one(rng, theta_all[:, :, j], mu, sigma, None)
                     for j in range(theta_all.shape[2])], axis=1)
