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

For ``a < 1`` and ``a > 1`` the log-determinant part is evaluated per
eigen-direction through the escort variance ``lambda / (1 + a y)``:
``KL(P||Q) + KL(P||M)/(a - 1)`` (``a > 1``) and ``a/(1-a) KL(M||P) + KL(M||Q)``
(``a < 1``), sums of terms ``phi(r - 1) / 2 >= 0`` with ``log r`` taken from
``log lambda`` (accurate for variance ratios of 1e-300 .. 1e300), so nothing is
divided by ``a - 1`` and ``a -> 1`` is continuous.  Diagonal covariances give
``lambda_i`` directly; full ones from two SVDs (see ``_whiten``).

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
from scipy.special import erf, gammainc, gammaincc

from fdivtheory.closed_form._numerics import frozen_array, ndtr_diff, phi_array
from fdivtheory.closed_form._registry import missing, register

__all__ = ["Gaussian"]

#: Relative tolerance under which two full (non-diagonal) covariances count as equal for
#: the TV closed forms (diagonal ones and identical matrices are compared exactly).
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

    Examples
    --------
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
    s: np.ndarray  # square roots of the eigenvalues lambda of Sigma_p^{-1} Sigma_q
    y: np.ndarray  # lambda - 1, without cancellation
    c: np.ndarray  # whitened mean difference in the eigenbasis
    log_lam: np.ndarray  # log(lambda), accurate also for lambda ~ 1e-300 or 1e300
    exact: bool  # True when lambda and y are exact to rounding (both covariances diagonal)


def _is_diagonal(G: Gaussian) -> bool:
    return bool(np.count_nonzero(G._chol - np.diag(np.diag(G._chol))) == 0)


def _whiten(P: Gaussian, Q: Gaussian) -> _Whitened:
    """Eigen-decomposition of ``Sigma_p^{-1} Sigma_q`` in the coordinates whitening ``P``.

    Diagonal covariances: ``lambda_i = v_q,i / v_p,i`` and ``y_i = (v_q,i - v_p,i) / v_p,i``
    directly (exact to rounding).  Otherwise the singular values of ``L_p^{-1} L_q``
    (``s_i >= 1``) and the reciprocals of those of ``L_q^{-1} L_p`` (``s_i < 1``): an SVD
    gives each singular value to an absolute error ``~ eps s_max``, so the small ones
    come from the inverse pair, where they are the large ones.
    """
    if not isinstance(P, Gaussian) or not isinstance(Q, Gaussian):
        raise TypeError("P and Q must be Gaussian")
    if P.dim != Q.dim:
        raise ValueError(f"Q.mean has dimension {Q.dim} but P.mean has dimension {P.dim}")
    if _is_diagonal(P) and _is_diagonal(Q):
        vp, vq = np.diag(P._cov).copy(), np.diag(Q._cov).copy()
        with np.errstate(over="ignore", under="ignore"):
            lam = vq / vp
            y = (vq - vp) / vp
        normal = (lam > 1e-300) & (lam < 1e300)
        log_lam = np.where(normal, np.log(np.where(normal, lam, 1.0)), np.log(vq) - np.log(vp))
        log_lam = np.where(np.abs(y) < 0.25, np.log1p(np.where(np.abs(y) < 0.25, y, 0.0)),
                           log_lam)
        c = (P._m - Q._m) / np.sqrt(vp)
        return _Whitened(np.sqrt(lam), y, c, log_lam, True)
    B = solve_triangular(P._chol, Q._chol, lower=True)
    U, s, _ = np.linalg.svd(B)
    t = np.linalg.svd(solve_triangular(Q._chol, P._chol, lower=True), compute_uv=False)
    s = np.where(s >= 1.0, s, 1.0 / t[::-1])
    u = solve_triangular(P._chol, P._m - Q._m, lower=True)
    y = (s - 1.0) * (s + 1.0)
    log_lam = np.where(np.abs(y) < 0.25, np.log1p(np.where(np.abs(y) < 0.25, y, 0.0)),
                       2.0 * np.log(s))
    return _Whitened(s, y, U.T @ u, log_lam, False)


def _phi(u: np.ndarray, log_r: np.ndarray) -> np.ndarray:
    """``u - log(1 + u)``, ``log(1 + u) = log_r`` given (see :func:`phi_array`)."""
    return phi_array(u, log_r)


@register("kl", Gaussian, Gaussian)
def _kl(P: Gaussian, Q: Gaussian) -> float:
    # KL = 1/2 [ ||L_q^{-1} (m_p - m_q)||^2 + sum_i phi(1/lambda_i - 1) ], each term >= 0
    w = _whiten(P, Q)
    maha = solve_triangular(Q._chol, P._m - Q._m, lower=True)
    with np.errstate(over="ignore", divide="ignore"):
        z = -w.y * np.exp(-w.log_lam)  # 1/lambda - 1
    return 0.5 * (math.fsum(maha * maha) + math.fsum(_phi(z, -w.log_lam)))


