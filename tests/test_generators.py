"""Per-generator identities, in the style of TFP's ``csiszar_divergence_test``.

References are independent of the code under test: every generator's
formula is written out again below with mpmath (40 digits), from the
literature, and the documented relations are checked through
:func:`fdivtheory.f_divergence` on seeded random pairs with zeros and
support mismatches.
"""

from __future__ import annotations

import math
from contextlib import nullcontext

import mpmath as mp
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory._backend import generic_path

mp.mp.dps = 40


def _power_ref(b):
    if b == 1:
        return lambda u: u * mp.log(u) - u + 1
    if b == 0:
        return lambda u: -mp.log(u) + u - 1
    return lambda u: (u**b - 1 - b * (u - 1)) / (b * (b - 1))


def _skew_js_ref(pi):
    def f(u):
        m = pi * u + 1 - pi
        return pi * u * mp.log(u / m) - (1 - pi) * mp.log(m)
    return f


#: (name, params) -> the generator's formula, f'(1) convention, f(0+), f'(inf)
REFERENCE = {
    ("kl", ()): (lambda u: u * mp.log(u), 0.0, math.inf),
    ("reverse_kl", ()): (lambda u: -mp.log(u), math.inf, 0.0),
    ("js", ()): (lambda u: (u * mp.log(u) - (u + 1) * mp.log((u + 1) / 2)) / 2,
                 math.log(2) / 2, math.log(2) / 2),
    ("skew_js", (("pi", 0.1),)): (_skew_js_ref(mp.mpf("0.1")), -0.9 * math.log(0.9),
                                  -0.1 * math.log(0.1)),
    ("skew_js", (("pi", 0.9),)): (_skew_js_ref(mp.mpf("0.9")), -0.1 * math.log(0.1),
                                  -0.9 * math.log(0.9)),
    ("tv", ()): (lambda u: abs(u - 1) / 2, 0.5, 0.5),
    ("pearson", ()): (lambda u: (u - 1) ** 2, 1.0, math.inf),
    ("neyman", ()): (lambda u: (u - 1) ** 2 / u, math.inf, 1.0),
    ("hellinger_sq", ()): (lambda u: (mp.sqrt(u) - 1) ** 2, 1.0, 1.0),
    ("hellinger_sq", (("scale", 0.5),)): (lambda u: (mp.sqrt(u) - 1) ** 2 / 2, 0.5, 0.5),
    ("jeffreys", ()): (lambda u: (u - 1) * mp.log(u), math.inf, math.inf),
    ("le_cam", ()): (lambda u: (u - 1) ** 2 / (2 * (u + 1)), 0.5, 0.5),
    ("triangular", ()): (lambda u: (u - 1) ** 2 / (u + 1), 1.0, 1.0),
    ("hockey_stick", (("gamma", 1.0),)): (lambda u: max(u - 1, 0), 0.0, 1.0),
    ("hockey_stick", (("gamma", 2.5),)): (lambda u: max(u - mp.mpf("2.5"), 0), 0.0, 1.0),
    ("chi_alpha", (("alpha", 1.0),)): (lambda u: abs(u - 1), 1.0, 1.0),
    ("chi_alpha", (("alpha", 1.5),)): (lambda u: abs(u - 1) ** mp.mpf("1.5"), 1.0, math.inf),
    ("chi_alpha", (("alpha", 3.0),)): (lambda u: abs(u - 1) ** 3, 1.0, math.inf),
    ("power", (("beta", -1.0),)): (_power_ref(-1), math.inf, 0.5),
    ("power", (("beta", 0.0),)): (_power_ref(0), math.inf, 1.0),
    ("power", (("beta", 0.5),)): (_power_ref(mp.mpf("0.5")), 2.0, 2.0),
    ("power", (("beta", 1.0),)): (_power_ref(1), 1.0, math.inf),
    ("power", (("beta", 2.0),)): (_power_ref(2), 0.5, math.inf),
    ("power", (("beta", 3.0),)): (_power_ref(3), 1.0 / 3.0, math.inf),
}
CASES = sorted(REFERENCE)


def _gen(case):
    return fd.get_generator(case[0], **dict(case[1]))


