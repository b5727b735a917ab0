"""The sdpi_layers simulation: tasks reproduce the library, executors agree, figure draws."""

import numpy as np
import pytest

from simulations import sdpi_layers as sim


def test_linear_gaussian_task_within_4se():
    out = sim.task({"experiment": "linear_gaussian", "layer": 3, "draws": 4000},
                   np.random.default_rng(0), "cpu")
    assert out["rank"] == 3
    assert abs(out["kl_mc"] - out["kl_formula"]) <= 4 * out["kl_se"]
    assert abs(out["w2_mc"] - out["w2_formula"]) <= 4 * out["w2_se"]
    assert out["w_bound_label"] >= out["w_bound_product"] - 1e-15


def test_linear_gaussian_task_on_an_array_api_namespace():
    # the device path: the draws run on the namespace device_namespace returns (CuPy for "gpu");
    # with the same seed they equal the NumPy draws
    xps = pytest.importorskip("array_api_strict")
    params = {"experiment": "linear_gaussian", "layer": 2, "draws": 500}
    strict = sim.task(params, np.random.default_rng(4), xps)
    host = sim.task(params, np.random.default_rng(4), "cpu")
    assert strict["kl_mc"] == pytest.approx(host["kl_mc"], rel=1e-12)
    assert strict["w2_mc"] == pytest.approx(host["w2_mc"], rel=1e-12)


@pytest.mark.gpu
def test_linear_gaussian_task_on_gpu():
    pytest.importorskip("cupy")
    from fdivtheory._backend import gpu_device_count

    if gpu_device_count() < 1:
        pytest.skip("no CUDA device")
    params = {"experiment": "linear_gaussian", "layer": 2, "draws": 4000}
    gpu = sim.task(params, np.random.default_rng(5), "gpu")
    host = sim.task(params, np.random.default_rng(5), "cpu")
    assert gpu["kl_mc"] == pytest.approx(host["kl_mc"], rel=1e-10)
    assert abs(gpu["kl_mc"] - gpu["kl_formula"]) <= 4 * gpu["kl_se"]


def test_mask_and_gaussian_tasks():
    for kind in ("dropout", "dropconnect"):
        out = sim.task({"experiment": kind, "width": 3, "p": 0.5}, np.random.default_rng(1), "cpu")
        assert out["eta_tv"] == pytest.approx(out["formula"], abs=1e-9)
        assert out["eta_kl"] == pytest.approx(out["formula"], abs=1e-9)
    g = sim.task({"experiment": "gaussian", "x": 1.5}, np.random.default_rng(2), "cpu")
    assert g["binned_eta_kl"] <= g["eta_tv"] + 1e-12 <= g["curve"] + 2e-12


def test_toy_task_matches_reference():
    out = sim.task({"experiment": "toy"}, np.random.default_rng(0), "cpu")
    assert out["gen"] == pytest.approx(0.004211839431, abs=1e-10)
    assert out["contracted_bound"] == pytest.approx(0.018645030815, abs=1e-10)


def test_unknown_experiment():
    with pytest.raises(ValueError, match="unknown experiment"):
        sim.task({"experiment": "nope"}, np.random.default_rng(0), "cpu")


def test_executor_parity(tmp_path):
    from fdivtheory import results
    from fdivtheory.sweep import Simulation, run

    small = Simulation(name="sdpi_layers_small", description="parity", task=sim.task,
                       grid=lambda quick: [p for p in sim.grid(True)
                                           if p["experiment"] in ("linear_gaussian", "dropout")][:8],
                       replicates=1)
    run(small, quick=True, out=tmp_path / "serial", executor="serial")
    run(small, quick=True, out=tmp_path / "process", executor="processes", workers=2)
    a = results.load(tmp_path / "serial").sort_values(["point", "quantity"])
    b = results.load(tmp_path / "process").sort_values(["point", "quantity"])
    np.testing.assert_array_equal(a.value.to_numpy(), b.value.to_numpy())


@pytest.mark.slow
def test_quick_run_and_figure(tmp_path):
    from fdivtheory import results
    from fdivtheory.sweep import run
    from paper_figures import sdpi_layers as figure

    run(sim.SIM, quick=True, out=tmp_path)
    paths = figure.make(results.load(tmp_path), tmp_path / "figures")
    assert {p.name for p in paths} == {"sdpi_layers.png", "sdpi_layers.pdf"}
    assert all(p.stat().st_size > 10_000 for p in paths)
