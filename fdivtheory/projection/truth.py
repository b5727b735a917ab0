r"""The true law :math:`g`, given the way users describe laws.

* a frozen univariate ``scipy.stats`` distribution (``scipy.stats.gamma(2)``,
  ``scipy.stats.nbinom(2, 0.5)``, ``scipy.stats.t(10)``, ...);
* a frozen ``scipy.stats.multivariate_normal``;
* a probability vector (categorical models: a float vector of length ``k``,
  non-negative, summing to one, not all of whose entries are integers; an
  integer vector is read as cell labels);
* a data array, ``(n,)`` or ``(n, d)``: the empirical law of the rows.

:func:`as_truth` turns any of them into a :class:`Truth`, which gives the
moments of the sufficient statistic :math:`T` under :math:`g` (exactly where
the statistic is a polynomial and the law has closed-form moments; by
quadrature otherwise) and draws samples for Monte Carlo.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats
from scipy.integrate import IntegrationWarning

from fdivtheory._arguments import SUM_TOL, finite_array, probability_vector

from ._tensors import gauss_hermite_points, weighted_cumulants
from .exponential_family import ExponentialFamily

__all__ = ["Truth", "as_truth"]


class Truth:
    """Base class of a true law :math:`g` (see :func:`as_truth`)."""

    label: str = "truth"
    sample_dim: int | None = None

    def t_cumulants(self, fam: ExponentialFamily, order: int = 3):
        """Mean, covariance and (``order >= 3``) third cumulant of :math:`T(X)`, :math:`X \\sim g`."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
        """Draws of shape ``shape + (d,)`` (``shape`` for scalar laws)."""
        raise NotImplementedError

    def check_family(self, fam: ExponentialFamily) -> None:
        """``ValueError`` when the law's dimension does not match the family's."""
        want = fam.sample_dim
        if want != self.sample_dim:
            def dims(v):
                return "scalar observations" if v is None else f"vectors in R^{v}"
            raise ValueError(f"truth ({self.label}) has {dims(self.sample_dim)} but the "
                             f"{fam.name} family models {dims(want)}")


class PointTruth(Truth):
    """A law on finitely many points (empirical law, categorical probabilities)."""

    def __init__(self, points: np.ndarray, weights: np.ndarray, label: str):
        self.points = points
        self.weights = weights
        self.label = label
        self.sample_dim = None if points.ndim == 1 else points.shape[1]
        self._uniform = bool(np.all(weights == weights[0]))

    @property
    def size(self) -> int:
        return self.points.shape[0]

    def t_cumulants(self, fam, order=3):
        fam._check_support(self.points, "truth")
        return weighted_cumulants(fam.statistic(self.points), self.weights, order)

    def sample(self, rng, shape):
        if self._uniform:
            idx = rng.integers(0, self.size, size=shape)
        else:
            idx = rng.choice(self.size, size=shape, p=self.weights)
        return self.points[idx]

    def moments_1d(self, k: int) -> np.ndarray:
        """Raw moments :math:`E X^j`, ``j = 0..k`` (scalar laws)."""
        return np.array([self.weights @ self.points**j for j in range(k + 1)])


