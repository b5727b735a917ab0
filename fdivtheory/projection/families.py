r"""Regular full exponential families :math:`g(x;\theta) = h(x)\exp\{\theta\cdot T(x) - \psi(\theta)\}`.

Every family exposes the same interface (:class:`ExponentialFamily`): the
sufficient statistic :math:`T`, the log-partition :math:`\psi` and its
derivative tensors (the model cumulants of :math:`T`), the maps between natural
parameters :math:`\theta` and mean parameters :math:`\eta = \nabla\psi(\theta)`,
the MLE :math:`\hat\theta = (\nabla\psi)^{-1}(\bar T)` with a test of its
existence, and the Bregman form of the loss

.. math:: D[g_{\theta^*} \,|\, g_\theta] = \psi(\theta) - \psi(\theta^*)
          - (\theta - \theta^*)\cdot\eta^*.

Built-in families are made by :func:`family`; a user's own family from sympy
expressions by :func:`family_from_sympy` (docs/theory/pn_criterion.md, §1–2).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp
from scipy import special

from fdivtheory._arguments import finite_array

from ._tensors import gauss_hermite_points, weighted_cumulants

__all__ = ["ExponentialFamily", "family", "family_from_sympy"]


class ExponentialFamily:
    """Base class: a regular full exponential family of dimension ``dim``.

    Subclasses implement :meth:`statistic`, :meth:`log_partition`,
    :meth:`mean_from_natural`, :meth:`cumulants`; the others have generic
    (Newton) defaults.

    Attributes
    ----------
    name : str
    dim : int
        :math:`p`, the number of natural parameters.
    sample_dim : int or None
        ``None`` for scalar observations, ``d`` for vectors in :math:`R^d`.
    discrete : bool
    statistic_poly : list of numpy arrays or None
        For scalar observations with a polynomial statistic, the coefficients
        (lowest degree first) of each :math:`T_i(x)`; used to compute the true
        moments of :math:`T` exactly from the raw moments of :math:`X`.
    """

    name: str = "exponential family"
    dim: int = 1
    sample_dim: int | None = None
    discrete: bool = False
    statistic_poly: list[np.ndarray] | None = None
    theta0: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"<ExponentialFamily {self.name!r}, p = {self.dim}>"

    # -- to be provided by subclasses -----------------------------------------------------
    def statistic(self, x: np.ndarray) -> np.ndarray:
        """:math:`T(x)` for observations ``x`` (shape ``(m,)`` or ``(m, d)``) -> ``(m, p)``."""
        raise NotImplementedError

    def log_partition(self, theta) -> float:
        r""":math:`\psi(\theta)` (``inf`` outside the natural domain)."""
        raise NotImplementedError

    def mean_from_natural(self, theta) -> np.ndarray:
        r""":math:`\eta = \nabla\psi(\theta) = E_\theta[T]`."""
        raise NotImplementedError

    def cumulants(self, theta, order: int = 4) -> tuple[np.ndarray, ...]:
        r"""Model cumulant tensors of :math:`T` at ``theta``: :math:`(G, K[, L])`, orders 2..``order``.

        :math:`G = \nabla^2\psi`, :math:`K = \nabla^3\psi`, :math:`L = \nabla^4\psi`.
        """
        raise NotImplementedError

    # -- generic parts ---------------------------------------------------------------------
    def _as_theta(self, theta) -> np.ndarray:
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        if theta.shape != (self.dim,):
            raise ValueError(f"theta must have shape ({self.dim},) for the {self.name} family, "
                             f"got {theta.shape}")
        return theta

    def _as_eta(self, eta) -> np.ndarray:
        eta = np.atleast_1d(np.asarray(eta, dtype=float))
        if eta.shape != (self.dim,):
            raise ValueError(f"eta must have shape ({self.dim},) for the {self.name} family, "
                             f"got {eta.shape}")
        return eta

    def mle_exists(self, tbar) -> bool:
        r"""Whether :math:`\bar T` lies in the interior of the convex support of :math:`T`."""
        try:
            self.natural_from_mean(tbar)
        except ValueError:
            return False
        return True

    def natural_from_mean(self, eta) -> np.ndarray:
        r""":math:`\theta = (\nabla\psi)^{-1}(\eta)`; ``ValueError`` if :math:`\eta` is not a mean.

        Generic route: damped Newton on the convex function
        :math:`\psi(\theta) - \theta\cdot\eta` from :attr:`theta0`.
        """
        eta = self._as_eta(eta)
        theta = np.zeros(self.dim) if self.theta0 is None else np.array(self.theta0, float)
        obj = self._objective(theta, eta)
        for _ in range(500):
            grad = self.mean_from_natural(theta) - eta
            G = self.cumulants(theta, order=2)[0]
            try:
                step = np.linalg.solve(G, grad)
            except np.linalg.LinAlgError:
                break
            decrement = float(grad @ step)  # Newton decrement^2: affine invariant
            if not math.isfinite(decrement):
                break
            if decrement <= 1e-14 * max(1.0, abs(obj)):
                # quadratic convergence: the full step from here is exact to rounding
                return theta - step
            t = 1.0
            while t > 1e-14:
                cand = theta - t * step
                c_obj = self._objective(cand, eta)
                if c_obj <= obj - 1e-4 * t * decrement:
                    break
                t *= 0.5
            else:
                break
            theta, obj = cand, c_obj
        raise ValueError(f"eta = {eta} is not an interior mean parameter of the {self.name} "
                         f"family (the MLE does not exist)")

    def _objective(self, theta, eta) -> float:
        with np.errstate(all="ignore"):
            try:
                v = float(self.log_partition(theta)) - float(theta @ eta)
            except (ValueError, OverflowError, ZeroDivisionError):
                return math.inf
        return v if math.isfinite(v) else math.inf

    def mle(self, x) -> np.ndarray:
        r"""The MLE :math:`\hat\theta` from observations ``x`` (``ValueError`` if it does not exist)."""
        T = self.statistic(self._check_sample(x, "x"))
        return self.natural_from_mean(T.mean(axis=0))

    def divergence(self, theta_star, theta) -> float:
        r""":math:`D[g_{\theta^*} | g_\theta] = \psi(\theta)-\psi(\theta^*)-(\theta-\theta^*)\cdot\eta^*`."""
        ts, t = self._as_theta(theta_star), self._as_theta(theta)
        return float(self.log_partition(t) - self.log_partition(ts)
                     - (t - ts) @ self.mean_from_natural(ts))

    def _check_sample(self, x, name: str) -> np.ndarray:
        x = finite_array(x, name, ndim=(1, 2), nonempty=True)
        if self.sample_dim is None:
            if x.ndim == 2 and x.shape[1] == 1:
                x = x[:, 0]
            if x.ndim != 1:
                raise ValueError(f"{name} must be one-dimensional for the {self.name} family "
                                 f"(scalar observations), got shape {x.shape}")
        else:
            if x.ndim != 2 or x.shape[1] != self.sample_dim:
                raise ValueError(f"{name} must have shape (n, {self.sample_dim}) for the "
                                 f"{self.name} family, got {x.shape}")
        self._check_support(x, name)
        return x

    def _check_support(self, x: np.ndarray, name: str) -> None:
        """Subclasses raise ``ValueError`` for observations outside the support."""

    # -- Monte Carlo: batched loss from raw samples (array API where implemented) ---------
    def _mc_loss(self, xp, samples, theta_star: np.ndarray, eta_star: np.ndarray):
        """Loss and existence per replication; ``samples`` is ``(R, n[, d])`` in namespace ``xp``.

        Generic NumPy route: :math:`\\bar T` per replication, Newton, Bregman form.
        """
        from fdivtheory._backend import is_numpy_namespace

        if not is_numpy_namespace(xp):
            raise ValueError(f"the {self.name} family has no array-API Monte Carlo path; "
                             f"use device='cpu'")
        s = np.asarray(samples)
        R, n = s.shape[:2]
        flat = s.reshape((R * n,) + s.shape[2:])
        tbar = self.statistic(flat).reshape(R, n, self.dim).mean(axis=1)
        loss = np.full(R, np.inf)
        exists = np.zeros(R, dtype=bool)
        psi_star = float(self.log_partition(theta_star))
        for r in range(R):
            try:
                th = self.natural_from_mean(tbar[r])
            except ValueError:
                continue
            exists[r] = True
            loss[r] = float(self.log_partition(th)) - psi_star - (th - theta_star) @ eta_star
        return loss, exists


# ----------------------------------------------------------------------------------------
# built-in families
# ----------------------------------------------------------------------------------------

class _Normal(ExponentialFamily):
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


class _NormalKnownVariance(ExponentialFamily):
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


class _Exponential(ExponentialFamily):
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


class _Poisson(ExponentialFamily):
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


class _Bernoulli(ExponentialFamily):
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


class _Categorical(ExponentialFamily):
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


class _MultivariateNormal(ExponentialFamily):
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


# ----------------------------------------------------------------------------------------
# sympy-defined families
# ----------------------------------------------------------------------------------------

class SympyFamily(ExponentialFamily):
    """A family given by sympy expressions; see :func:`family_from_sympy`."""

    def __init__(self, statistic, log_partition, symbols, x, *, name, theta0, mle_exists,
                 support):
        self.name = name
        self.theta_symbols = tuple(symbols)
        self.x_symbols = tuple(x)
        self.dim = len(self.theta_symbols)
        self.sample_dim = None if len(self.x_symbols) == 1 else len(self.x_symbols)
        self.statistic_exprs = tuple(sp.sympify(e) for e in statistic)
        self.log_partition_expr = sp.sympify(log_partition)
        self.theta0 = None if theta0 is None else np.asarray(theta0, dtype=float)
        self._mle_exists = mle_exists
        self._support = support
        th = sp.Array(self.theta_symbols)
        psi = self.log_partition_expr
        self.derivative_exprs = [sp.derive_by_array(psi, th)]
        for _ in range(3):
            self.derivative_exprs.append(sp.derive_by_array(self.derivative_exprs[-1], th))
        mods = [{"loggamma": special.gammaln, "polygamma": _polygamma,
                 "digamma": special.digamma}, "numpy"]
        self._psi = sp.lambdify(self.theta_symbols, psi, modules=mods)
        self._derivs = [
            sp.lambdify(self.theta_symbols, list(sp.flatten(e)), modules=mods, cse=True)
            for e in self.derivative_exprs
        ]
        self._T = sp.lambdify(self.x_symbols, list(self.statistic_exprs), modules=mods)
        self.statistic_poly = None
        if self.sample_dim is None:
            try:
                polys = [sp.Poly(e, self.x_symbols[0]) for e in self.statistic_exprs]
                self.statistic_poly = [np.array([float(c) for c in p.all_coeffs()[::-1]])
                                       for p in polys]
            except (sp.PolynomialError, TypeError):
                self.statistic_poly = None
        if self.theta0 is None:
            self.theta0 = np.zeros(self.dim)
        if not math.isfinite(self._objective(self.theta0, np.zeros(self.dim))):
            raise ValueError(f"the log-partition is not finite at theta0 = {self.theta0}; pass "
                             f"theta0= inside the natural domain")

    def statistic(self, x):
        x = np.asarray(x, dtype=float)
        cols = self._T(x) if self.sample_dim is None else self._T(*x.reshape(-1, self.sample_dim).T)
        m = x.shape[0]
        return np.stack([np.broadcast_to(np.asarray(c, dtype=float), (m,)) for c in cols], axis=1)

    def _check_support(self, x, name):
        if self._support is not None and not np.all(self._support(x)):
            raise ValueError(f"{name} has values outside the support of the {self.name} family")

    def log_partition(self, theta):
        with np.errstate(all="ignore"):
            v = float(self._psi(*self._as_theta(theta)))
        return v if math.isfinite(v) else math.inf

    def _deriv(self, k: int, theta) -> np.ndarray:
        with np.errstate(all="ignore"):
            flat = np.array(self._derivs[k - 1](*theta), dtype=float)
        return flat.reshape((self.dim,) * k)

    def mean_from_natural(self, theta):
        return self._deriv(1, self._as_theta(theta))

    def cumulants(self, theta, order=4):
        theta = self._as_theta(theta)
        return tuple(self._deriv(k, theta) for k in range(2, order + 1))

    def mle_exists(self, tbar) -> bool:
        if self._mle_exists is not None:
            return bool(self._mle_exists(np.asarray(tbar, dtype=float)))
        return super().mle_exists(tbar)

    def natural_from_mean(self, eta):
        eta = self._as_eta(eta)
        if self._mle_exists is not None and not self._mle_exists(eta):
            raise ValueError(f"eta = {eta} is outside the interior of the convex support: the "
                             f"MLE of the {self.name} family does not exist")
        return super().natural_from_mean(eta)


def _polygamma(n, x):
    return special.polygamma(n, x)


def family_from_sympy(statistic: Sequence, log_partition, symbols: Sequence, *,
                      x=None, name: str = "sympy family", theta0=None,
                      mle_exists: Callable | None = None,
                      support: Callable | None = None) -> ExponentialFamily:
    r"""A user-defined exponential family from sympy expressions.

    .. math:: g(x;\theta) = h(x)\exp\{\theta\cdot T(x) - \psi(\theta)\}

    The gradient, Hessian and third and fourth derivative arrays of
    :math:`\psi` (the model cumulants :math:`G, K, L` of :math:`T`) are derived
    symbolically once and compiled with ``sympy.lambdify`` (common
    subexpressions eliminated), so that :func:`~fdivtheory.projection.risk_expansion`
    evaluates :math:`c_1, c_2` at numeric speed (docs/theory/pn_criterion.md, §3).

    Parameters
    ----------
    statistic : sequence of sympy expressions
        :math:`T_1(x), \ldots, T_p(x)` in the sample variable(s).
    log_partition : sympy expression
        :math:`\psi(\theta)` in ``symbols``.
    symbols : sequence of sympy symbols
        Natural parameters :math:`\theta_1, \ldots, \theta_p` (same length as ``statistic``).
    x : sympy symbol or sequence of symbols, optional
        Sample variable(s); inferred when ``statistic`` has one free symbol.
    name : str
    theta0 : array_like, optional
        Start of the Newton solve of :math:`\nabla\psi(\theta) = \bar T` (must lie in the
        natural domain; default zeros).
    mle_exists : callable, optional
        ``mle_exists(tbar) -> bool``: whether :math:`\bar T` is interior to the convex
        support of :math:`T` (default: whether Newton converges).
    support : callable, optional
        ``support(x) -> bool array`` validating observations.

    Examples
    --------
    The exponential distribution, rate :math:`-\theta`:

    >>> import sympy as sp
    >>> from fdivtheory.projection import family_from_sympy
    >>> t, x = sp.symbols("theta x")
    >>> fam = family_from_sympy([x], -sp.log(-t), [t], theta0=[-1.0])
    >>> fam.mean_from_natural([-2.0])
    array([0.5])
    """
    symbols = list(symbols)
    if not symbols or not all(isinstance(s, sp.Symbol) for s in symbols):
        raise TypeError("symbols must be a non-empty sequence of sympy Symbols")
    statistic = [sp.sympify(e) for e in statistic]
    if len(statistic) != len(symbols):
        raise ValueError(f"statistic has {len(statistic)} components but symbols has "
                         f"{len(symbols)}: they must match (one natural parameter per T_i)")
    psi = sp.sympify(log_partition)
    extra = psi.free_symbols - set(symbols)
    if extra:
        raise ValueError(f"log_partition depends on {sorted(map(str, extra))}, which are not "
                         f"in symbols")
    if x is None:
        free = set().union(*(e.free_symbols for e in statistic)) - set(symbols)
        if len(free) != 1:
            raise ValueError(f"cannot infer the sample variable from statistic (free symbols "
                             f"{sorted(map(str, free))}); pass x=")
        x = [free.pop()]
    elif isinstance(x, sp.Symbol):
        x = [x]
    return SympyFamily(statistic, psi, symbols, list(x), name=name, theta0=theta0,
                       mle_exists=mle_exists, support=support)


@functools.lru_cache(maxsize=1)
def _gamma_family() -> ExponentialFamily:
    a, b, x = sp.symbols("theta1 theta2 x")
    fam = family_from_sympy(
        [sp.log(x), x], sp.loggamma(a + 1) - (a + 1) * sp.log(-b), [a, b], x=x,
        name="gamma", theta0=[0.0, -1.0],
        mle_exists=lambda t: bool(np.log(t[1]) > t[0]) if t[1] > 0 else False,
        support=lambda v: v > 0)
    fam.__doc__ = "Gamma(shape a, rate b): T = (log x, x), theta = (a - 1, -b)."
    return fam


_SIMPLE = {
    "normal": _Normal,
    "exponential": _Exponential,
    "poisson": _Poisson,
    "bernoulli": _Bernoulli,
}
_PARAMS = {
    "normal_known_variance": (_NormalKnownVariance, ("sigma2",)),
    "mvn": (_MultivariateNormal, ("d",)),
    "categorical": (_Categorical, ("k",)),
}


def family(name: str, **params) -> ExponentialFamily:
    r"""A built-in exponential family.

    =========================== ========================= ==========================================
    name                        parameters                sufficient statistic :math:`T(x)`
    =========================== ========================= ==========================================
    ``"normal"``                                          :math:`(x, x^2)`
    ``"normal_known_variance"`` ``sigma2`` (default 1)    :math:`x`
    ``"mvn"``                   ``d``                     :math:`(x, x_a x_b)_{a\le b}`, :math:`p = d(d+3)/2`
    ``"exponential"``                                     :math:`x` (natural :math:`\theta=-\text{rate}`)
    ``"poisson"``                                         :math:`x`
    ``"bernoulli"``                                       :math:`x`
    ``"categorical"``           ``k``                     one-hot of cells :math:`1..k-1`
    ``"gamma"``                                           :math:`(\log x, x)` (built by :func:`family_from_sympy`)
    =========================== ========================= ==========================================

    Examples
    --------
    >>> from fdivtheory.projection import family
    >>> family("mvn", d=2).dim
    5
    >>> family("normal").natural_from_mean([1.0, 2.0])   # N(1, 1)
    array([ 1. , -0.5])
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if name == "gamma":
        if params:
            raise ValueError(f"the gamma family takes no parameters, got {sorted(params)}")
        return _gamma_family()
    if name in _SIMPLE:
        if params:
            raise ValueError(f"the {name} family takes no parameters, got {sorted(params)}")
        return _SIMPLE[name]()
    if name in _PARAMS:
        cls, allowed = _PARAMS[name]
        bad = set(params) - set(allowed)
        if bad:
            raise ValueError(f"the {name} family takes {allowed}, got {sorted(bad)}")
        if name != "normal_known_variance" and not params:
            raise ValueError(f"the {name} family needs {allowed[0]}= (e.g. family({name!r}, "
                             f"{allowed[0]}=2))")
        return cls(**params)
    known = sorted(["gamma", *_SIMPLE, *_PARAMS])
    raise ValueError(f"unknown family {name!r}; known: {', '.join(known)}")
