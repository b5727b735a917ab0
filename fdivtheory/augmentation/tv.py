r"""Total variation between the true bGMM law and the learned generator.

:math:`D`: :math:`y` uniform on :math:`\{\pm1\}`, :math:`x \mid y \sim N(y\mu, \sigma^2 I_d)`;
:math:`D_G(S)`: :math:`y` uniform, :math:`x \mid y \sim N(\hat\mu_y, \mathrm{diag}(\hat v))`
fitted on a balanced training set (class means, pooled unbiased variance).
Both label marginals are uniform, so

.. math::

   d_{TV}(D, D_G(S)) = \tfrac12 \sum_{y=\pm1} d_{TV}\bigl(N(y\mu,\sigma^2 I),
   N(\hat\mu_y, \mathrm{diag}\,\hat v)\bigr).

In one dimension each term is exact (:func:`fdivtheory.closed_form.tv`, crossing
points of the densities).  Above one dimension no closed form exists for
unequal covariances; each term is estimated by importance sampling from the
true class law, :math:`d_{TV}(P, Q) = \mathbb E_P[(1 - q/p)_+]`
(docs/theory/gda.md, §6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fdivtheory import closed_form
from fdivtheory._arguments import positive, positive_int

from ._validation import class_sizes

__all__ = ["GeneratorTV", "generator_tv", "tv_gaussian_diagonal_mc"]


@dataclass(frozen=True)
class GeneratorTV:
    r"""Mean and standard error of :math:`d_{TV}(D, D_G(S))` over training sets.

    Attributes
    ----------
    mean, se : float
        Average over trials and its standard error (sample sd / sqrt(trials);
        above 1-D it includes the importance-sampling noise of each trial).
    values : numpy.ndarray
        The per-trial values (exact in 1-D, estimates above).
    exact : bool
        Whether each per-trial value is exact (``d == 1``).
    d, m_s, trials : int
    """

    mean: float
    se: float
    values: np.ndarray
    exact: bool
    d: int
    m_s: int
    trials: int


def tv_gaussian_diagonal_mc(mean_p: np.ndarray, var_p: float, mean_q: np.ndarray,
                            var_q: np.ndarray, samples: int, rng: np.random.Generator
                            ) -> tuple[np.ndarray, np.ndarray]:
    r"""Importance-sampling estimate of :math:`d_{TV}(N(a, s^2 I), N(b, \mathrm{diag}\,v))`.

    Batched over the leading axis of ``mean_q``/``var_q`` (shape ``(k, d)``):
    :math:`\widehat{TV} = \frac1n\sum_i (1 - e^{\log q(X_i) - \log p(X_i)})_+`,
    :math:`X_i \sim N(a, s^2 I)`, unbiased with the returned standard error.
    (A private stand-in: the core's :func:`fdivtheory.closed_form.tv` has no
    multivariate unequal-covariance case.)

    Returns
    -------
    (estimate, standard_error) : arrays of shape ``(k,)``

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> est, se = tv_gaussian_diagonal_mc(np.zeros(3), 0.25, np.array([[0.3, 0.4, 0.0]]),
    ...                                   np.full((1, 3), 0.25), 200_000, rng)
    >>> from scipy.stats import norm
    >>> bool(abs(est[0] - (2 * norm.cdf(0.5) - 1)) < 4 * se[0])
    True
    """
    mean_q = np.atleast_2d(mean_q)
    var_q = np.atleast_2d(var_q)
    k, d = mean_q.shape
    x = mean_p + math.sqrt(var_p) * rng.standard_normal((k, samples, d))
    log_p = -0.5 * np.sum((x - mean_p) ** 2, axis=2) / var_p - 0.5 * d * math.log(var_p)
    log_q = (-0.5 * np.sum((x - mean_q[:, None, :]) ** 2 / var_q[:, None, :], axis=2)
             - 0.5 * np.sum(np.log(var_q), axis=1)[:, None])
    w = np.clip(-np.expm1(log_q - log_p), 0.0, None)
    return w.mean(axis=1), w.std(axis=1, ddof=1) / math.sqrt(samples)


def generator_tv(d: int, m_s: int, trials: int, *, sigma: float = 0.6, seed: int = 0,
                 samples: int = 2000) -> GeneratorTV:
    r"""Average :math:`d_{TV}(D, D_G(S))` of the bGMM generator over training sets.

    The generator is the reference code's (class means, pooled unbiased
    diagonal variance plus :math:`10^{-9}`), fitted on a balanced training set of
    ``m_s`` points (``m_s // 2`` per class, the odd one to class -1);
    :math:`\mu = 1_d/\sqrt d`.  Exact per draw in 1-D (through
    :func:`fdivtheory.closed_form.tv`); above 1-D importance sampling with
    ``samples`` points per class and draw (docs/theory/gda.md, §6).

    Parameters
    ----------
    d : int
        Dimension, :math:`\ge 1`.
    m_s : int
        Training points, :math:`\ge 4`.
    trials : int
        Training sets, :math:`\ge 2`.
    sigma : float
        Noise level, :math:`> 0`.
    seed : int
        Seed of the NumPy generator.
    samples : int
        Importance samples per class and training set (``d > 1`` only), :math:`\ge 2`.

    Returns
    -------
    GeneratorTV

    Examples
    --------
    >>> r = generator_tv(1, 40, 400, seed=0)
    >>> r.exact, bool(abs(r.mean - 0.0902) < 4 * r.se)
    (True, True)
    """
    d = positive_int(d, "d", minimum=1, allow_integral_float=True)
    m_s = positive_int(m_s, "m_s", minimum=4, allow_integral_float=True)
    trials = positive_int(trials, "trials", minimum=2, allow_integral_float=True)
    sigma = positive(sigma, "sigma")
    samples = positive_int(samples, "samples", minimum=2, allow_integral_float=True)
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0, allow_integral_float=True))
    mu = np.full(d, 1.0 / math.sqrt(d))
    n_minus, n_plus = class_sizes(m_s)
    # u = y x: both classes are N(mu, sigma^2 I) in u, and TV is invariant under x -> -x
    u = mu + sigma * rng.standard_normal((trials, m_s, d))
    parts = (u[:, :n_minus], u[:, n_minus:])
    means = [p.mean(axis=1) for p in parts]
    var = sum((p.shape[1] / m_s) * p.var(axis=1, ddof=1) for p in parts) + 1e-9
    values = np.empty(trials)
    if d == 1:
        P = closed_form.Gaussian(float(mu[0]), sigma**2)
        for t in range(trials):
            values[t] = 0.5 * sum(closed_form.tv(P, closed_form.Gaussian(float(m[t, 0]),
                                                                          float(var[t, 0])))
                                  for m in means)
    else:
        est = [tv_gaussian_diagonal_mc(mu, sigma**2, m, var, samples, rng)[0] for m in means]
        values[:] = 0.5 * (est[0] + est[1])
    return GeneratorTV(float(values.mean()), float(values.std(ddof=1) / math.sqrt(trials)),
                       values, d == 1, d, m_s, trials)
