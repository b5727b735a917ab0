r"""The built-in exponential families, with closed-form cumulants, MLEs and losses.

Normal (unknown and known variance), multivariate normal, exponential,
Poisson, Bernoulli and categorical: each subclass of
:class:`~fdivtheory.projection.ExponentialFamily` gives its statistic,
log-partition, mean map, inverse mean map (the MLE) and cumulant tensors in
closed form (the normal families' tensors by an exact Gauss–Hermite rule), and a
vectorised Bregman loss for the Monte Carlo risk (docs/theory/pn_criterion.md,
§1).  The classes are package-internal: users obtain them through
:func:`~fdivtheory.projection.family`, and the risk code dispatches on them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ._tensors import gauss_hermite_points, weighted_cumulants
from .exponential_family import ExponentialFamily

__all__: list[str] = []


class Normal(ExponentialFamily):
    r"""N(mu, s2): T = (x, x^2), theta = (mu/s2, -1/(2 s2))."""

    name = "normal"
    dim = 2
    statistic_poly = [np.array([0.0, 1.0]), np.array([0.0, 0.0, 1.0])]

    def statistic(self, x):
        x = np.asarray(x, dtype=float).reshape(-1)
        return np.stack([x, x * x], axis=1)

    @staticmethod
    def _musig(theta):
        t1, t2 = theta
        if not t2 < 0:
            raise ValueError("theta[1] must be negative for the normal family")
        s2 = -0.5 / t2
        return t1 * s2, s2

    def log_partition(self, theta):
        t1, t2 = self._as_theta(theta)
        if not t2 < 0:
            return math.inf
        return -t1 * t1 / (4 * t2) - 0.5 * math.log(-2 * t2)

    def mean_from_natural(self, theta):
        mu, s2 = self._musig(self._as_theta(theta))
        return np.array([mu, mu * mu + s2])

    def natural_from_mean(self, eta):
        e1, e2 = self._as_eta(eta)
        s2 = e2 - e1 * e1
        if not s2 > 1e-14 * max(1.0, e2):
            raise ValueError(f"eta = {eta} is not an interior mean of the normal family "
                             f"(variance {s2} <= 0: the MLE does not exist)")
        return np.array([e1 / s2, -0.5 / s2])

    def cumulants(self, theta, order=4):
        mu, s2 = self._musig(self._as_theta(theta))
        pts, w = gauss_hermite_points([mu], [[s2]], 5)
        return weighted_cumulants(self.statistic(pts[:, 0]), w, order)[1:]

    def _mc_loss(self, xp, samples, theta_star, eta_star):
        mu_s, s2_s = (float(v) for v in self._musig(theta_star))
        m = xp.mean(samples, axis=1)
        v = xp.mean((samples - m[:, None]) ** 2, axis=1)
        exists = v > 0
        vs = xp.where(exists, v, xp.ones_like(v))
        loss = 0.5 * xp.log(vs / s2_s) + (s2_s + (m - mu_s) ** 2) / (2 * vs) - 0.5
        return xp.where(exists, loss, xp.full_like(loss, math.inf)), exists


class NormalKnownVariance(ExponentialFamily):
    r"""N(mu, sigma2) with sigma2 known: T = x, theta = mu / sigma2, psi = sigma2 theta^2 / 2."""

    dim = 1

    def __init__(self, sigma2: float = 1.0):
        if not (isinstance(sigma2, int | float) and math.isfinite(sigma2) and sigma2 > 0):
            raise ValueError(f"sigma2 must be a positive finite number, got {sigma2!r}")
        self.sigma2 = float(sigma2)
        self.name = f"normal_known_variance(sigma2={self.sigma2:g})"
        self.statistic_poly = [np.array([0.0, 1.0])]

    def statistic(self, x):
        return np.asarray(x, dtype=float).reshape(-1, 1)

    def log_partition(self, theta):
        (t,) = self._as_theta(theta)
        return 0.5 * self.sigma2 * t * t

    def mean_from_natural(self, theta):
        return self.sigma2 * self._as_theta(theta)

    def natural_from_mean(self, eta):
        return self._as_eta(eta) / self.sigma2

    def cumulants(self, theta, order=4):
        out = [np.array([[self.sigma2]])]
        if order >= 3:
            out.append(np.zeros((1, 1, 1)))
        if order >= 4:
            out.append(np.zeros((1, 1, 1, 1)))
        return tuple(out)

    def _mc_loss(self, xp, samples, theta_star, eta_star):
        m = xp.mean(samples, axis=1)
        loss = (m - float(eta_star[0])) ** 2 / (2 * self.sigma2)
        return loss, xp.ones(loss.shape, dtype=xp.bool)


class Exponential(ExponentialFamily):
    r"""Exponential(rate lam): T = x, theta = -lam, psi = -log(-theta)."""

    name = "exponential"
    dim = 1
    statistic_poly = [np.array([0.0, 1.0])]

    def statistic(self, x):
        return np.asarray(x, dtype=float).reshape(-1, 1)

    def _check_support(self, x, name):
        if (x < 0).any():
            raise ValueError(f"{name} must be non-negative for the exponential family")

    def log_partition(self, theta):
        (t,) = self._as_theta(theta)
        return -math.log(-t) if t < 0 else math.inf

    def mean_from_natural(self, theta):
        (t,) = self._as_theta(theta)
        return np.array([-1.0 / t])

    def natural_from_mean(self, eta):
        (e,) = self._as_eta(eta)
        if not e > 0:
            raise ValueError(f"eta = {e} <= 0: the exponential MLE does not exist")
        return np.array([-1.0 / e])

    def cumulants(self, theta, order=4):
        (t,) = self._as_theta(theta)
        m = -1.0 / t
        vals = [m**2, 2 * m**3, 6 * m**4][: order - 1]
        return tuple(np.full((1,) * (k + 2), v) for k, v in enumerate(vals))

    def _mc_loss(self, xp, samples, theta_star, eta_star):
        mu = float(eta_star[0])
        m = xp.mean(samples, axis=1)
        exists = m > 0
        ms = xp.where(exists, m, xp.ones_like(m))
        loss = xp.log(ms / mu) + mu / ms - 1.0
        return xp.where(exists, loss, xp.full_like(loss, math.inf)), exists


class Poisson(ExponentialFamily):
    r"""Poisson(lam): T = x, theta = log lam, psi = e^theta."""

    name = "poisson"
    dim = 1
    discrete = True
    statistic_poly = [np.array([0.0, 1.0])]

    def statistic(self, x):
        return np.asarray(x, dtype=float).reshape(-1, 1)

    def _check_support(self, x, name):
        if (x < 0).any() or (x != np.round(x)).any():
            raise ValueError(f"{name} must hold non-negative integers for the poisson family")

    def log_partition(self, theta):
        (t,) = self._as_theta(theta)
        return math.exp(t)

    def mean_from_natural(self, theta):
        return np.exp(self._as_theta(theta))

    def natural_from_mean(self, eta):
        (e,) = self._as_eta(eta)
        if not e > 0:
            raise ValueError(f"eta = {e} <= 0: the Poisson MLE does not exist (all counts 0)")
        return np.array([math.log(e)])

    def cumulants(self, theta, order=4):
        lam = math.exp(self._as_theta(theta)[0])
        return tuple(np.full((1,) * k, lam) for k in range(2, order + 1))

    def _mc_loss(self, xp, samples, theta_star, eta_star):
        lam = float(eta_star[0])
        m = xp.mean(samples, axis=1)
        exists = m > 0
        ms = xp.where(exists, m, xp.ones_like(m))
        loss = lam * xp.log(lam / ms) - lam + ms
        return xp.where(exists, loss, xp.full_like(loss, math.inf)), exists


class Bernoulli(ExponentialFamily):
    r"""Bernoulli(q): T = x in {0, 1}, theta = logit q, psi = log(1 + e^theta)."""

    name = "bernoulli"
    dim = 1
    discrete = True
    statistic_poly = [np.array([0.0, 1.0])]

    def statistic(self, x):
        return np.asarray(x, dtype=float).reshape(-1, 1)

    def _check_support(self, x, name):
        if not np.isin(x, (0.0, 1.0)).all():
            raise ValueError(f"{name} must hold only 0 and 1 for the bernoulli family")

    def log_partition(self, theta):
        (t,) = self._as_theta(theta)
        return float(np.logaddexp(0.0, t))

    def mean_from_natural(self, theta):
        return special.expit(self._as_theta(theta))

    def natural_from_mean(self, eta):
        (e,) = self._as_eta(eta)
        if not 0 < e < 1:
            raise ValueError(f"eta = {e} is not in (0, 1): the Bernoulli MLE does not exist")
        return np.array([special.logit(e)])

    def cumulants(self, theta, order=4):
        q = float(special.expit(self._as_theta(theta)[0]))
        v = q * (1 - q)
        vals = [v, v * (1 - 2 * q), v * (1 - 6 * v)][: order - 1]
        return tuple(np.full((1,) * (k + 2), val) for k, val in enumerate(vals))

    def _mc_loss(self, xp, samples, theta_star, eta_star):
        q = float(eta_star[0])
        m = xp.mean(samples, axis=1)
        exists = (m > 0) & (m < 1)
        ms = xp.where(exists, m, xp.full_like(m, 0.5))
        loss = q * xp.log(q / ms) + (1 - q) * xp.log((1 - q) / (1 - ms))
        return xp.where(exists, loss, xp.full_like(loss, math.inf)), exists


class Categorical(ExponentialFamily):
    r"""Categorical on {0..k-1}: T = one-hot of cells 1..k-1, theta_j = log(pi_j / pi_0)."""

    discrete = True

    def __init__(self, k: int):
        if isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise ValueError(f"k must be an integer >= 2 (number of cells), got {k!r}")
        self.k = k
        self.dim = k - 1
        self.name = f"categorical(k={k})"

    def statistic(self, x):
        x = np.asarray(x).reshape(-1)
        return (x[:, None] == np.arange(1, self.k)[None, :]).astype(float)

    def _check_support(self, x, name):
        if not np.isin(x, np.arange(self.k)).all():
            raise ValueError(f"{name} must hold cell labels 0..{self.k - 1} for the "
                             f"{self.name} family")

    def probabilities(self, theta) -> np.ndarray:
        """Cell probabilities :math:`\\pi` at ``theta``."""
        t = np.concatenate([[0.0], self._as_theta(theta)])
        return special.softmax(t)

    def log_partition(self, theta):
        return float(special.logsumexp(np.concatenate([[0.0], self._as_theta(theta)])))

    def mean_from_natural(self, theta):
        return self.probabilities(theta)[1:]

    def natural_from_mean(self, eta):
        eta = self._as_eta(eta)
        p0 = 1.0 - eta.sum()
        if not (eta > 0).all() or not p0 > 0:
            raise ValueError("an empty cell: the categorical MLE does not exist")
        return np.log(eta / p0)

    def cumulants(self, theta, order=4):
        pi = self.probabilities(theta)
        pts = np.vstack([np.zeros(self.dim), np.eye(self.dim)])
        return weighted_cumulants(pts, pi, order)[1:]

    def _mc_loss(self, xp, samples, theta_star, eta_star):
        pi = np.concatenate([[1 - eta_star.sum()], eta_star])
        n = samples.shape[1]
        loss = xp.zeros(samples.shape[0], dtype=xp.float64)
        exists = xp.ones(samples.shape[0], dtype=xp.bool)
        for j in range(self.k):
            cnt = xp.sum(xp.astype(samples == j, xp.float64), axis=1)
            exists = exists & (cnt > 0)
            cs = xp.where(cnt > 0, cnt, xp.ones_like(cnt))
            loss = loss + float(pi[j]) * xp.log(float(pi[j]) * n / cs)
        return xp.where(exists, loss, xp.full_like(loss, math.inf)), exists


class MultivariateNormal(ExponentialFamily):
    r"""N_d(mu, S), full covariance: T = (x, x_a x_b for a <= b), p = d(d+3)/2."""

    def __init__(self, d: int):
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise ValueError(f"d must be a positive integer (dimension), got {d!r}")
        self.sample_dim = d
        self.dim = d * (d + 3) // 2
        self.name = f"mvn(d={d})"
        self._iu = np.triu_indices(d)

    @property
    def d(self) -> int:
        return self.sample_dim

    def statistic(self, x):
        x = np.asarray(x, dtype=float).reshape(-1, self.d)
        a, b = self._iu
        return np.concatenate([x, x[:, a] * x[:, b]], axis=1)

    def mean_cov(self, theta):
        """``(mu, S)`` from natural parameters."""
        theta = self._as_theta(theta)
        d = self.d
        a, b = self._iu
        P = np.zeros((d, d))
        q = theta[d:]
        P[a, b] = -q
        P[b, a] = -q
        P[np.diag_indices(d)] *= 2.0  # theta_aa = -P_aa / 2, theta_ab = -P_ab (a < b)
        try:
            np.linalg.cholesky(P)
        except np.linalg.LinAlgError as exc:
            raise ValueError("theta is outside the natural domain (precision not positive "
                             "definite)") from exc
        S = np.linalg.inv(P)
        S = 0.5 * (S + S.T)
        return S @ theta[:d], S

    def natural_from_mean_cov(self, mu, S) -> np.ndarray:
        """Natural parameters of :math:`N(\\mu, S)`."""
        P = np.linalg.inv(S)
        a, b = self._iu
        q = -P[a, b] * np.where(a == b, 0.5, 1.0)
        return np.concatenate([P @ mu, q])

    def log_partition(self, theta):
        try:
            mu, S = self.mean_cov(theta)
        except ValueError:
            return math.inf
        return 0.5 * float(mu @ np.linalg.solve(S, mu)) + 0.5 * np.linalg.slogdet(S)[1]

    def mean_from_natural(self, theta):
        mu, S = self.mean_cov(theta)
        M = S + np.outer(mu, mu)
        return np.concatenate([mu, M[self._iu]])

    def natural_from_mean(self, eta):
        eta = self._as_eta(eta)
        d = self.d
        mu = eta[:d]
        M = np.zeros((d, d))
        M[self._iu] = eta[d:]
        M = M + np.triu(M, 1).T
        S = M - np.outer(mu, mu)
        try:
            np.linalg.cholesky(S)
        except np.linalg.LinAlgError as exc:
            raise ValueError("the covariance of the mean parameter is not positive definite "
                             "(the MLE does not exist: n <= d or degenerate data)") from exc
        return self.natural_from_mean_cov(mu, S)

    def cumulants(self, theta, order=4):
        if self.d > 5:
            raise ValueError(f"model cumulant tensors of mvn(d={self.d}) are not formed for "
                             f"d > 5 (L has p^4 = {self.dim ** 4} entries); use "
                             f"method='structured' (the trace formula)")
        mu, S = self.mean_cov(theta)
        pts, w = gauss_hermite_points(mu, S, 5)
        return weighted_cumulants(self.statistic(pts), w, order)[1:]

    def _mc_loss(self, xp, samples, theta_star, eta_star):
        mu_s, S_s = self.mean_cov(theta_star)
        d = self.d
        n = samples.shape[1]
        m = xp.mean(samples, axis=1)
        Xc = samples - m[:, None, :]
        S = xp.matmul(xp.matrix_transpose(Xc), Xc) / n
        sign, logdet = xp.linalg.slogdet(S)
        exists = sign > 0
        eye = xp.eye(d, dtype=S.dtype)
        S = xp.where(exists[:, None, None], S, eye[None, :, :] + 0 * S)
        Sinv = xp.linalg.inv(S)
        Ss = xp.asarray(S_s, dtype=S.dtype)
        dm = m - xp.asarray(mu_s, dtype=m.dtype)
        tr = xp.sum(Sinv * Ss[None, :, :], axis=(1, 2))
        quad = xp.sum(dm * xp.sum(Sinv * dm[:, None, :], axis=2), axis=1)
        logdet = xp.where(exists, logdet, xp.zeros_like(logdet))
        loss = 0.5 * (tr + quad - d + logdet - float(np.linalg.slogdet(S_s)[1]))
        return xp.where(exists, loss, xp.full_like(loss, math.inf)), exists
