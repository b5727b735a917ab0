r"""Layer-wise generalization bounds: hierarchical KL, Wasserstein, contraction, Gibbs.

All statements are the library's derivations (docs/theory/sdpi.md, §6-§9),
consistent with the abstract of He, Yu & Goldfeld (arXiv:2404.03176) but not
checked against the paper's text; the plausible variants are flags:

* :func:`hierarchical_kl_bound` -- for every layer ``l``,
  :math:`|gen| \le \frac1n\sum_i \sqrt{2\sigma^2 D_l^{(i)}}` with
  :math:`D_l^{(i)} = D(P_{T_l^{(i)},Y_i|W}\|P_{T_l,Y|W}|P_W)`, non-increasing in
  ``l`` (``form="per_sample"``; ``"chain_rule"`` computes the same number
  through its split; ``"full_sample"`` is the never-tighter joint form).
  Computed **exactly** on a finite network by enumerating every data set
  (:class:`FiniteNetwork`).
* :func:`wasserstein_bound` -- :math:`|gen| \le \min_l \bar\rho_l W_1(\cdot)` with
  :math:`\bar\rho_l = \rho_0\max(1, \prod_{k>l}\rho_k\|W_k\|_{op})`; W1 between
  empirical laws by exact optimal transport (POT).
* :func:`linear_gaussian_bounds` -- the rank (KL) and Frobenius-norm (W2)
  expressions of binary Gaussian classification with a linear network.
* :func:`contraction_refined_bound`, :func:`finite_parameter_bound`,
  :func:`gibbs_bound`, :func:`deeper_narrower`.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from fdivtheory._arguments import (
    channel,
    choice,
    nonnegative,
    positive,
    probability,
    probability_vector,
)

from . import _kl
from .coefficients import eta_kl, eta_tv
from .layers import dropout_eta

__all__ = [
    "FiniteNetwork",
    "HierarchicalKLBound",
    "LinearGaussianBounds",
    "NetworkAnalysis",
    "WassersteinBound",
    "analyse_network",
    "contraction_refined_bound",
    "deeper_narrower",
    "finite_network_wasserstein_bound",
    "finite_parameter_bound",
    "gibbs_bound",
    "gibbs_mutual_information_bound",
    "hierarchical_kl_bound",
    "linear_gaussian_bounds",
    "linear_gaussian_kl",
    "linear_gaussian_monte_carlo",
    "linear_gaussian_w2_squared",
    "wasserstein_bound",
    "wasserstein1_empirical",
]

#: Largest number of data sets a finite network enumerates.
MAX_DATASETS = 2_000_000


def _sub_gaussian(sigma) -> float:
    return positive(sigma, "sigma")


# ------------------------------------------------------------------ finite network

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


def _kl_rows(P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    return _kl.kl(P.reshape(P.shape[0], -1), Q.reshape(Q.shape[0], -1))


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


# ----------------------------------------------------------------- contraction

def contraction_refined_bound(label_information: float, conditional_information: float,
                              etas: Sequence[float], sigma: float, *,
                              label_term: bool = True) -> float:
    r"""Contraction-refined bound :math:`\sqrt{2\sigma^2[I(W;Y_i) + \bar\eta\, I(W;X_i|Y_i)]}`.

    :math:`\bar\eta = \prod_k \bar\eta_k` (docs/theory/sdpi.md, §7).  The label
    term does not contract.  ``label_term=False`` gives
    :math:`\sqrt{2\sigma^2\bar\eta\,[I(W;Y_i) + I(W;X_i|Y_i)]}`, valid only without labels
    (or with a separate bound on the label term): it warns.

    >>> from fdivtheory.sdpi import contraction_refined_bound
    >>> round(contraction_refined_bound(0.0, 0.02, [0.5, 0.5], 0.5), 12)
    0.05
    """
    iy = nonnegative(label_information, "label_information")
    ix = nonnegative(conditional_information, "conditional_information")
    s = _sub_gaussian(sigma)
    eta = 1.0
    for i, e in enumerate(etas):
        v = nonnegative(e, f"etas[{i}]")
        if v > 1:
            raise ValueError(f"etas[{i}] must lie in [0, 1], got {e!r}")
        eta *= v
    if label_term:
        return math.sqrt(2 * s * s * (iy + eta * ix))
    if iy > 0:
        warnings.warn("label_term=False contracts the label information I(W;Y), which does "
                      "not contract; the result is not a valid bound unless I(W;Y) is "
                      "bounded separately", UserWarning, stacklevel=2)
    return math.sqrt(2 * s * s * eta * (iy + ix))


def finite_parameter_bound(log_cardinality: float, n: int, sigma: float, *,
                           eta: float = 1.0, label_information: float | None = None,
                           conditional_information: float | None = None) -> float:
    r"""Finite-:math:`\mathcal W` bound :math:`\sqrt{2\sigma^2 \log|\mathcal W| / n}`.

    With the summed informations :math:`\sum_i I(W;Y_i)` and
    :math:`\sum_i I(W;X_i|Y_i)` and :math:`\bar\eta` it returns the refined
    :math:`\sqrt{2\sigma^2[\sum_i I(W;Y_i) + \bar\eta\sum_i I(W;X_i|Y_i)]/n}`
    (docs/theory/sdpi.md, §8).

    >>> from fdivtheory.sdpi import finite_parameter_bound
    >>> round(finite_parameter_bound(10 * 0.6931471805599453, 1000, 0.5), 6)
    0.058871
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    s = _sub_gaussian(sigma)
    lc = nonnegative(log_cardinality, "log_cardinality")
    e = probability(eta, "eta")
    if label_information is None and conditional_information is None:
        return math.sqrt(2 * s * s * lc / n)
    iy = nonnegative(label_information or 0.0, "label_information")
    ix = nonnegative(conditional_information or 0.0, "conditional_information")
    if iy + ix > lc + 1e-12:
        raise ValueError("label_information + conditional_information must not exceed "
                         "log_cardinality (I(W;S) <= log|W|)")
    return math.sqrt(2 * s * s * (iy + e * ix) / n)


