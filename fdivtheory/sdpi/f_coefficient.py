r"""The contraction coefficient of an arbitrary f-divergence.

:func:`eta_f` dispatches ``f = "tv"`` to Dobrushin's closed form, ``f = "kl"``
to :func:`fdivtheory.sdpi.eta_kl` and the hockey-stick divergence to its
two-point closed form (Asoodeh et al. 2020); every nonlinear operator-convex
``f`` shares :math:`\eta_f(K) = \eta_{\chi^2}(K)`; any other generator is
searched over the binary-input subchannels, which suffice by Ordentlich &
Polyanskiy (2020) (or over ``Q`` at a fixed input), and reported with the proven
bracket :math:`[\text{lower}, \eta_{TV}]` (docs/theory/sdpi.md, §2.4).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import softmax

from fdivtheory._arguments import channel

from ._common import DENOMINATOR_FLOOR, GUARD_TOL, Coefficient
from ._validation import input_law
from .kl_coefficient import eta_kl
from .tv_chi2 import eta_chi2, eta_tv, sup_chi2, tv_rows

__all__ = ["eta_f"]

# nonlinear operator-convex generators: all share eta_f(K) = eta_chi2(K)
_OPERATOR_CONVEX = frozenset({"kl", "reverse_kl", "pearson", "neyman", "hellinger_sq",
                              "jeffreys"})


def _resolve(f: Any):
    import fdivtheory as fd

    if isinstance(f, str):
        return fd.get_generator(f)
    if isinstance(f, fd.Generator):
        return f
    raise TypeError(f"f must be a generator name or fdivtheory.Generator, got {type(f).__name__}")


def _operator_convex(g) -> bool:
    if g.name in _OPERATOR_CONVEX:
        return True
    if g.name.startswith("power"):
        beta = g.params.get("beta")  # f ~ u^beta: operator convex (or concave) on [-1, 2]
        return beta is not None and -1.0 <= float(beta) <= 2.0 and float(beta) not in (0.0, 1.0)
    return False


def _f_div(g, P: np.ndarray, Q: np.ndarray) -> float:
    import fdivtheory as fd

    return float(fd.f_divergence(P, Q, g))


def eta_f(K: Any, f: Any, p_x: Any = None, *, return_info: bool = False,
          seed: int = 0) -> float | Coefficient:
    r"""Contraction coefficient of an arbitrary f-divergence.

    .. math:: \eta_{\chi^2}(K) \le \eta_f(K) \le \eta_{TV}(K)

    for every convex ``f`` twice differentiable at 1 with :math:`f''(1) > 0`
    (Cohen et al. 1993; Makur-Zheng 2020; docs/theory/sdpi.md, §2.4).
    ``f = "tv"`` is Dobrushin's closed form; nonlinear operator-convex ``f``
    (KL, reverse KL, chi-square, Neyman, squared Hellinger, Jeffreys, power
    :math:`u^\beta` with :math:`\beta \in [-1, 2]`) all equal :math:`\eta_{\chi^2}(K)`
    (Choi-Ruskai-Seneta 1994); for any other generator the pairs ``(P, Q)``
    are searched on the binary-input subchannels, which suffice by
    Ordentlich & Polyanskiy (2020) (a lattice scan of every pair of inputs,
    then Nelder-Mead), and the result is reported with the proven bracket
    :math:`[\text{lower}, \eta_{TV}]`; ``lower`` is the best ratio found,
    raised to :math:`\eta_{\chi^2}` when :math:`0 < f''(1) < \infty`.  The
    hockey-stick divergence :math:`E_\gamma` is exact:
    :math:`\eta_{E_\gamma}(K) = \max_{x \ne x'} E_\gamma(K_x\|K_{x'})`
    (Asoodeh, Diaz & Calmon 2020, Theorem 2).  With ``p_x``: the sup over ``Q``
    of :math:`D_f(QK\|P_XK)/D_f(Q\|P_X)`, never below :math:`\rho_m^2` when
    :math:`0 < f''(1) < \infty`, bracketed by :math:`\eta_{TV}` above.

    A ratio found within ``GUARD_TOL`` (1e-10) above :math:`\eta_{TV}` (rounding of
    a ratio of two small divergences) is reported as :math:`\eta_{TV}`, which
    bounds every :math:`\eta_f`; a larger excess raises ``ArithmeticError``.
    ``seed`` seeds the random starts of the fixed-input search only.

    Examples
    --------
    >>> from fdivtheory.sdpi import eta_f, bsc
    >>> round(eta_f(bsc(0.1), "hellinger_sq"), 10)
    0.64
    """
    g = _resolve(f)
    Kn = channel(K)
    if g.name == "tv":
        return eta_tv(Kn, p_x, return_info=return_info)
    if g.name == "kl":
        return eta_kl(Kn, p_x, return_info=return_info)
    if p_x is None and g.name.startswith("hockey_stick"):
        value, arg = _hockey_stick(Kn, float(g.params["gamma"]))
        res = Coefficient(value, g.name, "closed form", (value, value), True, arg,
                          "max over input pairs of E_gamma(K_x || K_x') (Asoodeh et al. "
                          "2020, Theorem 2)")
        return res if return_info else res.value
    if p_x is None and _operator_convex(g):
        chi = sup_chi2(Kn)
        res = Coefficient(chi.value, g.name, chi.method, chi.bracket, chi.attained,
                          chi.argmax, "operator-convex f: eta_f(K) = eta_chi2(K)")
        return res if return_info else res.value
    tv = tv_rows(Kn)
    smooth2 = bool(np.isfinite(float(g.d2f(1.0))) and float(g.d2f(1.0)) > 0)
    if p_x is None:
        lower = sup_chi2(Kn).value if smooth2 else 0.0
        found, arg = _optimise_pairs(Kn, g)
        value = max(lower, found)
        note = ("binary-input subchannels searched" if found >= lower
                else "chi2 lower bound (local limit)")
    else:
        p = input_law(p_x, Kn.shape[0])
        lower = eta_chi2(Kn, p) if smooth2 else 0.0
        found, arg = _optimise_fixed(Kn, p, g, seed)
        value = max(lower, found)
        note = "Q optimised" if found >= lower else "chi2 lower bound (local limit)"
    if value > tv + GUARD_TOL:
        raise ArithmeticError(f"eta_f = {value!r} exceeds eta_TV = {tv!r}: numerical failure")
    if value > tv:
        value, note = tv, note + "; a ratio within rounding above eta_TV, reported as eta_TV"
    res = Coefficient(value, g.name, "optimisation", (value, tv), found >= lower, arg, note)
    return res if return_info else res.value


def _hockey_stick(K: np.ndarray, gamma: float) -> tuple[float, np.ndarray]:
    r""":math:`\max_{x \ne x'} E_\gamma(K_x\|K_{x'})` and its pair ``(delta_x, delta_x')``."""
    n = K.shape[0]
    if n == 1:
        return 0.0, np.ones((2, 1))
    E = np.maximum(K[:, None, :] - gamma * K[None, :, :], 0.0).sum(axis=2)
    np.fill_diagonal(E, -np.inf)
    i, j = np.unravel_index(int(np.argmax(E)), E.shape)
    eye = np.eye(n)
    return float(min(E[i, j], 1.0)), np.stack([eye[i], eye[j]])


def _optimise_fixed(K, p, g, seed):
    supp = p > 0
    Ks, ps = K[supp], p[supp]
    pk = ps @ Ks
    n = Ks.shape[0]
    best, arg = 0.0, None

    def ratio(Q):
        den = _f_div(g, Q, ps)
        if not np.isfinite(den) or den < DENOMINATOR_FLOOR:
            return 0.0
        return _f_div(g, Q @ Ks, pk) / den

    rng = np.random.default_rng(seed)
    vertices = list(np.eye(n))
    for q0 in vertices:
        v = ratio(q0)
        if v > best:
            best, arg = v, q0
    starts = ([arg] if arg is not None else []) + list(rng.dirichlet(np.ones(n), size=2))
    for q0 in starts:
        res = minimize(lambda th: -ratio(softmax(th)), np.log(np.maximum(q0, 1e-9)),
                       method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14,
                                                      "maxiter": 800})
        v = ratio(softmax(res.x))
        if v > best:
            best, arg = v, softmax(res.x)
    return best, arg


