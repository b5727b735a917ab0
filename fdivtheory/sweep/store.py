"""The results store: one SQLite file, ``results.sqlite``, per output directory.

Tables
------
``meta``
    The store's identity: ``simulation``, ``seed`` and ``quick``.  A run refuses
    to add tasks to a store whose identity differs from its own.
``runs``
    One row per invocation: command line, executor, package versions, git
    revision, start/finish times, status and task counts.
``tasks``
    One row per finished task, written by the client process in its own
    transaction, so a reader (or a run killed at any moment) never sees half a
    row: simulation, ``task_id``, grid ``point`` and replicate ``block``,
    parameters (JSON), the seed (root entropy and spawn key), the payload
    (JSON), wall time, device and the ``run_id`` that produced it.

Payloads are JSON objects mapping a quantity name to a number or a list of
numbers.  Python writes floats with ``repr``, which round-trips exactly, so a
payload read back is bit-identical to the one the task returned.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from fdivtheory.sweep._errors import SweepError

__all__ = [
    "FILENAME",
    "Store",
    "TaskRecord",
    "decode_payload",
    "encode_payload",
    "open_store",
    "store_path",
]

#: Name of the database file inside an output directory.
FILENAME = "results.sqlite"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    simulation TEXT NOT NULL,
    seed TEXT NOT NULL,
    quick INTEGER NOT NULL,
    scale INTEGER NOT NULL,
    executor TEXT NOT NULL,
    workers INTEGER,
    device TEXT NOT NULL,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    tasks_run INTEGER NOT NULL DEFAULT 0,
    tasks_resumed INTEGER NOT NULL DEFAULT 0,
    python TEXT, numpy TEXT, scipy TEXT, fdivtheory TEXT, git_revision TEXT
);
CREATE TABLE IF NOT EXISTS tasks (
    task_id TEXT PRIMARY KEY,
    simulation TEXT NOT NULL,
    point INTEGER NOT NULL,
    block INTEGER NOT NULL,
    params TEXT NOT NULL,
    seed_entropy TEXT NOT NULL,
    spawn_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    wall_time REAL NOT NULL,
    device TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    finished TEXT NOT NULL,
    UNIQUE (point, block)
);
"""

_RUN_FIELDS = ("simulation", "seed", "quick", "scale", "executor", "workers", "device",
               "command", "python", "numpy", "scipy", "fdivtheory", "git_revision")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_path(path: str | Path) -> Path:
    """The database file for ``path``: an output directory or the file itself."""
    path = Path(path)
    return path if path.suffix == ".sqlite" else path / FILENAME


def _scalar(name: str, value: object) -> int | float:
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    raise TypeError(f"payload entry {name!r} must be a real number or a 1-D array, "
                    f"got {type(value).__name__}")


def encode_payload(payload: Mapping[str, object]) -> str:
    """Serialise a task's payload to JSON, exactly.

    Values may be Python or NumPy real scalars, 0-d arrays, or 1-D real arrays
    (stored as lists). Floats are written with ``repr`` and so read back
    bit-identical; infinities are kept and every NaN comes back as the
    canonical NaN (Python's JSON extension).

    >>> encode_payload({"x": 0.1, "v": np.array([1.0, 2.5])})
    '{"x": 0.1, "v": [1.0, 2.5]}'
    """
    if not isinstance(payload, Mapping) or not payload:
        raise TypeError(f"a task must return a non-empty dict, got {payload!r:.80}")
    out: dict[str, int | float | list] = {}
    for name, value in payload.items():
        if not isinstance(name, str):
            raise TypeError(f"payload keys must be strings, got {name!r}")
        if isinstance(value, np.ndarray | list | tuple):
            arr = np.asarray(value)
            if arr.ndim == 0:
                out[name] = _scalar(name, arr[()])
                continue
            if arr.ndim != 1 or arr.dtype.kind not in "biuf":
                raise TypeError(f"payload entry {name!r} must be a 1-D real array, "
                                f"got shape {arr.shape} and dtype {arr.dtype}")
            out[name] = (arr.astype(np.float64) if arr.dtype.kind == "f" else arr).tolist()
        else:
            out[name] = _scalar(name, value)
    return json.dumps(out, allow_nan=True)


def decode_payload(text: str) -> dict[str, float | int | list]:
    """Inverse of :func:`encode_payload` (arrays come back as lists)."""
    return json.loads(text)


