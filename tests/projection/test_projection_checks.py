"""The registered verification checks C1-C14 run and pass in quick mode."""

import warnings

import pytest

import fdivtheory.projection.checks  # noqa: F401  (registers the checks)
from fdivtheory import checks

EXPECTED = [f"projection.C{i}" for i in range(1, 15)]
FAST = ["projection.C1", "projection.C2", "projection.C3", "projection.C4", "projection.C5",
        "projection.C9", "projection.C11", "projection.C12", "projection.C13"]


def _checks():
    return {c.id: c for c in checks.registered("projection")}


def test_all_checks_registered():
    found = _checks()
    assert sorted(found) == sorted(EXPECTED)
    assert found["projection.C14"].kind == "conjecture"
    assert all(c.claim and c.source for c in found.values())


def _run(check_id):
    check = _checks()[check_id]
    outcomes = check.run(quick=True)
    failed = [o for o in outcomes if not o.passed]
    if check.kind == "conjecture":
        if failed:
            warnings.warn(f"{check_id}: not met: {failed}", stacklevel=1)
        return
    assert not failed, failed


@pytest.mark.parametrize("check_id", FAST)
def test_exact_checks_pass(check_id):
    _run(check_id)


@pytest.mark.slow
@pytest.mark.parametrize("check_id", sorted(set(EXPECTED) - set(FAST)))
def test_monte_carlo_checks_pass(check_id):
    _run(check_id)
