"""Symbolic verification of generators (fdivtheory.symbolic).

Every shipped generator, with representative parameters, and its derived
generators must pass :func:`verify`; generators with a planted defect (TFP's
f(1) ≠ 0 generators, wrong limits, wrong numerics, non-convex) must fail it,
on the property that is wrong.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

import fdivtheory as fd
from fdivtheory.generators import registry as generators_registry
from fdivtheory.symbolic import (
    U,
    check_tfp_defects,
    conjugate_expr,
    generator_from_expr,
    tfp_generators,
    verify,
)

BASE_CASES: list[tuple[str, dict[str, float]]] = [
    (name, {}) for name in ("kl", "reverse_kl", "js", "tv", "pearson", "neyman",
                            "hellinger_sq", "jeffreys", "le_cam", "triangular")
]
BASE_CASES += [("skew_js", {"pi": p}) for p in (0.1, 0.5, 0.9)]
BASE_CASES += [("hockey_stick", {"gamma": g}) for g in (1.0, 2.5)]
BASE_CASES += [("chi_alpha", {"alpha": a}) for a in (1.0, 1.5, 3.0)]
BASE_CASES += [("power", {"beta": b}) for b in (-1.0, 0.0, 0.5, 1.0, 2.0, 3.0)]
BASE_CASES += [("hellinger_sq", {"scale": 0.5})]

FAMILY_CASES = [("amari", a) for a in (-3.0, -1.0, 0.0, 0.5, 1.0)]
FAMILY_CASES += [("cressie_read", a) for a in (-2.0, -0.5, 2.0 / 3.0, 1.0)]
FAMILY_CASES += [("tsallis", a) for a in (0.5, 2.0, 3.0)]

DERIVED = ("reversed", "symmetrized", "standardized", "scaled")


def _case_id(case: tuple[str, dict[str, float]]) -> str:
    name, kw = case
    return name + "".join(f"-{k}={v:g}" for k, v in kw.items())


def _derive(g: fd.Generator, how: str) -> fd.Generator:
    return g.scaled(2.0) if how == "scaled" else getattr(g, how)()


def _assert_verified(g: fd.Generator) -> None:
    report = verify(g)
    assert report.ok, str(report)


@pytest.mark.parametrize("case", BASE_CASES, ids=_case_id)
def test_shipped_generator_verifies(case):
    g = fd.get_generator(case[0], **case[1])
    _assert_verified(g)


@pytest.mark.parametrize("how", DERIVED)
@pytest.mark.parametrize("case", BASE_CASES, ids=_case_id)
def test_derived_generator_verifies(case, how):
    base = fd.get_generator(case[0], **case[1])
    g = _derive(base, how)
    _assert_verified(g)


@pytest.mark.parametrize("how", (None, "reversed"))
@pytest.mark.parametrize("case", FAMILY_CASES, ids=lambda c: f"{c[0]}={c[1]:g}")
def test_power_family_verifies(case, how):
    base = fd.power_family(case[1], case[0])
    g = base if how is None else _derive(base, how)
    _assert_verified(g)


def test_verify_accepts_a_name_with_params():
    rep = verify("skew_js", params={"pi": 0.25})
    assert rep.ok, str(rep)
    assert rep.generator == "skew_js(pi=0.25)"
    with pytest.raises(TypeError):
        verify(fd.get_generator("kl"), params={"beta": 1.0})


def test_report_is_readable():
    rep = verify(replace(fd.get_generator("kl"), value_at_zero=1.0))
    text = str(rep)
    assert not rep.ok
    assert text.splitlines()[0].startswith("generator kl: 1 check(s) FAIL")
    assert "[FAIL] f(0+) = value_at_zero" in text.splitlines()[1]
    assert {r.name for r in rep.failures} == {"f(0+) = value_at_zero"}
    with pytest.raises(KeyError):
        rep.result("no such check")


# ---------------------------------------------------------------------------
# verify catches planted defects, on the property that is wrong
# ---------------------------------------------------------------------------

def _mutants():
    kl, pearson, js, tv = (fd.get_generator(n) for n in ("kl", "pearson", "js", "tv"))
    yield "f(0+) = value_at_zero", replace(kl, value_at_zero=1.0)
    yield "f'(inf) = slope_at_infinity", replace(js, slope_at_infinity=0.5)
    yield "f'(0+) = slope_at_zero", replace(pearson, slope_at_zero=-1.0)
    yield "f'(1) = slope_at_one", replace(kl, slope_at_one=0.0)
    yield "f'(1) = slope_at_one", replace(tv, slope_at_one=0.75)  # outside [-1/2, 1/2]
    yield "numeric f", replace(pearson, f_fn=lambda u, xp: (u - 1.0) ** 2 * (1 + 1e-8))
    yield "numeric f'", replace(kl, df_fn=lambda u, xp: xp.log(u))
    yield "numeric f''", replace(kl, d2f_fn=lambda u, xp: 1.0 / (u * u))
    yield "numeric f_log", replace(kl, f_log_fn=lambda t, xp: t * xp.exp(t) + 1e-9)
    # not standardised: misses -f'(1)(p - q)
    yield "numeric perspective", replace(kl, perspective_fn=lambda p, q, xp: p * xp.log(p / q))
    yield "numeric perspective_log", replace(
        kl, perspective_log_fn=lambda lp, lq, xp: xp.exp(lp) * (lp - lq))
    yield "conjugate", replace(kl, conjugate_fn=lambda t, xp: xp.exp(t))
    yield "conjugate", replace(pearson, conjugate_fn=lambda t, xp: t + t * t / 4.0)  # t < -2
    yield "bounded flag", replace(js, bounded=False)
    yield "symmetric flag", replace(kl, symmetric=True)


@pytest.mark.parametrize("prop, g", list(_mutants()),
                         ids=[f"{p}-{i}" for i, (p, _) in enumerate(_mutants())])
def test_verify_catches_planted_defect(prop, g):
    rep = verify(g)
    assert not rep.ok
    assert prop in {r.name for r in rep.failures}, str(rep)


def test_verify_rejects_non_convex_smooth():
    g = generator_from_expr("concave", lambda u: -((u - 1) ** 2))
    rep = verify(g)
    assert [r.name for r in rep.failures if r.name == "convex"] == ["convex"], str(rep)


def test_verify_rejects_non_convex_kink_by_midpoint_convexity():
    # f(1) = 0 and piecewise linear, but concave at the kink u = 2
    g = generator_from_expr("kinked", lambda u: sp.Abs(u - 1) - sp.Abs(u - 2) + 1)
    assert not g.smooth
    rep = verify(g)
    convex = rep.result("convex")
    assert not convex.ok and "chord" in convex.detail


def test_verify_rejects_non_convex_far_from_one():
    # f'' = 1/u + 1 - (u - 1)/5: convex around 1, concave for u > 6.1
    g = generator_from_expr("late_concave", lambda u: u * sp.log(u) + (u - 1) ** 2 / 2
                            - (u - 1) ** 3 / 30)
    rep = verify(g)
    assert not rep.result("convex").ok


def test_verify_reports_a_broken_sympy_expression():
    g = replace(fd.get_generator("kl"), sympy_fn=lambda u: 1 / 0)
    rep = verify(g)
    assert not rep.ok and rep.results[0].name == "sympy expression"


# ---------------------------------------------------------------------------
# TensorFlow Probability's generators
# ---------------------------------------------------------------------------

TFP_F_AT_ONE = {
    "tfp_jensen_shannon": -2 * sp.log(2),
    "tfp_arithmetic_geometric": 2 * sp.log(2),
    "tfp_modified_gan": sp.log(2),
    "tfp_modified_gan_normalized": sp.log(2),
}


def test_tfp_defects_are_rejected_for_f_at_one():
    reports = check_tfp_defects()
    assert set(reports) == set(TFP_F_AT_ONE)
    for name, rep in reports.items():
        assert not rep.ok
        assert "f(1) = 0" in {r.name for r in rep.failures}, str(rep)
        g = tfp_generators()[name]
        assert sp.simplify(g.sympy_expr(U).subs(U, 1) - TFP_F_AT_ONE[name]) == 0
        assert float(g.f(1.0)) == pytest.approx(float(TFP_F_AT_ONE[name]), rel=1e-14)


def test_tfp_self_normalized_forms_are_valid_and_scaled_versions_of_ours():
    gens = tfp_generators()
    u = np.geomspace(1e-4, 1e4, 17)
    for name, ours, factor in (("tfp_jensen_shannon_normalized", "js", 2.0),
                               ("tfp_jeffreys", "jeffreys", 0.5)):
        g = gens[name]
        assert verify(g).ok
        np.testing.assert_allclose(g.f(u), factor * fd.get_generator(ours).f(u),
                                   rtol=1e-12, atol=1e-15)
    assert verify(gens["tfp_arithmetic_geometric_normalized"]).ok


@pytest.mark.parametrize("name", sorted(TFP_F_AT_ONE))
def test_register_generator_rejects_tfp_defects(name, monkeypatch):
    monkeypatch.setattr(generators_registry, "_USER", {})
    with pytest.raises(ValueError, match=r"failed verification(.|\n)*f\(1\) = 0"):
        fd.register_generator(tfp_generators()[name])
    assert name not in fd.available_generators()


# ---------------------------------------------------------------------------
# register_generator
# ---------------------------------------------------------------------------

def _arithmetic_geometric() -> fd.Generator:
    # Taneja's arithmetic-geometric mean divergence sum m log(m / sqrt(pq)), m = (p+q)/2,
    # = (KL(M||P) + KL(M||Q)) / 2: half of TFP's self-normalised arithmetic_geometric
    return generator_from_expr(
        "arithmetic_geometric",
        lambda u: (1 + u) / 2 * sp.log((1 + u) / (2 * sp.sqrt(u))), symmetric=True)


def test_register_generator_accepts_a_good_user_generator(monkeypatch):
    monkeypatch.setattr(generators_registry, "_USER", {})
    g = fd.register_generator(_arithmetic_geometric())
    assert "arithmetic_geometric" in fd.available_generators()
    assert fd.get_generator("arithmetic_geometric") is g
    p, q = np.array([0.2, 0.5, 0.3]), np.array([0.6, 0.1, 0.3])
    m = (p + q) / 2
    expected = float(np.sum(m * np.log(m / p)) + np.sum(m * np.log(m / q))) / 2
    assert float(fd.f_divergence(p, q, "arithmetic_geometric")) == pytest.approx(
        expected, rel=1e-12)


def test_register_generator_accepts_quartic(monkeypatch):
    monkeypatch.setattr(generators_registry, "_USER", {})
    fd.register_generator(generator_from_expr("quartic", lambda u: (u - 1) ** 4))


@pytest.mark.parametrize("make", [
    lambda: generator_from_expr("concave", lambda u: -((u - 1) ** 2)),
    lambda: generator_from_expr("shifted_kl", lambda u: u * sp.log(u) + 1),
    lambda: replace(fd.get_generator("kl"), name="kl_wrong_limit", value_at_zero=0.5),
], ids=["non-convex", "f(1)=1", "wrong-f(0+)"])
def test_register_generator_rejects_bad_generators(make, monkeypatch):
    monkeypatch.setattr(generators_registry, "_USER", {})
    g = make()
    with pytest.raises(ValueError, match="failed verification"):
        fd.register_generator(g)
    assert g.name not in fd.available_generators()


# ---------------------------------------------------------------------------
# Closed-form conjugates (values from Nguyen, Wainwright & Jordan 2010;
# Nowozin, Cseke & Tomioka 2016, Table 2)
# ---------------------------------------------------------------------------

T = sp.Symbol("t", real=True)


@pytest.mark.parametrize("name, known, t_values", [
    ("kl", sp.exp(T - 1), (-3.0, 0.0, 2.0)),
    ("reverse_kl", -1 - sp.log(-T), (-5.0, -1.0, -0.1)),
    ("pearson", T + T**2 / 4, (-1.5, 0.0, 3.0)),
    ("neyman", 2 - 2 * sp.sqrt(1 - T), (-8.0, 0.0, 0.9)),
    ("hellinger_sq", T / (1 - T), (-4.0, 0.0, 0.5)),
    ("js", -sp.log(2 - sp.exp(2 * T)) / 2, (-3.0, 0.0, 0.3)),
])
def test_conjugate_expr_matches_the_literature(name, known, t_values):
    lam = conjugate_expr(fd.get_generator(name))
    assert lam is not None
    for t in t_values:
        assert float(lam(t)) == pytest.approx(float(known.subs(T, t)), rel=1e-13, abs=1e-15)
    g = fd.get_generator(name)
    np.testing.assert_allclose(g.conjugate(np.array(t_values)),
                               [float(known.subs(T, t)) for t in t_values], rtol=1e-10)


@pytest.mark.parametrize("g", [fd.get_generator("tv"), fd.get_generator("hockey_stick", gamma=2),
                               fd.get_generator("chi_alpha", alpha=1.5)], ids=lambda g: g.name)
def test_conjugate_expr_gives_none_for_non_smooth(g):
    assert conjugate_expr(g) is None


def test_conjugate_expr_rejects_a_branch_valid_on_one_side_only():
    # f'(u) = 4 (u - 1)^3: the principal cube root is complex for t < 0
    lam = conjugate_expr(generator_from_expr("quartic", lambda u: (u - 1) ** 4))
    assert lam is None or all(math.isfinite(float(lam(t))) for t in (-4.0, 4.0))


def test_generator_from_expr_derives_limits():
    g = generator_from_expr("kl_again", lambda u: u * sp.log(u))
    assert (g.value_at_zero, g.slope_at_infinity, g.slope_at_zero, g.slope_at_one) == (
        0.0, math.inf, -math.inf, 1.0)
    assert g.smooth and not g.bounded
    u = np.geomspace(1e-6, 1e6, 13)
    np.testing.assert_allclose(g.f(u), u * np.log(u), rtol=1e-15)
    np.testing.assert_allclose(g.df(u), np.log(u) + 1, rtol=1e-15)
