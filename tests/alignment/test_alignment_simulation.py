"""The alignment_bon simulation: tasks reproduce the library and the reference values of docs/theory/alignment.md."""

import math

import numpy as np
import pytest

from simulations import alignment_bon as sim


def test_equivalence_task_reproduces_reference_row():
    out = sim.task({"experiment": "equivalence", "model": "bernoulli", "length": 10},
                   np.random.default_rng(0), "cpu")
    assert out["bon_reward_per_token"] == pytest.approx(0.412563, abs=1e-6)
    assert out["kl_bon_tilted"] == pytest.approx(0.2743, abs=1e-4)
    assert abs(out["identity_residual"]) < 1e-12


def test_monte_carlo_tasks_within_4se():
    out = sim.task({"experiment": "bon_mc", "model": "bernoulli", "length": 30,
                    "replicates": 3000}, np.random.default_rng(1), "cpu")
    assert out["n_draws"] == round(math.exp(3.0))
    assert abs(out["mc_reward_per_token"] - out["exact_reward_per_token"]) <= 4 * out["mc_se"]
    kl = sim.task({"experiment": "kl_vs_n", "reference": "cherry", "L": 100, "replicates": 300},
                  np.random.default_rng(2), "cpu")
    exact = np.interp(kl["mc_n"], kl["n"], kl["mean_estimator"])
    # at small N the 1e-4 top atom is usually not drawn: the sample SE is then ~0 while
    # the exact mean differs by < 1e-7; the 1e-6 floor covers that unsampled atom
    assert np.all(np.abs(kl["mc_mean_estimator"] - exact) <= 4 * kl["mc_se"] + 1e-6)
    assert np.all(kl["kl"] <= kl["bound"] + 1e-12)


def test_ldp_and_win_rate_tasks():
    ldp = sim.task({"experiment": "ldp", "length": 1000}, np.random.default_rng(0), "cpu")
    assert np.all(ldp["exponent"] <= ldp["minus_rate"] + 1e-15)  # Chernoff
    assert ldp["forms_max_disagreement"] < 1e-12
    win = sim.task({"experiment": "win_rate", "reference": "p4", "replicates": 2000},
                   np.random.default_rng(3), "cpu")
    assert np.all(win["tilted_win"] >= win["bon_win"] - 1e-15)
    exact = np.interp(win["mc_n"], win["n"], win["bon_win"])
    assert np.all(np.abs(win["mc_win"] - exact) <= 4 * win["mc_se"] + 1e-12)


@pytest.mark.slow
def test_quick_run_and_figures(tmp_path):
    from fdivtheory import results
    from fdivtheory.sweep import run
    from paper_figures import alignment_bon as figure

    run(sim.SIM, quick=True, out=tmp_path)
    paths = figure.make(results.load(tmp_path), tmp_path / "figures")
    assert {p.name for p in paths} == {"alignment_yang.png", "alignment_yang.pdf",
                                       "alignment_beirami.png", "alignment_beirami.pdf"}
    assert all(p.stat().st_size > 10_000 for p in paths)