def _renyi_inf(P: Gaussian, Q: Gaussian, w: _Whitened) -> float:
    """``log sup p/q``: finite iff ``Sigma_q - Sigma_p`` is PSD and the means differ only
    in directions where it is definite.  Diagonal covariances are decided exactly; full
    ones with equal matrices exactly, otherwise to the rounding level of the whitening."""
    if w.exact:
        flat = w.y == 0.0
    elif np.array_equal(P._cov, Q._cov):
        flat = np.ones_like(w.y, dtype=bool)
    else:
        flat = np.abs(w.y) <= 8.0 * w.y.size * np.finfo(float).eps * float(np.max(w.s)) ** 2
    if np.any(w.y[~flat] < 0):
        return math.inf
    cnorm = float(np.linalg.norm(w.c))
    tol = 0.0 if (w.exact or cnorm == 0.0) else 8.0 * w.y.size * np.finfo(float).eps * cnorm
    if np.any(np.abs(w.c[flat]) > tol):
        return math.inf
    y, c, log_lam = w.y[~flat], w.c[~flat], w.log_lam[~flat]
    log1p_y = np.where(np.abs(y) < 0.25, np.log1p(y), log_lam)
    return 0.5 * (math.fsum(c * c / y) + math.fsum(log1p_y))


@register("renyi", Gaussian, Gaussian, note="all orders in [0, inf]")
def _renyi(P: Gaussian, Q: Gaussian, alpha: float) -> float:
    w = _whiten(P, Q)
    if alpha == 0.0:
        return 0.0
    if math.isinf(alpha):
        return _renyi_inf(P, Q, w)
    y, lam_log = w.y, w.log_lam
    with np.errstate(over="ignore"):
        lam = w.s * w.s
    if alpha > 1.0:
        # 1 + alpha y = lambda + (alpha - 1) y: the second form keeps lambda ~ 1e-12
        den = np.where(np.abs(y) < 0.25, 1.0 + alpha * y, lam + (alpha - 1.0) * y)
    else:
        den = (1.0 - alpha) + alpha * lam  # no cancellation for alpha in (0, 1)
    if np.any(den <= 0):
        return math.inf
    quad = 0.5 * alpha * math.fsum(w.c * w.c / den)
    log_den = np.where(np.abs(alpha * y) < 0.25, np.log1p(alpha * y), np.log(den))
    # variance part per eigen-direction, P = N(0, 1) vs Q = N(0, lambda), escort
    # lambda_a = lambda / den:  alpha > 1: KL(P||Q) + KL(P||M) / (alpha - 1);
    # alpha < 1: alpha / (1 - alpha) KL(M||P) + KL(M||Q);  KL(N(0,a)||N(0,b)) = phi(a/b - 1)/2
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if alpha > 1.0:
            e = alpha - 1.0
            kl_pq = _phi(-y / lam, -lam_log)
            kl_pm = _phi(e * y / lam, log_den - lam_log)
            var = math.fsum(kl_pq) + math.fsum(kl_pm) / e
        else:
            kl_mp = _phi((1.0 - alpha) * y / den, lam_log - log_den)
            kl_mq = _phi(-alpha * y / den, -log_den)
            var = alpha / (1.0 - alpha) * math.fsum(kl_mp) + math.fsum(kl_mq)
    return quad + 0.5 * var


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
    log_r = 0.5 * float(w.log_lam[0])
    c0 = delta * delta + 2.0 * r * r * log_r
    D = r * math.sqrt(delta * delta + 2.0 * float(w.y[0]) * log_r)
    if delta == 0.0:
        roots = [D / one_minus_r2, -D / one_minus_r2]
    else:
        qq = delta + math.copysign(D, delta)
        roots = [qq / one_minus_r2, c0 / qq]

    # F_P - F_Q vanishes at +-inf and is monotone between the crossings, where it takes its
    # extreme values (of opposite signs): TV = max(0, max D) - min(0, min D) with
    # D(z) = Phi(z) - Phi((z - delta) / r), each a difference of Phi at two close points
    r_minus_1 = float(w.y[0]) / (1.0 + r)  # sqrt(1 + y) - 1
    vals = [ndtr_diff((z - delta) / r, z, (z * r_minus_1 + delta) / r)
            for z in roots if math.isfinite(z)]
    if not vals:
        return 0.0
    return max(0.0, max(vals)) - min(0.0, min(vals))


def _chi2_cdf_pair(d: int, x: float) -> tuple[float, float]:
    return float(gammainc(d / 2.0, x / 2.0)), float(gammaincc(d / 2.0, x / 2.0))


@register("tv", Gaussian, Gaussian,
          note="equal covariances; 1-D; equal means with proportional covariances")
def _tv(P: Gaussian, Q: Gaussian) -> float:
    w = _whiten(P, Q)
    scale = max(1.0, float(np.max(np.abs(w.y))))
    if np.array_equal(P._cov, Q._cov):
        equal_cov = True
    elif w.exact:
        equal_cov = bool(np.all(w.y == 0.0))
    else:
        equal_cov = bool(np.all(np.abs(w.y) <= EQUAL_COV_RTOL * scale))
    if equal_cov:
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
