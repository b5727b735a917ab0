"""The one place that knows which array library an input comes from.

fdivtheory is written once against the Python array API standard
(https://data-apis.org/array-api/).  Every public function starts with
:func:`namespace`, which returns the array namespace of its inputs through
``array_api_compat`` (NumPy, CuPy, array-api-strict, ... ) and then uses only
that namespace's functions, so that **array type in = array type out**: NumPy
arrays give NumPy results, CuPy arrays give CuPy results on the same device.

Python scalars, lists and tuples are converted to NumPy ``float64`` arrays.
Mixing namespaces (say a NumPy ``p`` with a CuPy ``q``) is a ``TypeError``:
nothing is moved between devices silently.

Fused kernels are an optimisation behind the same functions; the choice is
made in one place, :mod:`fdivtheory.kernels`: NumPy arrays of a real float
dtype run the numba kernels (:func:`use_cpu_kernels`), CuPy arrays on a
visible CUDA device the CuPy kernels (:func:`use_gpu_kernels`, same branch
ladder), every other namespace the generic array-API path, which is the
reference semantics the kernels are tested against.  Inside
``with generic_path():`` every input takes the generic path (the parity
checks, tests and benchmarks use it to compare the two).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import array_api_compat
import numpy as np

__all__ = [
    "asarray",
    "cupy_random_state",
    "device_namespace",
    "float_dtype",
    "generic_path",
    "gpu_device_count",
    "is_numpy_namespace",
    "namespace",
    "to_numpy",
    "use_cpu_kernels",
    "use_gpu_kernels",
]

_GENERIC: ContextVar[bool] = ContextVar("fdivtheory_generic_path", default=False)


@contextmanager
def generic_path() -> Iterator[None]:
    """Run every reduction in the block on the generic array-API path (no compiled kernel).

    For comparing the kernels with the reference semantics::

        with generic_path():
            reference = fd.kl(p, q)

    Scoped to the current thread / context (a ``contextvars`` variable); the
    environment variables ``FDIVTHEORY_DISABLE_NUMBA=1`` and
    ``FDIVTHEORY_DISABLE_CUPY_KERNELS=1`` do the same for a whole process.
    """
    token = _GENERIC.set(True)
    try:
        yield
    finally:
        _GENERIC.reset(token)


def _is_array(x: Any) -> bool:
    return array_api_compat.is_array_api_obj(x) and not isinstance(x, (bool, int, float, complex))


def namespace(*arrays: Any) -> Any:
    """Array namespace shared by ``arrays`` (NumPy for Python scalars and lists).

    Raises
    ------
    TypeError
        If the arrays come from different libraries.
    """
    real = [a for a in arrays if a is not None and _is_array(a)]
    if not real:
        return array_api_compat.array_namespace(np.empty(0))
    try:
        return array_api_compat.array_namespace(*real)
    except TypeError as exc:
        kinds = sorted({type(a).__module__.split(".")[0] + "." + type(a).__name__ for a in real})
        raise TypeError(
            f"inputs mix array libraries ({', '.join(kinds)}); convert them to one library "
            "first (fdivtheory never moves data between devices silently)"
        ) from exc


def is_numpy_namespace(xp: Any) -> bool:
    """True for NumPy (plain or wrapped by array_api_compat)."""
    return array_api_compat.is_numpy_namespace(xp)


def float_dtype(xp: Any, x: Any) -> Any:
    """The real floating dtype to compute ``x`` in: its own if floating, else float64."""
    dt = getattr(x, "dtype", None)
    if dt is not None and xp.isdtype(dt, "real floating"):
        return dt
    return xp.float64


def asarray(x: Any, xp: Any, name: str) -> Any:
    """``x`` as a real floating array of namespace ``xp``.

    Complex or non-numeric input is a ``TypeError`` naming ``name``.
    """
    if not _is_array(x):
        try:
            x = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be array-like of real numbers") from exc
        if x.dtype == object or x.dtype.kind not in "biuf":
            raise TypeError(f"{name} must contain real numbers, got dtype {x.dtype}")
        x = x.astype(np.float64, copy=False) if x.dtype.kind != "f" else x
        return xp.asarray(x)
    dt = x.dtype
    if xp.isdtype(dt, "complex floating") or not xp.isdtype(dt, "numeric"):
        raise TypeError(f"{name} must contain real numbers, got dtype {dt}")
    if not xp.isdtype(dt, "real floating"):
        x = xp.astype(x, xp.float64)
    return x


def use_cpu_kernels(xp: Any) -> bool:
    """Whether the numba kernels may run for arrays of namespace ``xp``."""
    return (is_numpy_namespace(xp) and not _GENERIC.get()
            and os.environ.get("FDIVTHEORY_DISABLE_NUMBA", "") != "1")


def use_gpu_kernels(xp: Any) -> bool:
    """Whether the CuPy kernels of :mod:`fdivtheory.kernels.gpu` may run for ``xp``.

    CuPy arrays on a visible CUDA device, outside :func:`generic_path`.
    """
    if not array_api_compat.is_cupy_namespace(xp) or _GENERIC.get():
        return False
    if os.environ.get("FDIVTHEORY_DISABLE_CUPY_KERNELS", "") == "1":
        return False
    from fdivtheory.kernels import gpu

    return gpu.available()


def gpu_device_count() -> int:
    """Number of CUDA devices CuPy can use here (0 without CuPy, a driver or a device)."""
    try:
        import cupy

        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # ImportError, or CUDA errors of any type
        return 0


def device_namespace(device: Any) -> Any:
    """The array namespace that runs on ``device``.

    ``"cpu"`` gives NumPy (through ``array_api_compat``), ``"gpu"`` CuPy on the
    current CUDA device, and an array-API namespace is returned as it is (for
    tests with ``array_api_strict``).  Simulations and Monte Carlo code call this
    instead of importing CuPy, so that only this module and
    :mod:`fdivtheory.kernels` know that CuPy exists.

    Raises
    ------
    ValueError
        For ``"gpu"`` without CuPy or a CUDA device, or an unknown device.
    """
    if isinstance(device, str):
        if device == "cpu":
            return array_api_compat.array_namespace(np.empty(0))
        if device == "gpu":
            if gpu_device_count() < 1:
                raise ValueError("device='gpu' needs CuPy and an NVIDIA GPU "
                                 "(pip install 'fdivtheory[gpu]'); none is usable here")
            import cupy

            return array_api_compat.array_namespace(cupy.empty(0))
        raise ValueError(f"device must be 'cpu' or 'gpu', got {device!r}")
    if hasattr(device, "asarray") and hasattr(device, "float64"):
        return device
    raise ValueError(f"device must be 'cpu', 'gpu' or an array-API namespace, got {device!r}")


def cupy_random_state(seed: int) -> Any:
    """A ``cupy.random.RandomState`` seeded with ``seed`` (draws made on the GPU)."""
    import cupy

    return cupy.random.RandomState(int(seed))


def to_numpy(x: Any) -> np.ndarray:
    """``x`` as a NumPy array (copied from the device for CuPy arrays)."""
    if array_api_compat.is_cupy_array(x):
        return x.get()
    return np.asarray(x)
