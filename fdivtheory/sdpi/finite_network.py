r"""Finite networks, enumerated exactly, and the hierarchical KL bound.

A :class:`FiniteNetwork` has finite input, label, weight and representation
alphabets, so every data set of size ``n`` can be enumerated:
:func:`analyse_network` computes the exact generalization gap of the Gibbs
algorithm, every per-layer divergence :math:`D_l^{(i)}` (per sample, chain rule
and full sample), the label information and the per-layer contraction
coefficients; :func:`hierarchical_kl_bound` turns them into
:math:`|gen| \le \frac1n\sum_i\sqrt{2\sigma^2 D_l^{(i)}}`, non-increasing in
the layer (docs/theory/sdpi.md, §6.1; the coefficients, §7 and §9).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from fdivtheory._arguments import channel, choice, nonnegative, probability_vector

from . import _kl
from .kl_coefficient import eta_kl
from .tv_chi2 import eta_tv

__all__ = [
    "FiniteNetwork",
    "HierarchicalKLBound",
    "NetworkAnalysis",
    "analyse_network",
    "hierarchical_kl_bound",
]

#: Largest number of data sets a finite network enumerates.
MAX_DATASETS = 2_000_000


@dataclass(frozen=True)
class FiniteNetwork:
    r"""A stochastic network on finite alphabets with finitely many weights.

    Parameters
    ----------
    p_x : array_like, shape (n_x,)
        Input law.
    p_y_given_x : array_like, shape (n_x, n_y)
        Label channel (rows are inputs).
    kernels : sequence of sequences of matrices
        ``kernels[l][w]`` is the layer-``l+1`` channel for weight value ``w``
        (rows: layer input symbols, columns: layer output symbols).  The weight
        vector is ``W = (w_1, ..., w_L)``, every combination allowed.
    loss : array_like, shape (n_t, n_y)
        :math:`\tilde\ell(t_L, y)`; the loss of ``w`` at ``(x, y)`` averages it over
        the network's noise.
    """

    p_x: np.ndarray = field(compare=False)
    p_y_given_x: np.ndarray = field(compare=False)
    kernels: tuple = field(compare=False)
    loss: np.ndarray = field(compare=False)

    def __post_init__(self) -> None:
        p = probability_vector(self.p_x, "p_x")
        Py = channel(self.p_y_given_x, "p_y_given_x")
        if Py.shape[0] != p.size:
            raise ValueError(f"p_y_given_x must have one row per input ({p.size})")
        if not self.kernels:
            raise ValueError("kernels must hold at least one layer")
        ks, width = [], p.size
        for l, layer in enumerate(self.kernels):
            if len(layer) == 0:
                raise ValueError(f"kernels[{l}] must hold at least one weight value")
            mats = tuple(channel(K, f"kernels[{l}][{w}]") for w, K in enumerate(layer))
            if any(K.shape != mats[0].shape for K in mats) or mats[0].shape[0] != width:
                raise ValueError(f"kernels[{l}] matrices must all have shape ({width}, m)")
            width = mats[0].shape[1]
            ks.append(mats)
        loss = np.asarray(self.loss, dtype=float)
        if loss.shape != (width, Py.shape[1]) or not np.all(np.isfinite(loss)):
            raise ValueError(f"loss must be a finite ({width}, {Py.shape[1]}) matrix")
        object.__setattr__(self, "p_x", p)
        object.__setattr__(self, "p_y_given_x", Py)
        object.__setattr__(self, "kernels", tuple(ks))
        object.__setattr__(self, "loss", loss)

    @property
    def depth(self) -> int:
        return len(self.kernels)

    @property
    def weights(self) -> list[tuple[int, ...]]:
        """All weight vectors, in lexicographic order."""
        return list(itertools.product(*[range(len(layer)) for layer in self.kernels]))

    def forward(self, w: Sequence[int], layer: int) -> np.ndarray:
        """The channel ``x -> T_layer`` for weights ``w`` (identity at layer 0)."""
        M = np.eye(self.p_x.size)
        for k in range(layer):
            M = M @ self.kernels[k][w[k]]
        return M

    def pointwise_loss(self, w: Sequence[int]) -> np.ndarray:
        """``loss[x, y]`` = expected loss of weights ``w`` at ``(x, y)``."""
        return self.forward(w, self.depth) @ self.loss

    def gibbs_posterior(self, data: np.ndarray, gamma: float,
                        prior: np.ndarray | None = None) -> np.ndarray:
        r"""Gibbs posterior :math:`P(w|s) \propto \pi(w) e^{-\gamma L_s(w)}` for each data set.

        ``data[s, i]`` is the index ``x * n_y + y`` of sample ``i`` of data set ``s``.
        """
        ws = self.weights
        prior = np.full(len(ws), 1 / len(ws)) if prior is None else probability_vector(
            prior, "prior", size=len(ws))
        losses = np.stack([self.pointwise_loss(w).reshape(-1) for w in ws])  # (W, Z)
        emp = losses[:, data].mean(axis=2).T  # (S, W)
        logits = np.log(np.where(prior > 0, prior, 1e-300)) - gamma * emp
        logits -= logits.max(axis=1, keepdims=True)
        post = np.exp(logits) * (prior > 0)
        return post / post.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class NetworkAnalysis:
    """Every exact quantity of a :class:`FiniteNetwork` trained on ``n`` samples.

    Attributes
    ----------
    gen : float
        :math:`E[L_\\mu(W) - L_S(W)]`.
    divergences : tuple of float
        Per-sample :math:`D_l` (averaged over the ``n`` samples), layers 0..L.
    chain_rule : tuple of tuple of float
        ``(I(W_{l+1:L}; T_l, Y | W_{1:l}), drift_l)`` per layer; they sum to ``D_l``.
    full_sample : tuple of float
        :math:`D(P_{T^n,Y^n|W}\\|P^{\\otimes n}_{T,Y|W}|P_W)` per layer.
    label_information : float
        :math:`I(W; Y_i)` averaged over ``i``.
    layer_etas : tuple of float
        :math:`\\bar\\eta_l`, by default :math:`\\max_w \\eta_{KL}(K_{l,w})`; see the
        ``coefficient`` argument of :func:`analyse_network` for the variants.
    """

    n: int
    sigma: float
    gen: float
    divergences: tuple[float, ...]
    chain_rule: tuple[tuple[float, float], ...]
    full_sample: tuple[float, ...]
    label_information: float
    layer_etas: tuple[float, ...]

    @property
    def conditional_parts(self) -> tuple[float, ...]:
        """:math:`C_l = D_l - I(W;Y_i)`, the part that contracts."""
        return tuple(d - self.label_information for d in self.divergences)


def analyse_network(net: FiniteNetwork, n: int, *, gamma: float, prior=None,
                    sigma: float | None = None, coefficient: str = "kl") -> NetworkAnalysis:
    """Enumerate every data set of size ``n`` and compute the exact terms (Gibbs algorithm).

    Returns a :class:`NetworkAnalysis` (docs/theory/sdpi.md, §6.1 and §7); ``sigma``
    defaults to half the range of the loss matrix.  ``coefficient`` picks the
    per-layer :math:`\\bar\\eta_l` used by the contraction step (docs/theory/sdpi.md, §9):

    * ``"kl"`` (default): :math:`\\max_w \\eta_{KL}(K_{l,w})`, the supremum over
      inputs (certified for two-input layers; optimised otherwise, see §5.1);
    * ``"tv"``: :math:`\\max_w \\eta_{TV}(K_{l,w})`, Dobrushin's closed form, always a
      proven upper bound on the ``"kl"`` value;
    * ``"kl_input"``: :math:`\\max_{w,y} \\eta_{KL}(P_{T_{l-1}|Y=y,W=w}, K_{l,w})` at the
      test laws of the layer's input, taking the **proven upper end** of each
      bracket (tight for two-point laws, otherwise at most Dobrushin's value).

    >>> from fdivtheory.sdpi import analyse_network
    >>> from fdivtheory.sdpi.checks import toy_network
    >>> a = analyse_network(toy_network(), 3, gamma=2.0)
    >>> round(a.gen, 12), a.divergences[0] >= a.divergences[1] >= a.divergences[2]
    (0.004211839431, True)
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    gamma = nonnegative(gamma, "gamma")
    choice(coefficient, "coefficient", ("kl", "tv", "kl_input"))
    nx, ny = net.p_y_given_x.shape
    nz = nx * ny
    if nz ** n > MAX_DATASETS:
        raise ValueError(f"n = {n} needs {nz}**{n} data sets; at most {MAX_DATASETS} enumerated")
    if sigma is None:
        sigma = (float(net.loss.max()) - float(net.loss.min())) / 2
    mu = (net.p_x[:, None] * net.p_y_given_x).reshape(-1)
    zx, zy = np.divmod(np.arange(nz), ny)
    data = np.array(list(itertools.product(range(nz), repeat=n)))  # (S, n)
    ps = np.prod(mu[data], axis=1)
    post = net.gibbs_posterior(data, gamma, prior)  # (S, W)
    joint = ps[:, None] * post
    pw = joint.sum(axis=0)
    ws = net.weights
    losses = np.stack([net.pointwise_loss(w).reshape(-1) for w in ws])  # (W, Z)
    pop = losses @ mu
    emp = losses[:, data].mean(axis=2).T
    gen = float(np.sum(joint * (pop[None, :] - emp)))
    # P(Z_i = z | W = w): (n, W, Z)
    cond = np.zeros((n, len(ws), nz))
    for i in range(n):
        for z in range(nz):
            cond[i, :, z] = joint[data[:, i] == z].sum(axis=0)
    cond /= np.where(pw > 0, pw, 1.0)[None, :, None]
    onehot_y = np.eye(ny)[zy]  # (Z, ny)
    py = (net.p_x @ net.p_y_given_x)
    label_info = float(np.mean([np.sum(pw * _kl.kl(cond[i] @ onehot_y, py[None, :]))
                                for i in range(n)]))
    divs, chains, fulls = [], [], []
    for layer in range(net.depth + 1):
        emb = []  # per w: (Z, nt*ny) law of (T_l, Y) given z
        for w in ws:
            M = net.forward(w, layer)[zx]  # (Z, nt)
            emb.append((M[:, :, None] * onehot_y[:, None, :]).reshape(nz, -1))
        emb = np.stack(emb)  # (W, Z, nt*ny)
        test = np.einsum("z,wzk->wk", mu, emb)
        tr = np.einsum("iwz,wzk->iwk", cond, emb)
        per_i = [np.sum(pw * _kl.kl(tr[i], test)) for i in range(n)]
        divs.append(float(np.mean(per_i)))
        # chain-rule split over prefix weights w_{1:l}
        prefixes = sorted({w[:layer] for w in ws})
        mi = drift = 0.0
        for pref in prefixes:
            idx = [k for k, w in enumerate(ws) if w[:layer] == pref]
            ppref = pw[idx].sum()
            if ppref <= 0:
                continue
            for i in range(n):
                trp = (pw[idx, None] * tr[i, idx]).sum(axis=0) / ppref
                drift += ppref * float(_kl.kl(trp, test[idx[0]])) / n
                mi += float(np.sum(pw[idx] * _kl.kl(tr[i, idx], trp[None, :]))) / n
        chains.append((mi, drift))
        # full-sample joint law of ((T_1, Y_1), ..., (T_n, Y_n)) given w
        fs = 0.0
        for k in range(len(ws)):
            if pw[k] <= 0:
                continue
            law = np.zeros([emb.shape[2]] * n)
            for s in range(data.shape[0]):
                if post[s, k] == 0:
                    continue
                term = emb[k, data[s, 0]]
                for i in range(1, n):
                    term = np.multiply.outer(term, emb[k, data[s, i]])
                law += ps[s] * post[s, k] * term
            law /= pw[k]
            ref = test[k]
            for _ in range(1, n):
                ref = np.multiply.outer(ref, test[k])
            fs += pw[k] * float(_kl.kl(law.reshape(-1), ref.reshape(-1)))
        fulls.append(fs)
    etas = _layer_etas(net, coefficient)
    return NetworkAnalysis(int(n), float(sigma), gen, tuple(divs), tuple(chains), tuple(fulls),
                           label_info, etas)


def _layer_etas(net: FiniteNetwork, coefficient: str) -> tuple[float, ...]:
    if coefficient == "kl":
        return tuple(max(float(eta_kl(K)) for K in layer) for layer in net.kernels)
    if coefficient == "tv":
        return tuple(max(float(eta_tv(K)) for K in layer) for layer in net.kernels)
    joint = net.p_x[:, None] * net.p_y_given_x
    py = joint.sum(axis=0)
    x_given_y = [joint[:, y] / py[y] for y in range(py.size) if py[y] > 0]
    out = []
    for l, layer in enumerate(net.kernels):
        best = 0.0
        for w in net.weights:
            M = net.forward(w, l)
            for px in x_given_y:
                law = px @ M
                law = np.where(law < 0, 0.0, law)
                law = law / law.sum()
                res = eta_kl(layer[w[l]], law, return_info=True)
                best = max(best, float(res.bracket[1]))
        out.append(best)
    return tuple(out)


@dataclass(frozen=True)
class HierarchicalKLBound:
    """Per-layer KL bounds on ``|gen|`` and the layer giving the smallest."""

    form: str
    divergences: tuple[float, ...]
    bounds: tuple[float, ...]
    gen: float
    best_layer: int
    bound: float


def hierarchical_kl_bound(net: FiniteNetwork, n: int, *, gamma: float, prior=None,
                          sigma: float | None = None, form: str = "per_sample",
                          reduce: str = "each_layer",
                          analysis: NetworkAnalysis | None = None) -> HierarchicalKLBound:
    r"""Hierarchical KL bound of a finite network trained by the Gibbs algorithm, exactly.

    .. math:: |gen| \le \frac1n \sum_i \sqrt{2\sigma^2 D_l^{(i)}}, \quad
              D_l^{(i)} = D(P_{T_l^{(i)},Y_i|W}\,\|\,P_{T_l,Y|W}\,|\,P_W)

    (docs/theory/sdpi.md, §6).  ``form="chain_rule"`` evaluates
    :math:`D_l` as :math:`I(W_{l+1:L};T_l,Y|W_{1:l}) + \text{drift}_l` (the same
    number); ``"full_sample"`` uses :math:`\sqrt{(2\sigma^2/n) D(P_{T^n,Y^n|W}\|
    P^{\otimes n}_{T,Y|W})}`, valid but never tighter.  ``reduce="min"``
    reports only the smallest.  ``sigma`` defaults to half the loss range.

    Examples
    --------
    >>> import numpy as np
    >>> from fdivtheory.sdpi import FiniteNetwork, bsc, hierarchical_kl_bound
    >>> net = FiniteNetwork([0.5, 0.5], bsc(0.2), [[bsc(0.1), bsc(0.3)]],
    ...                     loss=np.array([[0.0, 1.0], [1.0, 0.0]]))
    >>> res = hierarchical_kl_bound(net, 2, gamma=1.0)
    >>> res.bounds[1] <= res.bounds[0] and abs(res.gen) <= res.bound
    True
    """
    choice(form, "form", ("per_sample", "chain_rule", "full_sample"))
    choice(reduce, "reduce", ("each_layer", "min"))
    a = analysis if analysis is not None else analyse_network(net, n, gamma=gamma,
                                                               prior=prior, sigma=sigma)
    s2 = a.sigma ** 2
    if form == "per_sample":
        divs = a.divergences
        bounds = tuple(math.sqrt(2 * s2 * d) for d in divs)
    elif form == "chain_rule":
        divs = tuple(m + d for m, d in a.chain_rule)
        bounds = tuple(math.sqrt(2 * s2 * d) for d in divs)
    else:
        divs = a.full_sample
        bounds = tuple(math.sqrt(2 * s2 * d / a.n) for d in divs)
    best = int(np.argmin(bounds))
    if reduce == "min":
        divs, bounds = (divs[best],), (bounds[best],)
    return HierarchicalKLBound(form, divs, bounds, a.gen, best, min(bounds))
