"""The SQLite store: exact payloads, identity checks, grid changes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fdivtheory.sweep import SweepError, _demo, run
from fdivtheory.sweep.store import decode_payload, encode_payload, open_store

floats = hnp.arrays(np.float64, st.integers(0, 20),
                    elements=st.floats(allow_nan=True, allow_infinity=True, width=64))


@given(floats, st.floats(allow_nan=False, width=64), st.integers(-2**62, 2**62))
def test_payload_round_trips_bit_for_bit(arr, x, n):
    back = decode_payload(encode_payload({"arr": arr, "x": np.float64(x), "n": n,
                                          "f32": np.float32(0.1), "flag": np.bool_(True)}))
    expected = np.where(np.isnan(arr), np.nan, arr)  # NaN comes back as the canonical NaN
    assert np.array_equal(np.asarray(back["arr"], dtype=np.float64).view(np.int64),
                          expected.view(np.int64))
    assert np.float64(back["x"]).view(np.int64) == np.float64(x).view(np.int64)
    assert back["n"] == n and isinstance(back["n"], int)
    assert back["f32"] == float(np.float32(0.1)) and back["flag"] == 1


@pytest.mark.parametrize("payload", [
    {}, {"m": np.zeros((2, 2))}, {"s": "text"}, {"c": np.array([1j])}, {1: 2.0}, [("a", 1.0)],
])
def test_bad_payloads_are_refused(payload):
    with pytest.raises(TypeError):
        encode_payload(payload)


def test_zero_d_arrays_are_scalars():
    assert decode_payload(encode_payload({"a": np.array(2.5)})) == {"a": 2.5}


def test_an_empty_store_takes_the_new_identity(tmp_path):
    store = open_store(tmp_path, {"simulation": "a", "seed": "0", "quick": "1"}, resume=False)
    store.close()
    store = open_store(tmp_path, {"simulation": "b", "seed": "3", "quick": "0"}, resume=False)
    assert store.identity()["simulation"] == "b"
    store.close()


def test_resume_refuses_a_changed_grid(tmp_path):
    run(_demo.SIM, quick=True, out=tmp_path)
    changed = dataclasses.replace(_demo.SIM, grid=lambda quick: [{"n": 51, "shift": 0.0,
                                                                  "sleep": 0.0}])
    with pytest.raises(SweepError, match="grid of 'demo' has changed"):
        run(changed, quick=True, out=tmp_path, resume=True)
    fewer = dataclasses.replace(_demo.SIM, grid=lambda quick: _demo.grid(quick)[:1])
    with pytest.raises(SweepError, match="has changed"):
        run(fewer, quick=True, out=tmp_path, resume=True)


def test_each_row_records_seed_timing_and_run(tmp_path):
    import sqlite3
    from contextlib import closing

    run(_demo.SIM, quick=True, seed=2**70, out=tmp_path)  # seeds beyond 64 bits are kept
    with closing(sqlite3.connect(tmp_path / "results.sqlite")) as conn:
        rows = conn.execute("SELECT seed_entropy, spawn_key, wall_time, run_id FROM tasks")
        rows = rows.fetchall()
        run_row = conn.execute("SELECT seed, quick, command, numpy FROM runs").fetchone()
    assert {r[0] for r in rows} == {str(2**70)}
    assert all(r[2] >= 0 and r[3] == 1 for r in rows)
    assert run_row[:2] == (str(2**70), 1) and run_row[3] == np.__version__
