"""The registered verification checks core.closed_form.* pass in quick mode."""

from __future__ import annotations

import pytest

from fdivtheory import checks
from fdivtheory.closed_form import checks as _closed_form_checks  # noqa: F401 - registers

IDS = [c.id for c in checks.registered("core") if c.id.startswith("core.closed_form.")]


def test_checks_are_registered():
    assert {"core.closed_form.quadrature", "core.closed_form.poisson_sum",
            "core.closed_form.gaussian_kl_monte_carlo", "core.closed_form.tv_equal_covariance",
            "core.closed_form.tv_sandwich"} <= set(IDS)


@pytest.mark.parametrize("check_id", IDS)
def test_quick_check_passes(check_id):
    check = next(c for c in checks.registered("core") if c.id == check_id)
    outcomes = check.run(quick=True)
    assert outcomes and all(o.passed for o in outcomes), [o for o in outcomes if not o.passed]
