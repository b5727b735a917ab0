r"""Multivariate Gaussians: KL, Rényi (all orders), Bhattacharyya, chi-square, TV.

Every formula is evaluated in the coordinates that whiten ``P``: with
``Sigma_p = L_p L_p^T``, ``B = L_p^{-1} L_q = U S V^T`` (SVD), the eigenvalues of
``Sigma_p^{-1} Sigma_q`` are ``lambda_i = s_i^2`` with eigenvectors ``U`` and
the whitened mean difference is ``c = U^T L_p^{-1} (m_p - m_q)``.  Then, with
``y_i = lambda_i - 1`` computed as ``(s_i - 1)(s_i + 1)``:

* ``KL(P||Q) = 1/2 sum_i [c_i^2 / lambda_i + phi(1/lambda_i - 1)]``,
  ``phi(z) = z - log(1 + z) >= 0``;
* ``D_a(P||Q) = a/2 sum_i c_i^2 / (1 + a y_i)
  - 1/(2(a - 1)) sum_i [ell(a y_i) - a ell(y_i)]``, ``ell(z) = log(1+z) - z``,
  ``+inf`` unless every ``1 + a y_i > 0`` (i.e. ``a Sigma_q + (1-a) Sigma_p``
  positive definite);
* ``D_inf = 1/2 sum_i [c_i^2 / y_i + log(1 + y_i)]`` when ``Sigma_q - Sigma_p`` is
  positive definite (directions with ``y_i = 0`` and ``c_i = 0`` contribute 0),
  ``+inf`` otherwise; ``D_0 = 0``.

This is the textbook closed form (``D_a = a/2 dm^T Sigma_a^{-1} dm -
1/(2(a-1)) log(|Sigma_a| / (|Sigma_p|^{1-a} |Sigma_q|^a))``,
``Sigma_a = a Sigma_q + (1-a) Sigma_p``; Gil, Alajaji & Linder 2013; Pardo 2006)
rewritten so that nothing cancels when ``P`` and ``Q`` are close: every
summand is non-negative or computed by a series near 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import erf, gammainc, gammaincc, ndtr

from fdivtheory._special import log1p_minus_x as _log1p_minus_x
from fdivtheory._special import x_minus_log1p as _x_minus_log1p
from fdivtheory.closed_form._numerics import frozen_array, tv_from_crossings
from fdivtheory.closed_form._registry import missing, register

__all__ = ["Gaussian"]

#: Relative tolerance under which two covariances count as equal (TV closed forms).
EQUAL_COV_RTOL = 1e-12


@dataclass(frozen=True, eq=False)
class Gaussian:
    r"""Normal law ``N(mean, Sigma)``: scalar, diagonal or full covariance.

    Give at most one of ``cov`` (variance for a scalar mean, ``(d, d)`` matrix
    otherwise), ``diag`` (the variances, length ``d``; a scalar means
    ``sigma^2 I``) or ``scale_tril`` (lower-triangular ``L`` with positive
    diagonal, ``Sigma = L L^T``).  Default: identity.  Arrays are copied and
    frozen; ``ValueError`` names the bad argument (non-finite entries, shape
    mismatch, a covariance that is not symmetric positive definite).

    Attributes
    ----------
    dim : int
        Dimension ``d``.
    covariance : ndarray (d, d)
        ``Sigma``.
    cholesky : ndarray (d, d)
        Lower Cholesky factor of ``Sigma``.

    Example
    -------
    >>> import numpy as np
    >>> from fdivtheory.closed_form import Gaussian, kl
    >>> P = Gaussian([0.0, 0.0], [[2.0, 0.5], [0.5, 1.0]])
    >>> Q = Gaussian([1.0, 0.0], diag=[1.0, 1.0])
    >>> round(kl(P, Q), 10)
    0.720192106
    """

    mean: Any
    cov: Any = None
    diag: Any = field(default=None, kw_only=True)
    scale_tril: Any = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        mean = frozen_array(self.mean, "mean")
        if mean.ndim > 1:
            raise ValueError(f"mean must be a scalar or a 1-D array, got shape {mean.shape}")
        m = mean.reshape(-1)
        d = m.size
        if d == 0:
            raise ValueError("mean must not be empty")
        given = [n for n in ("cov", "diag", "scale_tril") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one of cov, diag, scale_tril; got {', '.join(given)}")
        if self.cov is not None:
            cov = frozen_array(self.cov, "cov")
            if cov.ndim == 0 and d == 1:
                cov = cov.reshape(1, 1)
            if cov.shape != (d, d):
                raise ValueError(f"cov must have shape ({d}, {d}) for a mean of dimension {d}, "
                                 f"got {cov.shape} (use diag= for variances)")
            if not np.allclose(cov, cov.T, rtol=1e-10, atol=0.0):
                raise ValueError("cov must be symmetric")
            sym = 0.5 * (cov + cov.T)
            try:
                chol = np.linalg.cholesky(sym)
            except np.linalg.LinAlgError:
                raise ValueError("cov must be positive definite") from None
            if not np.all(np.diag(chol) > 0):
                raise ValueError("cov must be positive definite")
        elif self.diag is not None:
            dg = frozen_array(self.diag, "diag")
            if dg.ndim == 0:
                dg = np.full(d, float(dg))
            if dg.shape != (d,):
                raise ValueError(f"diag must have shape ({d},) for a mean of dimension {d}, "
                                 f"got {dg.shape}")
            if not np.all(dg > 0):
                raise ValueError("diag must be positive (variances)")
            sym = np.diag(dg)
            chol = np.diag(np.sqrt(dg))
        elif self.scale_tril is not None:
            L = frozen_array(self.scale_tril, "scale_tril")
            if L.ndim == 0 and d == 1:
                L = L.reshape(1, 1)
            if L.shape != (d, d):
                raise ValueError(f"scale_tril must have shape ({d}, {d}), got {L.shape}")
            if np.any(np.triu(L, 1) != 0):
                raise ValueError("scale_tril must be lower triangular")
            if not np.all(np.diag(L) > 0):
                raise ValueError("scale_tril must have a positive diagonal")
            chol = L.copy()
            sym = chol @ chol.T
        else:
            sym, chol = np.eye(d), np.eye(d)
        object.__setattr__(self, "mean", mean)
        for name in ("cov", "diag", "scale_tril"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frozen_array(getattr(self, name), name))
        for name, val in (("_m", m), ("_cov", sym), ("_chol", chol)):
            val = np.array(val, dtype=float)
            val.flags.writeable = False
            object.__setattr__(self, name, val)

    @property
    def dim(self) -> int:
        return int(self._m.size)

    @property
    def covariance(self) -> np.ndarray:
        return self._cov

    @property
    def cholesky(self) -> np.ndarray:
        return self._chol

    def to_scipy(self) -> Any:
        """The frozen SciPy law: ``scipy.stats.norm`` (d = 1) or ``multivariate_normal``."""
        from scipy import stats
        if self.dim == 1:
            return stats.norm(self._m[0], self._chol[0, 0])
        return stats.multivariate_normal(self._m, self._cov)


@dataclass(frozen=True)
class _Whitened:
    s: np.ndarray  # singular values of L_p^{-1} L_q; lambda = s^2
    y: np.ndarray  # lambda - 1, computed as (s - 1)(s + 1)
    c: np.ndarray  # U^T L_p^{-1} (m_p - m_q)


def _whiten(P: Gaussian, Q: Gaussian) -> _Whitened:
    if not isinstance(P, Gaussian) or not isinstance(Q, Gaussian):
        raise TypeError("P and Q must be Gaussian")
    if P.dim != Q.dim:
        raise ValueError(f"Q.mean has dimension {Q.dim} but P.mean has dimension {P.dim}")
    B = solve_triangular(P._chol, Q._chol, lower=True)
    U, s, _ = np.linalg.svd(B)
    u = solve_triangular(P._chol, P._m - Q._m, lower=True)
    return _Whitened(s, (s - 1.0) * (s + 1.0), U.T @ u)


@register("kl", Gaussian, Gaussian)
def _kl(P: Gaussian, Q: Gaussian) -> float:
    w = _whiten(P, Q)
    lam = w.s * w.s
    z = -w.y / lam  # 1/lambda - 1
    return 0.5 * float(np.sum(w.c * w.c / lam) + np.sum(_x_minus_log1p(z)))


def _renyi_inf(w: _Whitened) -> float:
    scale = max(1.0, float(np.max(np.abs(w.y))))
    flat = np.abs(w.y) <= EQUAL_COV_RTOL * scale
    if np.any(w.y[~flat] < 0):
        return math.inf
    if np.any(w.c[flat] != 0):
        return math.inf
    y, c = w.y[~flat], w.c[~flat]
    return 0.5 * float(np.sum(c * c / y) + np.sum(np.log1p(y)))


@register("renyi", Gaussian, Gaussian, note="all orders in [0, inf]")
def _renyi(P: Gaussian, Q: Gaussian, alpha: float) -> float:
    w = _whiten(P, Q)
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return _renyi_inf(w)
    den = 1.0 + alpha * w.y
    if np.any(den <= 0):
        return math.inf
    quad = 0.5 * alpha * float(np.sum(w.c * w.c / den))
    logdet = float(np.sum(_log1p_minus_x(alpha * w.y) - alpha * _log1p_minus_x(w.y)))
    return quad - logdet / (2.0 * (alpha - 1.0))


def _tv_1d(P: Gaussian, Q: Gaussian, w: _Whitened) -> float:
    """1-D, unequal variances: the densities cross at the roots of a quadratic.

    In ``z = (x - m_p) / sigma_p``, ``P = N(0, 1)`` and ``Q = N(delta, r^2)``;
    ``2 r^2 (log p - log q) = (1 - r^2) z^2 - 2 delta z + delta^2 + 2 r^2 log r``,
    whose roots are ``(delta +- D) / (1 - r^2)``,
    ``D = r sqrt(delta^2 + 2 (r^2 - 1) log r)``, taken in the stable form.
    """
    r = float(w.s[0])
    delta = -float(w.c[0])
    one_minus_r2 = -float(w.y[0])
    c0 = delta * delta + 2.0 * r * r * math.log(r)
    D = r * math.sqrt(delta * delta + 2.0 * float(w.y[0]) * math.log(r))
    if delta == 0.0:
        roots = [D / one_minus_r2, -D / one_minus_r2]
    else:
        qq = delta + math.copysign(D, delta)
        roots = [qq / one_minus_r2, c0 / qq]

    def logratio(z: float) -> float:
        return -0.5 * z * z + 0.5 * ((z - delta) / r) ** 2 + math.log(r)

    return tv_from_crossings(
        roots, logratio,
        lambda z: float(ndtr(z)), lambda z: float(ndtr(-z)),
        lambda z: float(ndtr((z - delta) / r)), lambda z: float(ndtr((delta - z) / r)))


def _chi2_cdf_pair(d: int, x: float) -> tuple[float, float]:
    return float(gammainc(d / 2.0, x / 2.0)), float(gammaincc(d / 2.0, x / 2.0))


@register("tv", Gaussian, Gaussian,
          note="equal covariances; 1-D; equal means with proportional covariances")
def _tv(P: Gaussian, Q: Gaussian) -> float:
    w = _whiten(P, Q)
    scale = max(1.0, float(np.max(np.abs(w.y))))
    if np.all(np.abs(w.y) <= EQUAL_COV_RTOL * scale):
        delta = float(np.linalg.norm(w.c))
        return float(erf(delta / (2.0 * math.sqrt(2.0))))
    if P.dim == 1:
        return _tv_1d(P, Q, w)
    if np.all(w.c == 0) and np.ptp(w.y) <= EQUAL_COV_RTOL * scale:
        # Sigma_q = lambda Sigma_p, equal means: {p > q} is a ball in whitened space,
        # ||w||^2 < R (lambda > 1) or > R (lambda < 1), R = d lambda log(lambda)/(lambda - 1).
        d = P.dim
        y = float(np.mean(w.y))
        lam = 1.0 + y
        R = d * lam * math.log1p(y) / y
        f1, s1 = _chi2_cdf_pair(d, R)
        f2, s2 = _chi2_cdf_pair(d, R / lam)
        return abs(f1 - f2) if max(f1, f2) <= 0.5 else abs(s2 - s1)
    raise missing("tv", P, Q, "no exact TV for multivariate Gaussians with unequal, "
                              "non-proportional covariances (or different means)")
