"""Numerical references for the closed forms: quadrature, exact sums, Monte Carlo.

Used by the tests and by :mod:`fdivtheory.closed_form.checks`.  Everything is
computed from the densities (``to_scipy().logpdf`` / ``logpmf``) alone, never
from a closed form or a crossing point computed by the code under test.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy import integrate
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln, logsumexp, pdtrc

__all__ = ["monte_carlo", "poisson_sum", "quad_1d", "quad_2d_gaussian"]

_QUANTILES = (1e-12, 1e-6, 1e-3, 0.1, 0.25, 0.5, 0.75, 0.9, 1 - 1e-3, 1 - 1e-6, 1 - 1e-12)


def _integrand(quantity: str, lp: Any, lq: Any, alpha: float | None):
    def f(x: float) -> float:
        a, b = lp(x), lq(x)
        if not (math.isfinite(a) and math.isfinite(b)):
            return 0.0  # |x| near the overflow threshold (the laws share their support)
        if quantity == "kl":
            ea = math.exp(a)
            return 0.0 if ea == 0.0 else ea * (a - b)
        if quantity == "renyi":
            return math.exp(alpha * a + (1 - alpha) * b)
        if quantity == "bc":
            return math.exp(0.5 * (a + b))
        if quantity == "hellinger_sq":
            return (math.exp(0.5 * a) - math.exp(0.5 * b)) ** 2
        if quantity == "chi2":
            return math.exp(2 * a - b)
        return max(0.0, math.exp(a) - math.exp(b))  # tv

    if quantity not in ("kl", "renyi", "bc", "hellinger_sq", "chi2", "tv"):
        raise ValueError(quantity)
    return f


def _logpdf(X: Any, reflect: bool = False):
    """The scalar log-density, written out (fast; SciPy's Laplace underflows at |x| ~ 1e3).

    ``reflect=True`` (Beta only): ``t -> log p(1 - t)``, accurate for small ``t``.
    """
    name = type(X).__name__
    if name == "Laplace":
        m, b = X.loc, X.scale
        return lambda x: -abs(x - m) / b - math.log(2.0 * b)
    if name == "Gaussian" and X.dim == 1:
        m, s = float(X.mean), math.sqrt(float(X.covariance[0, 0]))
        c = math.log(s) + 0.5 * math.log(2.0 * math.pi)
        return lambda x: -0.5 * ((x - m) / s) ** 2 - c
    if name in ("Gamma", "Exponential"):
        k, r = getattr(X, "shape", 1.0), X.rate
        c = k * math.log(r) - math.lgamma(k)
        return lambda x: c + (k - 1.0) * math.log(x) - r * x if x > 0 else -math.inf
    if name == "Beta":
        a, b = X.a, X.b
        c = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        if reflect:
            a, b = b, a
        return lambda x: (c + (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x)
                          if 0 < x < 1 else -math.inf)
    d = X.to_scipy()
    return lambda x: float(d.logpdf(x))


def _crossings(lp: Any, lq: Any, lo: float, hi: float, n: int = 4001) -> list[float]:
    """Sign changes of ``lp - lq`` on a grid of ``[lo, hi]``, refined by Brent."""
    xs = np.linspace(lo, hi, n)
    d = np.array([lp(x) - lq(x) for x in xs])
    out = []
    for i in np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]:
        out.append(brentq(lambda x: lp(x) - lq(x), xs[i], xs[i + 1], xtol=1e-15))
    return out


def _geometric_refine(edges: list[float], ratio: float = 16.0) -> list[float]:
    """Insert cuts so that consecutive positive edges differ by at most ``ratio``.

    Densities like ``x^{k-1}`` with small ``k`` spread their mass over many
    orders of magnitude near 0; one ``quad`` call per factor of 16 resolves them.
    """
    out = [edges[0]]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if 0 < a and math.isfinite(b) and b / a > ratio:
            n = math.ceil(math.log(b / a) / math.log(ratio))
            out.extend(float(x) for x in np.geomspace(a, b, n + 1)[1:-1])
        out.append(b)
    return out


def quad_1d(P: Any, Q: Any, quantity: str, alpha: float | None = None,
            epsrel: float = 1e-12) -> float:
    """``kl``, ``renyi``, ``bhattacharyya``, ``hellinger_sq``, ``chi2`` or ``tv`` by quadrature.

    The real line (or the support) is cut at quantiles of both laws, at the
    sign changes of ``log p - log q`` and at the mode of the integrand, and
    each piece (including the infinite tails) goes to ``scipy.integrate.quad``.
    """
    p, q = P.to_scipy(), Q.to_scipy()
    lo, hi = (float(v) for v in p.support())
    lp, lq = _logpdf(P), _logpdf(Q)
    points = {float(d.ppf(u)) for d in (p, q) for u in _QUANTILES}
    finite = sorted(x for x in points if lo < x < hi and math.isfinite(x))
    points.update(_crossings(lp, lq, finite[0], finite[-1]))
    span = finite[-1] - finite[0]
    for j in range(10):  # geometric cuts for slowly decaying Rényi integrands (alpha > 1)
        points.update((finite[0] - span * 4.0**j, finite[-1] + span * 4.0**j))
    for j in range(1, 26):  # and towards finite support ends (integrable singularities)
        if math.isfinite(lo):
            points.add(lo + (finite[0] - lo) * 4.0**-j)
        if math.isfinite(hi):
            points.add(hi - (hi - finite[-1]) * 4.0**-j)
    qty = "bc" if quantity == "bhattacharyya" else quantity
    f = _integrand(qty, lp, lq, alpha)
    if qty in ("renyi", "chi2"):
        a = 2.0 if qty == "chi2" else alpha
        g = lambda x: -(a * lp(x) + (1 - a) * lq(x))
        res = minimize_scalar(g, bounds=(finite[0] - span, finite[-1] + span), method="bounded")
        points.add(float(res.x))
    inner = sorted(x for x in points if lo < x < hi and math.isfinite(x))
    pieces = [(f, [lo, *inner, hi])]
    if type(P).__name__ == "Beta":
        # x near 1 has no resolution in double: integrate [1/2, 1] in t = 1 - x instead
        ft = _integrand(qty, _logpdf(P, reflect=True), _logpdf(Q, reflect=True), alpha)
        t_cuts = {1.0 - x for x in inner if x > 0.5} | {0.5 * 4.0**-j for j in range(1, 40)}
        pieces = [(f, [0.0, *(x for x in inner if x < 0.5), 0.5]),
                  (ft, [0.0, *sorted(t for t in t_cuts if 0 < t < 0.5), 0.5])]
    total = 0.0
    with warnings.catch_warnings():  # epsrel = 1e-12 is sometimes out of reach: rounding
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for fn, edges in pieces:
            edges = _geometric_refine(edges)
            for a, b in zip(edges[:-1], edges[1:], strict=True):
                total += integrate.quad(fn, a, b, epsabs=0.0, epsrel=epsrel, limit=500)[0]
    if quantity == "renyi":
        return math.log(total) / (alpha - 1.0)
    if quantity == "bhattacharyya":
        return -math.log(total)
    if quantity == "chi2":
        return total - 1.0
    return total


def poisson_sum(P: Any, Q: Any, quantity: str, alpha: float | None = None
                ) -> tuple[float, float]:
    """Exact truncated sum over ``k = 0..K`` for Poisson laws, and a bound on the tail.

    Returns ``(value, tail_bound)`` with ``|exact - value| <= tail_bound``
    (for ``renyi``/``bhattacharyya`` the bound is on the sum inside the log).
    """
    lam, mu = P.rate, Q.rate
    a = {"renyi": alpha, "bhattacharyya": 0.5, "chi2": 2.0}.get(quantity, 1.0)
    rho = math.exp(a * math.log(lam) + (1 - a) * math.log(mu))
    top = max(lam, mu, rho)
    K = int(top + 40.0 * math.sqrt(top) + 60.0)
    k = np.arange(K + 1)
    lp = k * math.log(lam) - lam - gammaln(k + 1)
    lq = k * math.log(mu) - mu - gammaln(k + 1)
    if quantity == "kl":
        value = float(np.sum(np.exp(lp) * (lp - lq)))
        tail = abs(mu - lam) * pdtrc(K, lam) + abs(math.log(lam / mu)) * lam * pdtrc(K - 1, lam)
        return value, float(tail)
    if quantity == "tv":
        return 0.5 * float(np.sum(np.abs(np.exp(lp) - np.exp(lq)))), \
            float(pdtrc(K, lam) + pdtrc(K, mu))
    if quantity == "hellinger_sq":
        return float(np.sum((np.exp(lp / 2) - np.exp(lq / 2)) ** 2)), \
            float(pdtrc(K, lam) + pdtrc(K, mu))
    # sum_k p^a q^(1-a) = C sum rho^k / k!,  C = exp(-a lam - (1-a) mu): tail C e^rho sf_rho(K)
    log_s = float(logsumexp(a * lp + (1 - a) * lq))
    sf = float(pdtrc(K, rho))
    rel_tail = 0.0 if sf == 0 else math.exp(-a * lam - (1 - a) * mu + rho + math.log(sf) - log_s)
    if quantity == "chi2":
        if log_s > 709.0:
            return math.inf, 0.0
        s = math.exp(log_s)
        return s - 1.0, rel_tail * s
    if quantity == "bhattacharyya":
        return -log_s, rel_tail
    return log_s / (a - 1.0), rel_tail / abs(a - 1.0)


def quad_2d_gaussian(P: Any, Q: Any, quantity: str, *, width: float = 10.0,
                     epsabs: float = 1e-11) -> float:
    """``kl`` or ``tv`` of two 2-D laws by ``scipy.integrate.dblquad`` on a box.

    The box spans ``width`` standard deviations of either law in each
    coordinate (the mass outside is below ``1e-20`` for Gaussians and
    ``width >= 10``).
    """
    p, q = P.to_scipy(), Q.to_scipy()
    means = np.stack([np.reshape(P.mean, -1), np.reshape(Q.mean, -1)])
    sds = np.sqrt(np.stack([np.diag(P.covariance), np.diag(Q.covariance)]))
    lo = (means - width * sds).min(axis=0)
    hi = (means + width * sds).max(axis=0)
    if quantity == "kl":
        def f(y: float, x: float) -> float:
            lpx = float(p.logpdf([x, y]))
            return math.exp(lpx) * (lpx - float(q.logpdf([x, y])))
    elif quantity == "tv":
        def f(y: float, x: float) -> float:
            return max(0.0, float(p.pdf([x, y])) - float(q.pdf([x, y])))
    else:
        raise ValueError(quantity)
    return integrate.dblquad(f, lo[0], hi[0], lo[1], hi[1], epsabs=epsabs, epsrel=1e-10)[0]


def monte_carlo(P: Any, Q: Any, quantity: str, n: int, rng: np.random.Generator,
                alpha: float | None = None) -> tuple[float, float]:
    """Monte Carlo estimate and standard error from ``n`` draws of ``P``.

    ``kl``: mean of ``log p - log q``; ``renyi``: ``log mean (q/p)^{1-alpha}`` with
    the delta-method standard error of the log; ``tv``: mean of
    ``max(0, 1 - q/p)``.
    """
    p, q = P.to_scipy(), Q.to_scipy()
    x = p.rvs(size=n, random_state=rng)
    if type(P).__name__ == "Dirichlet":
        x = x.T  # scipy.stats.dirichlet.logpdf takes the coordinates first
    r = np.asarray(p.logpdf(x) - q.logpdf(x), dtype=float)
    if quantity == "kl":
        return float(r.mean()), float(r.std(ddof=1) / math.sqrt(n))
    if quantity == "tv":
        v = np.maximum(0.0, -np.expm1(-r))
        return float(v.mean()), float(v.std(ddof=1) / math.sqrt(n))
    if quantity == "renyi":
        w = np.exp((alpha - 1.0) * r)
        m = float(w.mean())
        return math.log(m) / (alpha - 1.0), \
            float(w.std(ddof=1) / math.sqrt(n)) / (m * abs(alpha - 1.0))
    raise ValueError(quantity)