def _id(case):
    return case[0] + "".join(f"-{k}={v:g}" for k, v in case[1])


U_GRID = np.concatenate([np.geomspace(1e-6, 1e6, 25), [0.3, 0.9, 1.1, 2.0, 3.7]])

# seeded pairs: dense, with zeros, with support mismatch in both directions
_RNG = np.random.default_rng(7)


def _pairs():
    out = []
    for k in range(24):
        p, q = _RNG.dirichlet(np.ones(5)), _RNG.dirichlet(np.ones(5))
        if k % 3 == 1:
            p[k % 5] = 0.0
        if k % 3 == 2:
            q[(k + 1) % 5] = 0.0
        if k % 4 == 3:
            p[2] = q[2] = 0.0
        out.append((p / p.sum(), q / q.sum()))
    return np.array([a for a, _ in out]), np.array([b for _, b in out])


P, Q = _pairs()


def _close(a, b, rtol=1e-12, atol=1e-15):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    with np.errstate(invalid="ignore"):  # inf - inf: decided by both_inf
        ok = both_inf | (np.abs(a - b) <= atol + rtol * np.abs(b))
    assert ok.all(), f"max mismatch: {a[~ok][:4]} vs {b[~ok][:4]}"


# ---------------------------------------------------------------------------
# The generator itself
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=_id)
def test_value_at_one_is_zero(case):
    g = _gen(case)
    assert float(g.f(1.0)) == 0.0
    assert float(g.f_log(0.0)) == 0.0
    assert float(g.perspective(np.array(0.4), np.array(0.4))) == pytest.approx(0.0, abs=1e-16)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_slope_at_one_is_a_subgradient(case):
    g, (ref, _, _) = _gen(case), REFERENCE[case]
    left = mp.diff(ref, mp.mpf(1), direction=-1)
    right = mp.diff(ref, mp.mpf(1), direction=1)
    c = g.slope_at_one
    assert float(left) - 1e-12 <= c <= float(right) + 1e-12
    if g.smooth:
        assert c == pytest.approx(float(left), abs=1e-14)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_reference_grid(case):
    g, (ref, _, _) = _gen(case), REFERENCE[case]
    exact = np.array([float(ref(mp.mpf(float(u)))) for u in U_GRID])
    # terms of size ~ 1 + u may cancel (power family near u = 1): absolute part
    got = np.asarray(g.f(U_GRID))
    assert np.all(np.abs(got - exact) <= 1e-12 * np.abs(exact) + 1e-15 * (1 + U_GRID))


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_derivatives_against_mpmath(case):
    g, (ref, _, _) = _gen(case), REFERENCE[case]
    kinks = {1.0, dict(case[1]).get("gamma", 1.0)}
    u = np.array([x for x in U_GRID if all(abs(x / k - 1) > 1e-3 for k in kinks)])
    d1 = np.array([float(mp.diff(ref, mp.mpf(float(x)))) for x in u])
    assert np.all(np.abs(np.asarray(g.df(u)) - d1) <= 1e-9 * np.abs(d1) + 1e-12)
    if g.smooth:
        d2 = np.array([float(mp.diff(ref, mp.mpf(float(x)), 2)) for x in u])
        assert np.all(np.abs(np.asarray(g.d2f(u)) - d2) <= 1e-9 * np.abs(d2) + 1e-12)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_limits(case):
    g, (ref, f0, finf) = _gen(case), REFERENCE[case]
    assert g.value_at_zero == pytest.approx(f0, rel=1e-14)
    assert g.slope_at_infinity == pytest.approx(finf, rel=1e-14)
    assert g.bounded == (math.isfinite(f0) and math.isfinite(finf))
    # the numbers agree with the formula far out
    if math.isfinite(f0):
        assert float(ref(mp.mpf("1e-30"))) == pytest.approx(f0, rel=1e-6, abs=1e-12)
    if math.isfinite(finf):
        assert float(ref(mp.mpf("1e30")) / mp.mpf("1e30")) == pytest.approx(finf, rel=1e-6,
                                                                             abs=1e-12)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_reversed_generator_is_u_f_one_over_u(case):
    g, (ref, _, _) = _gen(case), REFERENCE[case]
    r = g.reversed()
    exact = np.array([float(mp.mpf(float(u)) * ref(1 / mp.mpf(float(u)))) for u in U_GRID])
    assert np.all(np.abs(np.asarray(r.f(U_GRID)) - exact)
                  <= 1e-12 * np.abs(exact) + 1e-15 * (1 + U_GRID))
    assert r.value_at_zero == g.slope_at_infinity
    assert r.slope_at_infinity == g.value_at_zero


