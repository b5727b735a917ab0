"""fdivtheory.results.load: the documented tidy table."""

from __future__ import annotations

import numpy as np
import pytest
from sweep_helpers import stored_rows

from fdivtheory import results
from fdivtheory.sweep import _demo, run
from fdivtheory.sweep.store import decode_payload


def test_load_returns_the_documented_columns(tmp_path):
    run(_demo.SIM, quick=True, out=tmp_path)
    df = results.load(tmp_path)
    assert list(df.columns) == ["task_id", "point", "block", "n", "shift", "sleep",
                                "quantity", "index", "value"]
    assert df["value"].dtype == np.float64 and df["index"].dtype == np.int64
    assert len(df) == 6 * (1 + 1 + 3 + 1)  # mean, max, head[3], n per task
    assert df.equals(results.load(tmp_path / "results.sqlite"))
    head = df[(df.quantity == "head") & (df.task_id == "1-2")]
    assert head["index"].tolist() == [0, 1, 2]
    assert set(head["n"]) == {200} and set(head["block"]) == {2}
    # the values are exactly the stored ones
    row = next(r for r in stored_rows(tmp_path) if r[0] == "1-2")
    assert head["value"].tolist() == decode_payload(row[7])["head"]
    scalars = df[df.quantity != "head"]
    assert (scalars["index"] == 0).all()


def test_load_of_a_missing_store_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no stored results"):
        results.load(tmp_path)
    assert results.count(tmp_path) == 0


def test_load_runs_and_count(tmp_path):
    run(_demo.SIM, quick=True, out=tmp_path)
    run(_demo.SIM, quick=True, out=tmp_path, resume=True, scale=2)
    runs = results.load_runs(tmp_path)
    assert runs["tasks_run"].tolist() == [6, 6] and runs["tasks_resumed"].tolist() == [0, 6]
    assert results.count(tmp_path) == 12
