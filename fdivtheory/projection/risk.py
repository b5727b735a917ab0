r"""The estimation risk :math:`R_n = E_g D[g_{\theta^*} | g_{\hat\theta}]`: expansion, exact values, Monte Carlo.

Sheena (2021, arXiv:2105.08947) studies the risk of the MLE measured from the
information projection :math:`g_{\theta^*}` of the truth :math:`g` onto an
exponential family.  It expands as

.. math:: R_n = \frac{c_1}{n} + \frac{c_2}{n^2} + O(n^{-3}),

with :math:`c_1 = \tfrac12\operatorname{tr}(I^{-1}J)` and :math:`c_2` given by
cumulants of :math:`T` under the model (up to order 4) and under :math:`g`
(orders 2 and 3).  The formulas are this library's derivation, checked against
exact finite-:math:`n` risks (docs/theory/pn_criterion.md, §3–5); the paper's
own statement of the :math:`n^{-2}` term has not been compared symbol by symbol.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import special, stats

from fdivtheory import _backend
from fdivtheory._arguments import choice, positive_int

from ._tensors import c1_c2_tensor
from .builtin_families import (
    Bernoulli,
    Categorical,
    Exponential,
    MultivariateNormal,
    Normal,
    NormalKnownVariance,
    Poisson,
)
from .exponential_family import ExponentialFamily
from .truth import MvnTruth, PointTruth, ScipyTruth, as_truth

__all__ = [
    "ExactRisk",
    "Projection",
    "RiskExpansion",
    "SimulatedRisk",
    "exact_risk",
    "information_projection",
    "risk_expansion",
    "simulate_risk",
]


@dataclass(frozen=True)
class Projection:
    r"""The information projection :math:`\theta^* = \arg\min_\theta D[g | g_\theta]`.

    For an exponential family it is moment matching, :math:`\eta^* = E_g[T]`.
    """

    theta: np.ndarray
    eta: np.ndarray
    family: str


class RiskExpansion(NamedTuple):
    r"""Coefficients of :math:`R_n = c_1/n + c_2/n^2 + O(n^{-3})`."""

    c1: float
    c2: float

    def risk(self, n: float, order: int = 2) -> float:
        """The truncated expansion ``c1/n`` (order 1) or ``c1/n + c2/n**2`` (order 2)."""
        return self.c1 / n + (self.c2 / n**2 if order == 2 else 0.0)


@dataclass(frozen=True)
class ExactRisk:
    """An exact finite-``n`` risk.

    Attributes
    ----------
    risk : float
        ``E[D | MLE exists]`` (``conditional=True``) or the unconditional
        ``E[D]`` (``+inf`` whenever the MLE fails to exist with positive probability).
    p_nonexistence : float
        Probability that the MLE does not exist.
    truncated : float
        ``E[D 1{MLE exists}]``.
    conditional : bool
    method : str
        How it was computed.
    reason : str
        Why the risk is infinite (empty otherwise).
    """

    risk: float
    p_nonexistence: float
    truncated: float
    conditional: bool
    method: str
    reason: str = ""


@dataclass(frozen=True)
class SimulatedRisk:
    """A Monte Carlo risk, conditional on the existence of the MLE.

    Attributes
    ----------
    mean, se : float
        Mean loss over the replications where the MLE exists, and its standard error.
    replications : int
    existing : int
        Replications in which the MLE exists.
    p_nonexistence : float
        Fraction of replications without an MLE.
    reason : str
        Why ``mean`` is infinite (empty otherwise).
    """

    mean: float
    se: float
    replications: int
    existing: int
    p_nonexistence: float
    reason: str = ""


def _check_family(fam) -> ExponentialFamily:
    if not isinstance(fam, ExponentialFamily):
        raise TypeError(f"fam must be an ExponentialFamily (from family() or "
                        f"family_from_sympy()), got {type(fam).__name__}")
    return fam


def information_projection(fam: ExponentialFamily, truth) -> Projection:
    r"""The information projection of ``truth`` onto ``fam`` (moment matching).

    .. math:: \theta^* = \arg\min_\theta D[g \,|\, g_\theta],\qquad
              \nabla\psi(\theta^*) = E_g[T(X)]

    (Csiszár's reverse I-projection; docs/theory/pn_criterion.md, §1.)

    Examples
    --------
    >>> import scipy.stats as st
    >>> from fdivtheory.projection import family, information_projection
    >>> proj = information_projection(family("exponential"), st.gamma(2, scale=3))
    >>> proj.eta, proj.theta          # mean 6, rate 1/6
    (array([6.]), array([-0.16666667]))
    """
    fam = _check_family(fam)
    g = as_truth(truth, fam)
    eta = g.t_cumulants(fam, order=2)[0] if not isinstance(g, MvnTruth) else _mvn_eta(fam, g)
    try:
        theta = fam.natural_from_mean(eta)
    except ValueError as exc:
        raise ValueError(f"truth: E_g[T] lies on the boundary of the convex support of the "
                         f"{fam.name} family, so the information projection does not exist "
                         f"({exc})") from None
    return Projection(theta, np.asarray(eta, dtype=float), fam.name)


def _mvn_eta(fam, g: MvnTruth) -> np.ndarray:
    if isinstance(fam, MultivariateNormal):
        M = g.cov + np.outer(g.mean, g.mean)
        return np.concatenate([g.mean, M[fam._iu]])
    return g.t_cumulants(fam, order=2)[0]


# -- the expansion ---------------------------------------------------------------------------

def risk_expansion(fam: ExponentialFamily, truth, *, method: str = "auto") -> RiskExpansion:
    r"""Coefficients :math:`(c_1, c_2)` of :math:`R_n = c_1/n + c_2/n^2 + O(n^{-3})`.

    ``method``:

    * ``"natural"``: the general tensor formula in natural coordinates
      (:math:`H = G^{-1}`, :math:`A = H\Sigma H`)

      .. math::
         c_1 = \tfrac12\operatorname{tr}(H\Sigma),\quad
         c_2 = -\tfrac13 K_{abc}\tilde\kappa^{abc} - \tfrac38 L_{abcd}A_{ab}A_{cd}
               + \tfrac38 K_{abc}K_{def}H_{ad}(A_{bc}A_{ef} + 2A_{be}A_{cf});

    * ``"mean"``: the same in mean coordinates,
      :math:`c_2 = \tfrac13\varphi^{ijk}\kappa_{ijk} + \tfrac38\varphi^{ijkl}\Sigma_{ij}\Sigma_{kl}`;
    * ``"structured"``: closed forms for the normal (skewness, kurtosis, 6th
      moment of :math:`g`), the multivariate normal (trace formula in the
      whitened moments, no :math:`p^4` tensor), the categorical, Poisson,
      Bernoulli, exponential and known-variance normal families;
    * ``"auto"`` (default): ``"structured"`` where available, else ``"natural"``.

    Derived in docs/theory/pn_criterion.md, §3–4 (the paper's quantity, the
    library's formula).  ``c1`` needs :math:`E_g|T|^2 < \infty` and ``c2``
    :math:`E_g|T|^3 < \infty`; a truth without them is a ``ValueError`` naming
    the infinite moment.

    Examples
    --------
    >>> import scipy.stats as st
    >>> from fdivtheory.projection import family, risk_expansion
    >>> c = risk_expansion(family("exponential"), st.gamma(2))   # (1/(2k), 11/(12k^2))
    >>> round(c.c1, 12), round(c.c2, 12)
    (0.25, 0.229166666667)
    >>> c = risk_expansion(family("normal"), st.t(10))        # (5/4, 31/8)
    >>> round(c.c1, 12), round(c.c2, 12)
    (1.25, 3.875)
    """
    fam = _check_family(fam)
    choice(method, "method", ("auto", "natural", "mean", "structured"))
    g = as_truth(truth, fam)
    # the projection must exist (E_g T interior), else every formula divides by zero
    proj = information_projection(fam, g)
    if method in ("auto", "structured"):
        out = _structured(fam, g)
        if out is not None:
            return RiskExpansion(float(out.c1), float(out.c2))
        if method == "structured":
            raise ValueError(f"no structured formula for the {fam.name} family with truth "
                             f"{g.label}; use method='natural'")
    G, K, L = fam.cumulants(proj.theta, order=4)
    _, sigma, kappa = g.t_cumulants(fam, order=3)
    if method == "mean":
        from ._tensors import c1_c2_mean

        c1, c2 = c1_c2_mean(G, K, L, sigma, kappa)
    else:
        c1, c2 = c1_c2_tensor(G, K, L, sigma, kappa)
    return RiskExpansion(float(c1), float(c2))


def _central_moments_1d(g, k: int) -> np.ndarray:
    """Central moments ``mu_0..mu_k`` of a scalar law."""
    if isinstance(g, PointTruth):
        x = g.points - g.weights @ g.points
        return np.array([g.weights @ x**j for j in range(k + 1)])
    if isinstance(g, ScipyTruth):
        return g.central_moments(k)[1]
    raw = g.moments_1d(k)
    m = raw[1]
    return np.array([sum(math.comb(j, i) * raw[i] * (-m) ** (j - i) for i in range(j + 1))
                     for j in range(k + 1)])


def _structured(fam, g) -> RiskExpansion | None:
    if isinstance(fam, NormalKnownVariance):
        tau2 = g.t_cumulants(fam, order=2)[1][0, 0]
        return RiskExpansion(tau2 / (2 * fam.sigma2), 0.0)
    if isinstance(fam, Normal):
        try:
            mu = _central_moments_1d(g, 6)
        except ValueError as exc:
            raise ValueError(f"{exc}; c2 of the normal family needs E|X|^6 < inf") from None
        s2 = mu[2]
        g1, g2, m6 = mu[3] / s2**1.5, mu[4] / s2**2 - 3.0, mu[6] / s2**3
        return RiskExpansion(1.0 + g2 / 4.0,
                             121 / 12 + 6 * g2 + 9 / 8 * g2**2 + 3 * g1**2 - m6 / 3)
    if isinstance(fam, MultivariateNormal):
        return _mvn_trace(fam, g)
    if isinstance(fam, Categorical):
        eta = g.t_cumulants(fam, order=2)[0]
        p = np.concatenate([[1.0 - eta.sum()], eta])
        if not np.all(p > 0):
            raise ValueError("truth puts no mass on some cell: the information projection "
                             "onto the categorical family does not exist")
        k = fam.k
        return RiskExpansion((k - 1) / 2, (5 * np.sum(1 / p) - 6 * k + 1) / 12)
    if isinstance(fam, Exponential | Poisson | Bernoulli):
        eta, sigma, kappa = g.t_cumulants(fam, order=3)
        m, k2, k3 = eta[0], sigma[0, 0], kappa[0, 0, 0]
        if isinstance(fam, Exponential):
            f2, f3, f4 = 1 / m**2, -2 / m**3, 6 / m**4
        elif isinstance(fam, Poisson):
            f2, f3, f4 = 1 / m, -1 / m**2, 2 / m**3
        else:
            if not 0 < m < 1:
                raise ValueError("truth is degenerate at 0 or 1: no projection onto the "
                                 "bernoulli family")
            f2 = 1 / m + 1 / (1 - m)
            f3 = -1 / m**2 + 1 / (1 - m) ** 2
            f4 = 2 / m**3 + 2 / (1 - m) ** 3
        return RiskExpansion(0.5 * f2 * k2, f3 * k3 / 3 + 0.375 * f4 * k2**2)
    return None


def _whitened_moments(fam, g):
    """``(d, beta2, beta3, v, sumT3sq, P, sumQsq)`` of the whitened truth (mvn trace formula)."""
    d = fam.d
    if isinstance(g, MvnTruth):
        beta2 = d * (d + 2.0)
        return (d, beta2, beta2 * (d + 4.0), np.zeros(d), 0.0, (d + 1.0) * np.eye(d),
                3.0 * d * d + 6.0 * d)
    if not isinstance(g, PointTruth):
        return None
    w = g.weights
    x = g.points
    m = w @ x
    xc = x - m
    S = (xc * w[:, None]).T @ xc
    try:
        C = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        raise ValueError("truth: the covariance of the data is singular (n <= d or collinear "
                         "columns); the projection onto the multivariate normal family does "
                         "not exist") from None
    y = np.linalg.solve(C, xc.T).T
    r2 = np.einsum("na,na->n", y, y)
    beta2 = w @ r2**2
    beta3 = w @ r2**3
    yw = y * w[:, None]
    v = yw.T @ r2
    P = (yw * r2[:, None]).T @ y - np.eye(d)
    Z = (y[:, :, None] * y[:, None, :]).reshape(y.shape[0], d * d)
    Q = (Z * w[:, None]).T @ Z
    T3 = np.einsum("na,nb->ab", yw, Z).reshape(d, d, d) if d <= 40 else None
    return d, beta2, beta3, v, float(np.sum(T3**2)), P, float(np.sum(Q**2))


def _mvn_trace(fam, g) -> RiskExpansion | None:
    wm = _whitened_moments(fam, g)
    if wm is None:
        return None
    d, b2, b3, v, t3sq, P, qsq = wm
    F = 2.0 * float(np.sum(P * P.T)) + qsq - 2.0 * b2 + d
    c1 = d / 2 + (b2 - d) / 4
    c2 = (-(b2 - d) - (b3 - 3 * b2 + 2 * d) / 3 + 0.75 * d * (d + 2)
          + 1.5 * (float(v @ v) + t3sq + b2 - d) + 0.375 * F)
    return RiskExpansion(float(c1), float(c2))


# -- exact risks -------------------------------------------------------------------------------

def exact_risk(fam: ExponentialFamily, truth, n: int, *, conditional: bool = True) -> ExactRisk:
    r"""The exact finite-``n`` risk where a closed form or a finite sum exists.

    Routes (docs/theory/pn_criterion.md, §5):

    * exponential family, Gamma(shape :math:`k`) truth (any scale):
      :math:`R_n = \psi_\Gamma(nk) - \log(nk) + 1/(nk-1)`, finite iff :math:`nk > 1`;
    * normal / multivariate normal family, normal truth:
      :math:`R_n = \tfrac12[(n+1)d/(n-d-2) - d + \sum_{i=1}^d\psi_\Gamma((n-i)/2) + d\log(2/n)]`,
      finite iff :math:`n > d + 2`;
    * known-variance normal, any truth: :math:`\tau^2/(2n\sigma_0^2)` (no :math:`n^{-2}` term);
    * categorical / Bernoulli: enumeration of all count vectors;
    * Poisson family, Poisson or negative-binomial truth: a series over
      :math:`S = \sum X_i`.

    ``conditional=True`` returns :math:`E[D \mid \text{MLE exists}]`;
    ``False`` the unconditional :math:`E[D]`, which is ``+inf`` whenever the
    MLE fails to exist with positive probability.  :attr:`ExactRisk.reason` says
    why a risk is infinite.

    Examples
    --------
    >>> import scipy.stats as st
    >>> from fdivtheory.projection import exact_risk, family
    >>> round(exact_risk(family("exponential"), st.gamma(2), 20).risk, 14)
    0.01308894556193
    >>> exact_risk(family("mvn", d=2), st.multivariate_normal([0, 0]), 4).reason
    'E[D] diverges for n <= d + 2 = 4 (the mean of the inverse Wishart is infinite)'
    """
    fam = _check_family(fam)
    n = positive_int(n, "n")
    if not isinstance(conditional, bool):
        raise TypeError(f"conditional must be True or False, got {conditional!r}")
    g = as_truth(truth, fam)
    if isinstance(fam, NormalKnownVariance):
        tau2 = g.t_cumulants(fam, order=2)[1][0, 0]
        return ExactRisk(tau2 / (2 * n * fam.sigma2), 0.0, tau2 / (2 * n * fam.sigma2),
                         conditional, "closed form")
    if isinstance(fam, Exponential) and isinstance(g, ScipyTruth) \
            and g.dist.dist.name in ("gamma", "expon") and _unshifted(g):
        mean, var = (float(v) for v in g.dist.stats("mv"))
        k = mean * mean / var
        nk = n * k
        if nk <= 1:
            return ExactRisk(math.inf, 0.0, math.inf, conditional, "closed form (digamma)",
                             f"E[D] diverges for n k <= 1 (n k = {nk:g})")
        r = float(special.digamma(nk) - math.log(nk) + 1.0 / (nk - 1.0))
        return ExactRisk(r, 0.0, r, conditional, "closed form (digamma)")
    if isinstance(fam, Normal | MultivariateNormal) and _is_normal_truth(g):
        d = 1 if isinstance(fam, Normal) else fam.d
        if n <= d + 2:
            p_non = 1.0 if n <= d else 0.0
            return ExactRisk(math.inf, p_non, math.inf, conditional, "closed form (digamma)",
                             f"E[D] diverges for n <= d + 2 = {d + 2} (the mean of the "
                             f"inverse Wishart is infinite)")
        r = 0.5 * ((n + 1) * d / (n - d - 2) - d
                   + float(np.sum(special.digamma((n - np.arange(1, d + 1)) / 2.0)))
                   + d * math.log(2.0 / n))
        return ExactRisk(r, 0.0, r, conditional, "closed form (digamma)")
    if isinstance(fam, Categorical | Bernoulli):
        if isinstance(fam, Bernoulli):
            q = g.t_cumulants(fam, order=2)[0][0]
            p = np.array([1.0 - q, q])
        else:
            eta = g.t_cumulants(fam, order=2)[0]
            p = np.concatenate([[1.0 - eta.sum()], eta])
        return _categorical_exact(p, n, conditional)
    if isinstance(fam, Poisson) and isinstance(g, ScipyTruth) \
            and g.dist.dist.name in ("poisson", "nbinom") and _unshifted(g):
        return _poisson_exact(g, n, conditional)
    raise ValueError(f"no exact route for the {fam.name} family with truth {g.label}; use "
                     f"simulate_risk")


def _unshifted(g: ScipyTruth) -> bool:
    """Whether a scipy law has ``loc = 0`` (its support starts at 0), as the closed forms need."""
    return float(g.dist.support()[0]) == 0.0


def _is_normal_truth(g) -> bool:
    return isinstance(g, MvnTruth) or (isinstance(g, ScipyTruth) and g.dist.dist.name == "norm")


def _compositions(n: int, k: int) -> np.ndarray:
    """All count vectors of ``k`` non-negative integers summing to ``n``."""
    bars = np.array(list(itertools.combinations(range(n + k - 1), k - 1)), dtype=np.int64)
    bars = bars.reshape(-1, k - 1)
    edges = np.concatenate([np.full((bars.shape[0], 1), -1), bars,
                            np.full((bars.shape[0], 1), n + k - 1)], axis=1)
    return np.diff(edges, axis=1) - 1


def _categorical_exact(p: np.ndarray, n: int, conditional: bool) -> ExactRisk:
    k = p.size
    if not np.all(p > 0):
        raise ValueError("truth puts no mass on some cell: the information projection does "
                         "not exist")
    count = math.comb(n + k - 1, k - 1)
    if count > 3_000_000:
        raise ValueError(f"exact enumeration needs {count} count vectors (n = {n}, k = {k}); "
                         f"use simulate_risk")
    c = _compositions(n, k)
    logw = special.gammaln(n + 1) - special.gammaln(c + 1).sum(axis=1) + c @ np.log(p)
    w = np.exp(logw)
    ok = np.all(c > 0, axis=1)
    p_exist = float(w[ok].sum())
    loss = (p * np.log(p[None, :] * n / c[ok])).sum(axis=1)
    truncated = float(w[ok] @ loss)
    p_non = max(0.0, 1.0 - p_exist)
    p_non = float(w[~ok].sum()) if p_non < 1e-3 else p_non
    if conditional:
        return ExactRisk(truncated / p_exist, p_non, truncated, True, "enumeration")
    risk = math.inf if p_non > 0 else truncated
    return ExactRisk(risk, p_non, truncated, False, "enumeration",
                     "the MLE fails to exist with positive probability (an empty cell)"
                     if p_non > 0 else "")


def _poisson_exact(g: ScipyTruth, n: int, conditional: bool) -> ExactRisk:
    lam = float(g.dist.mean())
    if g.dist.dist.name == "poisson":
        law = stats.poisson(n * lam)
    else:
        # size r and success probability q from mean r(1-q)/q and variance r(1-q)/q^2
        mean1, var1 = (float(v) for v in g.dist.stats("mv"))
        prob = mean1 / var1
        r = mean1 * prob / (1.0 - prob)
        law = stats.nbinom(n * r, prob)
    mean, var = (float(v) for v in law.stats("mv"))
    smax = int(mean + 60.0 * math.sqrt(var) + 200)
    s = np.arange(1, smax + 1, dtype=float)
    w = np.exp(law.logpmf(s))
    loss = lam * np.log(lam * n / s) - lam + s / n
    p0 = float(law.pmf(0))
    truncated = float(w @ loss)
    if conditional:
        return ExactRisk(truncated / (1.0 - p0), p0, truncated, True, "series over S")
    return ExactRisk(math.inf if p0 > 0 else truncated, p0, truncated, False, "series over S",
                     "P(S = 0) > 0: the MLE does not exist when every count is 0")


# -- Monte Carlo -------------------------------------------------------------------------------

def simulate_risk(fam: ExponentialFamily, truth, n: int, replications: int, *,
                  seed: int | np.random.Generator = 0, device: str | object = "cpu",
                  chunk: int | None = None) -> SimulatedRisk:
    r"""Monte Carlo estimate of :math:`R_n`, conditional on the existence of the MLE.

    Each replication draws :math:`X_1..X_n \sim g` (an empirical ``truth`` makes
    this the bootstrap), fits the MLE and records
    :math:`D[g_{\theta^*} | g_{\hat\theta}]`.  Draws are made with NumPy's
    ``Generator`` (seeded by ``seed``) in chunks; the loss of a chunk is computed
    in the array namespace of ``device``: ``"cpu"`` (NumPy), ``"gpu"`` (CuPy:
    each chunk is copied to the device) or an array-API namespace such as
    ``array_api_strict`` (the families ``normal``, ``normal_known_variance``,
    ``mvn``, ``exponential``, ``poisson``, ``bernoulli``, ``categorical``;
    other families run on the CPU only).

    ``seed`` is an integer or a ``numpy.random.Generator`` (used as is); the
    result does not depend on ``chunk`` (replications per batch, default about
    4·10^6 numbers per batch) beyond floating-point summation order.
    Returns the mean over replications where the MLE exists, its standard
    error and the fraction of replications without an MLE.

    Examples
    --------
    >>> import scipy.stats as st
    >>> from fdivtheory.projection import family, simulate_risk
    >>> res = simulate_risk(family("exponential"), st.gamma(2), 20, 20000, seed=1)
    >>> abs(res.mean - 0.013089) < 4 * res.se
    True
    """
    fam = _check_family(fam)
    n = positive_int(n, "n")
    replications = positive_int(replications, "replications", minimum=2)  # an SE needs two
    if not (isinstance(seed, np.random.Generator)
            or (isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0)):
        raise TypeError(f"seed must be a non-negative integer or a numpy.random.Generator, "
                        f"got {seed!r}")
    xp = _backend.device_namespace(device)
    g = as_truth(truth, fam)
    proj = information_projection(fam, g)
    if fam.sample_dim is not None and n <= fam.sample_dim:
        return SimulatedRisk(math.inf, math.inf, replications, 0, 1.0,
                             f"the MLE never exists for n <= d = {fam.sample_dim}")
    rng = np.random.default_rng(seed)
    per = n * (fam.sample_dim or 1)
    chunk = chunk or max(1, min(replications, 4_000_000 // per))
    count, mean, m2 = 0, 0.0, 0.0
    done = 0
    while done < replications:
        r = min(chunk, replications - done)
        draws = g.sample(rng, (r, n))
        loss, exists = fam._mc_loss(xp, xp.asarray(draws), proj.theta, proj.eta)
        ex = xp.astype(exists, xp.float64)
        c = float(xp.sum(ex))
        if c > 0:
            safe = xp.where(exists, loss, xp.zeros_like(loss))
            cm = float(xp.sum(safe)) / c
            cm2 = float(xp.sum(ex * (safe - cm) ** 2))
            tot = count + c
            delta = cm - mean
            mean += delta * c / tot
            m2 += cm2 + delta * delta * count * c / tot
            count = tot
        done += r
    p_non = 1.0 - count / replications
    if count < 2:
        return SimulatedRisk(math.inf, math.inf, replications, int(count), p_non,
                             "fewer than two replications with an MLE")
    se = math.sqrt(m2 / (count - 1) / count)
    reason = ""
    if isinstance(fam, Normal | MultivariateNormal) and not isinstance(g, PointTruth):
        d = fam.sample_dim or 1
        if n <= d + 2:
            reason = (f"E[D] is infinite for n <= d + 2 = {d + 2} under a normal truth (and "
                      f"any law with a density): the Monte Carlo mean does not converge")
    return SimulatedRisk(mean, se, replications, int(count), p_non, reason)
