r"""Large deviations of the reward of the KL-optimal policy of a memoryless model.

For a memoryless reference :math:`p^{\otimes n}` and a linear reward
:math:`R_n = \sum_i r(y_i)`, the optimal policy at per-token budget :math:`\delta`
is :math:`p_\lambda^{\otimes n}` with :math:`D(p_\lambda\|p) = \delta`
(:func:`kl_constrained_optimum`), and :math:`R_n/n` satisfies a large-deviation
principle with speed :math:`n` and rate function :math:`I_\lambda` (Cramér's theorem
under :math:`p_\lambda`; [Y], main results on the LDP of the aligned reward).
Every function here takes the *single-letter* law ``p``, reward and ``delta``.

The scaled cumulant generating function (SCGF)
:math:`\Lambda_\lambda(\theta) = \lim \tfrac1n \log E e^{\theta R_n}` equals the
single-letter CGF for every :math:`n`, and can be written through a Rényi cross
entropy against the softmax of the reward or through a Rényi divergence ([Y]:
"the scaled cumulants are characterised by a proper Rényi cross entropy"; which
form the paper states is open, so both are offered and tested equal).
"""

from __future__ import annotations

import math

import numpy as np

from fdivtheory._arguments import choice, finite_array, nonnegative, probability_vector

from ._logspace import kl_from_logs, logsumexp
from ._validation import as_reward
from .tilting import TiltedFamily

__all__ = ["legendre_maximizer", "rate_function", "scgf"]

_FORMS = ("legendre", "tilted", "mismatched")
_SCGF_FORMS = ("cgf", "renyi_cross_entropy", "renyi_divergence")


def _setup(p, reward, delta) -> tuple[TiltedFamily, float]:
    p = probability_vector(p, "p")
    r = as_reward(reward, p.size, "reward")
    delta = nonnegative(delta, "delta", allow_inf=True)
    fam = TiltedFamily(p, r)
    return fam, fam.solve_kl(delta)


def _log_mgf(fam: TiltedFamily, log_q: np.ndarray, theta: float) -> float:
    """``log E_q e^(theta r)``, ``q = exp(log_q)`` on the support, shifted by the extreme reward."""
    c = fam.r_max if theta >= 0 else fam.r_min
    a = log_q + theta * (fam.r - c) if theta != 0 else log_q
    return theta * c + logsumexp(a)


def _newton_maximizer(fam: TiltedFamily, lam: float, x: float) -> float:
    """Maximiser of ``theta x - Lambda_lam(theta)``: safeguarded Newton on its derivative."""
    def slope(theta: float) -> tuple[float, float]:
        t = lam + theta
        return x - fam.mean(t), fam.variance(t)

    step = 1.0 / max(fam.span, 1e-300)
    lo, hi = -step, step
    while slope(hi)[0] > 0:
        lo, hi = hi, 2.0 * hi
    while slope(lo)[0] < 0:
        lo, hi = 2.0 * lo, lo
    theta = 0.5 * (lo + hi)
    for _ in range(400):
        g, h = slope(theta)
        if g == 0:
            return theta
        if g > 0:
            lo = theta
        else:
            hi = theta
        nxt = theta + g / h if h > 0 else math.nan
        if not (lo < nxt < hi):
            nxt = 0.5 * (lo + hi)
        if abs(nxt - theta) <= 2e-16 * max(1.0, abs(theta)):
            return nxt
        theta = nxt
    return theta


def legendre_maximizer(p, reward, delta: float, x):
    r"""The :math:`\theta^*(x)` attaining :math:`\sup_\theta\{\theta x - \Lambda_\lambda(\theta)\}`.

    It is :math:`t(x) - \lambda_\delta`, where :math:`E_{p_{t(x)}} r = x`; defined for
    :math:`r_{\min} < x < r_{\max}` (NaN elsewhere).  Found by safeguarded Newton
    steps on :math:`x - \Lambda_\lambda'(\theta)` (curvature
    :math:`\operatorname{Var}_{p_{\lambda+\theta}} r`).  Bernoulli letters with 0/1 reward:
    :math:`\theta^* = \operatorname{logit}(x) - \operatorname{logit}(q)`.

    Examples
    --------
    >>> th = legendre_maximizer([0.5, 0.5], [0.0, 1.0], 0.0, 0.75)
    >>> round(float(th), 12) == round(float(np.log(3.0)), 12)
    True
    """
    fam, lam = _setup(p, reward, delta)
    xs = np.asarray(x, dtype=np.float64)
    out = np.full(xs.shape, np.nan)
    if not math.isinf(lam):
        for i, xi in np.ndenumerate(xs):
            if fam.r_min < xi < fam.r_max:
                out[i] = _newton_maximizer(fam, lam, float(xi))
    return out[()] if out.ndim == 0 else out


