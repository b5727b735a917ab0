r"""Regularised layers as channels, and their contraction coefficients.

Notation (docs/theory/sdpi.md, §4): ``W`` has shape ``(d_out, d_in)`` and maps
a layer input ``t`` to ``phi(W t + b)``; ``p`` is the **drop** probability
(PyTorch; ``convention="keep"`` reads it as the keep probability).

* Dropout on the input (``position="input"``): :math:`\eta_{KL} \le \eta_{TV}
  \le 1 - p^{d_{in}}`; on the output: :math:`1 - p^{d_{out}}`.  Tight for
  generic weights, an injective activation and two inputs with no zero
  coordinate that differ in every coordinate (the layer restricted to them is
  an erasure channel with erasure probability :math:`p^d`).
* DropConnect: :math:`\eta_{KL} \le \eta_{TV} \le 1 - p^{nnz(W)}`, tight likewise.
* Gaussian injection before the activation:
  :math:`\eta_{TV} = 2\Phi(\mathrm{diam}(W\mathcal T)/(2\sigma)) - 1` for an
  injective activation (an upper bound otherwise), and the norm bound
  :math:`2\Phi(\|W\|_{op} R/\sigma) - 1` for :math:`\|t\| \le R`.

On a finite input set, Dropout and DropConnect layers are **exact finite
channels**: :func:`dropout_channel` and :func:`dropconnect_channel` enumerate
the masks and merge identical outputs (rounded to 1e-10).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from fdivtheory._arguments import channel, choice, nonnegative, positive, probability

from ._validation import input_law
from .kl_coefficient import eta_kl
from .tv_chi2 import eta_chi2, eta_tv

__all__ = [
    "ChainedCoefficient",
    "FiniteLayerChannel",
    "GaussianLayer",
    "chain_input_dependent",
    "dropconnect_channel",
    "dropconnect_eta",
    "dropout_channel",
    "dropout_eta",
    "dropout_gaussian_ratio",
    "gaussian_injection",
    "gaussian_injection_eta_tv_bound",
    "gaussian_norm_bound",
    "gaussian_post_activation_bound",
    "network_coefficient",
]

#: Outputs closer than this (after rounding) are merged into one output symbol.
MERGE_DECIMALS = 10
#: Largest number of masks enumerated (2**MAX_MASK_BITS).
MAX_MASK_BITS = 20

_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": lambda z: z,
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0.0),
}


def _activation(activation) -> Callable[[np.ndarray], np.ndarray]:
    if callable(activation):
        return activation
    return _ACTIVATIONS[choice(activation, "activation", tuple(_ACTIVATIONS))]


def _drop_probability(p, convention: str) -> float:
    choice(convention, "convention", ("drop", "keep"))
    if convention == "keep":
        keep = probability(p, "p (keep probability)")
        if keep <= 0:
            raise ValueError("p (keep probability) must lie in (0, 1], got 0")
        return 1.0 - keep
    return probability(p, "p", interval="[0, 1)")


def _weights(W) -> np.ndarray:
    arr = np.asarray(W, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"W must be a non-empty 2-D weight matrix (d_out, d_in), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("W must be finite")
    return arr


def _inputs(inputs, d_in: int) -> np.ndarray:
    arr = np.asarray(inputs, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != d_in or arr.shape[0] == 0:
        raise ValueError(f"inputs must have shape (n_inputs, d_in = {d_in}), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("inputs must be finite")
    return arr


def _bias(b, d_out: int) -> np.ndarray:
    if b is None:
        return np.zeros(d_out)
    arr = np.asarray(b, dtype=np.float64).reshape(-1)
    if arr.size != d_out or not np.all(np.isfinite(arr)):
        raise ValueError(f"bias must be finite with d_out = {d_out} entries, got {arr.size}")
    return arr


@dataclass(frozen=True)
class FiniteLayerChannel:
    """A stochastic layer restricted to finitely many inputs: an exact finite channel.

    Attributes
    ----------
    K : numpy.ndarray
        Row-stochastic matrix, rows are the given inputs, columns the distinct outputs.
    outputs : numpy.ndarray
        The output vectors, one row per column of ``K``.
    masks : int
        Number of masks enumerated.
    """

    K: np.ndarray = field(compare=False)
    outputs: np.ndarray = field(compare=False)
    masks: int

    def eta_tv(self) -> float:
        """Exact Dobrushin coefficient of the finite channel."""
        return eta_tv(self.K)

    def eta_kl(self, p_x=None) -> float:
        """KL coefficient of the finite channel (sup over inputs, or at ``p_x``)."""
        return eta_kl(self.K, p_x)


def _enumerate(outs: np.ndarray, probs: np.ndarray, masks: int) -> FiniteLayerChannel:
    """``outs[i, m]`` output of input ``i`` under mask ``m`` with probability ``probs[m]``."""
    n, M, d = outs.shape
    flat = np.round(outs.reshape(n * M, d), MERGE_DECIMALS) + 0.0  # -0.0 -> 0.0
    uniq, idx = np.unique(flat, axis=0, return_inverse=True)
    K = np.zeros((n, uniq.shape[0]))
    np.add.at(K, (np.repeat(np.arange(n), M), idx.reshape(-1)), np.tile(probs, n))
    return FiniteLayerChannel(K / K.sum(axis=1, keepdims=True), uniq, masks)


def _masks(bits: int, drop: float) -> tuple[np.ndarray, np.ndarray]:
    if bits > MAX_MASK_BITS:
        raise ValueError(f"enumeration needs 2**{bits} masks; at most 2**{MAX_MASK_BITS} allowed")
    B = np.array(list(itertools.product((0.0, 1.0), repeat=bits))).reshape(-1, bits)
    kept = B.sum(axis=1)
    probs = (1 - drop) ** kept * drop ** (bits - kept)
    return B, probs


def dropout_channel(W, inputs, p: float, *, bias=None, activation="identity",
                    position: str = "input", convention: str = "drop") -> FiniteLayerChannel:
    r"""Dropout layer on a finite input set, as an exact finite channel.

    ``position="input"``: :math:`T = \phi(W(B \odot t) + b)`, :math:`B_k \sim
    \mathrm{Bernoulli}(1-p)` i.i.d. (inverted-dropout scaling changes no
    coefficient and is omitted); ``"output"``: :math:`T = B \odot \phi(Wt + b)`.

    Examples
    --------
    >>> import numpy as np
    >>> from fdivtheory.sdpi import dropout_channel, dropout_eta
    >>> ch = dropout_channel([[1.0, 2.0]], [[1.0, 2.0], [3.0, 5.0]], 0.5)
    >>> round(ch.eta_tv(), 12), dropout_eta(2, 0.5)
    (0.75, 0.75)
    """
    Wm = _weights(W)
    d_out, d_in = Wm.shape
    X = _inputs(inputs, d_in)
    drop = _drop_probability(p, convention)
    b = _bias(bias, d_out)
    act = _activation(activation)
    choice(position, "position", ("input", "output"))
    if position == "input":
        B, probs = _masks(d_in, drop)
        pre = np.einsum("ok,mk,nk->nmo", Wm, B, X) + b
        outs = act(pre)
    else:
        B, probs = _masks(d_out, drop)
        outs = B[None, :, :] * act(X @ Wm.T + b)[:, None, :]
    return _enumerate(outs, probs, B.shape[0])


def dropconnect_channel(W, inputs, p: float, *, bias=None, activation="identity",
                        convention: str = "drop") -> FiniteLayerChannel:
    r"""DropConnect layer :math:`T = \phi((M \odot W)t + b)` on a finite input set.

    One Bernoulli(1-p) mask entry per **nonzero** weight (a zero weight's mask
    changes nothing), so :math:`2^{nnz(W)}` masks are enumerated.

    >>> from fdivtheory.sdpi import dropconnect_channel
    >>> ch = dropconnect_channel([[1.0, 0.7], [-0.4, 1.3]], [[1.1, 2.3], [-0.6, 0.9]], 0.5)
    >>> round(ch.eta_tv(), 12)      # 1 - 0.5**4
    0.9375
    """
    Wm = _weights(W)
    d_out, d_in = Wm.shape
    X = _inputs(inputs, d_in)
    drop = _drop_probability(p, convention)
    b = _bias(bias, d_out)
    act = _activation(activation)
    nz = np.flatnonzero(Wm)
    B, probs = _masks(nz.size, drop)
    Ms = np.zeros((B.shape[0], d_out * d_in))
    Ms[:, nz] = B
    Wms = Ms.reshape(-1, d_out, d_in) * Wm
    outs = act(np.einsum("mok,nk->nmo", Wms, X) + b)
    return _enumerate(outs, probs, B.shape[0])


def dropout_eta(width: int, p: float, *, convention: str = "drop") -> float:
    r"""Dropout bound :math:`\eta_{KL} \le \eta_{TV} \le 1 - p^{d}` (d droppable units).

    ``width`` is :math:`d_{in}` for dropout on the layer input (or the number of
    nonzero columns of ``W``), :math:`d_{out}` for dropout on its output
    (docs/theory/sdpi.md, §4.1).

    >>> from fdivtheory.sdpi import dropout_eta
    >>> dropout_eta(3, 0.5)
    0.875
    """
    if not isinstance(width, (int, np.integer)) or width < 0:
        raise ValueError(f"width must be an integer >= 0, got {width!r}")
    return 1.0 - _drop_probability(p, convention) ** int(width)


def dropconnect_eta(nnz: int, p: float, *, convention: str = "drop") -> float:
    r"""DropConnect bound :math:`1 - p^{nnz(W)}` (docs/theory/sdpi.md, §4.2).

    >>> from fdivtheory.sdpi import dropconnect_eta
    >>> dropconnect_eta(4, 0.5)
    0.9375
    """
    if not isinstance(nnz, (int, np.integer)) or nnz < 0:
        raise ValueError(f"nnz must be an integer >= 0, got {nnz!r}")
    return 1.0 - _drop_probability(p, convention) ** int(nnz)


def gaussian_injection_eta_tv_bound(diameter: float, sigma: float) -> float:
    r""":math:`2\Phi(\mathrm{diam}(W\mathcal T)/(2\sigma)) - 1` (docs/theory/sdpi.md, §4.3).

    >>> from fdivtheory.sdpi import gaussian_injection_eta_tv_bound
    >>> round(gaussian_injection_eta_tv_bound(3.0, 1.0), 12)   # 2 Phi(1.5) - 1
    0.866385597462
    """
    return float(2 * ndtr(nonnegative(diameter, "diameter") / (2 * positive(sigma, "sigma")))
                 - 1)


def gaussian_norm_bound(op_norm: float, radius: float, sigma: float) -> float:
    r"""Norm bound :math:`2\Phi(\|W\|_{op} R / \sigma) - 1` for inputs with :math:`\|t\| \le R`.

    >>> from fdivtheory.sdpi import gaussian_norm_bound
    >>> round(gaussian_norm_bound(2**0.5 * 1.25**0.5, 1.0, 1.0), 12) == round(
    ...     gaussian_norm_bound(1.25**0.5, 2**0.5, 1.0), 12)
    True
    """
    x = nonnegative(op_norm, "op_norm") * nonnegative(radius, "radius")
    return float(2 * ndtr(x / positive(sigma, "sigma")) - 1)


def gaussian_post_activation_bound(bound: float, width: int, sigma: float) -> float:
    r"""Noise after an activation with :math:`|\phi| \le B`: :math:`2\Phi(B\sqrt{d_{out}}/\sigma) - 1`.

    >>> from fdivtheory.sdpi import gaussian_post_activation_bound
    >>> round(gaussian_post_activation_bound(1.0, 1, 1.0), 12)   # 2 Phi(1) - 1
    0.682689492137
    """
    if not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be an integer >= 1, got {width!r}")
    return float(2 * ndtr(nonnegative(bound, "bound") * np.sqrt(width)
                          / positive(sigma, "sigma")) - 1)


@dataclass(frozen=True)
class GaussianLayer:
    r"""A Gaussian-injection layer on a finite input set.

    Attributes
    ----------
    means : numpy.ndarray
        The noiseless points :math:`W t + b` (``"pre"``) or :math:`\phi(Wt+b)`
        (``"post"``), one row per input.
    sigma : float
    position : str
    eta_tv : float
        Exact :math:`\eta_{TV} = 2\Phi(\max\|m_i - m_j\|/(2\sigma)) - 1` of the
        Gaussian location family (for ``"pre"`` with a non-injective
        activation, an upper bound on the layer's).
    norm_bound : float
        :math:`2\Phi(\|W\|_{op} R/\sigma) - 1` with :math:`R = \max\|t\|`.
    """

    means: np.ndarray = field(compare=False)
    sigma: float
    position: str
    eta_tv: float
    norm_bound: float

    def binned_channel(self, edges) -> np.ndarray:
        """Finite channel of the binned output (1-D outputs; open tail bins).

        Binning is a post-processing, so its coefficients are lower estimates
        of the layer's (data-processing inequality).
        """
        if self.means.shape[1] != 1:
            raise ValueError("binned_channel needs a 1-D layer output (d_out = 1)")
        e = np.asarray(edges, dtype=float)
        if e.ndim != 1 or e.size < 1 or np.any(np.diff(e) <= 0):
            raise ValueError("edges must be a strictly increasing 1-D array")
        cdf = ndtr((e[None, :] - self.means) / self.sigma)
        K = np.diff(np.concatenate([np.zeros((len(cdf), 1)), cdf, np.ones((len(cdf), 1))],
                                   axis=1), axis=1)
        K = np.clip(K, 0.0, None)
        return K / K.sum(axis=1, keepdims=True)


def gaussian_injection(W, inputs, sigma: float, *, bias=None, activation="identity",
                       position: str = "pre") -> GaussianLayer:
    r"""Gaussian noise injection :math:`\phi(Wt + b + N)` (``"pre"``) or :math:`\phi(Wt+b) + N`.

    >>> from fdivtheory.sdpi import gaussian_injection
    >>> layer = gaussian_injection([[1.0, -0.5]], [[1, 1], [1, -1], [-1, 1], [-1, -1]], 1.0)
    >>> round(layer.eta_tv, 12), round(layer.norm_bound, 12)
    (0.866385597462, 0.886153701993)
    """
    Wm = _weights(W)
    d_out, d_in = Wm.shape
    X = _inputs(inputs, d_in)
    s = positive(sigma, "sigma")
    b = _bias(bias, d_out)
    choice(position, "position", ("pre", "post"))
    means = X @ Wm.T + b
    if position == "post":
        means = _activation(activation)(means)
    diam = float(np.max(np.linalg.norm(means[:, None, :] - means[None, :, :], axis=-1)))
    R = float(np.max(np.linalg.norm(X, axis=1)))
    return GaussianLayer(means, s, position, gaussian_injection_eta_tv_bound(diam, s),
                         gaussian_norm_bound(float(np.linalg.norm(Wm, 2)), R, s))


def network_coefficient(etas: Sequence[float]) -> float:
    r"""Network coefficient :math:`\bar\eta = \prod_k \bar\eta_k` (composition, F10).

    >>> from fdivtheory.sdpi import network_coefficient
    >>> network_coefficient([0.5, 0.8])
    0.4
    """
    out = 1.0
    for i, e in enumerate(etas):
        v = nonnegative(e, f"etas[{i}]")
        if v > 1.0:
            raise ValueError(f"etas[{i}] must be a contraction coefficient in [0, 1], got {e!r}")
        out *= v
    return out


@dataclass(frozen=True)
class ChainedCoefficient:
    r"""Input-dependent chaining :math:`\eta(P_X, K_1\cdots K_L) \le \prod_l \eta(P_{l-1}, K_l)`.

    Attributes
    ----------
    per_layer : tuple of float
        :math:`\eta(P_{l-1}, K_l)` with :math:`P_{l-1} = P_X K_1 \cdots K_{l-1}`.
    product : float
        Their product, a bound on the composite coefficient.
    composite : float
        The coefficient of the composite channel at :math:`P_X` (computed directly).
    """

    per_layer: tuple[float, ...]
    product: float
    composite: float


def chain_input_dependent(p_x, channels: Sequence, *, divergence: str = "kl") -> ChainedCoefficient:
    r"""Per-layer input-dependent coefficients along a chain of channels (F10).

    >>> from fdivtheory.sdpi import bsc, chain_input_dependent
    >>> c = chain_input_dependent([0.5, 0.5], [bsc(0.1), bsc(0.2)], divergence="chi2")
    >>> round(c.product, 12), round(c.composite, 12)
    (0.2304, 0.2304)
    """
    choice(divergence, "divergence", ("kl", "chi2"))
    if not channels:
        raise ValueError("channels must not be empty")
    Ks = [channel(K, f"channels[{i}]") for i, K in enumerate(channels)]
    p = input_law(p_x, Ks[0].shape[0])
    fn = eta_kl if divergence == "kl" else eta_chi2
    per, cur, comp = [], p, np.eye(Ks[0].shape[0])
    for i, K in enumerate(Ks):
        if K.shape[0] != cur.size:
            raise ValueError(f"channels[{i}] has {K.shape[0]} inputs; the previous layer has "
                             f"{cur.size} outputs")
        per.append(float(fn(K, cur)))
        cur = cur @ K
        comp = comp @ K
    return ChainedCoefficient(tuple(per), float(np.prod(per)), float(fn(comp, p)))


def dropout_gaussian_ratio(delta, cov, p: float) -> float:
    r"""KL ratio of two Gaussians through the masking channel :math:`t \mapsto B \odot t`.

    The kept set ``S`` is visible in the output (dropped coordinates are exactly 0), so

    .. math:: \frac{KL(PK\|QK)}{KL(P\|Q)} = \frac{\sum_{S \ne \emptyset} (1-p)^{|S|}
              p^{d-|S|}\,\Delta_S^T\Sigma_{SS}^{-1}\Delta_S}{\Delta^T\Sigma^{-1}\Delta}

    for :math:`P = N(m_1, \Sigma)`, :math:`Q = N(m_2, \Sigma)`, :math:`\Delta = m_1 - m_2`
    (docs/theory/sdpi.md, §4.1); it never exceeds :math:`1 - p^d`.

    >>> import numpy as np
    >>> from fdivtheory.sdpi import dropout_gaussian_ratio
    >>> round(dropout_gaussian_ratio(np.ones(3), np.eye(3), 0.5), 12)   # independent: 1 - p
    0.5
    """
    D = np.asarray(delta, dtype=float).reshape(-1)
    S = np.asarray(cov, dtype=float)
    d = D.size
    if S.shape != (d, d) or not np.all(np.isfinite(S)) or not np.all(np.isfinite(D)):
        raise ValueError(f"cov must be a finite ({d}, {d}) matrix and delta finite")
    if np.min(np.linalg.eigvalsh((S + S.T) / 2)) <= 0:
        raise ValueError("cov must be symmetric positive definite")
    drop = _drop_probability(p, "drop")
    if d > MAX_MASK_BITS:
        raise ValueError(f"d = {d} > {MAX_MASK_BITS}: too many masks")
    den = float(D @ np.linalg.solve(S, D))
    if den <= 0:
        raise ValueError("delta must be nonzero")
    num = 0.0
    for mask in itertools.product((False, True), repeat=d):
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            continue
        w = (1 - drop) ** idx.size * drop ** (d - idx.size)
        num += w * float(D[idx] @ np.linalg.solve(S[np.ix_(idx, idx)], D[idx]))
    return num / den
