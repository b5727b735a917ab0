r"""Hypothesis strategies for property-based tests of f-divergences (public).

Properties of f-divergences read like theorems — non-negativity,
:math:`D(P\|P) = 0`, the data-processing inequality
:math:`D(PK\|QK)\le D(P\|Q)`, joint convexity, Pinsker — and the best test of
an implementation is to let `hypothesis <https://hypothesis.readthedocs.io>`_
search for a counterexample.  This module supplies the inputs:

=============================  ==================================================
``pmfs``                        probability vectors, with or without exact zeros
``near_degenerate_pmfs``        one atom holding mass 1 - δ, δ down to 1e-15
``pmf_pairs``                   (p, q) of equal length; ``support_mismatch=True``
                                guarantees a coordinate where exactly one is 0
``nearby_pmf_pairs``            q a relative perturbation of p by ε ∈ [1e-12, 1e-2]
``unnormalized_measures``       finite non-negative measures, total in [1e-3, 1e3]
``measure_pairs``               (p, q) unnormalised, of equal length
``channels(n_in, n_out)``       row-stochastic matrices K (p ↦ p @ K)
``markov_chains(n)``            row-stochastic square matrices
``generator_names()``           names of the shipped generators
``generators()``                shipped generators with valid random parameters
``alphas()``                    Rényi orders, including 0, 1/2, 1, 2 and inf
``namespaces()``                array namespaces: NumPy, array-api-strict, CuPy
=============================  ==================================================

Every strategy draws NumPy arrays; :func:`as_namespace` converts them, so one
property runs on every array library (CuPy only when it is importable and a
GPU is present; :func:`array_namespaces` lists what is available, for
``pytest.mark.parametrize``).  Values stay in well-conditioned ranges (masses
are 0 or at least ~1e-4 of the largest one) unless the strategy's name says
otherwise, so that a failure points at a bug rather than at rounding.

Example — the data-processing inequality for every shipped generator:

>>> from hypothesis import given, settings
>>> import numpy as np, fdivtheory as fd
>>> from fdivtheory.testing import channels, generators, pmf_pairs
>>> @settings(max_examples=20, deadline=None)
... @given(pq=pmf_pairs(size=3), K=channels(3, 2), g=generators())
... def test_dpi(pq, K, g):
...     p, q = pq
...     d = float(fd.f_divergence(p, q, g))
...     assert float(fd.f_divergence(p @ K, q @ K, g)) <= d * (1 + 1e-9) + 1e-12
>>> test_dpi()
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from hypothesis import strategies as st

from fdivtheory import _backend
from fdivtheory.generators import Generator, get_generator, power_family

__all__ = [
    "SHIPPED_GENERATORS",
    "alphas",
    "array_namespaces",
    "as_namespace",
    "channels",
    "generator_names",
    "generator_params",
    "generators",
    "markov_chains",
    "measure_pairs",
    "namespaces",
    "near_degenerate_pmfs",
    "nearby_pmf_pairs",
    "pmf_pairs",
    "pmfs",
    "unnormalized_measures",
]

#: The generators shipped with fdivtheory (user-registered ones excluded).
SHIPPED_GENERATORS: tuple[str, ...] = (
    "chi_alpha", "hellinger_sq", "hockey_stick", "jeffreys", "js", "kl", "le_cam",
    "neyman", "pearson", "power", "reverse_kl", "skew_js", "triangular", "tv",
)

_MIN_WEIGHT = 1e-4  # smallest positive weight relative to the largest (well-conditioned)


# ---------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------

def _sizes(size: int | None, min_size: int, max_size: int) -> st.SearchStrategy[int]:
    if size is not None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        return st.just(int(size))
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    return st.integers(min_size, max_size)


def _weights(n: int, with_zeros: bool) -> st.SearchStrategy[np.ndarray]:
    """n weights in {0} ∪ [1e-4, 1] with at least one positive."""
    positive = st.floats(_MIN_WEIGHT, 1.0, allow_nan=False, allow_infinity=False)
    elem = st.one_of(st.just(0.0), positive) if with_zeros else positive

    def fix(w: list[float]) -> np.ndarray:
        a = np.asarray(w, dtype=np.float64)
        if not np.any(a > 0):
            a[0] = 1.0
        return a

    return st.lists(elem, min_size=n, max_size=n).map(fix)


def _normalized(w: np.ndarray, dtype: Any) -> np.ndarray:
    p = np.asarray(w / w.sum(), dtype=dtype)
    return p / p.sum()


def pmfs(size: int | None = None, *, min_size: int = 2, max_size: int = 8,
         with_zeros: bool = True, dtype: Any = np.float64) -> st.SearchStrategy[np.ndarray]:
    """Probability vectors of length ``size`` (or drawn in [min_size, max_size]).

    Entries are exact zeros (when ``with_zeros``) or at least ~1e-4 times the
    largest entry; the sum is 1 to rounding in ``dtype``.

    >>> from hypothesis import find
    >>> p = find(pmfs(size=4, with_zeros=False), lambda p: True)
    >>> p.shape, bool(abs(p.sum() - 1) < 1e-12), bool((p > 0).all())
    ((4,), True, True)
    """
    return _sizes(size, min_size, max_size).flatmap(
        lambda n: _weights(n, with_zeros).map(lambda w: _normalized(w, dtype)))


def near_degenerate_pmfs(size: int | None = None, *, min_size: int = 2, max_size: int = 8,
                         min_delta: float = 1e-15, max_delta: float = 1e-2,
                         dtype: Any = np.float64) -> st.SearchStrategy[np.ndarray]:
    """Probability vectors with one atom of mass 1 - δ, δ log-uniform in [min_delta, max_delta].

    The remaining mass δ is spread over the other coordinates (some of them
    possibly exactly zero): the regime where ratios p/q span many orders of
    magnitude and cancellation-prone formulas fail.
    """
    lo, hi = math.log10(min_delta), math.log10(max_delta)

    def build(n: int) -> st.SearchStrategy[np.ndarray]:
        return st.tuples(st.floats(lo, hi), st.integers(0, n - 1),
                         _weights(max(n - 1, 1), True)).map(
            lambda a: _degenerate(n, 10.0 ** a[0], a[1], a[2], dtype))

    return _sizes(size, min_size, max_size).flatmap(build)


def _degenerate(n: int, delta: float, k: int, rest: np.ndarray, dtype: Any) -> np.ndarray:
    p = np.zeros(n)
    if n == 1:
        p[0] = 1.0
    else:
        others = np.delete(np.arange(n), k)
        p[others] = delta * rest[: n - 1] / rest[: n - 1].sum()
        p[k] = 1.0 - p[others].sum()
    return np.asarray(p, dtype=dtype)


def pmf_pairs(size: int | None = None, *, min_size: int = 2, max_size: int = 8,
              with_zeros: bool = True, support_mismatch: bool = False,
              dtype: Any = np.float64) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Pairs (p, q) of probability vectors of the same length.

    ``support_mismatch=True`` guarantees a coordinate with q_i = 0 < p_i (or,
    with equal chance, p_i = 0 < q_i), where the zero/support rule applies.
    """
    if support_mismatch and size is not None and size < 2:
        raise ValueError("support_mismatch needs size >= 2")
    min_n = max(min_size, 2) if support_mismatch else min_size

    def build(n: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
        pair = st.tuples(_weights(n, with_zeros), _weights(n, with_zeros))
        if not support_mismatch:
            return pair.map(lambda w: (_normalized(w[0], dtype), _normalized(w[1], dtype)))
        return st.tuples(pair, st.integers(0, n - 1), st.booleans()).map(
            lambda a: _mismatched(a[0][0], a[0][1], a[1], a[2], dtype))

    return _sizes(size, min_n, max(max_size, min_n)).flatmap(build)


def _mismatched(wp: np.ndarray, wq: np.ndarray, i: int, swap: bool, dtype: Any
                ) -> tuple[np.ndarray, np.ndarray]:
    wp, wq = wp.copy(), wq.copy()
    wp[i] = max(wp[i], 0.5)  # p_i > 0 = q_i
    wq[i] = 0.0
    j = (i + 1) % wp.size
    wq[j] = max(wq[j], 0.5)  # q keeps some mass
    p, q = _normalized(wp, dtype), _normalized(wq, dtype)
    return (q, p) if swap else (p, q)


def nearby_pmf_pairs(size: int | None = None, *, min_size: int = 2, max_size: int = 8,
                     min_eps: float = 1e-12, max_eps: float = 1e-2, with_zeros: bool = True,
                     dtype: Any = np.float64
                     ) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Pairs (p, q) with ``q_i = p_i (1 + ε m_i) / Z``, ``|m_i| <= 1``, ε log-uniform.

    ε ranges over [min_eps, max_eps].  The same support; divergences of order ε²: the regime where formulas
    such as ``p log(p/q) - p + q`` cancel and lose up to all their digits.
    """
    lo, hi = math.log10(min_eps), math.log10(max_eps)

    def build(n: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
        moves = st.lists(st.floats(-1.0, 1.0), min_size=n, max_size=n)
        return st.tuples(pmfs(n, with_zeros=with_zeros), moves, st.floats(lo, hi)).map(
            lambda a: _nearby(a[0], np.asarray(a[1]), 10.0 ** a[2], dtype))

    return _sizes(size, min_size, max_size).flatmap(build)


def _nearby(p: np.ndarray, m: np.ndarray, eps: float, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    q = p * (1.0 + eps * m)
    return np.asarray(p, dtype=dtype), _normalized(q, dtype)


def unnormalized_measures(size: int | None = None, *, min_size: int = 2, max_size: int = 8,
                          with_zeros: bool = True, min_total: float = 1e-3,
                          max_total: float = 1e3, dtype: Any = np.float64
                          ) -> st.SearchStrategy[np.ndarray]:
    """Finite non-negative measures: a pmf times a total mass log-uniform in [min_total, max_total]."""
    lo, hi = math.log10(min_total), math.log10(max_total)
    return st.tuples(pmfs(size, min_size=min_size, max_size=max_size, with_zeros=with_zeros),
                     st.floats(lo, hi)).map(
        lambda a: np.asarray(a[0] * 10.0 ** a[1], dtype=dtype))


def measure_pairs(size: int | None = None, *, min_size: int = 2, max_size: int = 8,
                  with_zeros: bool = True, min_total: float = 1e-3, max_total: float = 1e3,
                  dtype: Any = np.float64
                  ) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Pairs of :func:`unnormalized_measures` of the same length (independent totals)."""
    def build(n: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
        m = unnormalized_measures(n, with_zeros=with_zeros, min_total=min_total,
                                  max_total=max_total, dtype=dtype)
        return st.tuples(m, m)

    return _sizes(size, min_size, max_size).flatmap(build)


def channels(n_in: int | None = None, n_out: int | None = None, *, max_size: int = 6,
             with_zeros: bool = True) -> st.SearchStrategy[np.ndarray]:
    """Row-stochastic matrices K of shape (n_in, n_out): a channel acting as ``p @ K``.

    Sizes that are not given are drawn in [1, max_size] (n_out) and
    [2, max_size] (n_in).
    """
    ins = st.just(n_in) if n_in is not None else st.integers(2, max_size)
    outs = st.just(n_out) if n_out is not None else st.integers(1, max_size)

    def build(shape: tuple[int, int]) -> st.SearchStrategy[np.ndarray]:
        a, b = shape
        return st.lists(pmfs(b, with_zeros=with_zeros), min_size=a, max_size=a).map(np.stack)

    return st.tuples(ins, outs).flatmap(build)


def markov_chains(n: int | None = None, *, max_size: int = 6, ergodic: bool = False
                  ) -> st.SearchStrategy[np.ndarray]:
    """Transition matrices of Markov chains on n states (row-stochastic, square).

    ``ergodic=True`` makes every entry positive (irreducible and aperiodic,
    so a unique stationary distribution exists).
    """
    sizes = st.just(n) if n is not None else st.integers(2, max_size)
    return sizes.flatmap(lambda k: channels(k, k, with_zeros=not ergodic))


# ---------------------------------------------------------------------------
# Generators and orders
# ---------------------------------------------------------------------------

def generator_names() -> st.SearchStrategy[str]:
    """Names of the shipped generators (see :data:`SHIPPED_GENERATORS`)."""
    return st.sampled_from(SHIPPED_GENERATORS)


def _away_from(x: float, points: Sequence[float], gap: float) -> bool:
    return all(abs(x - c) >= gap for c in points)


def generator_params(name: str) -> st.SearchStrategy[dict[str, float]]:
    """Valid, well-conditioned parameters of the shipped generator ``name``.

    ``skew_js``: π ∈ [0.05, 0.95]; ``hockey_stick``: γ ∈ {1} ∪ [1, 5];
    ``chi_alpha``: α ∈ {1, 2} ∪ [1, 4]; ``power``: β ∈ {-1, 0, 1/2, 1, 2, 3} ∪
    [-2, 3] at least 0.05 away from 0 and 1 (where 1/(β(β-1)) blows up);
    ``hellinger_sq``: scale ∈ {1/2, 1}; the others take none.
    """
    def fl(lo: float, hi: float) -> st.SearchStrategy[float]:
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False)

    if name == "skew_js":
        return st.fixed_dictionaries({"pi": fl(0.05, 0.95)})
    if name == "hockey_stick":
        return st.fixed_dictionaries({"gamma": st.one_of(st.just(1.0), fl(1.0, 5.0))})
    if name == "chi_alpha":
        return st.fixed_dictionaries({"alpha": st.one_of(st.sampled_from([1.0, 2.0]),
                                                         fl(1.0, 4.0))})
    if name == "power":
        beta = st.one_of(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0]),
                         fl(-2.0, 3.0).filter(lambda b: _away_from(b, (0.0, 1.0), 0.05)))
        return st.fixed_dictionaries({"beta": beta})
    if name == "hellinger_sq":
        return st.fixed_dictionaries({"scale": st.sampled_from([1.0, 0.5])})
    if name not in SHIPPED_GENERATORS:
        raise ValueError(f"unknown shipped generator {name!r}")
    return st.just({})