def rate_function(p, reward, delta: float, x, *, form: str = "legendre"):
    r"""Rate function :math:`I_\lambda(x)` of :math:`R_n/n` under the optimal policy.

    Three equal forms (``form``):

    * ``"legendre"``: :math:`I_\lambda(x) = \sup_\theta\{\theta x - \Lambda_\lambda(\theta)\}`,
      :math:`\Lambda_\lambda(\theta) = \log E_{p_\lambda} e^{\theta r}`;
    * ``"tilted"``: :math:`I_\lambda(x) = D(p_{t(x)}\|p_\lambda)` with :math:`E_{p_{t(x)}} r = x`
      (Sanov / conditional limit);
    * ``"mismatched"``: :math:`I_\lambda(x) = I_0(x) - I_0(x_\lambda) - \lambda(x - x_\lambda)`,
      :math:`I_0` the rate under the reference, :math:`I_0(x_\lambda) = \delta`.

    Source: [Y], main results (LDP of the reward of the KL-optimal policy, via
    mismatched tilted distributions); Cramér's theorem.  Conventions:
    :math:`\lambda = \lambda_\delta` of :func:`kl_constrained_optimum` (``delta = 0`` gives
    the reference's Cramér rate :math:`I_0`); :math:`I_\lambda(x_\lambda) = 0`;
    :math:`I_\lambda(r_{\max}) = -\log p_\lambda(\arg\max r)`; :math:`+\infty` outside
    :math:`[r_{\min}, r_{\max}]`.  When ``delta`` saturates, :math:`p_\lambda` is the point
    mass on the top reward and :math:`I` is 0 there, :math:`+\infty` elsewhere.
    Finite-:math:`n` Chernoff bound: :math:`P(R_n \ge nx) \le e^{-nI_\lambda(x)}` for
    :math:`x \ge x_\lambda`.

    Parameters
    ----------
    p, reward : array_like
        Single-letter reference pmf and reward.
    delta : float
        Per-token KL budget :math:`\delta \ge 0`.
    x : float or array_like
        Per-token reward values.
    form : {"legendre", "tilted", "mismatched"}

    Examples
    --------
    >>> p, r = [0.7, 0.3], [0.0, 1.0]
    >>> [round(float(rate_function(p, r, 0.1, 0.7, form=f)), 6)
    ...  for f in ("legendre", "tilted", "mismatched")]
    [0.071004, 0.071004, 0.071004]
    """
    choice(form, "form", _FORMS)
    fam, lam = _setup(p, reward, delta)
    xs = finite_array(x, "x")
    out = np.empty(xs.shape)
    if math.isinf(lam):
        out[...] = np.where(xs == fam.r_max, 0.0, np.inf)
        return out[()] if out.ndim == 0 else out
    _, log_pl, x_lam, kl_lam = fam.state(lam)
    for i, xi in np.ndenumerate(xs):
        out[i] = _rate(fam, lam, log_pl, x_lam, kl_lam, float(xi), form)
    return out[()] if out.ndim == 0 else out


def _rate(fam: TiltedFamily, lam: float, log_pl: np.ndarray, x_lam: float, kl_lam: float,
          x: float, form: str) -> float:
    if x > fam.r_max or x < fam.r_min:
        return math.inf
    edge = x == fam.r_max or x == fam.r_min
    if form == "legendre":
        if edge:
            # theta x - Lambda(theta) -> -log p_lam(edge) as theta -> +-inf
            sel = fam.r == x
            return -logsumexp(log_pl[sel])
        theta = _newton_maximizer(fam, lam, x)
        return max(theta * x - _log_mgf(fam, log_pl, theta), 0.0)
    if form == "tilted":
        t = (math.inf if x == fam.r_max else -math.inf) if edge else fam.solve_mean(x)
        return kl_from_logs(fam.log_pmf(t), log_pl)
    t = (math.inf if x == fam.r_max else -math.inf) if edge else fam.solve_mean(x)
    return max(fam.kl(t) - kl_lam - lam * (x - x_lam), 0.0)