#: Smallest input divergence at which the pair search evaluates a ratio: below it the
#: rounding of the output divergence, divided by the input one, exceeds GUARD_TOL.
SEARCH_FLOOR = 1e-6


def _optimise_pairs(K, g, grid=33, refine=4):
    r"""Largest ratio over the binary-input subchannels (docs/theory/sdpi.md, §2.4).

    By Ordentlich & Polyanskiy (2020) :math:`\eta_f(K)` is the largest
    :math:`\eta_f` of the subchannels on two inputs ``{i, j}``, a problem in
    ``(p, q)``, the masses of ``P`` and ``Q`` on ``j``.  Every pair is scanned in
    one vectorised pass on a ``grid x grid`` lattice refined geometrically
    towards 0 and 1 (where suprema of the chi-alpha type sit) plus points just off
    the diagonal ``p = q`` (the local limit); the ``refine`` best points are
    polished by Nelder-Mead in logit coordinates.  Ratios whose input divergence
    is below ``SEARCH_FLOOR`` (1e-6) are not evaluated.  Returns the best ratio (a
    feasible point) and ``(P, Q)``.
    """
    import fdivtheory as fd

    n = K.shape[0]
    if n == 1:
        return 0.0, None
    i, j = np.triu_indices(n, 1)
    ends = np.array([1e-9, 1e-6, 1e-3])
    t = np.unique(np.concatenate([[0.0, 1.0], ends, 1 - ends,
                                  np.linspace(0.5 / grid, 1 - 0.5 / grid, grid - 2)]))
    pp, qq = np.meshgrid(t, t, indexing="ij")
    off = pp != qq
    near = (t[:, None] + np.array([-1e-2, -1e-4, 1e-4, 1e-2])[None, :]).ravel()
    qn = np.repeat(t, 4)
    inside = (near >= 0) & (near <= 1)
    pv = np.concatenate([pp[off], near[inside]])
    qv = np.concatenate([qq[off], qn[inside]])

    def ratios(a, b, pv, qv):
        """Ratios for rows (a, b) (stacked over pairs) at masses (pv, qv): shape (pairs, G)."""
        Pb = np.stack([1 - pv, pv], axis=-1)
        Qb = np.stack([1 - qv, qv], axis=-1)
        den = fd.f_divergence(Pb, Qb, g)                      # (G,)
        mp = (1 - pv)[None, :, None] * a[:, None, :] + pv[None, :, None] * b[:, None, :]
        mq = (1 - qv)[None, :, None] * a[:, None, :] + qv[None, :, None] * b[:, None, :]
        num = fd.f_divergence(mp, mq, g)
        ok = np.isfinite(den) & (den >= SEARCH_FLOOR)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(ok[None, :], num / np.where(ok, den, 1.0)[None, :], -np.inf)
        return np.where(np.isfinite(r), r, -np.inf)

    R = ratios(K[i], K[j], pv, qv)                             # (pairs, G)
    flat = np.argsort(R, axis=None)[::-1][:refine]
    best, arg = 0.0, None

    def pair_law(k, pm, qm):
        P, Q = np.zeros(n), np.zeros(n)
        P[i[k]], P[j[k]] = 1 - pm, pm
        Q[i[k]], Q[j[k]] = 1 - qm, qm
        return np.stack([P, Q])

    for idx in flat:
        k, gi = np.unravel_index(idx, R.shape)
        if R[k, gi] > best:
            best, arg = float(R[k, gi]), pair_law(k, pv[gi], qv[gi])
        a, b = K[i[k]][None], K[j[k]][None]

        def neg(th, a=a, b=b):
            pm, qm = 1 / (1 + np.exp(-th))
            return -float(ratios(a, b, np.array([pm]), np.array([qm]))[0, 0])

        x0 = np.clip([pv[gi], qv[gi]], 1e-12, 1 - 1e-12)
        res = minimize(neg, np.log(x0 / (1 - x0)), method="Nelder-Mead",
                       options={"maxiter": 600, "xatol": 1e-10, "fatol": 1e-15})
        if np.isfinite(res.fun) and -res.fun > best:
            pm, qm = 1 / (1 + np.exp(-res.x))
            best, arg = float(-res.fun), pair_law(k, pm, qm)
    return best, arg
