r"""Variational (Fenchel-dual) representations of f-divergences.

For a convex generator ``f`` with Fenchel conjugate
``f*(t) = sup_{u >= 0} (t u - f(u))``, every measurable critic ``T`` gives

.. math::  D_f(P \| Q) \;\ge\; \mathbb E_P[T] - \mathbb E_Q[f^*(T)],

with equality at ``T = f'(dP/dQ)`` (Nguyen, Wainwright & Jordan 2010,
"Estimating divergence functionals and the likelihood ratio by convex risk
minimization", IEEE Trans. Inf. Theory 56; Nowozin, Cseke & Tomioka 2016,
"f-GAN", NeurIPS).  For KL there is also the tighter Donsker–Varadhan form
``KL >= E_P[T] - log E_Q[e^T]`` (Donsker & Varadhan 1983), and the NWJ bound
is the f-bound of KL, ``E_P[T] - E_Q[e^{T-1}]``.  Since ``log x <= x/e`` for
all ``x > 0``, ``DV(T) >= NWJ(T)`` for every critic.

The functions take the critic's values on samples (Monte Carlo: plain means)
or on the atoms of discrete laws with ``weights_p`` / ``weights_q`` (exact
expectations; atoms of weight 0 are dropped, so ``0 * inf`` never arises).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp

from fdivtheory.generators import Generator, get_generator

__all__ = ["donsker_varadhan", "fenchel_young_gap", "lower_bound", "nwj", "optimal_critic"]

#: Names accepted by :func:`optimal_critic` for the Donsker–Varadhan form.
_DV_NAMES = ("donsker_varadhan", "dv")


def _values(x: ArrayLike, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float).reshape(-1)
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any(np.isnan(a)):
        raise ValueError(f"{name} contains NaN")
    return a


def _weights(w: ArrayLike | None, n: int, name: str, values: str) -> np.ndarray | None:
    if w is None:
        return None
    a = np.asarray(w, dtype=float).reshape(-1)
    if a.shape != (n,):
        raise ValueError(f"{name} must have the length of {values} ({n}), got {a.size}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    if a.sum() <= 0:
        raise ValueError(f"{name} must have positive total mass")
    return a


def _expect(v: np.ndarray, w: np.ndarray | None) -> float:
    """``mean(v)`` or ``sum(w v)`` over atoms with ``w > 0`` (so ``0 * inf`` is 0)."""
    if w is None:
        return float(np.mean(v))
    m = w > 0
    return float(np.sum(w[m] * v[m]))


def lower_bound(f: str | Generator, critic_on_p: ArrayLike, critic_on_q: ArrayLike, *,
                weights_p: ArrayLike | None = None, weights_q: ArrayLike | None = None) -> float:
    r"""The f-divergence lower bound ``E_P[T] - E_Q[f*(T)]`` of a critic ``T``.

    Parameters
    ----------
    f : str or Generator
        Generator or registered name (:func:`fdivtheory.get_generator`).
    critic_on_p, critic_on_q : array_like
        ``T(x)`` at samples (or atoms) of ``P`` and of ``Q``.
    weights_p, weights_q : array_like, optional
        Probabilities of the atoms: the expectations become ``sum w T`` (exact
        for discrete laws; pass the same critic array twice).  Default: sample
        means.

    Returns
    -------
    float
        ``<= D_f(P || Q)`` for every critic (``-inf`` when some ``T(Q)`` lies
        outside the domain of ``f*``); equal to it at ``T = f'(p/q)``
        (:func:`optimal_critic`).

    Source: Nguyen, Wainwright & Jordan (2010), Lemma 1; Nowozin et al. (2016), eq. (4).

    Examples
    --------
    >>> import numpy as np
    >>> from fdivtheory.variational import lower_bound, optimal_critic
    >>> p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    >>> T = optimal_critic("kl", p, q)
    >>> round(lower_bound("kl", T, T, weights_p=p, weights_q=q), 12)  # = KL(p || q)
    0.192744757022
    """
    g = get_generator(f)
    tp = _values(critic_on_p, "critic_on_p")
    tq = _values(critic_on_q, "critic_on_q")
    wp = _weights(weights_p, tp.size, "weights_p", "critic_on_p")
    wq = _weights(weights_q, tq.size, "weights_q", "critic_on_q")
    conj = np.asarray(g.conjugate(tq), dtype=float)
    with np.errstate(invalid="ignore"):
        return _expect(tp, wp) - _expect(conj, wq)


def donsker_varadhan(critic_on_p: ArrayLike, critic_on_q: ArrayLike, *,
                     weights_p: ArrayLike | None = None,
                     weights_q: ArrayLike | None = None) -> float:
    r"""Donsker–Varadhan lower bound on KL: ``E_P[T] - log E_Q[e^T]``.

    ``log E_Q[e^T]`` is a log-sum-exp (no overflow for large critics).  The
    bound is invariant under ``T -> T + c`` and equals ``KL(P || Q)`` at
    ``T = log(p/q) + c``; it is at least :func:`nwj` for the same critic.

    Source: Donsker & Varadhan (1983), Comm. Pure Appl. Math. 36; Belghazi et
    al. (2018), "MINE", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    >>> T = np.log(p / q) + 3.0
    >>> round(donsker_varadhan(T, T, weights_p=p, weights_q=q), 12)
    0.192744757022
    """
    tp = _values(critic_on_p, "critic_on_p")
    tq = _values(critic_on_q, "critic_on_q")
    wp = _weights(weights_p, tp.size, "weights_p", "critic_on_p")
    wq = _weights(weights_q, tq.size, "weights_q", "critic_on_q")
    if wq is None:
        log_mean = float(logsumexp(tq)) - math.log(tq.size)
    else:
        m = wq > 0
        log_mean = float(logsumexp(tq[m], b=wq[m]))
    return _expect(tp, wp) - log_mean


def nwj(critic_on_p: ArrayLike, critic_on_q: ArrayLike, *,
        weights_p: ArrayLike | None = None, weights_q: ArrayLike | None = None) -> float:
    r"""NWJ lower bound on KL: ``E_P[T] - E_Q[e^{T - 1}]``.

    The f-divergence bound of KL (``f(u) = u log u``, ``f*(t) = e^{t-1}``);
    tight at ``T = 1 + log(p/q)``.

    Source: Nguyen, Wainwright & Jordan (2010); Poole et al. (2019), "On
    variational bounds of mutual information", ICML (``I_NWJ``).

    Examples
    --------
    >>> import numpy as np
    >>> p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    >>> T = 1 + np.log(p / q)
    >>> round(nwj(T, T, weights_p=p, weights_q=q), 12)
    0.192744757022
    """
    tp = _values(critic_on_p, "critic_on_p")
    tq = _values(critic_on_q, "critic_on_q")
    wp = _weights(weights_p, tp.size, "weights_p", "critic_on_p")
    wq = _weights(weights_q, tq.size, "weights_q", "critic_on_q")
    with np.errstate(over="ignore"):
        return _expect(tp, wp) - _expect(np.exp(tq - 1.0), wq)


def optimal_critic(f: str | Generator, p: ArrayLike, q: ArrayLike) -> np.ndarray:
    r"""The critic attaining the variational bound for discrete ``p``, ``q``: ``T = f'(p/q)``.

    Atoms with ``q = 0 < p`` get ``f'(inf)`` (the slope at infinity), atoms
    with ``p = 0 < q`` get ``f'(0+)``, atoms with ``p = q = 0`` get ``f'(1)``
    (any value works there).  With ``f = "donsker_varadhan"`` (or ``"dv"``)
    it returns ``log(p/q)``, optimal for :func:`donsker_varadhan` up to an
    additive constant.  For non-differentiable generators (TV, hockey stick)
    ``f'`` is the subgradient chosen by the generator.

    Examples
    --------
    >>> import numpy as np
    >>> optimal_critic("tv", np.array([0.2, 0.8]), np.array([0.5, 0.5]))
    array([-0.5,  0.5])
    """
    pa = np.asarray(p, dtype=float)
    qa = np.asarray(q, dtype=float)
    if pa.shape != qa.shape:
        raise ValueError(f"p and q must have the same shape, got {pa.shape} and {qa.shape}")
    for name, a in (("p", pa), ("q", qa)):
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError(f"{name} must be finite and non-negative")
    both = (pa > 0) & (qa > 0)
    ratio = np.where(both, pa / np.where(qa > 0, qa, 1.0), 1.0)
    if isinstance(f, str) and f.strip().lower() in _DV_NAMES:
        with np.errstate(divide="ignore"):
            out = np.log(ratio)
        out = np.where((pa > 0) & (qa == 0), math.inf, out)
        return np.where((pa == 0) & (qa > 0), -math.inf, out)
    g = get_generator(f)
    out = np.asarray(g.df(ratio), dtype=float)
    out = np.where((pa > 0) & (qa == 0), g.slope_at_infinity, out)
    out = np.where((pa == 0) & (qa > 0), g.slope_at_zero, out)
    return np.where((pa == 0) & (qa == 0), g.slope_at_one, out)


def fenchel_young_gap(f: str | Generator, u: ArrayLike, t: ArrayLike) -> Any:
    r"""Fenchel–Young gap ``f(u) + f*(t) - t u >= 0`` (elementwise, ``u >= 0``, ``t`` finite).

    Zero exactly when ``t`` is a (sub)gradient of ``f`` at ``u``; ``+inf``
    when ``t`` is outside the domain of ``f*`` or ``f(u)`` is infinite
    (``u = 0`` with ``f(0+) = inf``).  Returns a float for scalar inputs.

    Source: Rockafellar, *Convex Analysis* (1970), Thm. 23.5.

    Examples
    --------
    >>> fenchel_young_gap("kl", 2.0, 1.0)          # f'(2) = 1 + log 2 != 1
    0.3862943611198908
    >>> abs(fenchel_young_gap("kl", 2.0, 1.0 + float(np.log(2.0)))) < 1e-15
    True
    """
    g = get_generator(f)
    ua = np.asarray(u, dtype=float)
    ta = np.asarray(t, dtype=float)
    if np.any(ua < 0):
        raise ValueError("u must be non-negative")
    if not np.all(np.isfinite(ta)):
        raise ValueError("t must be finite")
    ub, tb = np.broadcast_arrays(ua, ta)
    fu = np.asarray(g.f(ub), dtype=float)
    fs = np.asarray(g.conjugate(tb), dtype=float)
    with np.errstate(invalid="ignore"):
        gap = fu + fs - tb * ub
    gap = np.where(np.isinf(fu) | np.isinf(fs), math.inf, np.maximum(gap, 0.0))
    return float(gap) if gap.ndim == 0 else gap