def scgf(p, reward, delta: float, theta, *, form: str = "cgf"):
    r"""Scaled cumulant generating function of the aligned reward.

    .. math::

        \Lambda_\lambda(\theta) = \tfrac1n \log E_{\phi_\Delta} e^{\theta R_n}.

    For a memoryless model it equals, for every :math:`n`, the single-letter CGF
    under :math:`p_\lambda`.  Three exact forms (``form``):

    * ``"cgf"``: :math:`\log \sum_y p_\lambda(y) e^{\theta r(y)}`;
    * ``"renyi_cross_entropy"``: :math:`\theta\,[\log C - H_{1+\theta}(p_\lambda; q_r)]`,
      :math:`q_r = e^{r}/C` the softmax of the reward, :math:`C = \sum_a e^{r(a)}`,
      :math:`H_\alpha(P;Q) = \frac{1}{1-\alpha}\log\sum P Q^{\alpha-1}`
      (the value of :func:`fdivtheory.renyi_cross_entropy`, evaluated in log space
      with :math:`\log q_r = r - \log C`, so any reward span is allowed);
    * ``"renyi_divergence"``:
      :math:`\frac{\theta}{\lambda}[\log Z(\lambda) + D_{1+\theta/\lambda}(p_\lambda\|p)]`
      (:func:`fdivtheory.renyi`; needs :math:`0 < \lambda < \infty` and
      :math:`\theta \ge -\lambda`, the orders the core accepts).

    Source: [Y], main results (scaled cumulants and a "proper" Rényi cross
    entropy); which form the paper states is an open point, the identities are
    exact.  ``theta = 0`` gives 0 in every form (the :math:`\alpha \to 1` limit).
    Cumulants of :math:`R_n` are :math:`n` times the derivatives of
    :math:`\Lambda_\lambda` at 0.

    Examples
    --------
    >>> p, r = [0.5, 0.3, 0.2], [0.0, 1.0, 2.0]
    >>> vals = [float(scgf(p, r, 0.2, 0.5, form=f)) for f in
    ...         ("cgf", "renyi_cross_entropy", "renyi_divergence")]
    >>> max(vals) - min(vals) < 1e-12
    True
    """
    choice(form, "form", _SCGF_FORMS)
    fam, lam = _setup(p, reward, delta)
    ths = finite_array(theta, "theta")
    log_pl = fam.log_pmf(lam)
    out = np.empty(ths.shape)
    if form == "cgf":
        for i, th in np.ndenumerate(ths):
            out[i] = _log_mgf(fam, log_pl, float(th))
        return out[()] if out.ndim == 0 else out

    import fdivtheory as fd

    if form == "renyi_cross_entropy":
        # log q_r = r - log C exactly: the softmax is never formed, so a reward span
        # beyond ~745 (q_r underflowing to 0) cannot give a wrong value
        log_c = logsumexp(fam.r)
        log_q = fam.r - log_c
        for i, th in np.ndenumerate(ths):
            th = float(th)
            if th == 0:
                out[i] = 0.0
                continue
            out[i] = th * (log_c - _renyi_cross_entropy_log(log_pl, log_q, 1.0 + th))
        return out[()] if out.ndim == 0 else out
    if lam == 0 or math.isinf(lam):
        raise ValueError("delta: the renyi_divergence form needs 0 < delta < -log p(argmax r) "
                         "(0 < lam < inf)")
    log_z = fam.log_z(lam)
    for i, th in np.ndenumerate(ths):
        th = float(th)
        if th == 0:
            out[i] = 0.0
            continue
        order = 1.0 + th / lam
        if order < 0:
            raise ValueError(f"theta: the renyi_divergence form needs theta >= -lam = {-lam:.6g} "
                             f"(Renyi order 1 + theta/lam >= 0), got {th!r}")
        with np.errstate(under="ignore"):
            d = float(fd.renyi(np.exp(log_pl), fam.p, order, normalize=False))
        out[i] = (th / lam) * (log_z + d)
    return out[()] if out.ndim == 0 else out


def _renyi_cross_entropy_log(log_p: np.ndarray, log_q: np.ndarray, alpha: float) -> float:
    r"""Rényi cross entropy from log-masses: :math:`\frac{1}{1-\alpha}\log\sum P\,Q^{\alpha-1}`.

    The same quantity as :func:`fdivtheory.renyi_cross_entropy`, evaluated as a
    log-sum-exp of :math:`\log P + (\alpha - 1)\log Q`, so that masses of ``Q``
    below the float range (:math:`e^{-1000}`) keep their exact contribution.
    """
    pos = log_p > -np.inf
    return logsumexp(log_p[pos] + (alpha - 1.0) * log_q[pos]) / (1.0 - alpha)