@lru_cache(maxsize=4096)
def _cached_generator(name: str, params: tuple[tuple[str, float], ...]) -> Generator:
    # one object per (name, params): generators are immutable, and NumPy kernels
    # and sympy work are looked up by structure, so sharing costs nothing
    return get_generator(name, **dict(params))


def _family() -> st.SearchStrategy[Generator]:
    amari = st.floats(-3.0, 3.0).filter(lambda a: _away_from(a, (-1.0, 1.0), 0.1))
    cressie = st.floats(-2.0, 2.0).filter(lambda a: _away_from(a, (-1.0, 0.0), 0.05))
    tsallis = st.floats(0.1, 3.0).filter(lambda a: _away_from(a, (1.0,), 0.05))
    return st.one_of(
        amari.map(lambda a: power_family(a, "amari")),
        cressie.map(lambda a: power_family(a, "cressie_read")),
        tsallis.map(lambda a: power_family(a, "tsallis")),
    )


def generators(names: Sequence[str] | None = None, *, families: bool = False,
               derived: bool = False) -> st.SearchStrategy[Generator]:
    """Shipped generators with parameters from :func:`generator_params`.

    Parameters
    ----------
    names : sequence of str, optional
        Restrict to these shipped generators (default: all).
    families : bool
        Also draw :func:`fdivtheory.power_family` members in the
        ``"amari"``, ``"cressie_read"`` and ``"tsallis"`` conventions.
    derived : bool
        Also draw ``reversed()``, ``symmetrized()``, ``standardized()`` and
        ``scaled(c)`` (c ∈ [0.1, 10]) of the drawn generator.
    """
    pool = tuple(names) if names is not None else SHIPPED_GENERATORS
    base = st.sampled_from(pool).flatmap(
        lambda n: generator_params(n).map(
            lambda kw: _cached_generator(n, tuple(sorted(kw.items())))))
    if families:
        base = st.one_of(base, _family())
    if not derived:
        return base
    return st.tuples(base, st.sampled_from(["same", "reversed", "symmetrized",
                                            "standardized", "scaled"]),
                     st.floats(0.1, 10.0)).map(_derive)