# ---------------------------------------------------------------------------
# Conjugate: Fenchel-Young and tightness
# ---------------------------------------------------------------------------

T_GRID = np.concatenate([-np.geomspace(1e-3, 50, 12), [0.0], np.geomspace(1e-3, 50, 12)])


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_fenchel_young(case):
    g = _gen(case)
    u = U_GRID[:, None]
    with np.errstate(all="ignore"):
        conj = np.asarray(g.conjugate(T_GRID))
    assert not np.isnan(conj).any()
    lhs = np.asarray(g.f(u)) + conj[None, :]
    rhs = T_GRID[None, :] * u
    assert np.all(lhs >= rhs - 1e-9 * (np.abs(rhs) + np.abs(np.asarray(g.f(u)))) - 1e-12)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_conjugate_tight_at_the_gradient(case):
    g = _gen(case)
    u = U_GRID[(U_GRID > 1e-4) & (U_GRID < 1e4)]
    t = np.asarray(g.df(u))
    f = np.asarray(g.f(u))
    got = f + np.asarray(g.conjugate(t))
    want = u * t
    assert np.all(np.abs(got - want) <= 1e-9 * (np.abs(want) + np.abs(f)) + 1e-12)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_conjugate_outside_domain(case):
    g = _gen(case)
    hi = g.slope_at_infinity
    if math.isfinite(hi):
        assert float(g.conjugate(hi + 1.0)) == math.inf
    lo = g.slope_at_zero
    if math.isfinite(lo):  # sup at u -> 0: f*(t) = -f(0+)
        assert float(g.conjugate(lo - 1.0)) == pytest.approx(-g.value_at_zero, rel=1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if _gen(c).smooth], ids=_id)
def test_df_inv_inverts_df(case):
    g = _gen(case)
    u = U_GRID[(U_GRID > 1e-3) & (U_GRID < 1e3) & (np.abs(U_GRID - 1) > 1e-3)]
    np.testing.assert_allclose(g.df_inv(g.df(u)), u, rtol=1e-8)


