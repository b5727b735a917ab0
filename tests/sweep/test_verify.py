"""The verification report: failing, warning and crashing checks, report.md."""

from __future__ import annotations

import importlib
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from fdivtheory import checks
from simulations import verify

CHECKS_SOURCE = '''
from fdivtheory import checks

@checks.register("fake.pass", area="fake", claim="1 <= 2")
def _pass(quick):
    return [checks.at_most(1.0, 2.0, label="a"), checks.close(0.1, 0.1 + 1e-12, atol=1e-9)]

@checks.register("fake.conjecture", area="fake", claim="an open guess", kind="conjecture")
def _conjecture(quick):
    return checks.at_least(0.5, 1.0)

@checks.register("other.quick_only", area="fake", claim="holds in quick mode only")
def _quick_only(quick):
    return checks.holds(quick, value=float(quick))
'''

FAILING_SOURCE = '''
from fdivtheory import checks

@checks.register("fake.fail", area="fake", claim="3 <= 2 | a pipe")
def _fail(quick):
    return checks.at_most(3.0, 2.0)

@checks.register("fake.crash", area="fake", claim="raises")
def _crash(quick):
    raise ZeroDivisionError("boom\\nsecond line")
'''


@pytest.fixture
def fake_checks(tmp_path, monkeypatch):
    """A private registry whose check modules are written on the fly."""
    monkeypatch.setattr(checks, "_REGISTRY", {})
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(**modules: str) -> None:
        for name, source in modules.items():
            (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
            monkeypatch.delitem(sys.modules, name, raising=False)  # import it afresh
        importlib.invalidate_caches()
        monkeypatch.setattr(checks, "check_modules", lambda: list(modules))

    return install


def test_all_pass_except_a_conjecture_exits_zero(fake_checks, tmp_path, capsys):
    fake_checks(sweep_fake_ok=CHECKS_SOURCE)
    assert verify.main(["--quick", "--out", str(tmp_path / "r"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "fake.pass [a]" in out and "3 PASS, 0 FAIL, 1 WARN" in out
    report = (tmp_path / "r" / "report.md").read_text()
    # the id links to its theory-note section, relative to where the report lies
    theory = Path(os.path.relpath(verify.THEORY_DIR, (tmp_path / "r").resolve())).as_posix()
    assert (f"| [fake.conjecture]({theory}/fake.md#fake-conjecture) "
            "| an open guess |") in report and "| WARN |" in report
    assert (tmp_path / "r" / theory).resolve() == verify.THEORY_DIR
    assert "numpy" in report and "date:" in report and "quick" in report


def test_a_failing_or_crashing_check_fails_the_report(fake_checks, tmp_path, capsys):
    fake_checks(sweep_fake_ok=CHECKS_SOURCE, sweep_fake_bad=FAILING_SOURCE,
                sweep_fake_missing_module_xyz="raise ImportError('not written yet')")
    assert verify.main(["--out", str(tmp_path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "ZeroDivisionError: boom" in out and "second line" not in out
    rows = {re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", line.split(" | ")[0].lstrip("| ")): line
            for line in (tmp_path / "report.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| check")}
    assert "| FAIL |" in rows["fake.fail"] and "3 <= 2 \\| a pipe" in rows["fake.fail"]
    assert "| ≤ 2 |" in rows["fake.fail"] and "| -1 |" in rows["fake.fail"]  # margin
    assert "| FAIL |" in rows["fake.crash"]
    assert "| FAIL |" in rows["other.quick_only"]  # full mode: quick is False
    assert "| PASS |" in rows["fake.pass [a]"]
    assert "ImportError: not written yet" in rows["sweep_fake_missing_module_xyz"]


def test_only_selects_by_prefix(fake_checks, tmp_path, capsys):
    fake_checks(sweep_fake_ok=CHECKS_SOURCE)
    assert verify.main(["--quick", "--only", "other.", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "other.quick_only" in out and "fake.pass" not in out
    assert verify.main(["--only", "nothing", "--out", str(tmp_path)]) == 2
    assert "no registered check" in capsys.readouterr().err


def test_unwritable_out_is_one_line(fake_checks, tmp_path, capsys):
    fake_checks(sweep_fake_ok=CHECKS_SOURCE)
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert verify.main(["--quick", "--out", str(blocker / "sub"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "cannot write" in err
