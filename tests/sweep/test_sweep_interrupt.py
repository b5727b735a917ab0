"""A run killed part-way and resumed ends with exactly the uninterrupted results."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from sweep_helpers import popen, python, stored_rows

from fdivtheory import results
from fdivtheory.sweep import _demo, run

RUN_SLOW = ("-c", "from fdivtheory.sweep import _demo, main; raise SystemExit(main(_demo.SLOW))")
N_TASKS = 40  # 2 points x 20 blocks of 50 ms


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> list[tuple]:
    """The stored rows of an uninterrupted run of the slow demo."""
    out = tmp_path_factory.mktemp("clean")
    run(_demo.SLOW, out=out)
    return stored_rows(out)


def complete_rows(db: Path) -> int:
    """Number of visible rows, asserting that each one is whole and parseable."""
    if not db.exists():
        return 0
    with closing(sqlite3.connect(db, timeout=10)) as conn:
        try:
            rows = conn.execute("SELECT point, block, params, spawn_key, payload FROM tasks")
            rows = rows.fetchall()
        except sqlite3.OperationalError:  # schema not created yet
            return 0
    for point, block, params, spawn_key, payload in rows:
        assert json.loads(spawn_key) == [point, block]
        assert set(json.loads(params)) == {"n", "shift", "sleep"}
        values = json.loads(payload)
        assert set(values) == {"mean", "max", "head", "n"} and len(values["head"]) == 3
    return len(rows)


def wait_for_rows(proc, db: Path, n: int) -> None:
    for _ in range(3000):
        if complete_rows(db) >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError(f"fewer than {n} rows appeared")


def test_sigkill_part_way_then_resume_equals_uninterrupted_run(tmp_path, uninterrupted):
    db = tmp_path / "killed" / "results.sqlite"
    proc = popen(*RUN_SLOW, "--out", "killed", "--no-progress", cwd=tmp_path)
    wait_for_rows(proc, db, 8)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    kept = complete_rows(db)
    assert 8 <= kept < N_TASKS
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    again = python(*RUN_SLOW, "--out", "killed", "--no-progress", cwd=tmp_path)
    assert again.returncode == 2
    assert "--resume" in again.stderr and "Traceback" not in again.stderr

    resumed = popen(*RUN_SLOW, "--out", "killed", "--resume", "--no-progress", cwd=tmp_path)
    while resumed.poll() is None:  # a concurrent reader never sees a partial row
        complete_rows(db)
        time.sleep(0.02)
    out, err = resumed.communicate()
    assert resumed.returncode == 0, err
    assert f"{N_TASKS - kept} tasks run, {kept} resumed" in out

    assert stored_rows(tmp_path / "killed") == uninterrupted
    assert complete_rows(db) == N_TASKS
    runs = results.load_runs(tmp_path / "killed")
    assert runs["status"].tolist() == ["running", "finished"]  # the killed run never ended
    assert runs["tasks_run"].sum() == N_TASKS - kept


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_sigint_stops_a_parallel_run_cleanly_and_it_resumes(tmp_path, uninterrupted, executor):
    if executor == "dask":
        pytest.importorskip("dask.distributed")
    db = tmp_path / "out" / "results.sqlite"
    proc = popen(*RUN_SLOW, "--out", "out", "--executor", executor, "--workers", "2",
                 "--no-progress", cwd=tmp_path, start_new_session=True)
    wait_for_rows(proc, db, 4)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: the whole process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err  # neither from the client nor from a worker
    assert len(err.strip().splitlines()) == 1 and "--resume" in err
    kept = complete_rows(db)
    assert results.load_runs(tmp_path / "out")["status"].tolist() == ["interrupted"]

    summary = run(_demo.SLOW, out=tmp_path / "out", resume=True)
    assert (summary.tasks_run, summary.tasks_resumed) == (N_TASKS - kept, kept)
    assert stored_rows(tmp_path / "out") == uninterrupted
