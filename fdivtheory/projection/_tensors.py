r"""Cumulant tensors of weighted point sets and the general c1, c2 formula.

The expansion of the risk (docs/theory/pn_criterion.md, §3) needs, at the
information projection :math:`\theta^*`,

* the *model* cumulants of the sufficient statistic :math:`T` (derivatives of
  the log-partition): :math:`G = \psi''`, :math:`K = \psi'''`, :math:`L = \psi''''`;
* the *true* cumulants of :math:`T` under :math:`g`: covariance :math:`\Sigma`
  and third cumulant :math:`\kappa`.

Both are cumulants of a random vector; when the law is a finite weighted set of
points (an empirical law, a categorical law, a Gauss–Hermite rule that is exact
for the polynomial statistics of the normal families) they are computed here
from the centred points.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

__all__ = ["c1_c2_tensor", "gauss_hermite_points", "weighted_cumulants"]


def weighted_cumulants(T: np.ndarray, w: np.ndarray, order: int = 3):
    """Mean and cumulant tensors (orders 2..``order``) of points ``T`` (m, p) with weights ``w``.

    Returns ``(eta, Sigma, kappa3[, kappa4])``; the weights must sum to one.
    """
    eta = w @ T
    Z = T - eta
    Zw = Z * w[:, None]
    sigma = Zw.T @ Z
    out = [eta, sigma]
    if order >= 3:
        out.append(np.einsum("mi,mj,mk->ijk", Zw, Z, Z, optimize=True))
    if order >= 4:
        m4 = np.einsum("mi,mj,mk,ml->ijkl", Zw, Z, Z, Z, optimize=True)
        m4 -= (np.einsum("ij,kl->ijkl", sigma, sigma) + np.einsum("ik,jl->ijkl", sigma, sigma)
               + np.einsum("il,jk->ijkl", sigma, sigma))
        out.append(m4)
    return tuple(out)


def gauss_hermite_points(mean: np.ndarray, cov: np.ndarray, nodes: int):
    """Tensor-product Gauss–Hermite rule for :math:`N(\\mu, \\Sigma)`.

    Exact for every polynomial of degree at most ``2 * nodes - 1`` in each
    coordinate.  Returns ``(points (nodes**d, d), weights)``.
    """
    mean = np.atleast_1d(np.asarray(mean, dtype=float))
    cov = np.atleast_2d(np.asarray(cov, dtype=float))
    d = mean.size
    z, w = hermegauss(nodes)
    w = w / w.sum()
    grids = np.meshgrid(*([z] * d), indexing="ij")
    Z = np.stack([g.ravel() for g in grids], axis=1)
    W = np.ones(Z.shape[0])
    for wg in np.meshgrid(*([w] * d), indexing="ij"):
        W = W * wg.ravel()
    C = np.linalg.cholesky(cov)
    return mean + Z @ C.T, W


def c1_c2_tensor(G, K, L, sigma, kappa):
    r"""The general coefficients in natural coordinates.

    .. math::
        c_1 = \tfrac12 \operatorname{tr}(H\Sigma),\quad
        c_2 = -\tfrac13 K_{abc}\tilde\kappa^{abc} - \tfrac38 L_{abcd}A_{ab}A_{cd}
              + \tfrac38 K_{abc}K_{def}H_{ad}(A_{bc}A_{ef} + 2A_{be}A_{cf})

    with :math:`H = G^{-1}`, :math:`A = H\Sigma H` and :math:`\tilde\kappa` the
    true third cumulant with all indices raised by :math:`H`
    (docs/theory/pn_criterion.md, §3).
    """
    H = np.linalg.inv(G)
    H = 0.5 * (H + H.T)
    A = H @ sigma @ H
    c1 = 0.5 * float(np.trace(H @ sigma))
    kt = np.einsum("ai,bj,ck,ijk->abc", H, H, H, kappa, optimize=True)
    KH = np.einsum("abc,ad->dbc", K, H, optimize=True)  # K with first index raised
    t1 = -float(np.einsum("abc,abc->", K, kt)) / 3.0
    t2 = -0.375 * float(np.einsum("abcd,ab,cd->", L, A, A, optimize=True))
    kA = np.einsum("def,ef->d", K, A)
    KHA = np.einsum("dbc,bc->d", KH, A)
    t3 = 0.375 * float(KHA @ kA)
    t4 = 0.75 * float(np.einsum("dbc,def,be,cf->", KH, K, A, A, optimize=True))
    return c1, t1 + t2 + t3 + t4


def c1_c2_mean(G, K, L, sigma, kappa):
    r"""The same coefficients in mean (expectation) coordinates.

    .. math::
        c_1 = \tfrac12\varphi^{ij}\Sigma_{ij},\quad
        c_2 = \tfrac13\varphi^{ijk}\kappa_{ijk} + \tfrac38\varphi^{ijkl}\Sigma_{ij}\Sigma_{kl}

    with the derivatives of the dual potential :math:`\varphi` obtained from the
    natural-coordinate tensors: :math:`\varphi^{ij} = H_{ij}`,
    :math:`\varphi^{ijk} = -\tilde K^{ijk}` and
    :math:`\varphi^{ijkl} = -\tilde L^{ijkl} + G_{mn}(\tilde K^{mij}\tilde K^{nkl}
    + \tilde K^{mik}\tilde K^{njl} + \tilde K^{mil}\tilde K^{njk})`
    (docs/theory/pn_criterion.md, §3).
    """
    H = np.linalg.inv(G)
    H = 0.5 * (H + H.T)
    Kt = np.einsum("ai,bj,ck,ijk->abc", H, H, H, K, optimize=True)
    Lt = np.einsum("ai,bj,ck,dl,ijkl->abcd", H, H, H, H, L, optimize=True)
    GK = np.einsum("mn,nkl->mkl", G, Kt)
    phi4 = -Lt + (np.einsum("mij,mkl->ijkl", Kt, GK) + np.einsum("mik,mjl->ijkl", Kt, GK)
                  + np.einsum("mil,mjk->ijkl", Kt, GK))
    c1 = 0.5 * float(np.sum(H * sigma))
    c2 = (-float(np.einsum("ijk,ijk->", Kt, kappa)) / 3.0
          + 0.375 * float(np.einsum("ijkl,ij,kl->", phi4, sigma, sigma, optimize=True)))
    return c1, c2
