r"""f-divergences between discrete measures.

.. math::  D_f(P\,\|\,Q) = \sum_i q_i\, f\!\left(\frac{p_i}{q_i}\right)

**Argument order**: p first, as in ``scipy.stats.entropy(p, q)`` and
``torch.distributions.kl_divergence(p, q)``.  (``torch.nn.functional.kl_div``
takes ``input = log q`` and ``target = p``: the reverse order.)

**Zero/support rule** (the measure-theoretic definition, one rule for every
generator): a coordinate with :math:`p_i = q_i = 0` contributes 0; with
:math:`q_i = 0 < p_i` it contributes :math:`p_i f'(\infty)`; with
:math:`p_i = 0 < q_i` it contributes :math:`q_i f(0^+)`.  An infinite
divergence is returned as ``+inf`` (e.g. KL with q_i = 0 < p_i).

**Standardised terms**: each coordinate contributes
:math:`q_i f(p_i/q_i) - f'(1)(p_i - q_i) \ge 0`; on probability vectors the
sum is the usual divergence, on unnormalised measures it is the generalised
divergence (for KL: :math:`\sum p\log(p/q) - p + q`, ``scipy.special.kl_div``).
Each term is clamped at 0 against rounding, and every square root is taken of
a clipped value, so a divergence is never negative and never NaN from
rounding.

**Units**: nats; ``base=2`` gives bits.  Inputs are validated as described in
:mod:`fdivtheory._validation` (``invalid``, ``nan_policy``, ``normalize``),
whose :func:`~fdivtheory._validation.reduce_pair` is the one reduction path;
the row sums come from :func:`fdivtheory.kernels.rowwise` (numba, CuPy or the
generic array-API path).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from fdivtheory import _validation as V
from fdivtheory import kernels
from fdivtheory._backend import namespace
from fdivtheory.generators import Generator, get_generator, power_family
from fdivtheory.kernels import generic

__all__ = [
    "chi2",
    "f_divergence",
    "f_divergence_log",
    "hellinger",
    "hellinger_sq",
    "hockey_stick",
    "jeffreys",
    "js",
    "js_distance",
    "kl",
    "le_cam",
    "neyman_chi2",
    "power_divergence",
    "reverse_kl",
    "tv",
]

Array = Any


@kernels.runs_on("numba", "cupy")
def f_divergence(p: Array, q: Array, f: str | Generator, *, axis: int = -1,
                 keepdims: bool = False, normalize: bool | str = False,
                 base: float | None = None, invalid: str = "raise",
                 nan_policy: str = "propagate", return_terms: bool = False) -> Array:
    r"""The f-divergence :math:`D_f(P\|Q) = \sum_i q_i f(p_i/q_i)` along ``axis``.

    Parameters
    ----------
    p, q : array_like
        Finite non-negative measures along ``axis`` (batch dimensions broadcast).
    f : str or Generator
        Generator or registered name (see :func:`fdivtheory.get_generator`).
    axis : int
        Axis holding the outcomes.
    keepdims : bool
        Keep the reduced axis with length 1.
    normalize : bool or "check"
        ``False``: use the measures as given; ``True``: divide each by its
        total along ``axis``; ``"check"``: raise if a total differs from 1 by
        more than ``1e-9``.
    base : float, optional
        Logarithm base of the unit (``None``: nats, ``2``: bits).
    invalid : {"raise", "nan"}
        Negative/infinite mass or a measure with no mass: ``ValueError``
        naming the argument, or NaN for that row.
    nan_policy : {"propagate", "raise", "omit"}
        As in SciPy; ``"omit"`` drops coordinates where p or q is NaN.
    return_terms : bool
        Return the per-coordinate standardised contributions (same shape as
        the broadcast inputs) instead of their sum.

    Returns
    -------
    array
        Divergence per batch element (0-d for 1-D inputs), ``+inf`` where it
        is infinite; same array library and device as the inputs.

    Notes
    -----
    Zero/support rule and standardisation: see :mod:`fdivtheory.divergence`.

    Examples
    --------
    >>> import fdivtheory as fd
    >>> float(fd.f_divergence([0.5, 0.5], [0.9, 0.1], "kl"))  # doctest: +ELLIPSIS
    0.5108256...
    >>> float(fd.f_divergence([1.0, 0.0], [0.5, 0.5], "tv"))
    0.5
    """
    gen = get_generator(f)
    return V.reduce_pair(partial(kernels.rowwise, gen, per_coordinate=return_terms), p, q,
                         axis=axis, keepdims=keepdims, normalize=normalize, base=base,
                         invalid=invalid, nan_policy=nan_policy, per_coordinate=return_terms)


@kernels.runs_on()
def f_divergence_log(log_p: Array, log_q: Array, f: str | Generator, *, axis: int = -1,
                     keepdims: bool = False, normalize: bool | str = False,
                     base: float | None = None, invalid: str = "raise",
                     nan_policy: str = "propagate", return_terms: bool = False) -> Array:
    r"""The f-divergence from log-masses: :math:`D_f(e^{\log p}\,\|\,e^{\log q})`.

    ``-inf`` is an exact zero mass; ``+inf`` is an infinite mass (invalid).
    No ``0 * (-inf)`` product is formed.  For KL, reverse KL, Jeffreys and the
    power family the terms are computed from the log-ratio directly, so they
    stay accurate where ``exp(log_p)`` or ``exp(log_q)`` under/overflows
    (e.g. reverse KL with log p = -800, log q = 0 gives 799, not ``inf``).
    ``normalize=True`` subtracts each row's log-sum-exp.

    Examples
    --------
    >>> import numpy as np, fdivtheory as fd
    >>> float(fd.f_divergence_log(np.log([0.5, 0.5]), np.log([0.9, 0.1]), "kl"))  # doctest: +ELLIPSIS
    0.5108256...
    >>> float(fd.f_divergence_log([-800.0, 0.0], [0.0, -np.inf], "kl", invalid="nan"))
    inf
    """
    gen = get_generator(f)
    return V.reduce_pair(partial(_log_rows, gen, per_coordinate=return_terms), log_p, log_q,
                         axis=axis, keepdims=keepdims, normalize=normalize, base=base,
                         invalid=invalid, nan_policy=nan_policy, names=("log_p", "log_q"),
                         log_input=True, per_coordinate=return_terms)


def _log_rows(gen: Generator, LP: Array, LQ: Array, *, xp: Any, omit_nan: bool,
              normalize: bool, per_coordinate: bool) -> tuple[Array, V.RowFlags]:
    """Row function of :func:`f_divergence_log` (generic path: terms from log-ratios)."""
    fl = _log_flags(LP, LQ, xp)
    ninf = xp.full_like(LP, -math.inf)
    if omit_nan:
        mask = xp.isnan(LP) | xp.isnan(LQ)
        LP, LQ = xp.where(mask, ninf, LP), xp.where(mask, ninf, LQ)
    if normalize:
        LP = LP - _logsumexp_rows(LP, xp)[..., None]
        LQ = LQ - _logsumexp_rows(LQ, xp)[..., None]
    fin_p, fin_q = xp.isfinite(LP), xp.isfinite(LQ)
    both = fin_p & fin_q
    zero = xp.zeros_like(LP)
    with np.errstate(all="ignore"):
        inner = gen.perspective_log(xp.where(both, LP, zero), xp.where(both, LQ, zero))
        edge = generic.terms(gen, xp.where(both, zero, xp.exp(LP)),
                             xp.where(both, zero, xp.exp(LQ)), xp)
    terms = xp.maximum(xp.where(both, inner, edge), zero)
    invalid_entry = xp.isnan(LP) | xp.isnan(LQ) | (LP == math.inf) | (LQ == math.inf)
    terms = xp.where(invalid_entry, xp.full_like(LP, math.nan), terms)
    return (terms if per_coordinate else xp.sum(terms, axis=-1)), fl


def _log_flags(LP: Array, LQ: Array, xp: Any) -> V.RowFlags:
    nan_P, nan_Q = xp.isnan(LP), xp.isnan(LQ)
    no = xp.zeros(LP.shape[:-1], dtype=xp.bool)
    ninf = xp.full_like(LP, -math.inf)
    ok = ~(nan_P | nan_Q)
    mx_p = xp.max(xp.where(ok, LP, ninf), axis=-1)
    mx_q = xp.max(xp.where(ok, LQ, ninf), axis=-1)
    # sum > 0 exactly when some log-mass is above -inf
    return V.RowFlags(
        nan_p=xp.any(nan_P, axis=-1), nan_q=xp.any(nan_Q, axis=-1), neg_p=no, neg_q=no,
        inf_p=xp.any(LP == math.inf, axis=-1), inf_q=xp.any(LQ == math.inf, axis=-1),
        sum_p=xp.where(mx_p > -math.inf, xp.ones_like(mx_p), xp.zeros_like(mx_p)),
        sum_q=xp.where(mx_q > -math.inf, xp.ones_like(mx_q), xp.zeros_like(mx_q)),
    )


def _logsumexp_rows(L: Array, xp: Any) -> Array:
    mx = xp.max(L, axis=-1)
    mxs = xp.where(xp.isfinite(mx), mx, xp.zeros_like(mx))
    with np.errstate(all="ignore"):
        return xp.log(xp.sum(xp.exp(L - mxs[..., None]), axis=-1)) + mxs


# ---------------------------------------------------------------------------
# Named divergences
# ---------------------------------------------------------------------------

_COMMON_DOC = """
    Parameters
    ----------
    p, q : array_like
        Non-negative finite measures along ``axis`` (p first: D(p || q)).
    axis, keepdims, normalize, base, invalid, nan_policy, return_terms
        As in :func:`fdivtheory.f_divergence`.

    Returns
    -------
    array
        0-d for 1-D inputs; the batch shape otherwise; ``+inf`` where infinite.
