"""The pn_criterion simulation: tasks agree with the library, executors agree, the figure draws."""

import numpy as np
import pytest

from fdivtheory.sweep import Simulation, run
from simulations import pn_criterion as sim


def test_curve_task_exact_mc_and_expansion():
    out = sim.task({"experiment": "curve", "pair": "exponential|gamma(2)", "n": 40,
                    "replications": 4000}, np.random.default_rng(0), "cpu")
    assert abs(out["mc"] - out["exact"]) <= 4 * out["mc_se"]
    assert abs(out["exact"] - out["r12"]) < abs(out["exact"] - out["r1"])
    assert out["c1"] == pytest.approx(0.25)


def test_residual_task_levels_off_at_theory_values():
    out = sim.task({"experiment": "residual", "pair": "normal|normal", "n_max": 5000},
                   np.random.default_rng(0), "cpu")
    assert out["n3_residual"][-1] == pytest.approx(17.0, rel=0.02)
    out = sim.task({"experiment": "residual", "pair": "mvn(d=2)|normal", "n_max": 5000},
                   np.random.default_rng(0), "cpu")
    assert out["n3_residual"][-1] == pytest.approx(75.0, rel=0.03)


def test_pn_task_on_bundled_data():
    pytest.importorskip("sklearn")
    out = sim.task({"experiment": "pn", "dataset": "diabetes", "d": 3, "bootstrap": 200},
                   np.random.default_rng(1), "cpu")
    assert out["p"] == 9 and out["n"] == 442
    assert out["accept"] == float(out["r12"] < out["threshold"])
    assert out["n_star_well_specified"] == 226


def test_unknown_experiment():
    with pytest.raises(ValueError, match="unknown experiment"):
        sim.task({"experiment": "nope"}, np.random.default_rng(0), "cpu")


def _small_grid(quick):
    return [{"experiment": "curve", "pair": "normal|gamma(4)", "n": 20, "replications": 300},
            {"experiment": "curve", "pair": "categorical|(.2,.3,.5)", "n": 10,
             "replications": 300},
            {"experiment": "residual", "pair": "bernoulli|0.5", "n_max": 200}]


def test_executor_parity(tmp_path):
    from fdivtheory import results

    small = Simulation(name="pn_small", description="parity", grid=_small_grid, task=sim.task,
                       replicates=2)
    run(small, out=tmp_path / "serial", seed=3)
    run(small, out=tmp_path / "process", seed=3, executor="processes", workers=2)
    a = results.load(tmp_path / "serial").sort_values(["point", "block", "quantity", "index"])
    b = results.load(tmp_path / "process").sort_values(["point", "block", "quantity", "index"])
    assert np.array_equal(a["value"].to_numpy(), b["value"].to_numpy(), equal_nan=True)


@pytest.mark.slow
def test_quick_run_and_figure(tmp_path):
    from fdivtheory import results
    from paper_figures import pn_criterion as figure

    run(sim.SIM, quick=True, out=tmp_path)
    paths = figure.make(results.load(tmp_path), tmp_path / "figures")
    assert {p.name for p in paths} == {"pn_criterion.png", "pn_criterion.pdf"}
    assert all(p.stat().st_size > 10_000 for p in paths)
