"""Seeds and executors: results depend on the grid position and root seed only."""

from __future__ import annotations

import numpy as np
import pytest
from sweep_helpers import stored_rows

from fdivtheory import results
from fdivtheory.sweep import _demo, run
from fdivtheory.sweep.runner import tasks


def test_task_seed_is_the_spawned_child_of_the_root():
    root = 1234
    children = np.random.SeedSequence(root).spawn(3)
    for point in range(3):
        for block, child in enumerate(children[point].spawn(4)):
            direct = np.random.SeedSequence(root, spawn_key=(point, block))
            assert np.array_equal(direct.generate_state(8), child.generate_state(8))


def test_serial_processes_and_dask_store_bit_identical_results(tmp_path):
    pytest.importorskip("dask.distributed")
    outs = {}
    for executor in ("serial", "processes", "dask"):
        outs[executor] = tmp_path / executor
        summary = run(_demo.SIM, quick=True, seed=7, out=outs[executor], executor=executor,
                      workers=2)
        assert summary.tasks_run == 6 and summary.tasks_resumed == 0
    reference = stored_rows(outs["serial"])
    assert len(reference) == 6
    assert len({row[7] for row in reference}) == 6  # every task has its own stream
    for executor in ("processes", "dask"):
        assert stored_rows(outs[executor]) == reference, executor
    runs = results.load_runs(outs["dask"])
    assert runs.loc[0, "executor"] == "dask" and runs.loc[0, "status"] == "finished"


def test_another_seed_gives_other_results(tmp_path):
    run(_demo.SIM, quick=True, seed=0, out=tmp_path / "a")
    run(_demo.SIM, quick=True, seed=1, out=tmp_path / "b")
    a, b = stored_rows(tmp_path / "a"), stored_rows(tmp_path / "b")
    assert [r[:5] for r in a] == [r[:5] for r in b]
    assert not {r[7] for r in a} & {r[7] for r in b}


def test_scale_adds_blocks_and_keeps_the_first_ones(tmp_path):
    run(_demo.SIM, quick=True, out=tmp_path / "x1")
    summary = run(_demo.SIM, quick=True, out=tmp_path / "x3", scale=3)
    assert summary.tasks_run == 3 * 6
    small = stored_rows(tmp_path / "x1")
    big = {row[0]: row for row in stored_rows(tmp_path / "x3")}
    assert all(big[row[0]] == row for row in small)


def test_resume_with_a_larger_scale_runs_only_the_new_blocks(tmp_path):
    run(_demo.SIM, quick=True, out=tmp_path)
    summary = run(_demo.SIM, quick=True, out=tmp_path, scale=2, resume=True)
    assert (summary.tasks_run, summary.tasks_resumed) == (6, 6)
    fresh = tmp_path / "fresh"
    run(_demo.SIM, quick=True, out=fresh, scale=2)
    assert stored_rows(tmp_path) == stored_rows(fresh)


def test_tasks_are_point_major_with_json_parameters():
    ts = tasks(_demo.SIM, quick=True, scale=2)
    assert [(t.point, t.block) for t in ts[:7]] == [(0, b) for b in range(6)] + [(1, 0)]
    assert ts[0].params_json == '{"n": 50, "shift": 0.0, "sleep": 0.0}'


@pytest.mark.gpu
def test_gpu_device_runs_and_is_recorded(tmp_path):
    pytest.importorskip("cupy")
    run(_demo.SIM, quick=True, out=tmp_path / "gpu", device="gpu")
    run(_demo.SIM, quick=True, out=tmp_path / "cpu")
    gpu, cpu = stored_rows(tmp_path / "gpu"), stored_rows(tmp_path / "cpu")
    assert {row[8] for row in gpu} == {"gpu"}
    assert [row[:8] for row in gpu] == [row[:8] for row in cpu]


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_workers_run_single_threaded_kernels_and_the_client_is_untouched(tmp_path, executor):
    if executor == "dask":
        pytest.importorskip("dask.distributed")
    import os

    import numba
    import sweep_threads_sim

    @numba.njit(parallel=True)
    def total(x):
        s = 0.0
        for i in numba.prange(x.size):
            s += x[i]
        return s

    total(np.ones(10))  # the client's numba threads are running
    environ = dict(os.environ)
    run(sweep_threads_sim.SIM, out=tmp_path, executor=executor, workers=2)
    values = results.load(tmp_path).groupby("quantity")["value"].unique()
    assert values["numba_threads"].tolist() == [1.0] and values["env"].tolist() == [1.0]
    # dask's MALLOC_TRIM_THRESHOLD_ is not imposed: glibc's dynamic mmap threshold is kept
    assert values["malloc_trim"].tolist() == [float(environ.get("MALLOC_TRIM_THRESHOLD_", -1))]
    assert dict(os.environ) == environ
    total(np.ones(10, dtype=np.float32))  # a new compilation re-reads the environment
