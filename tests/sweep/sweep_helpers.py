"""Shared helpers of the sweep tests."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def stored_rows(out: Path) -> list[tuple]:
    """Everything that must not depend on the executor, ordered by grid position."""
    with closing(sqlite3.connect(out / "results.sqlite")) as conn:
        return conn.execute(
            "SELECT task_id, simulation, point, block, params, seed_entropy, spawn_key, payload, "
            "device FROM tasks ORDER BY point, block").fetchall()


def python(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python args...`` in ``cwd`` with the repository importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, **kwargs)


def popen(*args: str, cwd: Path, **kwargs) -> subprocess.Popen:
    """Start ``python args...`` in ``cwd`` with the repository importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)
