"""Layer-wise generalization bounds and SDPI coefficients of regularised layers.

Six experiments (the ``experiment`` grid parameter), all the library's own
illustrations of its derived statements (docs/theory/sdpi.md), none a
reproduction of a figure of He, Yu & Goldfeld (whose figures are unknown):

* ``linear_gaussian``: per layer of a 6->5->4->3->2->1 linear network
  (d = 6, n = 10, s^2 = 1.3), the rank formula for D_l with its Monte Carlo
  mean, the KL bound, and the W2-based Wasserstein bounds with the label-free
  product constant and with rho_0 max(1, .); ``--device gpu`` draws on CuPy.
* ``dropout`` / ``dropconnect``: 1 - p^d (and 1 - p^{nnz}) against width and p,
  with eta_TV and eta_KL of the exactly enumerated finite layer channels.
* ``gaussian``: 2 Phi(x) - 1 against x = ||W||_op R / sigma_N, with exact eta_TV
  of random finite input sets and binned eta_KL lower estimates.
* ``toy``: every term of the exact two-layer toy network (check sdpi.C15).
* ``deeper_narrower``: eta-bar and eta-bar * #params over (width, depth).
* ``ordering``: rho_m^2(P_X) <= eta_KL(P_X, K) <= eta_KL(K) <= eta_TV(K) on
  random 4x5 channels.

Run: ``python -m simulations.sdpi_layers [--quick] [options]`` (``--help``).
"""

from __future__ import annotations

import math

import numpy as np

from fdivtheory._backend import device_namespace, to_numpy
from fdivtheory.sdpi import (
    analyse_network,
    contraction_refined_bound,
    deeper_narrower,
    dropconnect_channel,
    dropconnect_eta,
    dropout_channel,
    dropout_eta,
    eta_chi2,
    eta_kl,
    eta_tv,
    finite_network_wasserstein_bound,
    gaussian_injection,
    hierarchical_kl_bound,
    linear_gaussian_bounds,
    linear_gaussian_monte_carlo,
)
from fdivtheory.sdpi.checks import toy_network
from fdivtheory.sweep import Simulation
from simulations._cli import main

D, N, S2 = 6, 10, 1.3
WEIGHT_SEED = 20240404
P_VALUES = (0.1, 0.3, 0.5, 0.7, 0.9)


def network_weights() -> list[np.ndarray]:
    """The fixed random chain 6 -> 5 -> 4 -> 3 -> 2 -> 1 of the linear-Gaussian experiment."""
    rng = np.random.default_rng(WEIGHT_SEED)
    return [rng.normal(size=(k - 1, k)) / math.sqrt(k) for k in range(D, 1, -1)]


def grid(quick: bool) -> list[dict]:
    """Parameter points of the six experiments (quick: fewer draws and channels)."""
    pts: list[dict] = []
    draws = 4000 if quick else 20_000
    pts += [{"experiment": "linear_gaussian", "layer": l, "draws": draws} for l in range(D)]
    pts += [{"experiment": "dropout", "width": d, "p": p} for d in range(1, 9) for p in P_VALUES]
    pts += [{"experiment": "dropconnect", "width": d, "p": p}
            for d in range(1, 7) for p in P_VALUES]
    xs = np.linspace(0.25, 4.0, 8 if quick else 16)
    pts += [{"experiment": "gaussian", "x": float(x)} for x in xs]
    pts += [{"experiment": "toy"}]
    pts += [{"experiment": "deeper_narrower", "width": m, "depth": L}
            for m in (2, 4, 8, 16) for L in (2, 3, 5, 8, 12)]
    pts += [{"experiment": "ordering", "channel": k} for k in range(8 if quick else 40)]
    return pts


def task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """Exact quantities (and Monte Carlo estimates) of one grid point."""
    kind = params["experiment"]
    if kind == "linear_gaussian":
        return _linear_gaussian(params, rng, device)
    if kind in ("dropout", "dropconnect"):
        return _masks(params, rng)
    if kind == "gaussian":
        return _gaussian(params, rng)
    if kind == "toy":
        return _toy()
    if kind == "deeper_narrower":
        r = deeper_narrower(int(params["width"]), int(params["depth"]), 0.5)
        return {"params": float(r["params"]), "eta": r["eta"],
                "eta_times_params": r["eta_times_params"]}
    if kind == "ordering":
        return _ordering(params)
    raise ValueError(f"unknown experiment {kind!r}")


