r"""The p–n criterion: is ``n`` large enough for a ``p``-dimensional exponential family?

Bayes error rate of two laws with equal priors,
:math:`\mathrm{BER}(P, Q) = \tfrac12\int\min(p, q) = \tfrac12(1 - \mathrm{TV}(P, Q)) \le \tfrac12`.
Pinsker's inequality and Jensen's give, for the random plug-in law,

.. math:: E\,\mathrm{BER}(g_{\theta^*}, g_{\hat\theta}) \ge \tfrac12 - \sqrt{R_n/8},

so :math:`R_n \le 8\varepsilon^2` guarantees an expected Bayes error of at
least :math:`\tfrac12 - \varepsilon`.  This calibration is the library's
reconstruction of Sheena's Section 3 (not compared with the paper's text); see
docs/theory/pn_criterion.md, §6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from fdivtheory._arguments import finite, finite_array, in_interval, positive_int

from .exponential_family import ExponentialFamily
from .risk import risk_expansion
from .truth import PointTruth

__all__ = [
    "PNCriterion",
    "PNDecision",
    "bayes_error_lower_bound",
    "bayes_error_normal",
    "pn_criterion",
    "pn_decision",
]

_PAIRS = ("projection_plugin",)


@dataclass(frozen=True)
class PNDecision:
    """The p–n decision for given coefficients (see :func:`pn_decision`)."""

    accept: bool
    risk: float
    threshold: float
    eps_hat: float
    n_star: int
    well_specified_risk: float
    well_specified_accept: bool
    well_specified_n_star: int


@dataclass(frozen=True)
class PNCriterion:
    r"""Result of :func:`pn_criterion`.

    Attributes
    ----------
    accept : bool
        :math:`\hat R_n < 8\varepsilon^2`: ``n`` suffices for the ``p``-dimensional model.
    risk : float
        :math:`\hat R_n` (``c1/n + c2/n**2`` for ``order=2``, ``c1/n`` for ``order=1``).
    c1, c2 : float
        Plug-in coefficients (truth = empirical law of the data).
    eps_hat : float
        :math:`\sqrt{\hat R_n/8}`: the expected Bayes error is at least ``0.5 - eps_hat``.
    n_star : int
        Smallest sample size with :math:`\hat R_{n} < 8\varepsilon^2` at these coefficients.
    n, p, eps, order, pair : as given / derived
    threshold : float
        :math:`8\varepsilon^2`.
    first_order_risk : float
        ``c1 / n``.
    well_specified_risk, well_specified_accept, well_specified_n_star
        The first-order well-specified rule :math:`p/(2n) < 8\varepsilon^2`,
        i.e. :math:`n > p/(16\varepsilon^2)`.
    """

    accept: bool
    risk: float
    c1: float
    c2: float
    eps_hat: float
    n_star: int
    n: int
    p: int
    eps: float
    order: int
    pair: str
    threshold: float
    first_order_risk: float
    well_specified_risk: float
    well_specified_accept: bool
    well_specified_n_star: int


def _bayes_error_tolerance(eps) -> float:
    """The tolerance ``eps`` on the Bayes error: a number in ``(0, 1/2)``."""
    return in_interval(eps, "eps", 0.0, 0.5, closed="neither",
                       reason="the Bayes error rate of two laws is at most 1/2")


def pn_decision(c1: float, c2: float, n: int, p: int, *, eps: float = 0.05,
                order: int = 2) -> PNDecision:
    r"""Decide from coefficients: accept iff :math:`c_1/n + c_2/n^2 < 8\varepsilon^2`.

    :math:`n^*` is the smallest integer above the positive root
    :math:`[c_1 + \sqrt{c_1^2 + 32\varepsilon^2 c_2}]/(16\varepsilon^2)` of
    :math:`8\varepsilon^2 n^2 - c_1 n - c_2 = 0` (order 2), or above
    :math:`c_1/(8\varepsilon^2)` (order 1).  ``accept`` is :math:`n \ge n^*`.
    When :math:`c_2 < 0` the truncated risk also falls below the threshold (even
    below zero) at small ``n``, where the :math:`n^{-2}` term outweighs the
    :math:`n^{-1}` term and the expansion is no estimate; :math:`n^*` is then also
    required to exceed :math:`|c_2|/c_1`, and such small ``n`` are rejected.

    Examples
    --------
    Well-specified multivariate normal, d = 11 (p = 77):

    >>> from fdivtheory.projection import pn_decision
    >>> c1, c2 = 38.5, 11 * 1832 / 24
    >>> pn_decision(c1, c2, 1946, 77).accept, pn_decision(c1, c2, 1947, 77).accept
    (False, True)
    >>> pn_decision(c1, c2, 1947, 77).n_star, pn_decision(c1, c2, 1947, 77).well_specified_n_star
    (1947, 1926)
    """
    n = positive_int(n, "n")
    p = positive_int(p, "p")
    eps = _bayes_error_tolerance(eps)
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    c1, c2 = finite(c1, "c1"), finite(c2, "c2")
    if c1 < 0:
        raise ValueError(f"c1 must be non-negative (c1 = tr(I^-1 J)/2 >= 0), got {c1}")
    thr = 8.0 * eps * eps
    # strict inequality, robust to the rounding of 8 eps^2 (n = 25 p at eps = 0.05 is a tie)
    limit = thr * (1.0 - 1e-12)

    def r(m: int, o: int = order) -> float:
        return c1 / m + (c2 / m**2 if o == 2 else 0.0)

    risk = float(r(n))
    if order == 2:
        disc = c1 * c1 + 32.0 * eps * eps * c2
        root = (c1 + math.sqrt(disc)) / (16.0 * eps * eps) if disc > 0 else 0.0
    else:
        root = c1 / thr
    if order == 2 and c2 < 0 and c1 > 0:
        # below n = |c2|/c1 the n^-2 term outweighs the n^-1 term: R12 is no estimate there
        root = max(root, -c2 / c1)
        n_star = _smallest(lambda m: r(m) < limit and m > -c2 / c1, root)
    else:
        n_star = _smallest(lambda m: r(m) < limit, root)
    ws_n_star = _smallest(lambda m: p / (2.0 * m) < limit, p / (16.0 * eps * eps))
    ws_risk = p / (2.0 * n)
    # accept from n* on only: with c2 < 0 the truncated c1/n + c2/n^2 also dips below the
    # threshold (even below 0) at small n, where the expansion means nothing
    return PNDecision(bool(risk < limit and n >= n_star), float(risk), thr, math.sqrt(max(risk, 0.0) / 8.0),
                      n_star, ws_risk, bool(ws_risk < limit), ws_n_star)


def _smallest(ok, root: float) -> int:
    """Smallest positive integer ``m`` with ``ok(m)``, searched around ``root``."""
    m = max(1, math.floor(root) + 1)
    while m > 1 and ok(m - 1):
        m -= 1
    while not ok(m):
        m += 1
    return m


def pn_criterion(data, fam: ExponentialFamily, *, eps: float = 0.05, order: int = 2,
                 pair: str = "projection_plugin", method: str = "auto") -> PNCriterion:
    r"""Is the sample size of ``data`` sufficient for the exponential family ``fam``?

    Algorithm (docs/theory/pn_criterion.md, §6): take :math:`g` = the empirical
    law of ``data`` (so :math:`\theta^*` is the MLE), compute the plug-in
    :math:`\hat c_1, \hat c_2` (:func:`risk_expansion`),
    :math:`\hat R_n = \hat c_1/n + \hat c_2/n^2`, and accept iff
    :math:`\hat R_n < 8\varepsilon^2`, which by Pinsker and Jensen guarantees
    :math:`E\,\mathrm{BER}(g_{\theta^*}, g_{\hat\theta}) \ge \tfrac12 - \varepsilon`.
    The first-order well-specified rule :math:`n > p/(16\varepsilon^2)` is reported beside it.

    Which pair of laws the Bayes error refers to is left open by the paper's
    abstract, which speaks of the Bayes error between "the true distribution and
    the information projection"; a bound on :math:`R_n` controls the pair
    (information projection, plug-in estimate), ``pair="projection_plugin"``,
    the only pair implemented.  The :math:`8\varepsilon^2` calibration is the
    library's reconstruction (Pinsker), not the paper's confirmed constant.

    Parameters
    ----------
    data : array_like, shape (n,) or (n, d)
        Observations; NaN is a ``ValueError``.
    fam : ExponentialFamily
    eps : float in (0, 0.5)
        Target: expected Bayes error at least ``0.5 - eps`` (threshold ``8 eps**2``).
    order : {1, 2}
        Use ``c1/n`` or ``c1/n + c2/n**2``.
    pair : str
        The two laws whose Bayes error is controlled (see above).
    method : str
        Passed to :func:`risk_expansion`.

    Examples
    --------
    >>> import numpy as np
    >>> from fdivtheory.projection import family, pn_criterion
    >>> x = np.random.default_rng(0).standard_normal((3000, 2))
    >>> res = pn_criterion(x, family("mvn", d=2), eps=0.05)
    >>> res.accept, res.p, res.well_specified_n_star
    (True, 5, 126)
    """
    if not isinstance(fam, ExponentialFamily):
        raise TypeError(f"fam must be an ExponentialFamily, got {type(fam).__name__}")
    if pair not in _PAIRS:
        raise ValueError(f"pair must be one of {_PAIRS}: a bound on the estimation risk "
                         f"controls the Bayes error between the information projection and the "
                         f"plug-in law only; got {pair!r}")
    eps = _bayes_error_tolerance(eps)
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    x = fam._check_sample(finite_array(data, "data", ndim=(1, 2), nonempty=True), "data")
    n = x.shape[0]
    truth = PointTruth(x, np.full(n, 1.0 / n), f"empirical law of data ({n} rows)")
    if n < 2:
        raise ValueError(f"data must have at least 2 rows, got {n}")
    try:
        c = risk_expansion(fam, truth, method=method)
    except ValueError as exc:
        msg = str(exc)
        raise ValueError("data: " + (msg[len("truth: "):] if msg.startswith("truth: ") else msg)
                         ) from None
    dec = pn_decision(c.c1, c.c2, n, fam.dim, eps=eps, order=order)
    return PNCriterion(dec.accept, dec.risk, c.c1, c.c2, dec.eps_hat, dec.n_star, n, fam.dim,
                       eps, order, pair, dec.threshold, c.c1 / n, dec.well_specified_risk,
                       dec.well_specified_accept, dec.well_specified_n_star)


def bayes_error_normal(mu1, var1, mu2, var2) -> np.ndarray:
    r"""Exact Bayes error rate :math:`\tfrac12\int\min(p, q)` of two univariate normals (equal priors).

    The densities cross where a quadratic vanishes; with :math:`v_n < v_w` the
    narrow and wide variances and :math:`r_1 < r_2` the crossings,
    :math:`\int\min(p,q) = [F_w(r_2) - F_w(r_1)] + 1 - [F_n(r_2) - F_n(r_1)]`;
    for equal variances :math:`\mathrm{BER} = \Phi(-|\mu_1-\mu_2|/(2\sigma))`.
    Vectorised over its arguments (docs/theory/pn_criterion.md, §6).

    Examples
    --------
    >>> from fdivtheory.projection import bayes_error_normal
    >>> float(bayes_error_normal(0.0, 1.0, 2.0, 1.0))    # Phi(-1)
    0.15865525393145707
    """
    args = [np.asarray(a, dtype=float) for a in (mu1, var1, mu2, var2)]
    for name, a in zip(("mu1", "var1", "mu2", "var2"), args, strict=True):
        if np.isnan(a).any():
            raise ValueError(f"{name} contains NaN")
    m1, v1, m2, v2 = np.broadcast_arrays(*args)
    if not (np.all(v1 > 0) and np.all(v2 > 0)):
        raise ValueError("var1 and var2 must be positive")
    narrow_first = v1 <= v2
    mn = np.where(narrow_first, m1, m2)
    vn = np.where(narrow_first, v1, v2)
    mw = np.where(narrow_first, m2, m1)
    vw = np.where(narrow_first, v2, v1)
    equal = np.isclose(vn, vw, rtol=1e-12, atol=0.0)
    # crossings of log N(x; mn, vn) = log N(x; mw, vw): A x^2 + B x + C = 0
    A = vw - vn
    B = 2.0 * (vn * mw - vw * mn)
    C = vw * mn**2 - vn * mw**2 - vn * vw * np.log(vw / vn)
    with np.errstate(all="ignore"):
        disc = np.sqrt(np.maximum(B * B - 4 * A * C, 0.0))
        q = -0.5 * (B + np.where(B >= 0, 1.0, -1.0) * disc)
        ra, rb = q / A, C / q
        r1, r2 = np.minimum(ra, rb), np.maximum(ra, rb)
        sn, sw = np.sqrt(vn), np.sqrt(vw)
        inside_w = special.ndtr((r2 - mw) / sw) - special.ndtr((r1 - mw) / sw)
        inside_n = special.ndtr((r2 - mn) / sn) - special.ndtr((r1 - mn) / sn)
        unequal = 0.5 * (inside_w + 1.0 - inside_n)
        same = special.ndtr(-np.abs(mn - mw) / (2.0 * sn))
    return np.where(equal, same, unequal)


def bayes_error_lower_bound(kl) -> np.ndarray:
    r"""Pinsker's bound :math:`\mathrm{BER}(P, Q) \ge \tfrac12 - \sqrt{\mathrm{KL}(P\|Q)/8}`.

    Examples
    --------
    >>> from fdivtheory.projection import bayes_error_lower_bound
    >>> float(bayes_error_lower_bound(0.02))    # 8 eps^2 with eps = 0.05
    0.45
    """
    kl = np.asarray(kl, dtype=float)
    if np.isnan(kl).any() or (kl < 0).any():
        raise ValueError("kl must be non-negative (and not NaN)")
    return 0.5 - np.sqrt(kl / 8.0)