class ScipyTruth(Truth):
    """A frozen univariate ``scipy.stats`` law."""

    def __init__(self, dist):
        self.dist = dist
        args = ", ".join([*(f"{a:g}" if isinstance(a, float) else repr(a) for a in dist.args),
                          *(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v!r}"
                            for k, v in dist.kwds.items())])
        self.label = f"scipy.stats.{dist.dist.name}({args})"
        self.discrete = isinstance(dist.dist, stats.rv_discrete)
        self._moments: dict[int, float] = {}

    def check_family(self, fam: ExponentialFamily) -> None:
        """Dimension check, then: the law must live where the family's observations live.

        A continuous law is refused by a discrete family (its draws are not counts or
        cell labels), and a law with mass outside the family's support (e.g. a normal
        truth for the exponential family, a Poisson law shifted by ``loc=0.5`` for the
        Poisson family) is refused by probing the ends of its support with the
        family's own support test, the one applied to data arrays.
        """
        super().check_family(fam)
        if fam.discrete and not self.discrete:
            raise ValueError(f"truth {self.label} is a continuous law but the {fam.name} "
                             f"family models discrete observations")
        lo, hi = (float(v) for v in self.dist.support())
        if self.discrete:
            # a discrete scipy law lives on lo, lo + 1, ...: probe both ends and the lattice
            probes = [lo if math.isfinite(lo) else -1e15, hi if math.isfinite(hi) else 1e15]
            if math.isfinite(lo):
                probes.append(lo + 1.0)
        else:
            # a continuous law: its ends have probability 0, so probe just inside them
            probes = [math.nextafter(lo, math.inf) if math.isfinite(lo) else -1e300,
                      math.nextafter(hi, -math.inf) if math.isfinite(hi) else 1e300]
        try:
            fam._check_support(np.asarray(probes, dtype=float), "truth")
        except ValueError as exc:
            raise ValueError(f"truth {self.label} puts mass outside the support of the "
                             f"{fam.name} family (its support is [{lo:g}, {hi:g}]): {exc}"
                             ) from None

    def moment_is_finite(self, k: int) -> bool:
        r"""Whether :math:`E|X|^k < \infty`, from the tail of the density.

        ``scipy``'s own ``moment`` integrates numerically and can return a finite
        number for a divergent moment, so finiteness is decided from the slope of
        :math:`\log(|x|^{k+1} g(x))` against :math:`\log|x|` far in each unbounded
        tail: a power tail :math:`g \sim |x|^{-\alpha-1}` has slope :math:`k - \alpha`,
        and the moment is finite iff the slope is negative.
        """
        lo, hi = (float(v) for v in self.dist.support())
        spread = max(1.0, abs(float(self.dist.ppf(0.999))), abs(float(self.dist.ppf(0.001))))
        logf = self.dist.logpmf if self.discrete else self.dist.logpdf
        for side, bound in ((1.0, hi), (-1.0, lo)):
            if math.isfinite(bound):
                continue
            x1, x2 = side * spread * 1e6, side * spread * 1e12
            if self.discrete:
                x1, x2 = float(round(x1)), float(round(x2))
            with np.errstate(all="ignore"):
                l1 = (k + 1) * math.log(abs(x1)) + float(logf(x1))
                l2 = (k + 1) * math.log(abs(x2)) + float(logf(x2))
            if not (math.isfinite(l2) or l2 == -math.inf):
                return False
            if l2 == -math.inf:
                continue
            if (l2 - l1) / math.log(abs(x2 / x1)) >= -1e-6:
                return False
        return True

    def raw_moment(self, k: int) -> float:
        r""":math:`E X^k`; ``ValueError`` saying which moment is infinite."""
        if k not in self._moments:
            if not self.moment_is_finite(k):
                raise ValueError(f"truth {self.label} has no finite moment of order {k} "
                                 f"(E|X|^{k} = inf)")
            with np.errstate(all="ignore"):
                self._moments[k] = self._expect(lambda x: x**k)
        return self._moments[k]

    def central_moments(self, k: int) -> tuple[float, np.ndarray]:
        r"""``(mean, [mu_0, ..., mu_k])``, :math:`\mu_j = E(X - EX)^j`, by tight quadrature.

        Finiteness is decided first from ``scipy``'s raw moments (``ValueError``
        naming the infinite one); the values themselves are integrated directly
        around the mean, which is more accurate than expanding raw moments.
        """
        for j in range(1, k + 1):
            if not self.moment_is_finite(j):
                raise ValueError(f"truth {self.label} has no finite moment of order {j} "
                                 f"(E|X|^{j} = inf)")
        m = float(self.dist.mean())
        out = [1.0, 0.0]
        for j in range(2, k + 1):
            out.append(self._expect(lambda x, j=j: (x - m) ** j))
        return m, np.array(out[: k + 1])

    def t_cumulants(self, fam, order=3):
        if fam.statistic_poly is not None:
            return self._poly_cumulants(fam, order)
        return self._quad_cumulants(fam, order)

    def _poly_cumulants(self, fam, order):
        polys = fam.statistic_poly
        deg = max(len(c) - 1 for c in polys)
        need = deg * order
        try:
            mean, m = self.central_moments(need)
        except ValueError as exc:
            what = {2: "c1 (E|T|^2)", 3: "c2 (E|T|^3)"}.get(order, f"order {order}")
            raise ValueError(f"{exc}; {what} of the {fam.name} family needs E|X|^{need} < inf"
                             ) from None
        P = np.polynomial.polynomial

        def expect(c):
            return float(np.dot(c, m[: len(c)]))

        # T_i as polynomials in y = x - E X, whose moments are the central moments
        shift = np.polynomial.Polynomial([mean, 1.0])
        polys = [np.polynomial.Polynomial(c)(shift).coef for c in polys]
        p = len(polys)
        eta = np.array([expect(c) for c in polys])
        cen = [P.polysub(c, [e]) for c, e in zip(polys, eta, strict=True)]
        sigma = np.empty((p, p))
        for i in range(p):
            for j in range(i, p):
                sigma[i, j] = sigma[j, i] = expect(P.polymul(cen[i], cen[j]))
        out = [eta, sigma]
        if order >= 3:
            kap = np.empty((p, p, p))
            for i in range(p):
                for j in range(p):
                    cij = P.polymul(cen[i], cen[j])
                    for k in range(p):
                        kap[i, j, k] = expect(P.polymul(cij, cen[k]))
            out.append(kap)
        return tuple(out)

    def _expect(self, f) -> float:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", IntegrationWarning)
            if self.discrete:
                v = float(self.dist.expect(f, tolerance=1e-16, maxcount=10**7))
            else:
                v = float(self.dist.expect(f, epsabs=0.0, epsrel=1e-13, limit=1000))
        if not math.isfinite(v):
            raise ValueError(f"truth {self.label}: an expectation of the sufficient statistic "
                             f"is infinite")
        return v

    def _quad_cumulants(self, fam, order):
        p = fam.dim

        def comp(i):
            return lambda x: fam.statistic(np.atleast_1d(x))[:, i]

        eta = np.array([self._expect(lambda x, i=i: comp(i)(x)[0]) for i in range(p)])

        def cen(x):
            return fam.statistic(np.atleast_1d(x))[0] - eta

        sigma = np.empty((p, p))
        for i in range(p):
            for j in range(i, p):
                sigma[i, j] = sigma[j, i] = self._expect(lambda x, i=i, j=j: cen(x)[i] * cen(x)[j])
        out = [eta, sigma]
        if order >= 3:
            kap = np.empty((p, p, p))
            for i in range(p):
                for j in range(i, p):
                    for k in range(j, p):
                        v = self._expect(lambda x, i=i, j=j, k=k: cen(x)[i] * cen(x)[j] * cen(x)[k])
                        for a, b, c in {(i, j, k), (i, k, j), (j, i, k), (j, k, i), (k, i, j),
                                        (k, j, i)}:
                            kap[a, b, c] = v
            out.append(kap)
        return tuple(out)

    def sample(self, rng, shape):
        return np.asarray(self.dist.rvs(size=shape, random_state=rng), dtype=float)


