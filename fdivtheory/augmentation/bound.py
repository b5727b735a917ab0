r"""The stability bound for generative data augmentation and its binary-GMM case.

Reconstruction of the general bound of Zheng, Wu & Li (NeurIPS 2023,
arXiv:2305.17476) from a derivation along the standard uniform-stability proof
and from the authors' bound-plotting code; the exact term list of the paper's
theorem is not confirmed, so variants are exposed by flags and no constant is
claimed to be the paper's.  Derivation and conventions: docs/theory/gda.md, §2-§3.

With :math:`m_T = m_S + m_G`, :math:`L = \log(1/\delta)` and absolute constants
dropped, with probability at least :math:`1-\delta`

.. math::

   |R_D - \hat R_{\tilde S}| \lesssim
     \tfrac{m_G}{m_T} M\, d_{TV}(D, D_G(S))
   + M \tfrac{\sqrt{m_S} + \sqrt{m_G}}{m_T} \sqrt{L}
   + \tfrac{m_S}{m_T} \beta \sqrt{m_G L}
   + \beta \bigl[\tfrac{m_S}{m_T}\log m_S + \tfrac{m_G}{m_T}\log m_G\bigr] L
   + \tfrac{m_S}{m_T} M\, T \log(m_S)\, L .
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fdivtheory._arguments import (
    choice,
    finite_array,
    nonnegative,
    positive,
    positive_int,
    probability,
)

__all__ = ["FasterRate", "GMMBound", "StabilityBound", "faster_rate", "gmm_bound",
           "stability_bound"]

FOURTH_TERMS = ("derived", "notebook")
T_AT_ZERO = ("zero", "notebook")


@dataclass(frozen=True)
class StabilityBound:
    r"""The terms of the GDA stability bound (constants dropped) and their sum.

    Attributes
    ----------
    divergence : float
        :math:`(m_G/m_T)\, M\, d_{TV}(D, D_G(S))`.
    concentration : float
        :math:`M (\sqrt{m_S} + \sqrt{m_G}) \sqrt{L} / m_T`.
    generated_stability : float
        :math:`(m_S/m_T)\, \beta \sqrt{m_G L}` (McDiarmid over the generated set).
    stability : float
        ``"derived"``: :math:`\beta [(m_S/m_T)\log m_S + (m_G/m_T)\log m_G] L`;
        ``"notebook"``: :math:`(m_S/m_T)\beta(\log m_S + 1\{m_G>0\}\log m_G) L`.
    generator_stability : float
        :math:`(m_S/m_T)\, M\, T \log(m_S)\, L` (0 when ``m_g = 0``).
    total : float
        Sum of the five terms.
    m_s, m_g : int
        Sizes of the real and the generated set.
    log_inv_delta : float
        :math:`L = \log(1/\delta)` (1 when ``delta`` is None).
    fourth_term : str
        Which form of the fourth term was used.
    """

    divergence: float
    concentration: float
    generated_stability: float
    stability: float
    generator_stability: float
    total: float
    m_s: int
    m_g: int
    log_inv_delta: float
    fourth_term: str

    @property
    def terms(self) -> dict[str, float]:
        """The five terms by name."""
        return {"divergence": self.divergence, "concentration": self.concentration,
                "generated_stability": self.generated_stability, "stability": self.stability,
                "generator_stability": self.generator_stability}


def _bound(m_s: int, m_g: int, beta: float, M: float, tv: float, T: float, L: float,
           fourth_term: str, t_when_no_data: bool) -> StabilityBound:
    m_t = m_s + m_g
    a, b = m_s / m_t, m_g / m_t
    log_g = math.log(m_g) if m_g > 0 else 0.0
    divergence = b * M * tv
    concentration = M * (math.sqrt(m_s) + math.sqrt(m_g)) * math.sqrt(L) / m_t
    generated = a * beta * math.sqrt(m_g * L)
    if fourth_term == "derived":
        stability = beta * (a * math.log(m_s) + b * log_g) * L
    else:
        stability = a * beta * (math.log(m_s) + log_g) * L
    t_term = a * M * T * math.log(m_s) * L if (m_g > 0 or t_when_no_data) else 0.0
    total = divergence + concentration + generated + stability + t_term
    return StabilityBound(divergence, concentration, generated, stability, t_term, total,
                          m_s, m_g, L, fourth_term)


def _log_inv_delta(delta: float | None) -> float:
    if delta is None:
        return 1.0
    return math.log(1.0 / probability(delta, "delta", interval="(0, 1)"))


def stability_bound(m_s: int, m_g: int, *, beta: float, M: float, tv: float, T: float,
                    delta: float | None = 0.05, fourth_term: str = "derived") -> StabilityBound:
    r"""The generalisation bound of GDA for a :math:`\beta`-stable learner, term by term.

    .. math::

       B = \tfrac{m_G}{m_T} M\,TV + M\tfrac{\sqrt{m_S}+\sqrt{m_G}}{m_T}\sqrt L
         + \tfrac{m_S}{m_T}\beta\sqrt{m_G L}
         + \beta\bigl[\tfrac{m_S}{m_T}\log m_S + \tfrac{m_G}{m_T}\log m_G\bigr] L
         + \tfrac{m_S}{m_T} M\,T\log(m_S)\,L,

    :math:`L = \log(1/\delta)`, absolute constants dropped (docs/theory/gda.md, §2).
    With ``m_g = 0`` the divergence and :math:`T` terms vanish and :math:`B` is the
    no-augmentation bound :math:`M\sqrt{L/m_S} + \beta\log(m_S)L`.

    Parameters
    ----------
    m_s : int
        Real training points, :math:`\ge 2`.
    m_g : int
        Generated points, :math:`\ge 0`.
    beta : float
        Uniform-stability constant :math:`\beta_{m_T}` of the learner, :math:`\ge 0`.
    M : float
        Bound on the loss, :math:`> 0`.
    tv : float
        :math:`d_{TV}(D, D_G(S))` in :math:`[0, 1]`.
    T : float
        TV between the :math:`m_G`-fold generated laws of neighbouring training
        sets, in :math:`[0, 1]`; ignored (the term is 0) when ``m_g = 0``.
    delta : float or None
        Confidence level in (0, 1); ``None`` drops the :math:`\log(1/\delta)`
        factors (sets :math:`L = 1`), as the authors' plotting code does.
    fourth_term : {"derived", "notebook"}
        Coefficient of :math:`\beta\log m_G`: :math:`m_G/m_T` (derived) or
        :math:`m_S/m_T` (the authors' plotting code).

    Returns
    -------
    StabilityBound

    Examples
    --------
    >>> b = stability_bound(10, 0, beta=0.1, M=1.0, tv=0.5, T=1.0, delta=None)
    >>> round(b.total, 6) == round(1 / 10**0.5 + 0.1 * math.log(10), 6), b.generator_stability
    (True, 0.0)
    >>> sorted(stability_bound(10, 30, beta=0.1, M=1.0, tv=0.5, T=0.2).terms)[:2]
    ['concentration', 'divergence']
    """
    m_s = positive_int(m_s, "m_s", minimum=2, allow_integral_float=True)
    m_g = positive_int(m_g, "m_g", minimum=0, allow_integral_float=True)
    beta = nonnegative(beta, "beta")
    M = positive(M, "M")
    tv = probability(tv, "tv")
    T = probability(T, "T")
    fourth_term = choice(fourth_term, "fourth_term", FOURTH_TERMS)
    return _bound(m_s, m_g, beta, M, tv, T, _log_inv_delta(delta), fourth_term, False)


def gmm_rates(d: int, m_s: int, m_g: int, *, notebook_compat: bool = False
              ) -> tuple[float, float, float, float]:
    r"""Plug-ins of the binary-GMM bound: ``(M, beta, tv, T)``.

    :math:`M = d + \log m_S`, :math:`\beta = M/m_T`,
    :math:`TV = \min\{1, \sqrt{d\log(\max(d,2))/m_S}\}`,
    :math:`T = \min\{1, \sqrt{m_G d}\,\log(m_S d)/m_S\}` and 0 when ``m_g = 0``.
    ``notebook_compat=True`` uses the authors' plotting code instead: for
    :math:`d > 2` both TV and T are 1 (T even at :math:`m_G = 0`); for :math:`d \le 2`
    :math:`TV = \sqrt{d\log d/m_S}` and :math:`T = \sqrt{m_G d}\log(m_S d)/m_S`,
    neither capped at 1 (docs/theory/gda.md, §4).

    Examples
    --------
    >>> [round(x, 4) for x in gmm_rates(50, 10, 0)]
    [52.3026, 5.2303, 1.0, 0.0]
    >>> gmm_rates(50, 10, 0, notebook_compat=True)[3]
    1.0
    """
    d = positive_int(d, "d", minimum=1, allow_integral_float=True)
    m_s = positive_int(m_s, "m_s", minimum=2, allow_integral_float=True)
    m_g = positive_int(m_g, "m_g", minimum=0, allow_integral_float=True)
    M = d + math.log(m_s)
    beta = M / (m_s + m_g)
    if notebook_compat:
        if d > 2:
            return M, beta, 1.0, 1.0
        return (M, beta, math.sqrt(d * math.log(d) / m_s),
                math.sqrt(m_g * d) * math.log(m_s * d) / m_s)
    tv = min(1.0, math.sqrt(d * math.log(max(d, 2)) / m_s))
    T = 0.0 if m_g == 0 else min(1.0, math.sqrt(m_g * d) * math.log(m_s * d) / m_s)
    return M, beta, tv, T


@dataclass(frozen=True)
class GMMBound:
    """The GDA bound instantiated for the binary Gaussian mixture.

    Attributes
    ----------
    bound : StabilityBound
        The bound with the requested conventions (``total`` is its value).
    total : float
        ``bound.total``.
    total_t_zero, total_t_notebook : float
        The value with the :math:`T` term 0 at :math:`m_G = 0` (correct) and with
        the plotting code's :math:`T` kept at :math:`m_G = 0`; equal when
        :math:`m_G > 0` or when that :math:`T` is 0.
    differs : bool
        Whether the two conventions give different values at this point.
    M, beta, tv, T : float
        The plug-ins used (see :func:`gmm_rates`).
    note : str
        Says which convention was used and, when they differ, by how much.
    """

    bound: StabilityBound
    total: float
    total_t_zero: float
    total_t_notebook: float
    differs: bool
    M: float
    beta: float
    tv: float
    T: float
    note: str = field(default="")

    @property
    def terms(self) -> dict[str, float]:
        """The five terms of ``bound`` by name."""
        return self.bound.terms


def gmm_bound(d: int, m_s: int, gamma: float, *, sigma: float = 0.6,
              delta: float | None = None, fourth_term: str = "derived",
              t_term_at_zero: str = "zero", notebook_compat: bool = False) -> GMMBound:
    r"""The GDA bound for the binary GMM, as a function of :math:`\gamma = m_G/m_S`.

    :math:`m_G = \lfloor\gamma m_S\rfloor` and the plug-ins of :func:`gmm_rates`
    in :func:`stability_bound`; with ``delta=None`` (default) the
    :math:`\log(1/\delta)` factors are dropped, as in the authors' plotted curve

    .. math::

       B(\gamma) = \tfrac{\gamma}{1+\gamma} M\,TV + \tfrac{M(1+\sqrt\gamma)}{(1+\gamma)\sqrt m}
         + \tfrac{\sqrt{\gamma m}\,\beta}{1+\gamma}
         + \tfrac{\beta(\log m + 1\{\gamma>0\}\log(\gamma m))}{1+\gamma}
         + \tfrac{\log(m)\, M\,\tau}{1+\gamma}

    (written with the ``"notebook"`` fourth term).  The bound does not involve
    :math:`\sigma` (the loss bound :math:`M = d + \log m` is a high-probability
    truncation); ``sigma`` is validated for a uniform signature.

    Parameters
    ----------
    d : int
        Dimension, :math:`\ge 1`.
    m_s : int
        Real training points, :math:`\ge 2`.
    gamma : float
        :math:`m_G/m_S \ge 0`.
    sigma : float
        Noise level, :math:`> 0`.
    delta : float or None
        Confidence; ``None`` drops the :math:`\log(1/\delta)` factors.
    fourth_term : {"derived", "notebook"}
        See :func:`stability_bound`.
    t_term_at_zero : {"zero", "notebook"}
        ``"zero"``: the :math:`T` term is 0 without generated data (correct);
        ``"notebook"``: keep the plotting code's :math:`\tau` at :math:`\gamma=0`,
        which reproduces the plotted curve (149.01 at :math:`d=50, m=10`).
    notebook_compat : bool
        Use the plotting code's TV and :math:`\tau` (see :func:`gmm_rates`).

    Returns
    -------
    GMMBound

    Examples
    --------
    >>> nb = dict(fourth_term="notebook", t_term_at_zero="notebook", notebook_compat=True)
    >>> b = gmm_bound(50, 10, 0, **nb)
    >>> round(b.total, 4), round(b.total_t_zero, 4), b.differs
    (149.0138, 28.5826, True)
    >>> round(gmm_bound(50, 10, 100, **nb).total, 4)
    54.7994
    """
    d = positive_int(d, "d", minimum=1, allow_integral_float=True)
    m_s = positive_int(m_s, "m_s", minimum=2, allow_integral_float=True)
    gamma = nonnegative(gamma, "gamma")
    positive(sigma, "sigma")
    fourth_term = choice(fourth_term, "fourth_term", FOURTH_TERMS)
    t_term_at_zero = choice(t_term_at_zero, "t_term_at_zero", T_AT_ZERO)
    L = _log_inv_delta(delta)
    m_g = int(gamma * m_s)
    M, beta, tv, T = gmm_rates(d, m_s, m_g, notebook_compat=notebook_compat)
    # The plotting code's tau at m_G = 0: 1 for d > 2 (its d > 2 branch ignores gamma),
    # sqrt(0) = 0 for d <= 2.
    t_kept = T if m_g > 0 else (1.0 if d > 2 else 0.0)
    zero = _bound(m_s, m_g, beta, M, tv, T, L, fourth_term, False)
    kept = _bound(m_s, m_g, beta, M, tv, t_kept, L, fourth_term, True)
    chosen = zero if t_term_at_zero == "zero" else kept
    differs = zero.total != kept.total
    note = f"T term at m_G = 0: {t_term_at_zero!r}"
    if differs:
        note += (f"; the conventions differ here: {zero.total:.6g} with the T term 0, "
                 f"{kept.total:.6g} with tau = {t_kept:g} kept as in the plotting code")
    return GMMBound(chosen, chosen.total, zero.total, kept.total, differs, M, beta, tv, T,
                    note)


@dataclass(frozen=True)
class FasterRate:
    r"""The faster-rate condition of the abstract, evaluated on a grid of sizes.

    Attributes
    ----------
    m : numpy.ndarray
        Training-set sizes :math:`m`.
    gda_limit : numpy.ndarray
        :math:`B^*(m) = \lim_{m_G\to\infty} B(m, m_G) = M\,d_{TV}(m) + (\text{T term} \to 0)`.
    baseline : numpy.ndarray
        :math:`B_0(m) = B(m, 0) = M/\sqrt m + \beta_m \log m` (no augmentation).
    ratio : numpy.ndarray
        :math:`B^*/B_0`.
    condition : numpy.ndarray
        :math:`M\,d_{TV}(m) / \max(\log(m)\beta_m, 1/\sqrt m)`; the abstract's
        condition is that this tends to 0.
    slope : float
        Least-squares slope of :math:`\log` ``ratio`` against :math:`\log m` over the
        last decade of the grid (negative: the ratio keeps falling).
    faster : bool
        Whether the ratio decreases over the last decade by at least a factor
        :math:`10^{0.05}` (slope below -0.05): a numerical reading of "o(...)".
    """

    m: np.ndarray
    gda_limit: np.ndarray
    baseline: np.ndarray
    ratio: np.ndarray
    condition: np.ndarray
    slope: float
    faster: bool


def faster_rate(m, tv: Callable[[np.ndarray], np.ndarray], *,
                beta: Callable[[np.ndarray], np.ndarray] | None = None,
                M: float = 1.0) -> FasterRate:
    r"""Does GDA improve the *rate*?  The abstract's condition, in numbers.

    The abstract states that GDA "can enjoy a faster learning rate when the
    order of divergence term is :math:`o(\max(\log(m)\beta_m, 1/\sqrt m))`".
    Letting :math:`m_G/m_S \to \infty` in :func:`stability_bound` (log(1/delta)
    dropped, :math:`\beta_{m_T} = O(1/m_T)`, T term vanishing) leaves
    :math:`B^* = M\,d_{TV}`, against :math:`B_0 = M/\sqrt m + \beta_m\log m`
    without augmentation.  GDA helps the rate iff :math:`B^*/B_0 \to 0`
    (docs/theory/gda.md, §2.3).

    Parameters
    ----------
    m : array_like
        Increasing training-set sizes, each :math:`\ge 2`, at least two.
    tv : callable
        ``tv(m) -> array`` of :math:`d_{TV}(D, D_G(S))` at those sizes, in [0, 1].
    beta : callable, optional
        ``beta(m)``, the stability constant at :math:`m` points; default :math:`1/m`.
    M : float
        Loss bound, :math:`> 0`.

    Returns
    -------
    FasterRate

    Examples
    --------
    >>> m = np.geomspace(1e2, 1e6, 9)
    >>> faster_rate(m, lambda m: m ** -0.75).faster, faster_rate(m, lambda m: m ** -0.25).faster
    (True, False)
    """
    m_arr = finite_array(m, "m", ndim=1)
    if m_arr.size < 2:
        raise ValueError(f"m must hold at least two sizes, got shape {m_arr.shape}")
    if np.any(m_arr < 2):
        raise ValueError("m must hold finite sizes >= 2")
    if np.any(np.diff(m_arr) <= 0):
        raise ValueError("m must be strictly increasing")
    M = positive(M, "M")
    tv_m = np.asarray(tv(m_arr), dtype=np.float64)
    if tv_m.shape != m_arr.shape or not np.all((tv_m >= 0) & (tv_m <= 1)):
        raise ValueError("tv(m) must return one value in [0, 1] per size")
    beta_m = 1.0 / m_arr if beta is None else np.asarray(beta(m_arr), dtype=np.float64)
    if beta_m.shape != m_arr.shape or not np.all(np.isfinite(beta_m) & (beta_m >= 0)):
        raise ValueError("beta(m) must return one finite value >= 0 per size")
    gda = M * tv_m
    base = M / np.sqrt(m_arr) + beta_m * np.log(m_arr)
    ratio = gda / base
    condition = gda / np.maximum(np.log(m_arr) * beta_m, 1.0 / np.sqrt(m_arr))
    last = np.log10(m_arr) >= np.log10(m_arr[-1]) - 1.0
    if last.sum() < 2:
        last[-2:] = True
    with np.errstate(divide="ignore"):
        slope = float(np.polyfit(np.log(m_arr[last]), np.log(ratio[last]), 1)[0])
    return FasterRate(m_arr, gda, base, ratio, condition, slope, bool(slope < -0.05))
