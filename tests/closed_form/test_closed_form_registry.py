"""The registry of closed-form pairs: dispatch, errors, the generated table, argument checks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from fdivtheory import closed_form as cf
from fdivtheory.closed_form import _registry

FAMILIES = ["Gaussian", "Bernoulli", "Categorical", "Poisson", "Exponential", "Gamma", "Beta",
            "Dirichlet", "Laplace", "ExponentialFamily"]


def test_supported_pairs_table_lists_every_family():
    table = cf.supported_pairs()
    lines = table.splitlines()
    assert lines[0] == "| P | Q | kl | renyi | bhattacharyya | hellinger_sq | chi2 | tv |"
    for name in FAMILIES:
        assert f"| {name} | {name} |" in table
    records = cf.supported_pairs("records")
    assert len(records) == len(lines) - 2
    row = next(r for r in records if r["P"] == "Gaussian")
    assert row["kl"] == "closed form" and row["chi2"] == "from Rényi"
    assert "equal covariances" in row["tv"]
    assert next(r for r in records if r["P"] == "Beta" and r["Q"] == "Beta")["tv"] == "—"
    with pytest.raises(ValueError, match="fmt"):
        cf.supported_pairs("html")


def test_missing_pair_names_the_pair():
    with pytest.raises(cf.MissingClosedFormError, match=r"kl\(Gaussian, Poisson\)"):
        cf.kl(cf.Gaussian(0.0), cf.Poisson(1.0))
    with pytest.raises(NotImplementedError, match=r"tv\(Beta, Beta\).*tv_bounds"):
        cf.tv(cf.Beta(1.0, 2.0), cf.Beta(2.0, 2.0))
    with pytest.raises(cf.MissingClosedFormError, match="chi2"):
        cf.chi2(cf.Laplace(0.0, 1.0), cf.Gaussian(0.0))


def test_arrays_are_rejected_with_a_pointer_to_the_discrete_functions():
    with pytest.raises(TypeError, match="fdivtheory.kl"):
        cf.kl(np.array([0.5, 0.5]), cf.Categorical([0.5, 0.5]))
    with pytest.raises(TypeError, match="Q must be"):
        cf.tv(cf.Bernoulli(0.5), 0.5)


@dataclass(frozen=True)
class PointMass:
    x: float


def test_register_user_pair_and_duplicates():
    @cf.register("kl", PointMass, PointMass)
    def _kl_point(p, q):
        return 0.0 if p.x == q.x else math.inf

    try:
        assert cf.kl(PointMass(1.0), PointMass(1.0)) == 0.0
        assert cf.kl(PointMass(1.0), PointMass(2.0)) == math.inf
        assert "| PointMass | PointMass | closed form |" in cf.supported_pairs()
        with pytest.raises(ValueError, match="already registered"):
            cf.register("kl", PointMass, PointMass)(lambda p, q: 1.0)
        cf.register("kl", PointMass, PointMass, replace=True)(lambda p, q: 1.0)
        assert cf.kl(PointMass(0.0), PointMass(0.0)) == 1.0
        with pytest.raises(cf.MissingClosedFormError, match="tv_bounds"):
            cf.tv(PointMass(0.0), PointMass(1.0))
    finally:
        _registry._REGISTRY.pop(("kl", PointMass, PointMass))


def test_register_validates_arguments():
    with pytest.raises(ValueError, match="quantity"):
        cf.register("js", PointMass, PointMass)
    with pytest.raises(TypeError, match="type_q"):
        cf.register("kl", PointMass, "PointMass")


def test_negative_result_from_a_bad_closed_form_is_an_error():
    cf.register("kl", PointMass, PointMass)(lambda p, q: -0.5)
    try:
        with pytest.raises(ArithmeticError, match="negative"):
            cf.kl(PointMass(0.0), PointMass(1.0))
    finally:
        _registry._REGISTRY.pop(("kl", PointMass, PointMass))


def test_subclasses_inherit_closed_forms():
    class MyGaussian(cf.Gaussian):
        pass

    assert cf.kl(MyGaussian(0.0, 1.0), cf.Gaussian(1.0, 1.0)) == pytest.approx(0.5)


def test_alpha_and_base_arguments():
    P, Q = cf.Gaussian(0.0), cf.Gaussian(1.0)
    assert cf.renyi(P, Q, 1) == cf.kl(P, Q)
    for bad in (-0.5, math.nan):
        with pytest.raises(ValueError, match="alpha"):
            cf.renyi(P, Q, bad)
    with pytest.raises(TypeError, match="alpha"):
        cf.renyi(P, Q, "two")
    assert cf.kl(P, Q, base=2) == pytest.approx(0.5 / math.log(2))
    assert cf.renyi(P, Q, 2.0, base=math.e) == pytest.approx(cf.renyi(P, Q, 2.0))
    assert cf.bhattacharyya(P, Q, base=10) == pytest.approx(0.125 / math.log(10))
    with pytest.raises(ValueError, match="base"):
        cf.kl(P, Q, base=1)


def test_derived_quantities_are_consistent():
    P, Q = cf.Gamma(2.0, 1.0), cf.Gamma(3.0, 2.5)
    B = cf.bhattacharyya(P, Q)
    assert B == pytest.approx(cf.renyi(P, Q, 0.5) / 2, rel=1e-14)
    assert cf.hellinger_sq(P, Q) == pytest.approx(2 * (1 - math.exp(-B)), rel=1e-13)
    assert cf.chi2(P, Q) == pytest.approx(math.expm1(cf.renyi(P, Q, 2.0)), rel=1e-13)
    # Poisson registers its own (cancellation-free) forms; they agree with the derived ones
    P, Q = cf.Poisson(3.0), cf.Poisson(4.0)
    assert cf.bhattacharyya(P, Q) == pytest.approx(cf.renyi(P, Q, 0.5) / 2, rel=1e-12)
    assert cf.chi2(P, Q) == pytest.approx(math.expm1(cf.renyi(P, Q, 2.0)), rel=1e-12)
