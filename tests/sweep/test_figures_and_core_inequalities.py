"""paper_figures and the demonstration simulation core_inequalities."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import paper_figures
from fdivtheory import results
from fdivtheory.inequalities import kl_lower_from_tv
from fdivtheory.sweep import run
from paper_figures.__main__ import main as figures_main
from simulations import core_inequalities as ci


def test_paper_figures_runs_missing_results_in_quick_mode_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(paper_figures.FIGURES, "demo", "demo_figure")
    argv = ["demo", "--out", str(tmp_path / "figs"), "--results", str(tmp_path / "res"),
            "--no-progress"]
    assert figures_main(argv) == 0
    assert "6 tasks run" in capsys.readouterr().out
    for ext in ("png", "pdf"):
        assert (tmp_path / "figs" / f"demo.{ext}").stat().st_size > 0
    assert figures_main(argv) == 0  # results are there now: nothing is rerun
    assert "tasks run" not in capsys.readouterr().out
    assert results.load_runs(tmp_path / "res" / "demo-quick")["tasks_run"].sum() == 6


def test_paper_figures_prefers_full_results(tmp_path, monkeypatch, capsys):
    from fdivtheory.sweep import _demo

    monkeypatch.setitem(paper_figures.FIGURES, "demo", "demo_figure")
    run(_demo.SIM, out=tmp_path / "res" / "demo")
    assert figures_main(["demo", "--out", str(tmp_path), "--results",
                         str(tmp_path / "res")]) == 0
    assert "res/demo/results.sqlite" in capsys.readouterr().out
    assert not (tmp_path / "res" / "demo-quick").exists()


def test_paper_figures_unknown_name(capsys):
    assert figures_main(["no_such_figure"]) == 2
    assert "unknown figure 'no_such_figure'" in capsys.readouterr().err


def test_every_registered_figure_resolves():
    for name in paper_figures.FIGURES:
        entry = paper_figures.resolve(name)
        assert callable(entry.make) and entry.simulation.name
    with pytest.raises(KeyError):
        paper_figures.resolve("no_such_figure")


def test_core_inequalities_task_respects_the_three_inequalities():
    rng = np.random.default_rng(3)
    for k in (2, 7):
        out = ci.task({"k": k, "pairs": 5_000}, rng, "cpu")
        assert 0.5 < out["max_ratio_pinsker"] <= 1.0
        assert 0.5 < out["max_ratio_bh"] <= 1.0
        assert 0.5 < out["max_ratio_le_cam"] <= 1.0 + 1e-12  # equality at k = 2
        assert out["min_ratio_le_cam_lower"] >= 1.0
        tv, kl = out["tv_sample"], out["kl_sample"]
        assert len(tv) == len(kl) == ci.SAMPLE
        assert np.all(kl >= kl_lower_from_tv(tv) * (1 - 1e-9))


def test_core_inequalities_small_run_and_figure(tmp_path):
    small = dataclasses.replace(
        ci.SIM, grid=lambda quick: [{"k": 2, "pairs": 3000}, {"k": 10, "pairs": 600}])
    run(small, quick=True, out=tmp_path)
    df = results.load(tmp_path)
    assert set(df["quantity"]) == {"max_ratio_pinsker", "max_ratio_bh", "max_ratio_le_cam",
                                   "min_ratio_le_cam_lower", "tv_sample", "kl_sample"}
    from paper_figures import core_inequalities as figure

    paths = figure.make(df, tmp_path / "figures")
    assert sorted(p.suffix for p in paths) == [".pdf", ".png"]
    assert all(p.stat().st_size > 0 for p in paths)
