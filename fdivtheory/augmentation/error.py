r"""Expected 0-1 test error of the bGMM classifier learned without augmentation.

With :math:`\hat\theta = \frac1m\sum_i y_i x_i \sim N(\mu, \frac{\sigma^2}{m} I_d)` the
test error of :math:`\mathrm{sign}(\hat\theta^\top x)` is
:math:`\Phi(-\hat\theta^\top\mu / (\sigma\lVert\hat\theta\rVert))`.  Writing
:math:`\hat\theta = \mu + \frac{\sigma}{\sqrt m}(Z e + W)`, :math:`e = \mu/\lVert\mu\rVert`,
:math:`W \perp e`, :math:`R = \lVert W\rVert^2 \sim \chi^2_{d-1}`,
:math:`a = \lVert\mu\rVert + \sigma Z/\sqrt m`:

.. math::

   \mathbb E\,\mathrm{err} = \mathbb E\,\Phi\Bigl(-\frac{\lVert\mu\rVert\, a}
   {\sigma\sqrt{a^2 + \sigma^2 R/m}}\Bigr),

a two-dimensional integral over :math:`(Z, \sqrt R)` computed by adaptive quadrature
(docs/theory/gda.md, §7).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, stats

from fdivtheory._arguments import nonnegative, positive, positive_int

__all__ = ["expected_test_error"]


def expected_test_error(d: int, m_s: int, *, sigma: float = 0.6, mu_norm: float = 1.0) -> float:
    r"""Expected 0-1 test error of the mean-difference classifier, by quadrature.

    :math:`\mathbb E_S\,\Phi(-\hat\theta^\top\mu/(\sigma\lVert\hat\theta\rVert))` with
    :math:`\hat\theta \sim N(\mu, \sigma^2/m_S\, I_d)`, the learner of the authors'
    simulation without augmentation (the balance of the training set does not
    matter: every :math:`y_i x_i \sim N(\mu, \sigma^2 I)`).  The Bayes error is
    :math:`\Phi(-\lVert\mu\rVert/\sigma)`; the expected error is above it and
    decreases to it as :math:`m_S \to \infty`.

    Parameters
    ----------
    d : int
        Dimension of :math:`x`, at least 1; only the :math:`d - 1` directions
        orthogonal to :math:`\mu` enter, through :math:`\chi_{d-1}`.
    m_s : int
        Number of real training points the classifier averages, at least 2.
    sigma : float
        Per-coordinate noise standard deviation of both classes, positive.
    mu_norm : float
        :math:`\lVert\mu\rVert \ge 0` (1 in the authors' runs).

    Returns
    -------
    float

    Examples
    --------
    >>> from scipy.stats import norm
    >>> bayes = norm.cdf(-1 / 0.6)
    >>> e = expected_test_error(1, 10)
    >>> bool(bayes < e < bayes + 0.01)
    True
    """
    d = positive_int(d, "d", minimum=1, allow_integral_float=True)
    m = positive_int(m_s, "m_s", minimum=2, allow_integral_float=True)
    sigma = positive(sigma, "sigma")
    r = nonnegative(mu_norm, "mu_norm")
    if r == 0.0:
        return 0.5
    s = sigma / math.sqrt(m)
    z0 = -r / s  # a = 0 there: the error jumps

    def err(z: float, rad: float) -> float:
        a = r + s * z
        den = sigma * math.sqrt(a * a + sigma * sigma * rad / m)
        if den == 0.0:
            return 0.5
        return 0.5 * math.erfc(r * a / (den * math.sqrt(2.0)))

    def outer(z: float) -> float:
        phi = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        if d == 1:
            return phi * err(z, 0.0)
        # radial part rho = sqrt(R) ~ chi_{d-1}: a smooth density, unlike chi^2_1 at 0
        k = d - 1
        log_c = (1.0 - k / 2.0) * math.log(2.0) - math.lgamma(k / 2.0)

        def pdf(t: float) -> float:
            return math.exp(log_c + (k - 1) * math.log(t) - 0.5 * t * t) if t > 0 else (
                math.exp(log_c) if k == 1 else 0.0)

        hi = float(stats.chi(k).isf(1e-14))
        val, _ = integrate.quad(lambda t: pdf(t) * err(z, t * t), 0.0, hi, limit=200,
                                epsabs=1e-13)
        return phi * val

    lo, hi = -12.0, 12.0
    pts = [z0] if lo < z0 < hi else []
    total = 0.0
    edges = [lo, *pts, hi]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        val, _ = integrate.quad(outer, a, b, limit=200, epsabs=1e-12, epsrel=1e-10)
        total += val
    return float(np.clip(total, 0.0, 1.0))