def _linear_gaussian(params: dict, rng: np.random.Generator, device: str) -> dict:
    Ws = network_weights()
    layer = int(params["layer"])
    b = linear_gaussian_bounds(Ws, N, S2)
    A = np.eye(D)
    for W in Ws[:layer]:
        A = W @ A
    xp = device_namespace(device)
    kl, w2 = linear_gaussian_monte_carlo(A, S2, N, int(params["draws"]), rng, xp=xp)
    kl, w2 = to_numpy(kl), to_numpy(w2)
    n = kl.size
    return {"rank": float(b.ranks[layer]), "kl_formula": b.kl[layer],
            "kl_mc": float(kl.mean()), "kl_se": float(kl.std(ddof=1) / math.sqrt(n)),
            "kl_bound": b.kl_bounds[layer], "w2_formula": b.w2[layer] ** 2,
            "w2_mc": float(w2.mean()), "w2_se": float(w2.std(ddof=1) / math.sqrt(n)),
            "w_bound_product": b.w_bounds_product[layer],
            "w_bound_label": b.w_bounds_label[layer], "draws": float(n)}


def _masks(params: dict, rng: np.random.Generator) -> dict:
    d, p = int(params["width"]), float(params["p"])
    X = np.stack([rng.uniform(1, 2, d), rng.uniform(3, 4, d)])
    if params["experiment"] == "dropout":
        out = {"formula": dropout_eta(d, p)}
        ch = dropout_channel(rng.normal(size=(2, d)), X, p, activation="tanh")
    else:
        out = {"formula": dropconnect_eta(2 * d, p)}
        ch = dropconnect_channel(rng.normal(size=(2, d)), X, p, activation="tanh")
    out.update({"eta_tv": ch.eta_tv(), "eta_kl": ch.eta_kl(), "masks": float(ch.masks)})
    return out


def _gaussian(params: dict, rng: np.random.Generator) -> dict:
    x = float(params["x"])
    X = rng.normal(size=(4, 2))
    X /= np.linalg.norm(X, axis=1, keepdims=True)  # R = 1
    W = rng.normal(size=(1, 2))
    W *= x / np.linalg.norm(W, 2)  # ||W||_op R / sigma = x with sigma = 1
    layer = gaussian_injection(W, X, 1.0)
    binned = eta_kl(layer.binned_channel(np.linspace(-x - 10, x + 10, 4001)))
    return {"curve": 2 * 0.5 * math.erfc(-x / math.sqrt(2)) - 1, "eta_tv": layer.eta_tv,
            "norm_bound": layer.norm_bound, "binned_eta_kl": binned}


def _toy() -> dict:
    a = analyse_network(toy_network(), 3, gamma=2.0)
    per = hierarchical_kl_bound(None, 3, gamma=2.0, analysis=a)
    full = hierarchical_kl_bound(None, 3, gamma=2.0, form="full_sample", analysis=a)
    C = a.conditional_parts
    w = finite_network_wasserstein_bound(toy_network(), 3, gamma=2.0)
    return {"gen": a.gen, "w1": np.array(w.w1), "w1_bound": np.array(w.bounds), "divergence": np.array(a.divergences),
            "bound": np.array(per.bounds), "full_sample_bound": np.array(full.bounds),
            "label_information": a.label_information, "conditional": np.array(C),
            "eta": np.array(a.layer_etas),
            "contracted_bound": contraction_refined_bound(a.label_information, C[0],
                                                          a.layer_etas, a.sigma)}


def _ordering(params: dict) -> dict:
    rng = np.random.default_rng([55, int(params["channel"])])
    K = rng.dirichlet(np.ones(5), size=4)
    p = rng.dirichlet(np.ones(4))
    return {"rho2": eta_chi2(K, p), "eta_kl_fixed": eta_kl(K, p), "eta_kl": eta_kl(K),
            "eta_tv": eta_tv(K)}


SIM = Simulation(
    name="sdpi_layers",
    description="Layer-wise KL/W1 bounds (linear-Gaussian, toy network) and SDPI coefficients "
                "of Dropout, DropConnect and Gaussian-noise layers (He, Yu & Goldfeld 2024; "
                "derived forms).",
    grid=grid,
    task=task,
    replicates=1,
    supports_gpu=True,
)

if __name__ == "__main__":
    raise SystemExit(main(SIM))
