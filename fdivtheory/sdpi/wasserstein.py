r"""Wasserstein generalization bounds: empirical W1, layer-wise and finite-network forms.

:func:`wasserstein1_empirical` is the exact optimal-transport W1 between two
labelled empirical laws (POT); :func:`wasserstein_bound` gives
:math:`|gen| \le \min_l \bar\rho_l W_1(\cdot)` with the Lipschitz product
constant :math:`\bar\rho_l`; :func:`finite_network_wasserstein_bound` computes
the bound exactly on a :class:`~fdivtheory.sdpi.FiniteNetwork` trained by the
Gibbs algorithm, with exact Lipschitz constants of the loss in each layer's
representation (docs/theory/sdpi.md, §6.2).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fdivtheory._arguments import choice, nonnegative

from .finite_network import MAX_DATASETS, FiniteNetwork

__all__ = [
    "WassersteinBound",
    "finite_network_wasserstein_bound",
    "wasserstein1_empirical",
    "wasserstein_bound",
]


def _labels(y, n: int, name: str) -> np.ndarray:
    arr = np.asarray(y).reshape(-1)
    if arr.size != n:
        raise ValueError(f"{name} must have one label per sample ({n}), got {arr.size}")
    return arr


def _points(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite (n_samples, dim) array")
    return arr


def wasserstein1_empirical(a, b, *, labels_a=None, labels_b=None, label_metric: str = "sum",
                           label_distance: float = 1.0) -> float:
    r"""W1 between the empirical laws of ``(a_i, y_i)`` and ``(b_j, y'_j)`` (exact OT, POT).

    Ground metric: ``"sum"`` :math:`\|t-t'\| + d(y,y')`, ``"euclidean"``
    :math:`\sqrt{\|t-t'\|^2 + d(y,y')^2}`, ``"none"`` label-preserving
    couplings only (:math:`+\infty` when the label frequencies differ), with
    :math:`d(y, y') = \text{label\_distance}\cdot 1\{y \ne y'\}`.  Without labels,
    plain W1 of the points.

    >>> from fdivtheory.sdpi import wasserstein1_empirical
    >>> wasserstein1_empirical([[0.0], [1.0]], [[0.5], [1.5]])
    0.5
    """
    import ot
    from scipy.spatial.distance import cdist

    A, B = _points(a, "a"), _points(b, "b")
    if A.shape[1] != B.shape[1]:
        raise ValueError("a and b must have the same dimension")
    choice(label_metric, "label_metric", ("sum", "euclidean", "none"))
    D = cdist(A, B)
    wa = np.full(A.shape[0], 1 / A.shape[0])
    wb = np.full(B.shape[0], 1 / B.shape[0])
    if labels_a is None and labels_b is None:
        return float(ot.emd2(wa, wb, D))
    if labels_a is None or labels_b is None:
        raise ValueError("give both labels_a and labels_b, or neither")
    ya, yb = _labels(labels_a, A.shape[0], "labels_a"), _labels(labels_b, B.shape[0], "labels_b")
    ld = nonnegative(label_distance, "label_distance")
    diff = (ya[:, None] != yb[None, :]).astype(float) * ld
    if label_metric == "sum":
        return float(ot.emd2(wa, wb, D + diff))
    if label_metric == "euclidean":
        return float(ot.emd2(wa, wb, np.sqrt(D**2 + diff**2)))
    classes = np.union1d(ya, yb)
    total = 0.0
    for c in classes:
        fa, fb = np.mean(ya == c), np.mean(yb == c)
        if abs(fa - fb) > 1e-12:
            return math.inf
        if fa > 0:
            total += fa * float(ot.emd2(np.full(int(np.sum(ya == c)), 1 / np.sum(ya == c)),
                                        np.full(int(np.sum(yb == c)), 1 / np.sum(yb == c)),
                                        D[np.ix_(ya == c, yb == c)]))
    return total


@dataclass(frozen=True)
class WassersteinBound:
    """Per-layer W1 terms, constants and bounds; both "funnel" layers.

    ``funnel_layer_w1`` minimises W1, ``funnel_layer_bound`` the bound;
    ``reason`` explains a ``+inf``.
    """

    label_metric: str
    w1: tuple[float, ...]
    constants: tuple[float, ...]
    bounds: tuple[float, ...]
    bound: float
    funnel_layer_w1: int
    funnel_layer_bound: int
    reason: str = ""


def wasserstein_bound(train: Sequence, test: Sequence, *, op_norms: Sequence[float],
                      train_labels=None, test_labels=None, lipschitz: Sequence[float] | None = None,
                      rho0: float = 1.0, label_metric: str = "sum",
                      label_distance: float = 1.0) -> WassersteinBound:
    r"""Wasserstein bound :math:`\min_l \bar\rho_l W_1(P^{train}_{T_l,Y}, P^{test}_{T_l,Y})` for fixed weights.

    :math:`\bar\rho_l = \rho_0 \max(1, \prod_{k>l}\rho_k\|W_k\|_{op})` with a label
    metric (``"sum"``, default, or ``"euclidean"``; ``rho0`` is the loss's
    Lipschitz constant for that metric), or :math:`\rho_0\prod_{k>l}\rho_k\|W_k\|_{op}`
    with ``label_metric="none"`` (label-preserving couplings; W1 is
    :math:`+\infty` when the label frequencies differ).  ``train[l]`` and
    ``test[l]`` are the representations at layer ``l = 0..L`` (samples as rows);
    ``op_norms[k]`` is :math:`\|W_{k+1}\|_{op}`.  The expectation over ``W`` is
    the caller's average of this quantity (docs/theory/sdpi.md, §6.2).

    >>> import numpy as np
    >>> from fdivtheory.sdpi import wasserstein_bound
    >>> x = np.array([[0.0], [1.0]]); y = np.array([[0.2], [1.2]])
    >>> r = wasserstein_bound([x, 2 * x], [y, 2 * y], op_norms=[2.0], label_metric="sum",
    ...                       train_labels=[0, 1], test_labels=[0, 1])
    >>> [round(v, 12) for v in r.bounds]
    [0.4, 0.4]
    """
    choice(label_metric, "label_metric", ("sum", "euclidean", "none"))
    if len(train) != len(test) or len(train) == 0:
        raise ValueError("train and test must list the same number (>= 1) of layers")
    L = len(train) - 1
    norms = [nonnegative(v, f"op_norms[{k}]") for k, v in enumerate(op_norms)]
    if len(norms) != L:
        raise ValueError(f"op_norms must have one entry per weight layer ({L}), got {len(norms)}")
    lips = [1.0] * L if lipschitz is None else [nonnegative(v, f"lipschitz[{k}]")
                                                for k, v in enumerate(lipschitz)]
    if len(lips) != L:
        raise ValueError(f"lipschitz must have one entry per layer ({L})")
    r0 = nonnegative(rho0, "rho0")
    w1, consts = [], []
    for layer in range(L + 1):
        c = float(np.prod([lips[k] * norms[k] for k in range(layer, L)]))
        consts.append(r0 * (c if label_metric == "none" else max(1.0, c)))
        w1.append(wasserstein1_empirical(train[layer], test[layer], labels_a=train_labels,
                                         labels_b=test_labels, label_metric=label_metric,
                                         label_distance=label_distance))
    bounds = [c * w if math.isfinite(w) else math.inf for c, w in zip(consts, w1, strict=True)]
    reason = ""
    if all(math.isinf(b) for b in bounds):
        reason = ("label-free W1 is +inf: the train and test label frequencies differ, so no "
                  "label-preserving coupling exists; use label_metric='sum' or 'euclidean'")
    return WassersteinBound(label_metric, tuple(w1), tuple(consts), tuple(bounds),
                            float(min(bounds)), int(np.argmin(w1)), int(np.argmin(bounds)),
                            reason)


def finite_network_wasserstein_bound(net: FiniteNetwork, n: int, *, gamma: float, prior=None,
                                     embeddings: Sequence | None = None,
                                     label_metric: str = "sum", label_distance: float = 1.0,
                                     train_measure: str = "averaged") -> WassersteinBound:
    r"""Exact Wasserstein bound of a finite network trained by the Gibbs algorithm.

    For each layer ``l`` and weight ``w`` the loss as a function of the representation,
    :math:`g_{l,w}(t, y) = \sum_{t_L} P(T_L = t_L | T_l = t, w)\,\tilde\ell(t_L, y)`, has an
    exact Lipschitz constant :math:`\mathrm{Lip}_{l}(w)` for the metric on the embedded
    symbols, so Kantorovich-Rubinstein gives

    .. math:: |gen| \le E_W\big[\mathrm{Lip}_l(W)\, W_1(\bar P^{train}_{T_l,Y|W}, P^{test}_{T_l,Y|W})\big]

    with the **averaged** train law :math:`\bar P^{train} = \frac1n\sum_i P_{T_l^{(i)},Y_i|W}`
    (``train_measure="averaged"``, the default and the tighter by convexity of W1), or
    :math:`E[\mathrm{Lip}_l(W)\,W_1(\frac1n\sum_i\delta_{(T_{l,i},Y_i)}, P^{test}_{T_l,Y|W})]` with
    the **empirical** train measure (``"empirical"``; expectation over data, weights and
    layer noise, every realisation enumerated) (docs/theory/sdpi.md, §6.2).  ``embeddings[l]`` places the symbols of layer ``l``
    in :math:`\mathbb R^k` (default: the integers 0, 1, ...); labels are at distance
    ``label_distance`` when they differ.  The constants reported are
    :math:`E_W \mathrm{Lip}_l(W)`.

    >>> from fdivtheory.sdpi import finite_network_wasserstein_bound
    >>> from fdivtheory.sdpi.checks import toy_network
    >>> r = finite_network_wasserstein_bound(toy_network(), 3, gamma=2.0)
    >>> len(r.bounds), r.bound > 0
    (3, True)
    """
    import ot

    choice(label_metric, "label_metric", ("sum", "euclidean"))
    choice(train_measure, "train_measure", ("averaged", "empirical"))
    ld = nonnegative(label_distance, "label_distance")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    nx, ny = net.p_y_given_x.shape
    nz = nx * ny
    if nz ** n > MAX_DATASETS:
        raise ValueError(f"n = {n} needs {nz}**{n} data sets; at most {MAX_DATASETS} enumerated")
    widths = [nx] + [layer[0].shape[1] for layer in net.kernels]
    if embeddings is None:
        embeddings = [np.arange(w, dtype=float)[:, None] for w in widths]
    if len(embeddings) != len(widths):
        raise ValueError(f"embeddings must give one array per layer 0..{net.depth}")
    embs = []
    for l, (e, w) in enumerate(zip(embeddings, widths, strict=True)):
        arr = np.asarray(e, dtype=float)
        arr = arr[:, None] if arr.ndim == 1 else arr
        if arr.shape[0] != w or not np.all(np.isfinite(arr)):
            raise ValueError(f"embeddings[{l}] must be finite with {w} rows")
        embs.append(arr)
    mu = (net.p_x[:, None] * net.p_y_given_x).reshape(-1)
    zx, zy = np.divmod(np.arange(nz), ny)
    data = np.array(list(itertools.product(range(nz), repeat=n)))
    ps = np.prod(mu[data], axis=1)
    post = net.gibbs_posterior(data, nonnegative(gamma, "gamma"), prior)
    joint = ps[:, None] * post
    pw = joint.sum(axis=0)
    ws = net.weights
    avg = np.zeros((len(ws), nz))  # averaged train law of Z_i given w
    for i in range(n):
        for z in range(nz):
            avg[:, z] += joint[data[:, i] == z].sum(axis=0) / n
    avg /= np.where(pw > 0, pw, 1.0)[:, None]
    w1s, lips, bounds = [], [], []
    for layer in range(net.depth + 1):
        pts = embs[layer]
        nt = pts.shape[0]
        dt = np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=-1)
        dy = ld * (np.arange(ny)[:, None] != np.arange(ny)[None, :])
        # metric on (t, y) pairs, index t * ny + y
        dT = np.repeat(np.repeat(dt, ny, axis=0), ny, axis=1)
        dY = np.tile(dy, (nt, nt))
        M = dT + dY if label_metric == "sum" else np.sqrt(dT**2 + dY**2)
        off = ~np.eye(M.shape[0], dtype=bool)
        if np.any(M[off] <= 0):
            raise ValueError(f"embeddings[{layer}] must place the symbols at distinct points "
                             "(or label_distance must be > 0)")
        e_w1 = e_lip = e_bound = 0.0
        for k, w in enumerate(ws):
            if pw[k] <= 0:
                continue
            fwd = net.forward(w, layer)[zx]  # (Z, nt)
            law_z = (fwd[:, :, None] * np.eye(ny)[zy][:, None, :]).reshape(nz, -1)
            test, train = mu @ law_z, avg[k] @ law_z
            suffix = np.eye(nt)
            for j in range(layer, net.depth):
                suffix = suffix @ net.kernels[j][w[j]]
            g = (suffix @ net.loss).reshape(-1)  # g[t * ny + y]
            lip = float(np.max(np.abs(g[:, None] - g[None, :])[off] / M[off]))
            if train_measure == "averaged":
                w1 = float(ot.emd2(train / train.sum(), test / test.sum(), M))
            else:
                w1 = _empirical_w1(joint[:, k] / pw[k], data, fwd, zy, ny, test, M)
            e_w1 += pw[k] * w1
            e_lip += pw[k] * lip
            e_bound += pw[k] * lip * w1
        w1s.append(float(e_w1))
        lips.append(float(e_lip))
        bounds.append(float(e_bound))
    return WassersteinBound(label_metric, tuple(w1s), tuple(lips), tuple(bounds),
                            float(min(bounds)), int(np.argmin(w1s)), int(np.argmin(bounds)))


def _empirical_w1(pdata: np.ndarray, data: np.ndarray, fwd: np.ndarray, zy: np.ndarray,
                  ny: int, test: np.ndarray, M: np.ndarray) -> float:
    """E W1(empirical train measure, test law) over data sets and layer noise (given w)."""
    import ot

    n = data.shape[1]
    nt = fwd.shape[1]
    mass: dict[tuple[int, ...], float] = {}
    for s in np.flatnonzero(pdata > 0):
        z = data[s]
        for ts in itertools.product(range(nt), repeat=n):
            pr = pdata[s] * float(np.prod(fwd[z, ts]))
            if pr > 0:
                key = tuple(sorted(t * ny + int(zy[zi]) for t, zi in zip(ts, z, strict=True)))
                mass[key] = mass.get(key, 0.0) + pr
    total = 0.0
    for key, pr in mass.items():
        atoms = np.array(key)
        total += pr * float(ot.emd2(np.full(n, 1.0 / n), test / test.sum(), M[atoms]))
    return total