@dataclass(frozen=True)
class TaskRecord:
    """A finished task as written to the store."""

    point: int
    block: int
    params: str
    seed_entropy: str
    spawn_key: str
    payload: str
    wall_time: float
    device: str

    @property
    def task_id(self) -> str:
        """Stable identifier of the task: ``"<point>-<block>"``."""
        return task_id(self.point, self.block)


def task_id(point: int, block: int) -> str:
    """The task identifier used in the store and in loaded tables."""
    return f"{point}-{block}"


class Store:
    """An open results database (use :func:`open_store` to create or resume one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        with self._conn:
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    def identity(self) -> dict[str, str]:
        """The ``meta`` table as a dict (empty for a new store)."""
        return dict(self._conn.execute("SELECT key, value FROM meta"))

    def set_identity(self, identity: Mapping[str, str]) -> None:
        """Replace the store's identity (only done while it holds no task)."""
        with self._conn:
            self._conn.execute("DELETE FROM meta")
            self._conn.executemany("INSERT INTO meta VALUES (?, ?)", identity.items())

    def count(self) -> int:
        """Number of stored tasks."""
        return self._conn.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]

    def stored_params(self) -> dict[tuple[int, int], str]:
        """``{(point, block): params_json}`` for every stored task."""
        rows = self._conn.execute("SELECT point, block, params FROM tasks")
        return {(p, b): params for p, b, params in rows}

    def begin_run(self, info: Mapping[str, object]) -> int:
        """Record the start of a run and return its ``run_id``."""
        values = [info.get(k) for k in _RUN_FIELDS]
        with self._conn:
            cur = self._conn.execute(
                f"INSERT INTO runs ({', '.join(_RUN_FIELDS)}, started, status) "
                f"VALUES ({', '.join('?' * len(_RUN_FIELDS))}, ?, 'running')",
                [*values, _now()])
        return int(cur.lastrowid)

    def end_run(self, run_id: int, status: str, tasks_run: int, tasks_resumed: int) -> None:
        """Record how a run ended (``finished``, ``interrupted`` or ``failed``)."""
        with self._conn:
            self._conn.execute(
                "UPDATE runs SET finished = ?, status = ?, tasks_run = ?, tasks_resumed = ? "
                "WHERE run_id = ?", (_now(), status, tasks_run, tasks_resumed, run_id))

    def add(self, run_id: int, simulation: str, record: TaskRecord) -> None:
        """Write one finished task in its own transaction."""
        with self._conn:
            self._conn.execute(
                "INSERT INTO tasks (task_id, simulation, point, block, params, seed_entropy, "
                "spawn_key, payload, wall_time, device, run_id, finished) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.task_id, simulation, record.point, record.block, record.params,
                 record.seed_entropy, record.spawn_key, record.payload, record.wall_time,
                 record.device, run_id, _now()))


def _describe(identity: Mapping[str, str]) -> str:
    quick = "quick" if identity.get("quick") == "1" else "full"
    return f"simulation {identity.get('simulation')!r}, seed {identity.get('seed')}, {quick}"


def open_store(out: str | Path, identity: Mapping[str, str], *, resume: bool) -> Store:
    """Open (or create) the store under directory ``out`` for a run with ``identity``.

    An existing store that holds tasks is reused only with ``resume=True`` and
    only if its identity (simulation, seed, quick) equals ``identity``;
    otherwise a :class:`SweepError` says what to do.
    """
    out = Path(out)
    identity = {**identity, "schema": SCHEMA_VERSION}
    try:
        out.mkdir(parents=True, exist_ok=True)
        store = Store(store_path(out))
    except OSError as exc:
        raise SweepError(f"cannot write results to {out}: {exc}") from None
    except sqlite3.Error as exc:
        raise SweepError(f"cannot use {store_path(out)}: {exc}") from None
    try:
        n = store.count()
        if n == 0:
            store.set_identity(identity)
            return store
        if not resume:
            raise SweepError(f"{store.path} already holds {n} finished tasks; pass --resume "
                             f"to continue that run or --out to write elsewhere")
        stored = store.identity()
        if stored != identity:
            raise SweepError(f"cannot resume {store.path}: it was written by "
                             f"{_describe(stored)}, this run is {_describe(identity)}; "
                             f"use another --out")
        return store
    except sqlite3.Error as exc:
        store.close()
        raise SweepError(f"cannot use {store.path}: {exc}") from None
    except BaseException:
        store.close()
        raise

