"""The gda_gmm simulation: tasks, executor parity, command line, figure."""

import numpy as np
import pytest

from fdivtheory import results
from fdivtheory.sweep import run
from simulations import gda_gmm as sim


def _small_grid(quick):
    return [{"panel": "m10", "d": 10, "m": 10, "sigma": 0.6, "test_size": 200,
             "method": "sufficient", "trials": 300},
            {"panel": "d50", "d": 5, "m": 10, "sigma": 0.6, "test_size": 200,
             "method": "full", "trials": 300},
            {"panel": "bound", "d": 50, "m": 10, "sigma": 0.6, "test_size": 200,
             "method": "sufficient", "trials": 300}]




def test_grid_covers_figure_one():
    pts = sim.grid(False)
    assert {p["panel"] for p in pts} == {"d1", "m10", "d50", "d1m40", "bound"}
    assert all(p["trials"] == 1000 for p in pts)
    assert all(p["trials"] == 100 for p in sim.grid(True))


def test_task_signed_gap_and_bound():
    out = sim.task(_small_grid(False)[0], np.random.default_rng(0), "cpu")
    assert np.all(np.abs(out["mean_gap"] - out["expected_gap"]) <= 4 * out["se_gap"])
    b = sim.task(_small_grid(False)[2], np.random.default_rng(0), "cpu")
    assert b["bound_plotted"][0] == pytest.approx(149.0138, abs=1e-3)
    assert b["bound_t_zero"][0] == pytest.approx(28.5826, abs=1e-4)


def test_executor_parity(tmp_path):
    import dataclasses

    small = dataclasses.replace(sim.SIM, grid=_small_grid)
    run(small, out=tmp_path / "serial", seed=3)
    run(small, out=tmp_path / "proc", seed=3, executor="processes", workers=2)
    a, b = results.load(tmp_path / "serial"), results.load(tmp_path / "proc")
    np.testing.assert_array_equal(a["value"].to_numpy(), b["value"].to_numpy())


def test_cli_bad_option_exit_2(capsys):
    from simulations._cli import main

    assert main(sim.SIM, ["--scale", "0"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "scale" in err


def test_bad_grid_point_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    from simulations._cli import main

    monkeypatch.setattr(sim, "M_D1", (1, 20))   # m_s = 1 is invalid
    assert main(sim.SIM, ["--quick", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "m_s must" in err


def test_scale_adds_blocks_and_figure(tmp_path):
    import dataclasses

    from paper_figures import gda_gmm as figure

    small = dataclasses.replace(sim.SIM, grid=_small_grid)
    run(small, out=tmp_path, scale=2)
    df = results.load(tmp_path)
    tab = figure.combine(df, "m10")
    assert set(tab.blocks) == {2}
    one = df[(df.panel == "m10") & (df.quantity == "se_abs_gap")]
    assert np.all(tab.se_abs_gap < one.value.max())
    paths = figure.make(df, tmp_path / "figures")
    assert {p.name for p in paths} == {"gda_gmm.png", "gda_gmm.pdf"}


@pytest.mark.slow
def test_quick_run(tmp_path):
    from paper_figures import gda_gmm as figure

    run(sim.SIM, quick=True, out=tmp_path)
    paths = figure.make(results.load(tmp_path), tmp_path / "figures")
    assert all(p.stat().st_size > 10_000 for p in paths)
