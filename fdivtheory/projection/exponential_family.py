r"""Regular full exponential families :math:`g(x;\theta) = h(x)\exp\{\theta\cdot T(x) - \psi(\theta)\}`.

Every family exposes the same interface (:class:`ExponentialFamily`): the
sufficient statistic :math:`T`, the log-partition :math:`\psi` and its
derivative tensors (the model cumulants of :math:`T`), the maps between natural
parameters :math:`\theta` and mean parameters :math:`\eta = \nabla\psi(\theta)`,
the MLE :math:`\hat\theta = (\nabla\psi)^{-1}(\bar T)` with a test of its
existence, and the Bregman form of the loss

.. math:: D[g_{\theta^*} \,|\, g_\theta] = \psi(\theta) - \psi(\theta^*)
          - (\theta - \theta^*)\cdot\eta^*.

This module holds that interface and its generic parts: the Newton inversion
of :math:`\nabla\psi` (the MLE by moment matching), the existence test, the
Bregman loss and its Monte Carlo evaluation.  Built-in families
(:mod:`.builtin_families`) are made by :func:`~fdivtheory.projection.family`; a
user's own family from sympy expressions by
:func:`~fdivtheory.projection.family_from_sympy` (:mod:`.sympy_family`;
docs/theory/pn_criterion.md, §1–2).
"""

from __future__ import annotations

import math

import numpy as np

from fdivtheory._arguments import finite_array

__all__ = ["ExponentialFamily"]


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
