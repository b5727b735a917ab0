r"""Linear-Gaussian forms of the layer-wise bounds.

Binary Gaussian classification with a linear network: the per-layer KL term
is :math:`\tfrac{r_l}{2}\log\tfrac{n}{n-1}` in the rank :math:`r_l` of the
layer's map (:func:`linear_gaussian_kl`), the W2 term a Frobenius-norm
expression (:func:`linear_gaussian_w2_squared`); :func:`linear_gaussian_bounds`
assembles both bounds per layer and :func:`linear_gaussian_monte_carlo`
estimates the same terms by simulation, through the array API
(docs/theory/sdpi.md, §6.3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fdivtheory._arguments import positive

from ._validation import sub_gaussian

__all__ = [
    "LinearGaussianBounds",
    "linear_gaussian_bounds",
    "linear_gaussian_kl",
    "linear_gaussian_monte_carlo",
    "linear_gaussian_w2_squared",
]


def linear_gaussian_kl(rank: int, n: int) -> float:
    r""":math:`D_l = \tfrac{r_l}{2}\log\tfrac{n}{n-1}` (rank form; docs/theory/sdpi.md, §6.3).

    >>> from fdivtheory.sdpi import linear_gaussian_kl
    >>> round(linear_gaussian_kl(3, 10), 6)
    0.158041
    """
    if not isinstance(rank, (int, np.integer)) or rank < 0:
        raise ValueError(f"rank must be an integer >= 0, got {rank!r}")
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    return 0.5 * rank * math.log(n / (n - 1))


def linear_gaussian_w2_squared(A, s2: float, n: int) -> float:
    r""":math:`E W_2^2 = s^2\|A\|_F^2[1/n + (1-\sqrt{1-1/n})^2]` (docs/theory/sdpi.md, §6.3).

    >>> import numpy as np
    >>> from fdivtheory.sdpi import linear_gaussian_w2_squared
    >>> round(linear_gaussian_w2_squared(np.diag([1, 1, 1, 0, 0, 0.0]), 1.3, 10), 12)
    0.400270275206
    """
    Am = np.asarray(A, dtype=float)
    if Am.ndim != 2 or not np.all(np.isfinite(Am)):
        raise ValueError("A must be a finite 2-D matrix")
    s = positive(s2, "s2")
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    return s * float(np.sum(Am**2)) * (1 / n + (1 - math.sqrt(1 - 1 / n)) ** 2)


@dataclass(frozen=True)
class LinearGaussianBounds:
    """Per-layer terms of the linear-Gaussian model (layers 0..L)."""

    ranks: tuple[int, ...]
    kl: tuple[float, ...]
    kl_bounds: tuple[float, ...]
    w2: tuple[float, ...]
    w_bounds_product: tuple[float, ...]
    w_bounds_label: tuple[float, ...]
    funnel_layer_label: int


def linear_gaussian_bounds(weights: Sequence, n: int, s2: float, *, sigma: float = 0.5,
                           rho0: float = 1.0, lipschitz: Sequence[float] | None = None,
                           rank_tol: float = 1e-10) -> LinearGaussianBounds:
    r"""KL (rank) and W2-based Wasserstein bounds of a linear network on binary Gaussian data.

    Model: :math:`Y` uniform on :math:`\pm1`, :math:`X|Y \sim N(Y\mu, s^2 I)`,
    :math:`T_l = A_l X`, :math:`A_l = W_l\cdots W_1`; KL bound
    :math:`\sigma\sqrt{r_l\log(n/(n-1))}`; Wasserstein bound
    :math:`\bar\rho_l\, s\|A_l\|_F\sqrt{1/n + (1-\sqrt{1-1/n})^2}` with the
    label-free product constant (non-increasing in ``l``) and with
    :math:`\rho_0\max(1,\cdot)` (docs/theory/sdpi.md, §6.3).

    >>> import numpy as np
    >>> from fdivtheory.sdpi import linear_gaussian_bounds
    >>> r = linear_gaussian_bounds([np.eye(3)[:2]], 10, 1.0)
    >>> r.ranks
    (3, 2)
    """
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    s = sub_gaussian(sigma)
    s2v = positive(s2, "s2")
    mats = [np.asarray(W, dtype=float) for W in weights]
    if not mats or any(W.ndim != 2 for W in mats):
        raise ValueError("weights must be a non-empty list of 2-D matrices")
    d = mats[0].shape[1]
    A = np.eye(d)
    As = [A]
    for k, W in enumerate(mats):
        if W.shape[1] != A.shape[0]:
            raise ValueError(f"weights[{k}] has {W.shape[1]} columns; expected {A.shape[0]}")
        A = W @ A
        As.append(A)
    L = len(mats)
    lips = [1.0] * L if lipschitz is None else list(lipschitz)
    norms = [float(np.linalg.norm(W, 2)) for W in mats]
    ranks = tuple(int(np.linalg.matrix_rank(Al, tol=rank_tol)) for Al in As)
    kls = tuple(linear_gaussian_kl(r, n) for r in ranks)
    klb = tuple(math.sqrt(2 * s * s * v) for v in kls)
    w2 = tuple(math.sqrt(linear_gaussian_w2_squared(Al, s2v, n)) for Al in As)
    prods = [float(np.prod([lips[k] * norms[k] for k in range(l, L)])) for l in range(L + 1)]
    wp = tuple(rho0 * c * w for c, w in zip(prods, w2, strict=True))
    wl = tuple(rho0 * max(1.0, c) * w for c, w in zip(prods, w2, strict=True))
    return LinearGaussianBounds(ranks, kls, klb, w2, wp, wl, int(np.argmin(wl)))


def linear_gaussian_monte_carlo(A, s2: float, n: int, draws: int, rng,
                                xp=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Monte Carlo draws of the Gaussian KL and :math:`W_2^2` of the linear-Gaussian model.

    Draws :math:`\hat\mu - \mu = \sqrt{s^2/n}\,Z` (nothing depends on :math:`\mu`) and returns, per draw,
    :math:`KL(N(A\hat\mu, c s^2AA^T)\|N(A\mu, s^2AA^T))` (on the range of ``A``,
    :math:`c = 1-1/n`) and :math:`\|A(\hat\mu-\mu)\|^2 + s^2\|A\|_F^2(\sqrt c-1)^2`.
    ``xp``, an array-API namespace (for instance
    ``fdivtheory._backend.device_namespace("gpu")``), runs the arithmetic on its device.

    >>> import numpy as np
    >>> from fdivtheory.sdpi import linear_gaussian_monte_carlo
    >>> kl, w2 = linear_gaussian_monte_carlo(np.eye(2), 1.0, 10, 4,
    ...                                      np.random.default_rng(0))
    >>> kl.shape, bool(np.all(kl >= 0))
    ((4,), True)
    """
    Am = np.asarray(A, dtype=float)
    s = positive(s2, "s2")
    if not isinstance(draws, (int, np.integer)) or draws < 1:
        raise ValueError(f"draws must be an integer >= 1, got {draws!r}")
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    d = Am.shape[1]
    r = int(np.linalg.matrix_rank(Am))
    Vt = np.linalg.svd(Am)[2]
    Prow = Vt[:r].T @ Vt[:r]
    c = 1 - 1 / n
    z = rng.standard_normal((draws, d))
    frob = float(np.sum(Am**2))
    if xp is None:
        xp = np
    Z = xp.asarray(z)
    delta = math.sqrt(s / n) * Z
    proj = delta @ xp.asarray(Prow)
    quad = xp.sum(proj * delta, axis=1) / s
    kl = 0.5 * (r * c - r - r * math.log(c) + quad)
    Ad = delta @ xp.asarray(Am.T)
    w2 = xp.sum(Ad * Ad, axis=1) + s * frob * (math.sqrt(c) - 1) ** 2
    return kl, w2
