"""Read stored simulation results as tidy :class:`pandas.DataFrame` tables.

A run of ``python -m simulations.<name>`` writes ``results.sqlite`` in its output
directory (see :mod:`fdivtheory.sweep.store`).  :func:`load` turns it into one
row per (task, quantity, index)::

    >>> import fdivtheory.results as fr                      # doctest: +SKIP
    >>> df = fr.load("results/core_inequalities-quick")      # doctest: +SKIP
    >>> df[df.quantity == "max_ratio_pinsker"].groupby("k").value.max()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd

from fdivtheory.sweep.store import store_path

__all__ = ["count", "load", "load_runs"]

_FIXED = ["task_id", "point", "block"]
_LONG = ["quantity", "index", "value"]


def _connect(path: str | Path) -> sqlite3.Connection:
    db = store_path(path)
    if not db.is_file():
        raise FileNotFoundError(f"no stored results at {path} (expected {db}); run the "
                                f"simulation first")
    # "rw" never creates a file, and (unlike "ro") lets the last reader to close
    # remove the WAL side files; SQLite itself falls back to read-only access
    # for a write-protected file.
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=rw", uri=True)


def load(path: str | Path) -> pd.DataFrame:
    """The stored results under ``path`` as a tidy table.

    Parameters
    ----------
    path : str or Path
        A simulation's output directory, or its ``results.sqlite`` file.

    Returns
    -------
    pandas.DataFrame
        Columns ``task_id, point, block, <parameter columns...>, quantity,
        index, value``: one row per task and payload quantity, and per element
        for array quantities (``index`` is the position in the array, 0 for a
        scalar).  ``value`` is float64; rows are sorted by point, block, then
        quantity in the order the task returned them.

    Raises
    ------
    FileNotFoundError
        If ``path`` holds no results.

    Examples
    --------
    >>> import tempfile
    >>> from fdivtheory.sweep import _demo, run
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = run(_demo.SIM, quick=True, out=d)
    ...     df = load(d)
    >>> list(df.columns)
    ['task_id', 'point', 'block', 'n', 'shift', 'sleep', 'quantity', 'index', 'value']
    >>> df[df.quantity == "head"].groupby("task_id").size().unique().tolist()
    [3]
    """
    with closing(_connect(path)) as conn:
        rows = conn.execute(
            "SELECT task_id, point, block, params, payload FROM tasks ORDER BY point, block"
        ).fetchall()
    param_rows = [json.loads(r[3]) for r in rows]
    param_names = list(dict.fromkeys(k for p in param_rows for k in p))
    owner, quantity, index, values = [], [], [], []
    for i, row in enumerate(rows):
        for name, v in json.loads(row[4]).items():
            if isinstance(v, list):
                n = len(v)
                owner.append(np.full(n, i))
                quantity.append(np.full(n, name, dtype=object))
                index.append(np.arange(n))
                values.append(np.asarray(v, dtype=np.float64))
            else:
                owner.append(np.array([i]))
                quantity.append(np.array([name], dtype=object))
                index.append(np.zeros(1, dtype=np.int64))
                values.append(np.array([v], dtype=np.float64))
    cat = (lambda parts, dtype: np.concatenate(parts) if parts else np.empty(0, dtype=dtype))
    owner_idx = cat(owner, np.int64)
    columns: dict[str, object] = {
        "task_id": np.array([r[0] for r in rows], dtype=object)[owner_idx],
        "point": np.array([r[1] for r in rows], dtype=np.int64)[owner_idx],
        "block": np.array([r[2] for r in rows], dtype=np.int64)[owner_idx],
    }
    for name in param_names:
        col = pd.Series([p.get(name) for p in param_rows], dtype=object).infer_objects()
        columns[name] = col.to_numpy()[owner_idx]
    columns["quantity"] = cat(quantity, object)
    columns["index"] = cat(index, np.int64).astype(np.int64)
    columns["value"] = cat(values, np.float64)
    return pd.DataFrame(columns, columns=[*_FIXED, *param_names, *_LONG])


def load_runs(path: str | Path) -> pd.DataFrame:
    """The ``runs`` table under ``path``: one row per invocation, with provenance.

    Columns include ``simulation, seed, quick, scale, executor, workers, device,
    command, started, finished, status, tasks_run, tasks_resumed, python, numpy,
    scipy, fdivtheory, git_revision``.
    """
    with closing(_connect(path)) as conn:
        return pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", conn)


def count(path: str | Path) -> int:
    """Number of tasks stored under ``path`` (0 when it holds no results store)."""
    if not store_path(path).is_file():
        return 0
    with closing(_connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
