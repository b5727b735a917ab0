r"""Monte Carlo best-of-N: the literal algorithm, written with array-API operations.

Used to check the exact formulas of :mod:`fdivtheory.alignment.best_of_n`
independently.  Runs on NumPy, and on CuPy (or any array-API library) when
``p`` and ``reward`` are arrays of that library (namespace from
``array_api_compat.array_namespace``).
"""

from __future__ import annotations

import numpy as np
from array_api_compat import array_namespace
from array_api_compat import device as _device

from fdivtheory._arguments import positive_int, probability_vector

from ._validation import as_reward

__all__ = ["sample_best_of_n"]

_CHUNK_ELEMENTS = 1 << 22


def sample_best_of_n(p, reward, n_draws: int, size: int, rng, *, xp=None):
    r"""Draw ``size`` independent best-of-N outcomes (indices into ``p``).

    Each sample draws :math:`N` = ``n_draws`` i.i.d. outcomes from ``p`` by
    inverse-CDF sampling and returns the one with the largest reward; ties go to
    the earliest draw, which is uniform tie-breaking in law (the draws are
    exchangeable), i.e. ``best_of_n(..., ties="uniform")``.  Work is chunked to
    about :math:`4\cdot 10^6` uniforms at a time.

    Parameters
    ----------
    p, reward : array
        Reference pmf and rewards (NumPy, CuPy, ...; validated on the host).
    n_draws : int
        :math:`N \ge 1`.
    size : int
        Number of best-of-N samples.
    rng : numpy.random.Generator or a generator of ``xp``
        Source of uniforms (``rng.random(shape)``); NumPy draws are moved to
        the device of ``p``.
    xp : namespace, optional
        Array namespace; default ``array_namespace(p, reward)``.

    Returns
    -------
    array of int, shape ``(size,)``
        Outcome indices in the namespace (and on the device) of ``p``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> idx = sample_best_of_n(np.array([0.5, 0.5]), np.array([0.0, 1.0]), 2, 100_000, rng)
    >>> abs(float(np.mean(idx)) - 0.75) < 0.01   # best-of-2 picks outcome 1 w.p. 3/4
    True
    """
    if not hasattr(p, "shape"):
        p = np.asarray(p, dtype=np.float64)
    if not hasattr(reward, "shape"):
        reward = np.asarray(reward, dtype=np.float64)
    if xp is None:
        xp = array_namespace(p, reward)
    dev = _device(p)
    host_p = probability_vector(_to_host(p), "p")
    as_reward(_to_host(reward), host_p.size, "reward")
    n_draws = positive_int(n_draws, "n_draws", allow_integral_float=True)
    size = positive_int(size, "size", allow_integral_float=True)
    p_x = xp.asarray(p, dtype=xp.float64, device=dev)
    r_x = xp.asarray(reward, dtype=xp.float64, device=dev)
    cdf = xp.cumulative_sum(p_x / xp.sum(p_x))
    last = host_p.size - 1
    chunk = max(1, _CHUNK_ELEMENTS // n_draws)
    parts = []
    for start in range(0, size, chunk):
        m = min(chunk, size - start)
        u = xp.asarray(rng.random((m, n_draws)), dtype=xp.float64, device=dev)
        idx = xp.searchsorted(cdf, xp.reshape(u, (-1,)), side="right")
        idx = xp.clip(idx, 0, last)
        rewards = xp.reshape(xp.take(r_x, idx), (m, n_draws))
        best = xp.argmax(rewards, axis=1)
        flat = xp.arange(m, dtype=best.dtype, device=dev) * n_draws + best
        parts.append(xp.take(idx, flat))
    return parts[0] if len(parts) == 1 else xp.concat(parts)


def _to_host(a) -> np.ndarray:
    """A host NumPy copy for validation (CuPy arrays via ``.get()``)."""
    if hasattr(a, "get") and not isinstance(a, np.ndarray):
        return np.asarray(a.get())
    try:
        return np.asarray(a)
    except TypeError:
        return np.asarray(a.__array__())
