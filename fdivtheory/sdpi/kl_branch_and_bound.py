r"""Certified upper ends of the input-dependent KL coefficient, by branch and bound.

:func:`binary_fixed_input_bb` brackets :math:`\eta_{KL}(P_X, K)` for a two-point
``P_X`` (interval bisection on ``Q = (1 - q, q)``), :func:`simplex_fixed_input_bb`
for a ``P_X`` with a few support points (longest-edge bisection of the star of
``P_X`` in the simplex).  Each cell is bounded by Cauchy's mean value theorem and
by a linear-fractional bound from the convexity of both KLs
(docs/theory/sdpi.md, §5.5); every upper end returned is proven, with a relative
rounding margin of 1e-11.  Package-internal: used by
:func:`fdivtheory.sdpi.eta_kl`.
"""

from __future__ import annotations

import numpy as np

from . import _kl

__all__: list[str] = []


def binary_fixed_input_bb(Ks, ps, tol=1e-9, max_iter=200, max_intervals=200_000):
    r"""Certified bracket of :math:`\eta_{KL}(P_X, K)` for a two-point ``P_X``.

    Branch and bound on ``Q = (1 - q, q)``; with ``N(q) = D(QK\|P_XK)`` and
    ``D(q) = D(Q\|P_X)`` (both convex, zero with zero slope at ``q = p``), an
    interval ``[u, w]`` on one side of ``p`` is bounded by the smallest of
    (docs/theory/sdpi.md, §5.5): ``max N(ends) / D(near end)``; the
    linear-fractional bound from ``N`` below its chord slope and ``D`` above
    its tangent; and, by Cauchy's mean value theorem applied twice, the
    supremum of the concave binary chi-square coefficient ``rho2(z)`` between
    ``p`` and the far end, bounded by its tangents.  Returns
    ``(lower, upper, q)`` with ``lower`` the ratio at ``q``; ``upper`` carries a relative rounding
    margin of 1e-11.
    """
    a, b = Ks[0], Ks[1]
    p = float(ps[1])
    pk = ps @ Ks
    d2 = (b - a) ** 2

    def NR(q):
        q = np.asarray(q, float)
        Q = np.stack([1 - q, q], axis=-1)
        return _kl.kl(Q @ Ks, pk), _kl.kl(Q, ps)

    def ratio(q):
        n, d = NR(q)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(d > 0, n / np.where(d > 0, d, 1.0), -np.inf)

    def upper(u, w):
        nu, du = NR(u)
        nw, dw = NR(w)
        right = u >= p
        dmin = np.where(right, du, dw)        # D monotone away from p
        nmax = np.maximum(nu, nw)             # N convex: max at an end
        with np.errstate(invalid="ignore", divide="ignore"):
            far = np.where(dmin > 0, nmax / np.where(dmin > 0, dmin, 1.0), np.inf)
        # Cauchy mean value theorem twice (N(p) = D(p) = N'(p) = D'(p) = 0):
        # R(q) = N''(z)/D''(z) = rho2(z) for some z between p and q; rho2 is the
        # binary-input chi-square coefficient, concave, so below its tangents.
        far_end = np.where(right, w, u)
        t1 = rho2(np.full_like(u, p)), drho2(np.full_like(u, p))
        t2 = rho2(far_end), drho2(far_end)
        span = np.abs(far_end - p)
        sgn = np.where(right, 1.0, -1.0)
        tan_p = t1[0] + np.maximum(sgn * t1[1], 0.0) * span
        tan_e = t2[0] + np.maximum(-sgn * t2[1], 0.0) * span
        mvt = np.minimum(tan_p, tan_e)
        # linear-fractional bound: N below its tangent line at the far end's
        # slope (N convex), D above its tangent at the near end (D convex)
        nn, dn = np.where(right, nu, nw), np.where(right, du, dw)
        h = w - u
        slope_n = np.where(right, dN(w), -dN(u))
        slope_d = np.where(right, dD(u), -dD(w))
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            r_end = np.where(dn > 0, nn / np.where(dn > 0, dn, 1.0), np.inf)
            den = dn + slope_d * h
            lf = np.where((den > 0) & np.isfinite(slope_n),
                          (nn + slope_n * h) / np.where(den > 0, den, 1.0), np.inf)
        lf = np.where(slope_d >= 0, np.maximum(r_end, lf), np.inf)
        out = np.minimum(np.minimum(far, mvt), lf)
        return np.where(np.isnan(out), np.inf, out)

    def dN(z):
        qk = (1 - z)[:, None] * a + z[:, None] * b
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where((b - a) != 0, (b - a) * np.log(qk / pk), 0.0)
        return t.sum(axis=1)

    def dD(z):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log(z / p) - np.log((1 - z) / (1 - p))

    def rho2(z):
        Dy = (1 - z)[:, None] * a + z[:, None] * b
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(d2 > 0, d2 * (z * (1 - z))[:, None] / np.where(Dy > 0, Dy, 1.0), 0.0)
            t = np.where((d2 > 0) & (Dy <= 0), np.inf, t)
        return t.sum(axis=1)

    def drho2(z):
        Dy = (1 - z)[:, None] * a + z[:, None] * b
        zz = z[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(d2 > 0, d2 * ((1 - 2 * zz) * Dy - zz * (1 - zz) * (b - a))
                         / np.where(Dy > 0, Dy, 1.0) ** 2, 0.0)
            t = np.where((d2 > 0) & (Dy <= 0), np.inf, t)
        return t.sum(axis=1)

    lo = np.array([0.0, p])
    hi = np.array([p, 1.0])
    ends = ratio(np.array([0.0, 1.0]))
    lower, arg = float(np.max(ends)), float(np.argmax(ends))
    pruned = -np.inf  # largest bound of a discarded interval
    for _ in range(max_iter):
        ub = upper(lo, hi)
        ub = ub * (1 + 1e-11) + 1e-14
        mid = 0.5 * (lo + hi)
        rm = ratio(mid)
        if rm.size and float(rm.max()) > lower:
            lower, arg = float(rm.max()), float(mid[int(np.argmax(rm))])
        keep = ub > lower + tol
        pruned = max(pruned, float(ub[~keep].max(initial=-np.inf)))
        if not keep.any():
            return lower, max(lower, pruned), arg
        lo, hi, mid = lo[keep], hi[keep], mid[keep]
        if lo.size > max_intervals:
            break
        lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
    ub = upper(lo, hi) * (1 + 1e-11) + 1e-14
    return lower, max(lower, pruned, float(ub.max())), arg


def simplex_fixed_input_bb(Ks, ps, best, tol=1e-9, max_iter=80, max_cells=50_000):
    r"""Proven upper end of :math:`\eta_{KL}(P_X, K)` by branch and bound over the simplex.

    The simplex is split into the star of ``P_X`` and cells are halved along
    their longest edge in the local Fisher metric.  A cell is bounded by the smaller of
    (docs/theory/sdpi.md, §5.5): (i) Cauchy's mean value theorem along
    ``P_X -> Q``, ``R(Q) = q_V(M)`` for some ``M`` in the hull of the cell and
    ``P_X``, bounded by a generalised eigenvalue with the smallest output and
    largest input masses over that hull; (ii) for cells away from ``P_X``,
    ``N`` below its interpolation at the vertices (convex) over ``D`` above its
    tangent plane at the centroid, a linear-fractional bound maximal at a
    vertex.  Stops when every cell is within ``tol`` of the best ratio or at
    the cell budget; either way the returned upper end is proven (relative
    rounding margin 1e-11).  Returns ``(lower, upper, argmax or None)``.
    """
    n = ps.size
    pk = ps @ Ks

    def ratio(Q):
        num, den = _kl.kl(Q @ Ks, pk), _kl.kl(Q, ps)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 1e-12, num / np.where(den > 0, den, 1.0), -np.inf)

    basis = np.linalg.svd(np.ones((1, n)))[2][1:].T          # zero-sum directions (n, n-1)
    KZ = Ks.T @ basis                                         # (m, n-1)

    def bound(V, touch):
        c = V.mean(axis=1)                                    # (C, n)
        # (i) Cauchy mean value along P -> Q: R(Q) = q_V(M), M in conv(cell, P)
        allv = np.concatenate([V, np.broadcast_to(ps, (V.shape[0], 1, n))], axis=1)
        bmax = allv.max(axis=1)                               # (C, n)
        amin = (allv @ Ks).min(axis=1)                        # (C, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            ia = np.where(amin > 0, 1.0 / np.where(amin > 0, amin, 1.0), np.inf)
            Bm = np.einsum("xi,cx,xj->cij", basis, 1.0 / bmax, basis)
            Am = np.einsum("yi,cy,yj->cij", KZ, np.where(np.isinf(ia), 0.0, ia), KZ)
        bad = np.isinf(ia).any(axis=1)  # an output mass can vanish: no bound from (i)
        L = np.linalg.cholesky(Bm)
        Li = np.linalg.inv(L)
        G = Li @ Am @ np.swapaxes(Li, 1, 2)
        mvt = np.where(bad, np.inf, np.linalg.eigvalsh(G)[:, -1])
        # (ii) N convex -> below its interpolation; D above its tangent at the centroid
        nv = _kl.kl(V @ Ks, pk)                               # (C, n)
        dc = _kl.kl(c, ps)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(c > 0, np.log(np.where(c > 0, c, 1.0) / ps), 0.0)
        dv = dc[:, None] + np.einsum("cx,cix->ci", g, V - c[:, None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            lf = np.where((dv > 0).all(axis=1), (nv / np.where(dv > 0, dv, 1.0)).max(axis=1),
                          np.inf)
        out = np.minimum(mvt, np.where(touch, np.inf, lf))
        return np.where(np.isnan(out), np.inf, out) * (1 + 1e-11) + 1e-14, c

    eye = np.eye(n)
    cells = []
    for i in range(n):                                        # star of P
        v = eye.copy()
        v[i] = ps
        cells.append(v)
    V = np.array(cells)
    touch = np.ones(n, dtype=bool)                            # P is a vertex of the cell
    argbest = None
    pruned = -np.inf  # largest bound of a discarded cell
    for _ in range(max_iter):
        ub, c = bound(V, touch)
        rc = ratio(c)
        if rc.size and rc.max() > best:
            best, argbest = float(rc.max()), c[int(np.argmax(rc))]
        keep = ub > best + tol
        pruned = max(pruned, float(ub[~keep].max(initial=-np.inf)))
        if not keep.any():
            return best, max(best, pruned), argbest
        V, touch = V[keep], touch[keep]
        if V.shape[0] * 2 > max_cells:
            return best, max(best, pruned, float(ub[keep].max())), argbest
        # longest-edge bisection, lengths in the local Fisher metric sum(dv^2 / m) (m the
        # edge midpoint): small masses of P_X make the ratio vary fastest along them
        C = V.shape[0]
        iu, ju = np.triu_indices(n, 1)
        mid_w = np.maximum(0.5 * (V[:, iu] + V[:, ju]), 1e-300)
        lens = np.sqrt(((V[:, iu] - V[:, ju]) ** 2 / mid_w).sum(axis=2))
        k = np.argmax(lens, axis=1)
        a, b = iu[k], ju[k]
        mid = 0.5 * (V[np.arange(C), a] + V[np.arange(C), b])
        V1, V2 = V.copy(), V.copy()
        V1[np.arange(C), a] = mid
        V2[np.arange(C), b] = mid
        pa = np.all(V[np.arange(C), a] == ps, axis=1)
        pb = np.all(V[np.arange(C), b] == ps, axis=1)
        t1 = touch & ~pa   # V1 loses vertex a
        t2 = touch & ~pb
        V = np.concatenate([V1, V2])
        touch = np.concatenate([t1, t2])
    ub, _ = bound(V, touch)
    return best, max(best, pruned, float(ub.max())), argbest
