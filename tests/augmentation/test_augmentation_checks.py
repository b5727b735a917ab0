"""The registered verification checks C1-C11 run and pass in quick mode."""

import pytest

import fdivtheory.augmentation.checks  # noqa: F401  (registers the checks)
from fdivtheory import checks

EXPECTED = [f"augmentation.C{i}" for i in range(1, 12)]


def test_all_numbered_checks_registered():
    registered = checks.registered("augmentation")
    assert sorted(c.id for c in registered) == sorted(EXPECTED)
    assert all(c.claim and c.source and c.kind == "theorem" for c in registered)


@pytest.mark.parametrize("check_id", EXPECTED)
def test_check_passes_quick(check_id):
    check = next(c for c in checks.registered("augmentation") if c.id == check_id)
    failed = [o for o in check.run(quick=True) if not o.passed]
    assert not failed, failed