# ---------------------------------------------------------------------------
# Divergences built from the generators
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=_id)
def test_reversal_identity(case):
    g = _gen(case)
    _close(fd.f_divergence(P, Q, g.reversed()), fd.f_divergence(Q, P, g), rtol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_symmetrized_is_the_sum(case):
    g = _gen(case)
    s = g.symmetrized()
    _close(fd.f_divergence(P, Q, s), fd.f_divergence(P, Q, g) + fd.f_divergence(Q, P, g),
           rtol=1e-12)
    _close(fd.f_divergence(P, Q, s), fd.f_divergence(Q, P, s), rtol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_standardized_and_scaled(case):
    g = _gen(case)
    _close(fd.f_divergence(P, Q, g.standardized()), fd.f_divergence(P, Q, g), rtol=1e-12)
    _close(fd.f_divergence(P, Q, g.scaled(2.5)), 2.5 * fd.f_divergence(P, Q, g), rtol=1e-12)
    assert float(g.standardized().df(1.0)) == pytest.approx(0.0, abs=1e-15) or not g.smooth


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_divergence_is_sum_of_perspective_terms(case):
    g, (ref, f0, finf) = _gen(case), REFERENCE[case]
    c = g.slope_at_one
    for p, q in zip(P[:8], Q[:8], strict=True):
        total = mp.mpf(0)
        for a, b in zip(p, q, strict=True):
            a, b = mp.mpf(float(a)), mp.mpf(float(b))
            if a > 0 and b > 0:
                total += b * ref(a / b) - c * (a - b)
            elif a > 0:
                total += a * (finf - c) if math.isfinite(finf) else mp.inf
            elif b > 0:
                total += b * (f0 + c) if math.isfinite(f0) else mp.inf
        _close(fd.f_divergence(p, q, g), float(total), rtol=1e-11, atol=1e-15)


NAMED = {
    "kl": "kl", "reverse_kl": "reverse_kl", "js": "js", "tv": "tv", "chi2": "pearson",
    "neyman_chi2": "neyman", "hellinger_sq": "hellinger_sq", "jeffreys": "jeffreys",
    "le_cam": "le_cam",
}


@pytest.mark.parametrize("fname", sorted(NAMED))
def test_named_divergence_is_f_divergence(fname):
    _close(getattr(fd, fname)(P, Q), fd.f_divergence(P, Q, NAMED[fname]), rtol=0, atol=0)


def test_named_distances_and_parametrised():
    _close(fd.js_distance(P, Q), np.sqrt(fd.f_divergence(P, Q, "js")), rtol=1e-15)
    _close(fd.hellinger(P, Q), np.sqrt(fd.f_divergence(P, Q, "hellinger_sq") / 2), rtol=1e-15)
    for gamma in (1.0, 2.5):
        _close(fd.hockey_stick(P, Q, gamma),
               fd.f_divergence(P, Q, fd.get_generator("hockey_stick", gamma=gamma)), rtol=0)
    for conv, a in (("cressie_read", 0.3), ("amari", -0.4), ("tsallis", 1.7)):
        _close(fd.power_divergence(P, Q, a, conv),
               fd.f_divergence(P, Q, fd.power_family(a, conv)), rtol=0)


def _d(g, p=P, q=Q):
    return np.asarray(fd.f_divergence(p, q, g))


def test_documented_relations():
    pearson = _d("pearson")
    _close(_d(fd.power_family(1.0, "cressie_read")), pearson / 2, rtol=1e-12)
    _close(_d(fd.power_family(0.0, "amari")), 2 * _d("hellinger_sq"), rtol=1e-12)
    _close(_d(fd.power_family(2.0, "tsallis")), pearson, rtol=1e-12)
    _close(2 * _d("le_cam"), _d("triangular"), rtol=1e-13)
    _close(_d(fd.get_generator("hockey_stick", gamma=1.0)), _d("tv"), rtol=1e-13, atol=1e-16)
    _close(_d(fd.get_generator("chi_alpha", alpha=2.0)), pearson, rtol=1e-12)
    _close(_d(fd.get_generator("chi_alpha", alpha=1.0)), 2 * _d("tv"), rtol=1e-13)
    _close(_d(fd.get_generator("hellinger_sq", scale=0.5)), _d("hellinger_sq") / 2, rtol=1e-13)
    _close(_d(fd.get_generator("skew_js", pi=0.5)), _d("js"), rtol=1e-13)
    _close(_d("jeffreys"), _d("kl") + _d("reverse_kl"), rtol=1e-12)
    _close(_d(fd.get_generator("kl").symmetrized()), _d("jeffreys"), rtol=1e-12)
    _close(_d("neyman"), _d("pearson", Q, P), rtol=1e-12)
    for lam, name in ((0.0, "kl"), (-1.0, "reverse_kl")):
        _close(_d(fd.power_family(lam, "cressie_read")), _d(name), rtol=1e-12)
    for alpha, name in ((-1.0, "kl"), (1.0, "reverse_kl")):
        _close(_d(fd.power_family(alpha, "amari")), _d(name), rtol=1e-12)


@pytest.mark.parametrize("beta", [-1.0, 0.0, 0.3, 0.5, 2.0, 3.0])
def test_power_reversal_is_one_minus_beta(beta):
    # u f_beta(1/u) = f_{1 - beta}(u)
    g, h = fd.get_generator("power", beta=beta), fd.get_generator("power", beta=1.0 - beta)
    _close(_d(g.reversed()), _d(h), rtol=1e-11)
    _close(_d(g, Q, P), _d(h), rtol=1e-11)


def test_js_against_its_definition():
    m = (P + Q) / 2
    with np.errstate(all="ignore"):
        kl_pm = np.where(P > 0, P * np.log(P / m), 0.0).sum(-1)
        kl_qm = np.where(Q > 0, Q * np.log(Q / m), 0.0).sum(-1)
    _close(_d("js"), (kl_pm + kl_qm) / 2, rtol=1e-12)
    assert np.all(_d("js") <= math.log(2))
    pi = 0.1
    m = pi * P + (1 - pi) * Q
    with np.errstate(all="ignore"):
        kl_pm = np.where(P > 0, P * np.log(P / m), 0.0).sum(-1)
        kl_qm = np.where(Q > 0, Q * np.log(Q / m), 0.0).sum(-1)
    _close(_d(fd.get_generator("skew_js", pi=pi)), pi * kl_pm + (1 - pi) * kl_qm, rtol=1e-12)


# ---------------------------------------------------------------------------
# Registry and parameter validation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("alias, name", [
    ("kullback_leibler", "kl"), ("Jensen-Shannon", "js"), ("total_variation", "tv"),
    ("chi2", "pearson"), ("neyman_chi2", "neyman"), ("squared_hellinger", "hellinger_sq"),
    ("triangular_discrimination", "triangular"), (" KL ", "kl"),
])
def test_aliases(alias, name):
    assert fd.get_generator(alias).name == fd.get_generator(name).name