def _derive(a: tuple[Generator, str, float]) -> Generator:
    g, how, c = a
    if how == "same":
        return g
    if how == "scaled":
        return g.scaled(c)
    return getattr(g, how)()


def alphas(*, min_value: float = 0.0, max_value: float = 10.0, specials: bool = True
           ) -> st.SearchStrategy[float]:
    """Rényi orders in [min_value, max_value], plus 0, 1/2, 1, 2 and inf when ``specials``.

    Drawn orders keep 1e-3 away from 1, where the closed form
    :math:`\\log\\sum p^\\alpha q^{1-\\alpha}/(\\alpha-1)` cancels.
    """
    drawn = st.floats(min_value, max_value).filter(lambda a: abs(a - 1.0) > 1e-3)
    if not specials:
        return drawn
    special = [a for a in (0.0, 0.5, 1.0, 2.0, math.inf) if min_value <= a <= max_value
               or a == math.inf]
    return st.one_of(st.sampled_from(special), drawn)


# ---------------------------------------------------------------------------
# Array namespaces
# ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _cupy() -> Any:
    if _backend.gpu_device_count() < 1:  # no CuPy, a broken CUDA installation, no device
        return None
    return _backend.device_namespace("gpu")


def array_namespaces() -> list[tuple[str, Any]]:
    """``[(name, module)]`` of the array libraries available here.

    NumPy and array-api-strict always; CuPy when importable with a GPU.

    >>> [name for name, _ in array_namespaces()][:2]
    ['numpy', 'array_api_strict']
    """
    out: list[tuple[str, Any]] = [("numpy", np)]
    try:
        import array_api_strict
    except ImportError:  # pragma: no cover - a test dependency
        pass
    else:
        out.append(("array_api_strict", array_api_strict))
    cp = _cupy()
    if cp is not None:
        out.append(("cupy", cp))
    return out


def namespaces() -> st.SearchStrategy[Any]:
    """The available array namespaces (modules), see :func:`array_namespaces`."""
    return st.sampled_from([m for _, m in array_namespaces()])


def as_namespace(x: Any, xp: Any) -> Any:
    """The NumPy array ``x`` as an array of namespace ``xp`` (same dtype).

    >>> import array_api_strict as xps
    >>> type(as_namespace(np.array([0.5, 0.5]), xps)).__module__
    'array_api_strict._array_object'
    """
    a = np.asarray(x)
    return a if xp is np else xp.asarray(a)
