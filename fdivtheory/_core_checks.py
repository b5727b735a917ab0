r"""Verification-report checks of the core (f-divergences, Rényi, generators).

Registered in :mod:`fdivtheory.checks` under the area ``"core"``; run with
``python -m simulations.verify --only core``.

=============================  =====================================================
``core.pinsker``                TV ≤ √(KL/2) (Pinsker)
``core.bretagnolle_huber``      TV ≤ √(1 − e^{−KL}) (Bretagnolle–Huber)
``core.le_cam_hellinger_tv``    H²/2 ≤ TV ≤ H√(1 − H²/4) and TV² ≤ LC ≤ TV
``core.dpi``                    D_f(PK‖QK) ≤ D_f(P‖Q), every shipped generator
``core.symbolic``               every shipped generator passes ``symbolic.verify``
``core.renyi_monotone``         α ↦ D_α(P‖Q) non-decreasing on [0, ∞]
``core.log_space``              ``*_log`` entry points = the direct ones
``core.kl_extreme_ratios``      KL terms at extreme ratios vs a 50-digit oracle,
                                where ``scipy.special.kl_div`` fails
=============================  =====================================================

Random cases are seeded.  Pairs are drawn as in
:mod:`simulations.core_inequalities`: q, r ~ Dirichlet(c 1_k) with c
log-uniform in [0.1, 10] and p = q + t (r − q), t log-uniform in [1e-3, 1],
so that small divergences (where Pinsker is tight) are sampled too; a tenth
of the coordinates are set to zero (support mismatch).  Ratios are taken
over pairs with TV ≥ 1e-6: below that the float64 rounding of the inputs
(their sums differ from 1 by ~1e-16) is no longer small against the room the
bounds leave.  Tolerances: inequalities between two accurately computed
divergences get ``atol = 1e-9`` on their ratio (the margin shows the real
room); identities between two float computations ``1e-10`` relative.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import mpmath
import numpy as np

from fdivtheory import checks
from fdivtheory._backend import generic_path

AREA = "core"
_SEED = 20261127
_MIN_TV = 1e-6

#: Shipped generators with representative parameters (checked by DPI and symbolically).
GENERATOR_CASES: tuple[tuple[str, dict[str, float]], ...] = (
    ("kl", {}), ("reverse_kl", {}), ("js", {}), ("tv", {}), ("pearson", {}), ("neyman", {}),
    ("hellinger_sq", {}), ("hellinger_sq", {"scale": 0.5}), ("jeffreys", {}), ("le_cam", {}),
    ("triangular", {}),
    ("skew_js", {"pi": 0.1}), ("skew_js", {"pi": 0.9}),
    ("hockey_stick", {"gamma": 1.0}), ("hockey_stick", {"gamma": 2.5}),
    ("chi_alpha", {"alpha": 1.0}), ("chi_alpha", {"alpha": 1.5}), ("chi_alpha", {"alpha": 3.0}),
    ("power", {"beta": -1.0}), ("power", {"beta": 0.0}), ("power", {"beta": 0.5}),
    ("power", {"beta": 1.0}), ("power", {"beta": 2.0}), ("power", {"beta": 3.0}),
)


def _generators() -> Iterator:
    import fdivtheory as fd

    for name, kw in GENERATOR_CASES:
        yield fd.get_generator(name, **kw)


def _pairs(rng: np.random.Generator, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """n pairs of pmfs on k outcomes, from far apart to nearly equal, some zeros."""
    conc = 10.0 ** rng.uniform(-1, 1, size=(n, 1))
    q = rng.gamma(np.broadcast_to(conc, (n, k)))
    r = rng.gamma(np.broadcast_to(conc, (n, k)))
    q, r = q / q.sum(1, keepdims=True), r / r.sum(1, keepdims=True)
    t = 10.0 ** rng.uniform(-3, 0, size=(n, 1))
    p = q + t * (r - q)
    for a in (p, q):
        a[rng.random((n, k)) < 0.1] = 0.0
        empty = a.sum(1) == 0
        a[empty, 0] = 1.0
        a /= a.sum(1, keepdims=True)
    return p, q


def _all_pairs(quick: bool, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    n = 5_000 if quick else 50_000
    Ps, Qs = [], []
    for k in (2, 3, 5, 10, 50):
        p, q = _pairs(rng, n, k)
        Ps.append(p)
        Qs.append(q)
    return Ps, Qs


def _max_ratio(num: np.ndarray, den: np.ndarray, mask: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(mask, num / den, -np.inf)
    return float(np.max(r))


@checks.register("core.pinsker", area=AREA,
                 claim="TV(P,Q) <= sqrt(KL(P||Q)/2) on random pairs (Pinsker)",
                 source="Pinsker (1964); Tsybakov (2009), Lemma 2.5")
def _pinsker(quick: bool) -> checks.Outcome:
    import fdivtheory as fd

    worst, count = -math.inf, 0
    for P, Q in zip(*_all_pairs(quick, _SEED), strict=True):
        tv, kl = np.asarray(fd.tv(P, Q)), np.asarray(fd.kl(P, Q))
        mask = tv >= _MIN_TV
        count += int(mask.sum())
        worst = max(worst, _max_ratio(tv, np.sqrt(kl / 2), mask))
    return checks.at_most(worst, 1.0, atol=1e-9, label="max TV / sqrt(KL/2)",
                          note=f"{count} pairs, k in 2..50")


@checks.register("core.bretagnolle_huber", area=AREA,
                 claim="TV(P,Q) <= sqrt(1 - exp(-KL(P||Q))) on random pairs",
                 source="Bretagnolle & Huber (1979); Canonne (2022), arXiv:2202.07198")
def _bretagnolle_huber(quick: bool) -> checks.Outcome:
    import fdivtheory as fd

    worst = -math.inf
    for P, Q in zip(*_all_pairs(quick, _SEED + 1), strict=True):
        tv, kl = np.asarray(fd.tv(P, Q)), np.asarray(fd.kl(P, Q))
        worst = max(worst, _max_ratio(tv, np.sqrt(-np.expm1(-kl)), tv >= _MIN_TV))
    return checks.at_most(worst, 1.0, atol=1e-9, label="max TV / sqrt(1 - exp(-KL))")


@checks.register("core.le_cam_hellinger_tv", area=AREA,
                 claim="H^2/2 <= TV <= H sqrt(1 - H^2/4) (H^2 = sum (sqrt p - sqrt q)^2) "
                       "and TV^2 <= LeCam <= TV on random pairs",
                 source="Le Cam (1986); Tsybakov (2009), Lemma 2.3; Topsøe (2000)")
def _le_cam(quick: bool) -> list[checks.Outcome]:
    import fdivtheory as fd

    hi_h = lo_h = hi_lc = lo_lc = -math.inf
    for P, Q in zip(*_all_pairs(quick, _SEED + 2), strict=True):
        tv = np.asarray(fd.tv(P, Q))
        h2 = np.asarray(fd.hellinger_sq(P, Q))
        lc = np.asarray(fd.le_cam(P, Q))
        m = tv >= _MIN_TV
        hi_h = max(hi_h, _max_ratio(tv, np.sqrt(np.clip(h2 * (1 - h2 / 4), 0, None)), m))
        lo_h = max(lo_h, _max_ratio(h2 / 2, tv, m))
        hi_lc = max(hi_lc, _max_ratio(lc, tv, m))
        lo_lc = max(lo_lc, _max_ratio(tv * tv, lc, m))
    return [
        checks.at_most(hi_h, 1.0, atol=1e-9, label="max TV / (H sqrt(1 - H^2/4))"),
        checks.at_most(lo_h, 1.0, atol=1e-9, label="max (H^2/2) / TV"),
        checks.at_most(hi_lc, 1.0, atol=1e-9, label="max LeCam / TV"),
        checks.at_most(lo_lc, 1.0, atol=1e-9, label="max TV^2 / LeCam"),
    ]


@checks.register("core.dpi", area=AREA,
                 claim="D_f(PK||QK) <= D_f(P||Q) under random channels K, every shipped "
                       "generator (max ratio <= 1)",
                 source="Csiszár (1967); Polyanskiy & Wu (2024), Thm 7.4")
def _dpi(quick: bool) -> list[checks.Outcome]:
    import fdivtheory as fd

    rng = np.random.default_rng(_SEED + 3)
    n = 1_000 if quick else 20_000
    cases = []
    for k, m in ((2, 2), (3, 2), (5, 3), (8, 8)):
        P, Q = _pairs(rng, n, k)
        K = rng.dirichlet(np.full(m, 0.5), size=(n, k))
        K[rng.random((n, k, m)) < 0.2] = 0.0  # sparse channels
        K[K.sum(-1) == 0, 0] = 1.0
        K /= K.sum(-1, keepdims=True)
        cases.append((P, Q, np.einsum("ij,ijk->ik", P, K), np.einsum("ij,ijk->ik", Q, K)))
    out = []
    for g in _generators():
        worst, used = -math.inf, 0
        for P, Q, PK, QK in cases:
            before = np.asarray(fd.f_divergence(P, Q, g))
            after = np.asarray(fd.f_divergence(PK, QK, g))
            mask = np.isfinite(before) & (before > 1e-12)
            used += int(mask.sum())
            worst = max(worst, _max_ratio(after, before, mask))
        out.append(checks.at_most(worst, 1.0, atol=1e-9, label=g.name,
                                  note=f"max D(PK||QK)/D(P||Q) over {used} pairs"))
    return out


@checks.register("core.symbolic", area=AREA,
                 claim="every shipped generator passes symbolic verification "
                       "(f(1) = 0, convexity, limits, numerics, conjugate, reversal)",
                 source="fdivtheory.symbolic.verify")
def _symbolic(quick: bool) -> list[checks.Outcome]:
    import fdivtheory as fd
    from fdivtheory.symbolic import verify

    gens = list(_generators())
    if not quick:
        gens += [h for g in list(gens) for h in (g.reversed(), g.symmetrized())]
        gens += [fd.power_family(a, c) for c, a in (("amari", 0.5), ("cressie_read", 2 / 3),
                                                    ("tsallis", 2.0))]
    out = []
    for g in gens:
        rep = verify(g)
        first = rep.failures[0] if rep.failures else None
        note = "" if first is None else f"{first.name}: {first.detail}"[:200]
        out.append(checks.holds(rep.ok, value=float(len(rep.failures)), label=g.name,
                                note=note))
    return out


_ALPHAS = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0, 1.01, 1.5, 2.0, 3.0, 10.0, math.inf)


@checks.register("core.renyi_monotone", area=AREA,
                 claim="alpha -> D_alpha(P||Q) is non-decreasing on [0, inf] (largest "
                       "decrease between consecutive orders <= 0)",
                 source="van Erven & Harremoës (2014), Thm 3")
def _renyi_monotone(quick: bool) -> checks.Outcome:
    import fdivtheory as fd

    worst, count = -math.inf, 0
    for P, Q in zip(*_all_pairs(quick, _SEED + 4), strict=True):
        P, Q = P[: len(P) // 5], Q[: len(Q) // 5]
        d = np.stack([np.asarray(fd.renyi(P, Q, a)) for a in _ALPHAS], axis=-1)
        with np.errstate(invalid="ignore"):  # inf - inf: no decrease
            drop = np.where(np.isinf(d[:, :-1]) & np.isinf(d[:, 1:]), 0.0,
                            d[:, :-1] - d[:, 1:])
        scale = np.maximum(1.0, np.where(np.isfinite(d[:, 1:]), np.abs(d[:, 1:]), 1.0))
        worst = max(worst, float(np.max(drop / scale)))
        count += len(P)
    return checks.at_most(worst, 0.0, atol=1e-12, label="max (D_a - D_b)/max(1, D_b), a < b",
                          note=f"{count} pairs, {len(_ALPHAS)} orders")


@checks.register("core.log_space", area=AREA,
                 claim="f_divergence_log and the *_log entry points equal the direct "
                       "functions on the same masses (to 1e-10 relative or 1e-14 absolute)")
def _log_space(quick: bool) -> checks.Outcome:
    import fdivtheory as fd

    P, Q = _pairs(np.random.default_rng(_SEED + 5), 500 if quick else 5_000, 6)
    with np.errstate(divide="ignore"):
        LP, LQ = np.log(P), np.log(Q)
    # the masses the log-space functions see: exp(log p) differs from p in the last bit
    P, Q = np.exp(LP), np.exp(LQ)
    named = ("kl", "reverse_kl", "js", "js_distance", "tv", "chi2", "neyman_chi2",
             "hellinger_sq", "hellinger", "jeffreys", "le_cam")
    pairs = [(f + "_log", getattr(fd, f + "_log")(LP, LQ), getattr(fd, f)(P, Q)) for f in named]
    pairs += [(f"f_divergence_log[{g.name}]", fd.f_divergence_log(LP, LQ, g),
               fd.f_divergence(P, Q, g)) for g in _generators()]
    worst, at = 0.0, ""
    for name, a, b in pairs:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        with np.errstate(invalid="ignore"):  # inf - inf where both are inf
            diff = np.where(a == b, 0.0, np.abs(a - b))
        # relative where D is large, absolute (masses are O(1)) where it is small
        ratio = float(np.max(diff / (1e-10 * np.where(np.isfinite(b), np.abs(b), 0.0) + 1e-14)))
        if ratio > worst:
            worst, at = ratio, name
    return checks.at_most(worst, 1.0, label="max |log-space - direct| / (1e-10 |D| + 1e-14)",
                          note=f"worst: {at}; {len(pairs)} functions x {len(P)} rows")


#: (p, q) single-coordinate measures: ratios that under/overflow, subnormals, ratio ~ 1
_EXTREME = ((1e-300, 1e300), (1e300, 1e-300), (1e-300, 1e-310), (1e-310, 1e-300),
            (5e-324, 1.0), (1.0, 5e-324), (1e-20, 1e-20 * (1 + 1e-10)), (1.0, 1.0 + 2**-40),
            (0.3, 0.3 * (1 - 1e-7)))


def _kl_term_oracle(p: float, q: float) -> float:
    with mpmath.workdps(50):
        P, Q = mpmath.mpf(p), mpmath.mpf(q)
        return float(P * mpmath.log(P / Q) - P + Q)


def _kl_log_term_oracle(lp: float, lq: float) -> float:
    """The exact KL term of the masses exp(lp), exp(lq) that the log-space entry receives."""
    with mpmath.workdps(50):
        LP, LQ = mpmath.mpf(lp), mpmath.mpf(lq)
        P, Q = mpmath.exp(LP), mpmath.exp(LQ)
        return float(P * (LP - LQ) - P + Q)


@checks.register("core.kl_extreme_ratios", area=AREA,
                 claim="the KL term p log(p/q) - p + q is accurate to 1e-13 relative at "
                       "extreme ratios and near ratio 1, on every code path, against a "
                       "50-digit mpmath oracle; scipy.special.kl_div fails there",
                 source="scipy.special.kl_div(1e-300, 1e300) = -inf")
def _kl_extreme(quick: bool) -> list[checks.Outcome]:
    import scipy.special as sc

    import fdivtheory as fd

    exact = np.array([_kl_term_oracle(p, q) for p, q in _EXTREME])
    P = np.array([[p] for p, _ in _EXTREME])
    Q = np.array([[q] for _, q in _EXTREME])
    # the log-space entry is judged on the log-masses it is given (log p rounded to
    # double already moves a near-equal pair by ~1e-16 |log p|)
    LP, LQ = np.log(P), np.log(Q)
    exact_log = np.array([_kl_log_term_oracle(a, b) for a, b in zip(LP[:, 0], LQ[:, 0],
                                                                      strict=True)])
    with np.errstate(all="ignore"):
        scipy_vals = np.array([sc.kl_div(p, q) for p, q in _EXTREME])
        with generic_path():
            generic = np.asarray(fd.kl(P, Q))
        paths = {
            "fused kernel (numba)": np.asarray(fd.kl(P, Q)),
            "array-API path": generic,
            "log-space entry point": np.asarray(fd.kl_log(LP, LQ)),
        }
        references = {label: exact for label in paths}
        references["log-space entry point"] = exact_log

        def rel_err(v: np.ndarray, ref: np.ndarray = exact) -> np.ndarray:
            e = np.abs(v - ref) / np.abs(ref)
            return np.where(np.isnan(e), np.inf, e)

        scipy_err = rel_err(scipy_vals)
    out = []
    for label, vals in paths.items():
        ref = references[label]
        err = rel_err(vals, ref)
        i = int(np.argmax(err))
        p, q = _EXTREME[i]
        out.append(checks.at_most(float(err[i]), 1e-13, label=f"{label}: max rel. error",
                                  note=f"worst at p={p:.3g}, q={q:.3g}: {vals[i]!r} vs "
                                       f"{ref[i]!r}"))
    worst_scipy = int(np.argmax(scipy_err))
    ours = rel_err(paths["fused kernel (numba)"])
    out.append(checks.holds(bool(np.all(ours <= np.maximum(scipy_err, 1e-13))),
                            value=float(scipy_err[worst_scipy]),
                            label="never less accurate than scipy kl_div",
                            note=f"scipy kl_div{_EXTREME[worst_scipy]} = "
                                 f"{scipy_vals[worst_scipy]!r}"))
    return out