"""


def _named(gen_name: str, fname: str, doc: str,
           post: Callable[[Array, Any], Array] | None = None) -> Callable[..., Array]:
    gen = get_generator(gen_name)

    def finish(val: Array, base: float | None) -> Array:
        if post is None:
            return val
        val = post(val, namespace(val))
        return val if base is None else val / math.sqrt(math.log(float(base)))

    def fn(p: Array, q: Array, *, axis: int = -1, keepdims: bool = False,
           normalize: bool | str = False, base: float | None = None, invalid: str = "raise",
           nan_policy: str = "propagate", return_terms: bool = False) -> Array:
        if post is not None and return_terms:
            raise ValueError(f"return_terms is not available for {fname} (not a sum of terms)")
        val = f_divergence(p, q, gen, axis=axis, keepdims=keepdims, normalize=normalize,
                           base=None if post else base, invalid=invalid,
                           nan_policy=nan_policy, return_terms=return_terms)
        return finish(val, base)

    def fn_log(log_p: Array, log_q: Array, *, axis: int = -1, keepdims: bool = False,
               normalize: bool | str = False, base: float | None = None,
               invalid: str = "raise", nan_policy: str = "propagate") -> Array:
        val = f_divergence_log(log_p, log_q, gen, axis=axis, keepdims=keepdims,
                               normalize=normalize, base=None if post else base,
                               invalid=invalid, nan_policy=nan_policy)
        return finish(val, base)

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = doc.rstrip() + "\n" + _COMMON_DOC
    fn.__module__ = __name__
    fn_log.__name__ = fn_log.__qualname__ = fname + "_log"
    fn_log.__doc__ = (f"Log-space form of :func:`{fname}`: takes ``log_p``, ``log_q`` "
                      "(``-inf`` = zero mass); see :func:`f_divergence_log`.")
    fn_log.__module__ = __name__
    return kernels.runs_on("numba", "cupy")(fn), kernels.runs_on()(fn_log)


def _sqrt_clipped(x: Array, xp: Any) -> Array:
    return xp.sqrt(xp.clip(x, 0.0, None))


kl, kl_log = _named("kl", "kl", r"""Kullback–Leibler divergence :math:`\sum_i p_i \log(p_i/q_i)`.

    Generator :math:`f(u) = u\log u`; +inf when q_i = 0 < p_i.  On
    unnormalised measures the generalised form :math:`\sum p\log(p/q) - p + q`.
    Agrees with ``scipy.stats.entropy(p, q)`` on probability vectors, and is
    accurate at extreme ratios where ``scipy.special.kl_div(1e-300, 1e300)``
    returns -inf.

    >>> import fdivtheory as fd
    >>> round(float(fd.kl([0.5, 0.5], [0.9, 0.1])), 10)
    0.5108256238
