"""Every Python example of the README runs as written (from a fresh namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
# examples that read the results of a simulation run (shown after its command)
NEEDS_RESULTS = 'results.load("results/'


@pytest.mark.parametrize("source", [pytest.param(b, id=b.splitlines()[0][:40]) for b in BLOCKS
                                    if NEEDS_RESULTS not in b])
def test_readme_example_runs(source, monkeypatch, tmp_path):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    exec(compile(source, "README.md", "exec"), {})


def test_readme_has_examples():
    assert len(BLOCKS) >= 8