@pytest.mark.parametrize("call, exc", [
    (lambda: fd.get_generator("nope"), ValueError),
    (lambda: fd.get_generator("kl", beta=2.0), TypeError),
    (lambda: fd.get_generator("skew_js", pi=1.0), ValueError),
    (lambda: fd.get_generator("hockey_stick", gamma=0.5), ValueError),
    (lambda: fd.get_generator("chi_alpha", alpha=0.5), ValueError),
    (lambda: fd.get_generator("power", beta=math.inf), ValueError),
    (lambda: fd.power_family(0.5, "renyi"), ValueError),
    (lambda: fd.power_family(0.0, "tsallis"), ValueError),
    (lambda: fd.get_generator("kl").scaled(-1.0), ValueError),
    (lambda: fd.get_generator(fd.get_generator("kl"), beta=1.0), TypeError),
])
def test_bad_parameters(call, exc):
    with pytest.raises(exc):
        call()


# ---------------------------------------------------------------------------
# Accuracy where p/q is near 1 (the divergence is second order in p - q)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["numba", "generic"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_accuracy_near_ratio_one(case, path):
    g, (ref, _, _) = _gen(case), REFERENCE[case]
    c = mp.mpf(g.slope_at_one)
    worst = 0.0
    for d in (1e-4, 1e-6, 1e-8):
        p, q = np.array([0.5 + 0.5 * d, 0.5 - 0.5 * d]), np.array([0.5, 0.5])
        exact = mp.fsum(mp.mpf(b) * ref(mp.mpf(a) / mp.mpf(b)) - c * (mp.mpf(a) - mp.mpf(b))
                        for a, b in zip(p, q, strict=True))
        with generic_path() if path == "generic" else nullcontext():
            got = float(fd.f_divergence(p, q, g))
        if exact == 0:  # piecewise-linear f (tv, hockey stick): no second-order term
            assert got == pytest.approx(0.0, abs=1e-18)
            continue
        worst = max(worst, abs(got / float(exact) - 1))
    # the accuracy contract (tests/test_accuracy_divergences.py sweeps further)
    assert worst <= 1e-10, worst


@pytest.mark.parametrize("path", ["numba", "generic"])
@pytest.mark.parametrize("p, q", [(1.0, 1.0 + 2.0**-40), (1e-20, 1e-20 * (1 + 1e-10)),
                                  (0.3, 0.3 * (1 + 1e-6))])
def test_generalised_kl_term_near_ratio_one(p, q, path):
    # one coordinate of an unnormalised measure: p log(p/q) - p + q ~ (p - q)^2 / (2q)
    P, Q = mp.mpf(p), mp.mpf(q)
    exact = float(P * mp.log(P / Q) - P + Q)
    with generic_path() if path == "generic" else nullcontext():
        got = float(fd.kl(np.array([p]), np.array([q])))
    assert got == pytest.approx(exact, rel=1e-10)