class MvnTruth(Truth):
    """A frozen ``scipy.stats.multivariate_normal``."""

    def __init__(self, mean, cov):
        self.mean = np.atleast_1d(np.asarray(mean, dtype=float))
        self.cov = np.atleast_2d(np.asarray(cov, dtype=float))
        self.sample_dim = self.mean.size
        self.label = f"multivariate_normal(d={self.sample_dim})"
        try:
            self._chol = np.linalg.cholesky(self.cov)
        except np.linalg.LinAlgError:
            raise ValueError("truth: the covariance of the multivariate normal law is singular; "
                             "the projection onto a normal family does not exist") from None

    def t_cumulants(self, fam, order=3):
        if self.sample_dim > 6:
            raise ValueError("moments of T under a multivariate normal truth are formed by a "
                             "Gauss-Hermite rule only for d <= 6; use method='structured'")
        pts, w = gauss_hermite_points(self.mean, self.cov, 4 if order <= 3 else 5)
        return weighted_cumulants(fam.statistic(pts), w, order)

    def sample(self, rng, shape):
        z = rng.standard_normal(shape + (self.sample_dim,))
        return self.mean + z @ self._chol.T


def as_truth(truth, fam: ExponentialFamily | None = None) -> Truth:
    """Normalise a user's description of the true law (see the module docstring).

    Examples
    --------
    >>> import scipy.stats as st
    >>> from fdivtheory.projection.truth import as_truth
    >>> as_truth(st.gamma(2)).label
    'scipy.stats.gamma(2)'
    """
    if isinstance(truth, Truth):
        out = truth
    elif isinstance(truth, stats._multivariate.multivariate_normal_frozen):
        out = MvnTruth(truth.mean, truth.cov)
    elif isinstance(truth, stats._multivariate.multi_rv_frozen):
        raise TypeError(f"truth: multivariate scipy law {type(truth).__name__} is not supported; "
                        f"pass multivariate_normal or a data array")
    elif isinstance(truth, stats.distributions.rv_frozen):
        out = ScipyTruth(truth)
    else:
        raw = np.asarray(truth) if not isinstance(truth, str | bytes) else truth
        if isinstance(raw, np.ndarray) and raw.dtype.kind == "f" and fam is not None \
                and hasattr(fam, "k") and raw.ndim == 1 and raw.size == fam.k \
                and np.all(raw >= 0) and np.all(raw <= 1) and not np.all(raw == np.round(raw)):
            p = probability_vector(raw, "truth", renormalize=False)
            out = PointTruth(np.arange(fam.k, dtype=float), p, f"categorical p={np.round(p, 4)}")
        else:
            if isinstance(raw, np.ndarray) and raw.dtype.kind == "f" and fam is not None \
                    and hasattr(fam, "k") and raw.ndim == 1 and raw.size != fam.k \
                    and np.all(raw >= 0) and abs(float(np.sum(raw)) - 1.0) <= SUM_TOL \
                    and not np.all(raw == np.round(raw)):
                raise ValueError(f"truth: a probability vector for the {fam.name} family "
                                 f"must have {fam.k} entries, got {raw.size}")
            data = finite_array(truth, "truth", ndim=(1, 2), nonempty=True)
            if data.ndim == 2 and data.shape[1] == 1 and fam is not None \
                    and fam.sample_dim is None:
                data = data[:, 0]
            n = data.shape[0]
            out = PointTruth(data, np.full(n, 1.0 / n), f"empirical law of {n} points")
    if fam is not None:
        out.check_family(fam)
    return out