""")

reverse_kl, reverse_kl_log = _named("reverse_kl", "reverse_kl", r"""Reverse KL divergence :math:`\mathrm{KL}(Q\|P) = \sum_i q_i\log(q_i/p_i)`.

    Generator :math:`f(u) = -\log u`; +inf when p_i = 0 < q_i.

    >>> import fdivtheory as fd
    >>> round(float(fd.reverse_kl([0.9, 0.1], [0.5, 0.5])), 10)
    0.5108256238
""")

js, js_log = _named("js", "js", r"""Jensen–Shannon divergence :math:`\tfrac12 KL(P\|M) + \tfrac12 KL(Q\|M)`, M = (P+Q)/2.

    Bounded by :math:`\log 2` (1 bit with ``base=2``).  Note that
    ``scipy.spatial.distance.jensenshannon`` returns the *distance*, the
    square root of this divergence: see :func:`js_distance`.

    >>> import fdivtheory as fd
    >>> float(fd.js([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
""")

js_distance, js_distance_log = _named("js", "js_distance", r"""Jensen–Shannon distance :math:`\sqrt{JS(P\|Q)}`, a metric.

    Equal to ``scipy.spatial.distance.jensenshannon(p, q, base=base)`` on
    probability vectors (with ``base``, the square root of JS in that unit).

    >>> import fdivtheory as fd
    >>> float(fd.js_distance([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
""", post=_sqrt_clipped)

tv, tv_log = _named("tv", "tv", r"""Total variation distance :math:`\tfrac12\sum_i |p_i - q_i|` (in [0, 1] on probability vectors).

    Generator :math:`f(u) = \tfrac12|u-1|`.  ``base`` rescales it like any
    other divergence (rarely wanted for TV).

    >>> import fdivtheory as fd
    >>> float(fd.tv([0.5, 0.5], [0.9, 0.1]))
    0.4
""")

chi2, chi2_log = _named("pearson", "chi2", r"""Pearson :math:`\chi^2` divergence :math:`\sum_i (p_i - q_i)^2 / q_i`.

    Generator :math:`(u-1)^2`; +inf when q_i = 0 < p_i.  Compare
    :func:`neyman_chi2`, which divides by p.

    >>> import fdivtheory as fd
    >>> round(float(fd.chi2([0.5, 0.5], [0.9, 0.1])), 10)
    1.7777777778
""")

neyman_chi2, neyman_chi2_log = _named("neyman", "neyman_chi2", r"""Neyman :math:`\chi^2` divergence :math:`\sum_i (p_i - q_i)^2 / p_i` (= Pearson χ²(Q‖P)).

    Generator :math:`(u-1)^2/u`; +inf when p_i = 0 < q_i.

    >>> import fdivtheory as fd
    >>> round(float(fd.neyman_chi2([0.5, 0.5], [0.9, 0.1])), 10)
    0.64
""")

hellinger_sq, hellinger_sq_log = _named("hellinger_sq", "hellinger_sq", r"""Squared Hellinger distance :math:`\sum_i (\sqrt{p_i} - \sqrt{q_i})^2` in [0, 2].

    Generator :math:`(\sqrt u - 1)^2`, with no factor ½; for the
    convention with ½ (values in [0, 1]) use
    ``f_divergence(p, q, get_generator("hellinger_sq", scale=0.5))``.
    Equals :math:`2(1 - BC)` with BC the Bhattacharyya coefficient.

    >>> import fdivtheory as fd
    >>> float(fd.hellinger_sq([1.0, 0.0], [0.0, 1.0]))
    2.0
""")

hellinger, hellinger_log = _named("hellinger_sq", "hellinger", r"""Hellinger distance :math:`\sqrt{\tfrac12\sum_i(\sqrt{p_i}-\sqrt{q_i})^2}` in [0, 1], a metric.

    >>> import fdivtheory as fd
    >>> float(fd.hellinger([1.0, 0.0], [0.0, 1.0]))
    1.0
""", post=lambda x, xp: xp.sqrt(xp.clip(x / 2.0, 0.0, None)))

jeffreys, jeffreys_log = _named("jeffreys", "jeffreys", r"""Jeffreys divergence :math:`KL(P\|Q) + KL(Q\|P) = \sum_i (p_i - q_i)\log(p_i/q_i)`.

    The full symmetrised KL (TensorFlow Probability's ``jeffreys`` is half of it).

    >>> import fdivtheory as fd
    >>> round(float(fd.jeffreys([0.5, 0.5], [0.9, 0.1])), 10)
    0.8788898309
""")

le_cam, le_cam_log = _named("le_cam", "le_cam", r"""Le Cam divergence :math:`\tfrac12\sum_i (p_i - q_i)^2/(p_i + q_i)` in [0, 1].

    Generator :math:`(u-1)^2/(2(u+1))`; twice it is the triangular
    discrimination (generator ``"triangular"``).

    >>> import fdivtheory as fd
    >>> float(fd.le_cam([1.0, 0.0], [0.0, 1.0]))
    1.0
""")


@kernels.runs_on("numba", "cupy")
def hockey_stick(p: Array, q: Array, gamma: float, *, axis: int = -1, keepdims: bool = False,
                 normalize: bool | str = False, base: float | None = None,
                 invalid: str = "raise", nan_policy: str = "propagate",
                 return_terms: bool = False) -> Array:
    r"""Hockey-stick divergence :math:`E_\gamma(P\|Q) = \sum_i (p_i - \gamma q_i)_+`, γ ≥ 1.

    Generator :math:`(u-\gamma)_+`; :math:`E_1` is the total variation.
    (ε, δ)-differential privacy of a mechanism is
    :math:`E_{e^\varepsilon}(P\|Q) \le \delta` for all neighbouring outputs.
    For γ < 1 use :math:`E_\gamma(P\|Q) = 1 - \gamma + \gamma E_{1/\gamma}(Q\|P)`.

    >>> import fdivtheory as fd
    >>> round(float(fd.hockey_stick([0.7, 0.3], [0.3, 0.7], 2.0)), 10)
    0.1
    """
    return f_divergence(p, q, get_generator("hockey_stick", gamma=gamma), axis=axis,
                        keepdims=keepdims, normalize=normalize, base=base, invalid=invalid,
                        nan_policy=nan_policy, return_terms=return_terms)


@kernels.runs_on("numba", "cupy")
def power_divergence(p: Array, q: Array, alpha: float, convention: str = "cressie_read", *,
                     axis: int = -1, keepdims: bool = False, normalize: bool | str = False,
                     base: float | None = None, invalid: str = "raise",
                     nan_policy: str = "propagate", return_terms: bool = False) -> Array:
    r"""Power (α-) divergence in the Cressie–Read, Amari or Tsallis parametrisation.

    * ``"cressie_read"`` (λ = alpha): :math:`\frac{1}{\lambda(\lambda+1)}\sum p[(p/q)^\lambda - 1]`
      on probability vectors; ``scipy.stats.power_divergence(n p, n q, lambda_=λ)``
      returns :math:`2n` times this.  λ = 0: KL, λ = −1: reverse KL, λ = 1: ½ Pearson χ².
    * ``"amari"``: :math:`\frac{4}{1-\alpha^2}\sum[\frac{1-\alpha}2 p + \frac{1+\alpha}2 q - p^{(1-\alpha)/2} q^{(1+\alpha)/2}]`;
      α = −1: KL(P‖Q), α = 0: 2 × squared Hellinger, α = 1: KL(Q‖P).
    * ``"tsallis"`` (α > 0): :math:`\frac{1}{\alpha-1}(\sum p^\alpha q^{1-\alpha} - 1)`; α → 1: KL.

    See :func:`fdivtheory.power_family`.

    >>> import fdivtheory as fd
    >>> round(float(fd.power_divergence([0.5, 0.5], [0.9, 0.1], 1.0)), 10)  # ½ Pearson
    0.8888888889
    """
    gen = power_family(alpha, convention)
    return f_divergence(p, q, gen, axis=axis, keepdims=keepdims, normalize=normalize,
                        base=base, invalid=invalid, nan_policy=nan_policy,
                        return_terms=return_terms)
