"""The command line: user errors are one line on stderr with a non-zero status."""

from __future__ import annotations

import importlib.util
import socket

import numpy as np
import pytest
from sweep_helpers import python, stored_rows

from fdivtheory.sweep import Simulation, _demo, main
from simulations import core_inequalities


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error" in lines[0]
    return lines[0]


@pytest.mark.parametrize("argv, expected", [
    (["--workers", "-1"], "workers must be a positive integer"),
    (["--workers", "0", "--executor", "processes"], "workers must be a positive integer"),
    (["--scale", "-2"], "scale must be a positive integer"),
    (["--seed", "-1"], "seed must be a non-negative integer"),
    (["--seed", "abc"], "invalid int value"),
    (["--executor", "threads"], "invalid choice"),
    (["--device", "tpu"], "invalid choice"),
    (["--scheduler", "tcp://127.0.0.1:1", "--executor", "serial"], "needs --executor dask"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_options(argv, expected, tmp_path, capsys):
    assert main(_demo.SIM, [*argv, "--out", str(tmp_path / "o")]) == 2
    assert expected in one_line_error(capsys)


def test_unwritable_out(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(_demo.SIM, ["--quick", "--out", str(blocker / "sub")]) == 2
    assert "cannot write results" in one_line_error(capsys)
    assert main(_demo.SIM, ["--quick", "--out", str(blocker)]) == 2
    one_line_error(capsys)


def test_garbage_store_file(tmp_path, capsys):
    (tmp_path / "results.sqlite").write_bytes(b"this is not a database" * 100)
    assert main(_demo.SIM, ["--quick", "--out", str(tmp_path)]) == 2
    assert "results.sqlite" in one_line_error(capsys)


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy is installed")
def test_gpu_without_cupy(tmp_path, capsys):
    assert main(_demo.SIM, ["--quick", "--device", "gpu", "--out", str(tmp_path)]) == 2
    assert "CuPy" in one_line_error(capsys)
    assert not (tmp_path / "results.sqlite").exists()


def test_gpu_for_a_simulation_without_a_gpu_path(tmp_path, capsys):
    argv = ["--quick", "--device", "gpu", "--out", str(tmp_path)]
    assert main(core_inequalities.SIM, argv) == 2
    assert "no GPU path" in one_line_error(capsys)


def test_existing_store_needs_resume_and_the_same_identity(tmp_path, capsys):
    out = ["--quick", "--out", str(tmp_path), "--no-progress"]
    assert main(_demo.SIM, out) == 0
    capsys.readouterr()
    assert main(_demo.SIM, out) == 2
    assert "--resume" in one_line_error(capsys)
    assert main(_demo.SIM, [*out, "--resume", "--seed", "5"]) == 2
    assert "seed 5" in one_line_error(capsys)
    assert main(_demo.SIM, ["--out", str(tmp_path), "--resume"]) == 2  # full vs quick
    assert "full" in one_line_error(capsys)
    assert main(_demo.SLOW, [*out, "--resume"]) == 2
    assert "demo_slow" in one_line_error(capsys)
    assert main(_demo.SIM, [*out, "--resume"]) == 0
    assert "0 tasks run, 6 resumed" in capsys.readouterr().out


def test_success_prints_a_summary_and_draws_the_figure(tmp_path, capsys, monkeypatch):
    import paper_figures

    monkeypatch.setitem(paper_figures.FIGURES, "demo", "demo_figure")
    assert main(_demo.SIM, ["--quick", "--out", str(tmp_path), "--no-progress"],
                draw=paper_figures.draw) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("demo: 6 tasks run, 0 resumed") and "results.sqlite" in out[0]
    assert "2 figure files" in out[1]
    assert (tmp_path / "figures" / "demo.png").stat().st_size > 0
    assert (tmp_path / "figures" / "demo.pdf").stat().st_size > 0


def test_help_lists_every_option(capsys):
    assert main(_demo.SIM, ["--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--quick", "--seed", "--out", "--device", "--executor", "--scheduler",
                   "--workers", "--resume", "--no-progress", "--scale"):
        assert option in text


def failing_task(params: dict, rng: np.random.Generator, device: str) -> dict:
    """Fails on the second point."""
    if params["x"] == 2:
        raise ValueError("x = 2 is not allowed\nsecond line")
    return {"x": params["x"]}


FAILING = Simulation("failing", "fails at x = 2", lambda quick: [{"x": 1}, {"x": 2}],
                     failing_task, replicates=2)


def test_a_failing_task_stops_the_run_and_keeps_finished_tasks(tmp_path, capsys):
    assert main(FAILING, ["--out", str(tmp_path)]) == 1
    line = one_line_error(capsys)
    assert "task 1-0" in line and "ValueError: x = 2 is not allowed" in line
    assert [row[0] for row in stored_rows(tmp_path)] == ["0-0", "0-1"]


def test_a_lambda_task_is_refused():
    with pytest.raises(TypeError, match="module-level"):
        Simulation("bad", "", lambda quick: [{}], lambda p, r, d: {"x": 1})


def test_reserved_parameter_names_are_refused(tmp_path, capsys):
    sim = Simulation("reserved", "", lambda quick: [{"value": 1}], failing_task)
    assert main(sim, ["--out", str(tmp_path)]) == 2
    assert "reserved" in one_line_error(capsys)


# -- real processes: the exit status and stderr a shell user sees -------------------------

def test_unknown_simulation(tmp_path):
    res = python("-m", "simulations", "run", "nonexistent", "--quick", cwd=tmp_path)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "unknown simulation 'nonexistent'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_listing_and_running_by_name(tmp_path):
    listing = python("-m", "simulations", cwd=tmp_path)
    assert listing.returncode == 0 and "core_inequalities" in listing.stdout
    res = python("-m", "simulations", "run", "core_inequalities", "--scale", "0", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "scale must be a positive integer" in res.stderr


def test_unreachable_scheduler(tmp_path):
    pytest.importorskip("dask.distributed")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = python("-m", "fdivtheory.sweep._demo", "--quick", "--out", "o",
                 "--scheduler", f"tcp://127.0.0.1:{port}", cwd=tmp_path)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "cannot connect to the Dask scheduler" in res.stderr


def test_a_bad_grid_is_one_line_and_status_2(tmp_path, capsys):
    def bad_grid(quick):
        raise ValueError("trials must be >= 2, got 1")

    sim = Simulation(name="bad", description="a grid that refuses its sizes", grid=bad_grid,
                     task=_demo.task)
    assert main(sim, ["--out", str(tmp_path)]) == 2
    assert "trials must be >= 2, got 1" in one_line_error(capsys)