def gibbs_mutual_information_bound(gamma: float, n: int) -> float:
    r""":math:`I(W;Z_i) \le \varepsilon^2/2 = 2\gamma^2/n^2` for the Gibbs algorithm (loss in [0, 1]).

    >>> from fdivtheory.sdpi import gibbs_mutual_information_bound
    >>> gibbs_mutual_information_bound(2.0, 4)
    0.5
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    g = nonnegative(gamma, "gamma")
    return 2 * g * g / (n * n)


def gibbs_bound(gamma: float, n: int, sigma: float = 0.5, *, eta: float | None = None,
                label_information: float | None = None) -> float:
    r"""Gibbs bound :math:`|gen| \le 2\sigma\gamma/n` (loss in [0, 1]; docs/theory/sdpi.md, §8).

    With ``eta`` (and the label information :math:`I(W;Y_i)`) the contracted
    :math:`\sqrt{2\sigma^2[I(W;Y_i) + \bar\eta\cdot 2\gamma^2/n^2]}`, using
    :math:`I(W;X_i|Y_i) \le I(W;Z_i) \le 2\gamma^2/n^2`.

    >>> from fdivtheory.sdpi import gibbs_bound
    >>> gibbs_bound(2.0, 100)
    0.02
    """
    s = _sub_gaussian(sigma)
    mi = gibbs_mutual_information_bound(gamma, n)
    if eta is None:
        return math.sqrt(2 * s * s * mi)
    e = probability(eta, "eta")
    iy = nonnegative(label_information or 0.0, "label_information")
    return math.sqrt(2 * s * s * (iy + e * mi))


def deeper_narrower(width: int, depth: int, p: float, *, d0: int = 10) -> dict:
    r"""Dropout network coefficient and parameter count of an MLP with ``depth`` layers of width ``width``.

    The network maps :math:`d_0 \to m \to \cdots \to m \to 1` with
    :math:`m` = ``width``: ``depth`` weight layers, no biases, dropout on every
    weight layer's input: :math:`\bar\eta = \prod_k (1 - p^{d_{k-1}})`,
    #params :math:`= d_0 m + (L-2)m^2 + m` (the library's own illustration,
    docs/theory/sdpi.md, §8).

    >>> from fdivtheory.sdpi import deeper_narrower
    >>> r = deeper_narrower(2, 12, 0.5)
    >>> r["params"], round(r["eta"], 6)
    (62, 0.042194)
    """
    for name, v, lo in (("width", width, 1), ("depth", depth, 2), ("d0", d0, 1)):
        if not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    widths = [d0] + [width] * (depth - 1)
    eta = 1.0
    for d in widths:
        eta *= dropout_eta(d, p)
    params = d0 * width + (depth - 2) * width * width + width
    return {"width": width, "depth": depth, "params": params, "eta": eta,
            "eta_times_params": eta * params}


# ------------------------------------------------------------------ Wasserstein

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


# ------------------------------------------------------------- linear-Gaussian

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
    s = _sub_gaussian(sigma)
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
